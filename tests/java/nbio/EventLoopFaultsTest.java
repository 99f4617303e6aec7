package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Step 6a, event-loop, when things go wrong: each cause named as it is, one line, and the senders that did not fail still reported. */
@Timeout(300)
class EventLoopFaultsTest {
    static final Duration RUN = Duration.ofSeconds(120);

    /** One sender meets a closed port, the other a live server: the second is reported in full, the first in one line. */
    @Test
    void whenOneSenderFailsTheOtherIsStillReported() throws IOException {
        int closed = closedPort();
        try (Scripts.Server server = Scripts.selectServerUntimed()) {
            // Ports are taken in turn: send-1 goes to the closed port, send-2 to the server.
            Scripts.Proc run = Scripts.start("EventLoop", "localhost", closed + "," + server.portArg(), "5000000");
            assertEquals(1, run.waitFor(RUN), run.output());
            assertEquals(List.of("event-loop: send-1: nothing is listening on localhost:" + closed
                    + ": start `./jbang select-server` (or `./jbang server`) first"), run.stderrLines());
            List<Map<String, String>> results = EventLoopTest.results(run);
            assertEquals(1, results.size(), run.output());
            Map<String, String> result = results.get(0);
            assertEquals("send-2", result.get("task"));
            assertEquals("5000000", result.get("bytes"));
            Map<String, String> served = Scripts.fields(server.proc().awaitLine(
                    Pattern.compile("^SERVED .* peer=127\\.0\\.0\\.1:" + result.get("local_port") + "$"), RUN).group());
            assertEquals("5000000", served.get("bytes"), "the server received the second sender's bytes");
            assertEquals(result.get("crc32"), served.get("crc32"));
            Map<String, String> loop = run.last("LOOP");
            assertEquals("1", loop.get("failed"), loop.toString());
        }
    }

    /**
     * The step-1 server keeps the article's listen(5): twenty senders at once overflow its queue, and the
     * kernel may drop what it had taken for some of them. Every sender that says "held" was served, with
     * its bytes and CRC32; any other ends in one line that says delivery was not confirmed.
     */
    @Test
    void aSenderReportsHeldOnlyForBytesTheServerRead() {
        try (Scripts.Server server = Scripts.serverUntimed()) {
            Scripts.Proc run = Scripts.start("EventLoop", "localhost", server.portArg(), "100000", "--senders", "20", "--timeout", "20");
            int exit = run.waitFor(RUN);
            List<Map<String, String>> results = EventLoopTest.results(run);
            for (Map<String, String> result : results) {
                assertEquals("held", result.get("assertion"), result.toString());
                String number = server.proc().awaitLine(Pattern.compile("^server: client (\\d+) connected from /127\\.0\\.0\\.1:"
                        + result.get("local_port") + "$"), RUN).group(1);
                Map<String, String> served = server.served(Integer.parseInt(number), RUN);
                assertEquals(result.get("bytes"), served.get("bytes"), "the server read what the sender called delivered");
                assertEquals(result.get("crc32"), served.get("crc32"));
            }
            assertEquals(exit == 0 ? 20 : 20 - run.stderrLines().size(), results.size(), run.output());
            for (String line : run.stderrLines()) {
                assertTrue(line.matches("event-loop: send-\\d+: .* after the kernel had accepted all 100,000 bytes: delivery not confirmed"), line);
            }
        }
    }

    /** A listening socket that never accepts takes the bytes into its kernel; nobody reads them: not delivered. */
    @Test
    void bytesNoServerReadAreNotCalledDelivered() throws IOException {
        try (ServerSocketChannel neverAccepts = ServerSocketChannel.open()) {
            neverAccepts.bind(new InetSocketAddress("localhost", 0), 5);
            int port = ((InetSocketAddress) neverAccepts.getLocalAddress()).getPort();
            Scripts.Proc run = Scripts.start("EventLoop", "localhost", String.valueOf(port), "100000", "--timeout", "2");
            assertEquals(1, run.waitFor(RUN), run.output());
            for (String sender : List.of("send-1", "send-2")) {
                assertTrue(run.stderrLines().contains("event-loop: " + sender + ": the server did not close the connection within 2 s"
                        + " (see --timeout) after the kernel had accepted all 100,000 bytes: delivery not confirmed"), run.stderr());
            }
            assertTrue(EventLoopTest.results(run).isEmpty(), run.output());
        }
    }

