package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input and faults: wrong arguments, nobody listening, peers that vanish, stall or misbehave,
 * signals, and thousands of short connections. Each gets one clear line, never a stack trace.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    // How long a failing run may take to say so: seconds, but the source launcher compiles first and classes run two at
    // a time, so 30 s was passed on a crowded machine (load average 24).
    static final Duration RUN = Duration.ofSeconds(120);
    static final List<String> CLIENTS = List.of("BlockingClient", "NonBlockingClient", "RetryClient", "SelectClient");

    /** Runs a script and returns its single stderr line, checking the exit code and that nothing else was said. */
    static String oneLineError(int expectedExit, String script, String... args) {
        return oneLineError(expectedExit, Scripts.startUntimed(script, args));
    }

    static String oneLineError(int expectedExit, Scripts.Proc run) {
        assertEquals(expectedExit, run.waitFor(RUN), run.output());
        assertEquals(1, run.stderrLines().size(), "exactly one line on stderr:\n" + run.stderr());
        String line = run.stderrLines().get(0);
        assertFalse(line.contains("Exception") || line.contains("\tat "), line);
        return line;
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "70000", "-1"})
    void badPortIsRejected(String port) {
        // Started side by side (each refusal is a process of its own that never connects), then checked in order.
        Scripts.Proc server = Scripts.startBeforeAnyByte("Server", port);
        List<Scripts.Proc> clients = CLIENTS.stream().map(client -> Scripts.startBeforeAnyByte(client, "localhost", port)).toList();
        String line = oneLineError(2, server);
        assertTrue(line.startsWith("server: bad port '" + port + "'") && line.contains("usage: server"), line);
        for (Scripts.Proc client : clients) {
            line = oneLineError(2, client);
            assertTrue(line.contains("bad port '" + port + "'") && line.contains("usage: "), line);
        }
    }

    @Test
    void badSizeAndUnknownOptionsAreRejected() {
        // Each refusal is a process of its own that never connects: all start side by side, then each is checked.
        Map<List<String>, String> said = new java.util.LinkedHashMap<>();
        for (String client : CLIENTS) {
            said.put(List.of(client, "localhost", "1234", "lots"), "bad size 'lots'");
            said.put(List.of(client, "--frobnicate"), "unknown option '--frobnicate'");
            said.put(List.of(client, "--timeout", "soon"), "bad --timeout 'soon'");
        }
        said.put(List.of("Server", "--frobnicate"), "unknown option '--frobnicate'");
        said.put(List.of("Server", "0", "--read-rate", "fast"), "bad --read-rate 'fast'");
        said.put(List.of("Server", "0", "--idle-timeout", "-3"), "bad --idle-timeout '-3'");
        said.put(List.of("Tour", "--size", "huge"), "bad --size 'huge'");
        Map<List<String>, Scripts.Proc> runs = new java.util.LinkedHashMap<>();
        for (List<String> run : said.keySet()) {
            runs.put(run, Scripts.startBeforeAnyByte(run.get(0), run.subList(1, run.size()).toArray(String[]::new)));
        }
        runs.forEach((run, proc) -> {
            String line = oneLineError(2, proc);
            assertTrue(line.contains(said.get(run)), run + ": " + line);
        });
    }

    @Test
    void nobodyListeningIsSaidPlainly() throws Exception {
        int port;
        try (ServerSocketChannel probe = ServerSocketChannel.open()) { // a port that was free a moment ago
            probe.bind(new InetSocketAddress("localhost", 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        List<Scripts.Proc> runs = CLIENTS.stream().map(client -> Scripts.startBeforeAnyByte(client, "localhost", String.valueOf(port))).toList();
        for (Scripts.Proc run : runs) {  // started side by side: none of them connects
            String line = oneLineError(1, run);
            assertTrue(line.endsWith("nothing is listening on localhost:" + port + ": start `./jbang server` first"), line);
        }
    }

    @Test
    void hostThatDoesNotResolveIsSaidPlainly() {
        // No DNS query may leave this machine: a name with an empty label ("..") is refused by the
        // resolver before any query is made, and the client runs where only loopback exists.
        String line = oneLineError(1, Scripts.startIpv6Only("BlockingClient", "no..such..host", "1234"));
        assertTrue(line.contains("cannot resolve host 'no..such..host'"), line);
    }

    @Test
    void aServerWhoseBacklogIsFullLeavesTheConnectUnansweredUntilTheDeadline() throws Exception {
        try (Scripts.Server server = Scripts.serverUntimed()) {
            InetSocketAddress address = new InetSocketAddress("localhost", server.port());
            List<SocketChannel> waiting = new java.util.ArrayList<>();
            try {
                SocketChannel served = SocketChannel.open(address); // keeps the one-at-a-time server busy
                waiting.add(served);
                server.proc().awaitLine(Pattern.compile("^server: client 1 connected"), WAIT);
                for (int i = 0; i < 10; i++) { // more than listen(5) admits; non-blocking, so we never wait here
                    SocketChannel pending = SocketChannel.open();
                    pending.configureBlocking(false);
                    pending.connect(address);
                    waiting.add(pending);
                }
                String line = oneLineError(1, "BlockingClient", "localhost", server.portArg(), "--timeout", "1");
                assertTrue(line.endsWith("no answer from localhost:" + server.port() + " within 1 s"), line);
            } finally {
                for (SocketChannel channel : waiting) channel.close();
            }
        }
    }

    @Test
    void portInUseIsSaidPlainly() throws Exception {
        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress("localhost", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            String line = oneLineError(1, "Server", String.valueOf(port));
            assertTrue(line.contains("port " + port + " on localhost is already in use"), line);
        }
    }

    /** On a host whose loopback has only ::1, `localhost` (127.0.0.1) cannot be used: say so, and how to use ::1. */
    @Test
    void onAnIpv6OnlyHostTheServerAndTheTourSayWhyAndHowToUseIpv6() {
        String line = oneLineError(1, Scripts.startIpv6Only("Server", "0", "--no-progress"));
        assertEquals("server: cannot listen on localhost:0: localhost is 127.0.0.1 here and no network interface has that address"
                + " (an IPv6-only host); IPv6's loopback ::1 works here: ./jbang server 0 --ipv6, then give clients the host ::1", line);
        try (Scripts.Proc ipv6 = Scripts.startIpv6Only("Server", "0", "--ipv6", "--no-progress")) { // as suggested
            ipv6.awaitLine(Pattern.compile("^server: listening on \\[::1\\]:\\d+, one client at a time"), WAIT);
        }
        line = oneLineError(1, Scripts.startIpv6Only("Tour"));
        assertEquals("tour: localhost is 127.0.0.1 here and no network interface has that address (an IPv6-only host), so the tour"
                + " cannot run; the steps run one by one on IPv6's loopback ::1: ./jbang server --ipv6, then ./jbang blocking-client ::1"
                + " (and the other clients)", line);
    }

    /**
     * JBang drops an empty argument and shifts the rest: `'' localhost PORT` would make localhost
     * the host and PORT the port, and connect. The launcher refuses it before anything runs.
     */
    @Test
    void theLauncherRefusesAnEmptyArgumentBeforeAnythingConnects() throws Exception {
        try (Scripts.Server server = Scripts.serverUntimed()) {
            Scripts.Proc run = Scripts.command("./jbang", "blocking-client", "", "localhost", server.portArg());
            assertEquals(2, run.waitFor(RUN), run.output());
            assertEquals(List.of("jbang: empty argument (after 'blocking-client'): JBang would drop it and shift the ones after it;"
                    + " give a value or leave it out"), run.stderrLines());
            assertEquals("", run.stdout());
            // Nothing connected: the first client the server ever sees is this probe.
            try (SocketChannel probe = Wire.connect(server.port())) {
                int from = ((InetSocketAddress) probe.getLocalAddress()).getPort();
                server.proc().awaitLine(Pattern.compile("^server: client 1 connected from /127\\.0\\.0\\.1:" + from + "$"), WAIT);
            }
        }
    }

    /**
     * A client that never goes silent but sends a byte now and then must not hold the one-at-a-time
     * server forever: under 1,024 bytes in an --idle-timeout window, it is dropped, and the client
     * waiting behind it is served.
     */
    @Test
    void aTricklingClientIsDroppedAtTheDeadlineAndTheNextOneServed() throws Exception {
        try (Scripts.Server server = Scripts.serverUntimed("--idle-timeout", "2");
             SocketChannel trickler = Wire.connect(server.port())) {
            server.proc().awaitLine(Pattern.compile("^server: client 1 connected"), WAIT);
            try (SocketChannel waiting = Wire.connect(server.port())) { // queued behind the trickler
                Wire.write(waiting, new byte[5000]);
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!server.proc().stdout().contains("SERVED client=1 ")) {
                assertTrue(System.nanoTime() < deadline, "the trickling client was never dropped:\n" + server.proc().output());
                try {
                    Wire.write(trickler, new byte[]{'x'});
                } catch (IOException dropped) {
                    break;
                }
                Thread.sleep(200); // the trickler's pace (a byte every 200 ms), not a wait for the server
            }
            Map<String, String> dropped = server.served(1, WAIT);
            assertEquals("idle", dropped.get("ended"));
            long got = Long.parseLong(dropped.get("bytes"));
            assertTrue(got > 1 && got < 1024, "it kept sending, slowly: " + dropped);
            assertTrue(Double.parseDouble(dropped.get("ms")) >= 2000, "dropped at the deadline, not before: " + dropped);
            String said = "server: client 1 trickled " + got + " bytes in 2 s (under 1,024 bytes; see --idle-timeout): dropped after " + got + " bytes";
            assertTrue(server.proc().stdoutLines().contains(said), said + "\n" + server.proc().output());
            assertEquals("5000", server.served(2, WAIT).get("bytes"), "the client waiting behind it was served");
        }
    }

    /**
     * A size a peer that does not read cannot take: the kernel takes about 4.2 MB of it here (the send queue's 4 MiB
     * tcp_wmem ceiling plus the peer's receive queue), so the writer is still writing, or waiting, when the peer vanishes,
     * stalls or Ctrl-C comes; 20 MB is five times that and costs each client less to make than 50 MB did.
     */
    static final String PAST_THE_QUEUES = "20000000";

    static final Pattern CUT_SHORT = Pattern.compile("after the kernel had accepted ([\\d,]+) of ([\\d,]+) bytes: transfer cut short$");

    @ParameterizedTest
    @ValueSource(strings = {"BlockingClient", "RetryClient", "SelectClient"})
    void clientSaysPlainlyWhenTheServerVanishesMidTransfer(String script) {
        try (Scripts.Server server = Scripts.serverUntimed("--read-rate", "5")) {
            Scripts.Proc client = Scripts.startUntimed(script, "localhost", server.portArg(), PAST_THE_QUEUES);
            server.proc().awaitLine(Pattern.compile("^server: client 1 connected"), WAIT);
            server.proc().signal("KILL");
            assertEquals(1, client.waitFor(WAIT), client.output());
            assertEquals(1, client.stderrLines().size(), client.stderr());
            String line = client.stderrLines().get(0);
            assertFalse(line.contains("Exception"), line);
            assertTrue(line.contains("the connection broke"), line);
            assertFalse(client.stdout().contains("assertion=held"), "no success reported: " + client.stdout());
            // All three agree: no summary and no RESULT line for a transfer cut short, and the cause in the
            // system's own words (Broken pipe, Connection reset), not "the write returned early".
            assertFalse(client.stdout().contains("RESULT") || client.stdout().contains("the kernel accepted"), client.stdout());
            assertTrue(line.matches(".*: the connection broke \\((Broken pipe|Connection reset( by peer)?)\\) after the kernel had accepted .*"), line);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"BlockingClient", "RetryClient", "SelectClient"})
    void stalledPeerIsReportedAtTheDeadline(String script) throws Exception {
        try (ServerSocketChannel peer = ServerSocketChannel.open()) { // accepts, never reads
            peer.bind(new InetSocketAddress("localhost", 0));
            String port = String.valueOf(((InetSocketAddress) peer.getLocalAddress()).getPort());
            // 1 s: the retry loop spins for as long as the deadline (a core's worth) and the blocking client's watchdog reads
            // /proc/net/tcp6 10 times a second; the claim is the same for any --timeout.
            Scripts.Proc client = Scripts.start(script, "localhost", port, PAST_THE_QUEUES, "--timeout", "1");
            try (SocketChannel accepted = peer.accept()) {
                assertEquals(1, client.waitFor(WAIT), client.output());
                String line = client.stderr();
                assertTrue(line.contains("the server took no bytes for 1 s (see --timeout)"), line);
                Matcher m = CUT_SHORT.matcher(line);
                assertTrue(m.find(), line);
                if (!script.equals("BlockingClient")) { // a blocking write reports nothing until it returns
                    assertTrue(Long.parseLong(m.group(1).replace(",", "")) > 0, line);
                    assertEquals(Long.parseLong(m.group(1).replace(",", "")), Wire.drain(accepted)[0], "accepted = arrived");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"RetryClient", "SelectClient"})
    void ctrlCOnAClientPrintsWhatTheKernelHadAccepted(String script) throws Exception {
        try (ServerSocketChannel peer = ServerSocketChannel.open()) {
            peer.bind(new InetSocketAddress("localhost", 0));
            String port = String.valueOf(((InetSocketAddress) peer.getLocalAddress()).getPort());
            Scripts.Proc client = Scripts.startUntimed(script, "localhost", port, PAST_THE_QUEUES, "--verbose");
            try (SocketChannel accepted = peer.accept()) {
                client.awaitLine(Pattern.compile("^Blocking with \\d+ remaining$"), WAIT); // spinning on a full buffer
                client.signal("INT");
                assertEquals(130, client.waitFor(WAIT));
                assertEquals(1, client.stderrLines().size(), client.stderr());
                Matcher m = Pattern.compile("^(retry|select)-client: stopped by a signal after the kernel had accepted ([\\d,]+) of 20,000,000 bytes")
                        .matcher(client.stderr());
                assertTrue(m.find(), client.stderr());
                assertEquals(Long.parseLong(m.group(2).replace(",", "")), Wire.drain(accepted)[0], "what it says it sent arrived");
            }
        }
    }

    @Test
    void ctrlCOnTheServerMidTransferCutsTheClientAndPrintsTotals() {
        try (Scripts.Server server = Scripts.serverUntimed("--read-rate", "5")) {
            Scripts.Proc client = Scripts.startUntimed("SelectClient", "localhost", server.portArg(), PAST_THE_QUEUES);
            server.proc().awaitLine(Pattern.compile("^server: client 1 connected"), WAIT);
            server.proc().signal("INT");
            assertEquals(130, server.proc().waitFor(WAIT));
            Map<String, String> served = server.served(1, WAIT);
            assertEquals("stopped", served.get("ended"));
            assertEquals(served.get("bytes"), server.proc().last("TOTAL").get("bytes"));
            assertTrue(server.proc().stdout().contains("client 1 was cut off by the server stopping"));
            assertEquals(1, client.waitFor(WAIT), client.output());
            assertTrue(client.stderr().contains("transfer cut short"), client.stderr());
        }
    }

    @Test
    void aResetIsLoggedAndTheNextClientIsServedWithEveryByteAccountedFor() throws Exception {
        try (Scripts.Server server = Scripts.serverUntimed()) {
            byte[] payload = randomBytes(new Random(7), 200_000);
            try (SocketChannel rude = SocketChannel.open(new InetSocketAddress("localhost", server.port()))) {
                Wire.write(rude, payload);
                rude.setOption(StandardSocketOptions.SO_LINGER, 0); // close() now sends a reset
            }
            Map<String, String> cut = server.served(1, WAIT);
            long counted = Long.parseLong(cut.get("bytes"));
            assertTrue(counted <= payload.length, "never more than was sent: " + cut);
            assertEquals(Wire.crc(payload, (int) counted), cut.get("crc32"), "what it counted is a prefix of what was sent");

            try (SocketChannel polite = SocketChannel.open(new InetSocketAddress("localhost", server.port()))) {
                Wire.write(polite, payload);
            }
            Map<String, String> next = server.served(2, WAIT);
            assertEquals(String.valueOf(payload.length), next.get("bytes"));
            assertEquals(Wire.crc(payload, payload.length), next.get("crc32"));
        }
    }

    @Test
    void anIdleClientIsDroppedAtTheDeadlineAndTheNextOneServed() throws Exception {
        try (Scripts.Server server = Scripts.serverUntimed("--idle-timeout", "1");
             SocketChannel idle = SocketChannel.open(new InetSocketAddress("localhost", server.port()))) {
            Map<String, String> dropped = server.served(1, WAIT);
            assertEquals("idle", dropped.get("ended"));
            assertEquals("0", dropped.get("bytes"));
            assertTrue(server.proc().stdoutLines().contains("server: client 1 sent nothing for 1 s: dropped after 0 bytes"),
                    server.proc().output());
            try (SocketChannel next = SocketChannel.open(new InetSocketAddress("localhost", server.port()))) {
                Wire.write(next, new byte[5000]);
            }
            assertEquals("5000", server.served(2, WAIT).get("bytes"));
        }
    }

    @Test
    void bindingAllInterfacesNeedsAFlagAndWarns() throws Exception {
        // In a network namespace of its own, whose only interface is loopback: "every interface" reaches no network.
        try (Scripts.Proc server = Scripts.startLoopbackOnly("Server", "0", "--bind-all", "--no-progress")) {
            int port = Integer.parseInt(server.awaitLine(Pattern.compile("listening on 0\\.0\\.0\\.0:(\\d+)"), WAIT).group(1));
            server.awaitLine(Pattern.compile("^server: warning: listening on every network interface"), WAIT);
            // Connect and hang up from inside that namespace (bash's /dev/tcp).
            Scripts.Proc client = Scripts.inNetworkOf(server, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port);
            assertEquals(0, client.waitFor(WAIT), client.output());
            server.awaitLine(Pattern.compile("^SERVED client=1 bytes=0 "), WAIT);
        }
        try (Scripts.Server server = Scripts.serverUntimed()) {
            assertTrue(server.proc().stdout().contains("listening on localhost:"), "loopback by default");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Server", "SelectServer"})
    void randomBytesRandomLengthsAndAbruptClosesAreAllAccountedFor(String script) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Scripts.Server server = script.equals("Server") ? Scripts.serverUntimed() : Scripts.selectServerUntimed()) {
            int connections = 300, seen = 0;
            long total = 0;
            for (int i = 1; i <= connections; i++) {
                byte[] payload = randomBytes(random, random.nextInt(3) == 0 ? random.nextInt(4) : random.nextInt(300_000));
                boolean abrupt = random.nextInt(4) == 0;
                try (SocketChannel client = SocketChannel.open(new InetSocketAddress("localhost", server.port()))) {
                    Wire.write(client, payload);
                    if (abrupt) client.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
                // One at a time, as this server serves them (and within its listen backlog).
                Scripts.Proc.Found line = server.proc().awaitLineFrom(seen, Pattern.compile("^SERVED client=" + i + " .*"), WAIT);
                seen = line.index();
                Map<String, String> served = Scripts.fields(line.matcher().group());
                long counted = Long.parseLong(served.get("bytes"));
                String where = "seed " + seed + ", client " + i + ": " + served;
                if (abrupt) assertTrue(counted <= payload.length, where);
                else assertEquals(payload.length, counted, where);
                assertEquals(Wire.crc(payload, (int) counted), served.get("crc32"), where);
                total += counted;
            }
            // Still responsive to a well-behaved client afterwards.
            Scripts.Proc client = Scripts.startUntimed("SelectClient", "localhost", server.portArg(), "1000000");
            assertEquals(0, client.waitFor(WAIT), client.output());
            assertEquals(client.last("RESULT").get("crc32"), server.served(connections + 1, WAIT).get("crc32"));
            server.proc().signal("TERM");
            server.proc().waitFor(WAIT);
            assertEquals(String.valueOf(total + 1_000_000), server.proc().last("TOTAL").get("bytes"), "seed " + seed);
        }
    }

    /**
     * The clients are a program of their own (ShortConnections) in the server's network namespace: the 8,000 sockets they
     * close first wait in TIME-WAIT there for 60 s, not in this machine's socket tables, which every client step's
     * send-queue reading scans. It asks this test to wait for the server ("await N") and to list the server's descriptors
     * while its probe is open ("probe N").
     */
    @ParameterizedTest
    @ValueSource(strings = {"Server", "SelectServer"})
    void tenThousandShortConnectionsLeakNoFileDescriptors(String script) throws Exception {
        boolean selectServer = script.equals("SelectServer");
        try (Scripts.Server server = selectServer ? Scripts.listeningInNetworkOfItsOwn(script, "--events")
                : Scripts.listeningInNetworkOfItsOwn(script, "--idle-timeout", "30")) {
            int connections = 10_000;
            Scripts.Proc.LineCounter served = server.proc().counter(Pattern.compile("^SERVED client="));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            String classes = Path.of(ShortConnections.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            Scripts.Proc clients = Scripts.inNetworkOf(server.proc(), java.toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", classes, ShortConnections.class.getName(), server.portArg(), String.valueOf(connections), String.valueOf(selectServer));
            Pattern asks = Pattern.compile("^(await|probe) (\\d+)$");
            List<List<String>> listed = new ArrayList<>();
            for (int from = 0; listed.size() < 2; ) {
                Scripts.Proc.Found asked = clients.awaitLineFrom(from, asks, WAIT);
                from = asked.index() + 1;
                int n = Integer.parseInt(asked.matcher().group(2));
                if (asked.matcher().group(1).equals("await")) {
                    served.awaitAtLeast(n, WAIT);
                } else {
                    listed.add(descriptorsWhenAccepted(server, n));
                }
                clients.answer("go " + served.count());
            }
            assertEquals(0, clients.waitFor(WAIT), clients.output());
            assertEquals(listed.get(0), listed.get(1), "open sockets, pipes and other non-file descriptors before and after");
            if (selectServer) {
                server.proc().signal("TERM");
                server.proc().waitFor(WAIT);
                assertEquals("0", server.proc().last("TOTAL").get("registered"), "no keys left registered");
            }
        }
    }

    /**
     * The server's open descriptors other than files on disk (sockets, pipes, epoll and event
     * descriptors: what a connection could leak), sorted, listed once a probe connection (client
     * number {@code n}) is open and accepted. select-server closes a finished client's socket for
     * good on its next select(): once it has accepted the probe, every earlier close is complete.
     */
    static List<String> descriptorsWhenAccepted(Scripts.Server server, int n) throws IOException {
        boolean selectServer = server.proc().stdout().startsWith("select-server");
        server.proc().awaitLine(Pattern.compile(selectServer ? "^EVENT accept client=" + n + " " : "^server: client " + n + " connected"), WAIT);
        return nonFileDescriptors(server.proc().pid());
    }

    /**
     * What each open descriptor of the process refers to, files on disk left out: the JVM opens and
     * closes class files and jars as it goes, which a count taken at that moment would include.
     * Each is named by kind (socket:, pipe:, anon_inode:[eventpoll] ...), so a failure shows what leaked.
     */
    static List<String> nonFileDescriptors(long pid) throws IOException {
        List<String> targets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (!target.startsWith("/")) targets.add(target.replaceAll("\\[\\d+\\]$", "")); // socket:[inode] -> socket:
                } catch (NoSuchFileException closedMeanwhile) {
                    // closed between the listing and the look: not open
                }
            }
        }
        return targets.stream().sorted().toList();
    }

    static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