    /** A server whose accept queue is full answers no SYN: the connect deadline passes, and the message says just that. */
    @Test
    void aConnectThatTimesOutIsReportedAsNoAnswer() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open();
             Selector selector = Selector.open()) {
            listener.bind(new InetSocketAddress("localhost", 0), 1);     // never accepts
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            List<SocketChannel> queued = fillAcceptQueue(port, selector);
            try {
                Scripts.Proc run = Scripts.start("EventLoop", "localhost", String.valueOf(port), "1000", "--timeout", "1");
                assertEquals(1, run.waitFor(RUN), run.output());
                assertEquals(List.of("event-loop: no answer from localhost:" + port + " within 1 s (see --timeout)"), run.stderrLines());
                assertFalse(run.output().contains("took no bytes"), run.output());
            } finally {
                for (SocketChannel c : queued) c.close();
            }
        }
    }

    /** A peer that takes the connection and never reads: each sender's stall is its own line, numbers with separators. */
    @Test
    void aPeerThatStopsReadingIsAStallPerSenderWithReadableNumbers() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("localhost", 0), 16);    // the kernel completes the connections; nobody reads
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            Scripts.Proc run = Scripts.start("EventLoop", "localhost", String.valueOf(port), "33554432", "--timeout", "1");
            assertEquals(1, run.waitFor(RUN), run.output());
            List<String> err = run.stderrLines();
            assertEquals(2, err.size(), run.output());
            for (int n = 1; n <= 2; n++) {
                Matcher m = Pattern.compile("event-loop: send-" + n + ": the server took no bytes for 1 s \\(see --timeout\\) after the kernel"
                        + " had accepted (\\d{1,3}(,\\d{3})*) of 33,554,432 bytes: transfer cut short").matcher(err.get(n - 1));
                assertTrue(m.matches(), err.get(n - 1));
                long accepted = Long.parseLong(m.group(1).replace(",", ""));
                assertTrue(accepted > 0 && accepted < 33_554_432, "a part: " + accepted);
            }
        }
    }

    /** Plurals and separators in what people read: one sender, one write, one wake-up. */
    @Test
    void oneOfAThingIsSingular() {
        try (Scripts.Server server = Scripts.selectServerUntimed()) {
            Scripts.Proc run = Scripts.start("EventLoop", "localhost", server.portArg(), "1000", "--senders", "1");
            assertEquals(0, run.waitFor(RUN), run.output());
            String out = run.stdout();
            assertTrue(out.contains("event-loop: one thread, one Selector: 1 sender of 1,000 bytes each to localhost:" + server.port()), out);
            assertTrue(out.contains("done: 1,000 bytes in 1 write, 0 of them returned 0"), out);
            assertTrue(out.contains("event-loop: send-1: the kernel accepted 1,000 of 1,000 bytes"), out);
            assertTrue(out.contains("1 write call, 0 returned 0"), out);
            assertTrue(out.contains("event-loop: 2 tasks on 1 thread: "), out);
            // In the lines for people: a machine line's "max_tick_late_ms=17.1 selects=4" is no "1 selects" (red once by chance).
            String forPeople = run.stdoutLines().stream().filter(l -> !MachineLines.is("RESULT", l) && !MachineLines.is("LOOP", l))
                    .collect(java.util.stream.Collectors.joining("\n"));
            assertFalse(Pattern.compile("\\b1 (write calls|writes|senders|threads|turns|ticks|selects|selector wake-ups)\\b").matcher(forPeople)
                    .find(), out);
        }
    }

    /**
     * A host of digits only is a port in the host's place: refused before anything connects. Run where
     * no connect could succeed (a network namespace whose loopback has only ::1), so only the refusal
     * can produce this line.
     */
    @Test
    void aHostOfDigitsOnlyIsRefusedAsLookingLikeAPort() {
        HostFaults.digitsOnlyHostAndEmptyArgumentAreRefused("EventLoop", "event-loop", "1000");
    }

    /** On an IPv6-only host, localhost is 127.0.0.1 with no IPv4 address to reach it: say that, and what to use. */
    @Test
    void onAnIpv6OnlyHostTheRealCauseIsNamed() {
        HostFaults.onAnIpv6OnlyHostTheRealCauseIsNamed("EventLoop", "event-loop",
                "event-loop: nothing is listening on [::1]:1234: start `./jbang select-server` (or `./jbang server`) first", "1000");
    }

    /** A size the direct memory cannot hold: one line, exit 1, no stack trace. (Compiled once, run on C1: nothing here is timed.) */
    @Test
    void aSizeThatDoesNotFitInMemoryIsOneLine() {
        Path jdk = Scripts.javaHome(Scripts.requiredJava("EventLoop"));
        Scripts.Proc run = Scripts.command(jdk.resolve("bin/java").toString(), "-XX:MaxDirectMemorySize=64m", "-XX:TieredStopAtLevel=1",
                "-cp", Scripts.classesOf("EventLoop", jdk).toString(), "EventLoop", "localhost", "1234", "100000000");
        assertEquals(1, run.waitFor(RUN), run.output());
        List<String> err = run.stderrLines();
        assertEquals(1, err.size(), run.output());
        assertTrue(err.get(0).startsWith("event-loop: 100,000,000 bytes do not fit in this JVM's direct memory ("), err.get(0));
        assertTrue(err.get(0).endsWith("): send less, or allow more with -XX:MaxDirectMemorySize"), err.get(0));
        assertEquals("", run.stdout());
    }

    static int closedPort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {   // a port that was free a moment ago
            probe.bind(new InetSocketAddress("localhost", 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    /**
     * Connects to a listener that never accepts until a connect gets no answer (its accept queue is
     * full, so the kernel drops further SYNs). Returns the connections that got in, to close later.
     */
    static List<SocketChannel> fillAcceptQueue(int port, Selector selector) throws IOException {
        List<SocketChannel> in = new ArrayList<>();
        for (int attempt = 0; attempt < 20; attempt++) {
            SocketChannel c = SocketChannel.open();
            c.configureBlocking(false);
            in.add(c);
            if (c.connect(new InetSocketAddress("localhost", port))) continue;
            SelectionKey key = c.register(selector, SelectionKey.OP_CONNECT);
            boolean answered = selector.select(500) > 0 && c.finishConnect();
            selector.selectedKeys().clear();
            key.cancel();
            selector.selectNow();
            if (!answered) return in;                                        // this one hangs: the queue is full
        }
        throw new AssertionError("the listener's accept queue never filled after 20 connections");
    }
}
