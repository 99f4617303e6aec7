package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** select-server at its limits: open files, silent clients, paced reading, IPv6-only hosts, its one thread. */
@Timeout(180)
class SelectServerLimitsTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Pattern ACCEPT = Pattern.compile("^EVENT accept client=(\\d+) peer=127\\.0\\.0\\.1:(\\d+) ");

    @Test
    void atTheOpenFileLimitItKeepsServingAndAcceptsAgainWhenClientsLeave() throws Exception {
        // Issue 12, item 1: with 256 open files allowed, 300 idle clients, then 100 of them leaving.
        // The first close at the limit must not kill the server (on JDK 17 it loaded a class that
        // needs a descriptor of its own), and the clients waiting in the queue must get in.
        try (Scripts.Server server = Scripts.selectServer("--events")) {
            Scripts.Proc limit = Scripts.command("prlimit", "--pid", String.valueOf(server.proc().pid()), "--nofile=256:256");
            assertEquals(0, limit.waitFor(WAIT), limit.output());
            List<SocketChannel> socks = new ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) socks.add(Wire.connect(server.port())); // the kernel completes all 300
                server.proc().awaitLine(Pattern.compile("^select-server: cannot accept more clients \\(Too many open files\\) with [\\d,]+ clients open"), WAIT);
                Set<Integer> acceptedPorts = new HashSet<>();
                for (String line : server.proc().stdoutLines()) {
                    Matcher m = ACCEPT.matcher(line);
                    if (m.find()) acceptedPorts.add(Integer.parseInt(m.group(2)));
                }
                assertTrue(acceptedPorts.size() < 256, "at most 256 files: " + acceptedPorts.size() + " accepted");
                int left = 0;
                for (SocketChannel sock : socks) {
                    if (left < 100 && acceptedPorts.contains(((InetSocketAddress) sock.getLocalAddress()).getPort())) {
                        sock.close();
                        left++;
                    }
                }
                assertEquals(100, left);
                // The 100 that left are served; everyone still waiting gets in.
                server.proc().counter(Pattern.compile("^SERVED .* ended=eof ")).awaitAtLeast(100, WAIT);
                server.proc().counter(ACCEPT).awaitAtLeast(300, WAIT);
                // And it still serves a new client.
                try (SocketChannel late = Wire.connect(server.port())) {
                    Wire.write(late, "hello");
                }
                Map<String, String> served = server.served(301, WAIT);
                assertEquals("5", served.get("bytes"));
                assertEquals(Wire.crc("hello".getBytes()), served.get("crc32"));
            } finally {
                for (SocketChannel sock : socks) sock.close();
            }
            server.proc().signal("TERM");
            server.proc().waitFor(WAIT);
            Map<String, String> total = server.proc().last("TOTAL");
            assertEquals("301", total.get("clients"), total.toString());
            assertTrue(Long.parseLong(total.get("accept_pauses")) >= 1, total.toString());
            assertFalse(server.proc().output().contains("Exception") || server.proc().output().contains("Error"), server.proc().output());
        }
    }

    @Test
    void aClientSilentForTheIdleTimeoutIsDroppedWhileAClientThatKeepsSendingStays() throws Exception {
        try (Scripts.Server server = Scripts.selectServer("--events", "--idle-timeout", "2");
             SocketChannel silent = Wire.connect(server.port());
             SocketChannel quiet = Wire.connect(server.port());
             SocketChannel busy = Wire.connect(server.port())) {
            String s = SelectServerTest.clientNumber(server, silent);
            String q = SelectServerTest.clientNumber(server, quiet);
            String b = SelectServerTest.clientNumber(server, busy);
            Wire.write(quiet, "abc");                       // three bytes, then nothing
            // The busy client sends a byte every 250 ms for 4.5 s: more than twice the timeout,
            // but never silent for 2 s.
            long start = System.nanoTime();
            int sent = 0;
            while (System.nanoTime() - start < 4_500_000_000L) {
                Wire.write(busy, "x");
                sent++;
                server.proc().awaitLine(Pattern.compile("^EVENT read client=" + b + " bytes=\\d+ total=" + sent + "$"), WAIT);
                Thread.sleep(250);                         // the pace of a trickle, not a wait for the server
            }
            assertTrue(server.proc().stdout().contains("select-server: client " + s + " sent nothing for 2 s: dropped after 0 bytes"),
                    server.proc().stdout());
            assertTrue(server.proc().stdout().contains("select-server: client " + q + " sent nothing for 2 s: dropped after 3 bytes"),
                    server.proc().stdout());
            assertEquals("idle", server.served(Integer.parseInt(s), WAIT).get("ended"));
            assertEquals("idle", server.served(Integer.parseInt(q), WAIT).get("ended"));
            assertFalse(server.proc().stdout().contains("client " + b + " sent nothing"), server.proc().stdout());
            busy.close();
            Map<String, String> served = server.served(Integer.parseInt(b), WAIT);
            assertEquals("eof", served.get("ended"));
            assertEquals(String.valueOf(sent), served.get("bytes"));
            server.proc().signal("TERM");
            server.proc().waitFor(WAIT);
            assertEquals("2", server.proc().last("TOTAL").get("idle_dropped"));
        }
    }

    @Test
    void withReadRateTwoClientsStartedOneAfterTheOtherAreReadSideBySide() throws Exception {
        // The README's recipe: select-server --events --read-rate 1, then two `blocking-client localhost PORT 5000000`, the second started while the first sends.
        int size = 5_000_000;
        try (Scripts.Server server = Scripts.selectServer("--events", "--read-rate", "1")) {
            Scripts.Proc first = Scripts.start("BlockingClient", "localhost", server.portArg(), String.valueOf(size));
            server.proc().awaitLine(Pattern.compile("^EVENT read client=1 "), WAIT);
            Scripts.Proc second = Scripts.start("BlockingClient", "localhost", server.portArg(), String.valueOf(size));
            assertEquals(0, first.waitFor(WAIT), first.output());
            assertEquals(0, second.waitFor(WAIT), second.output());
            Map<String, String> one = server.served(1, WAIT), two = server.served(2, WAIT);
            assertEquals(first.last("RESULT").get("crc32"), one.get("crc32"));
            assertEquals(second.last("RESULT").get("crc32"), two.get("crc32"));
            assertEquals(String.valueOf(size), one.get("bytes"));
            assertEquals(String.valueOf(size), two.get("bytes"));
            // Each was read at about 1 MiB/s: 5,000,000 bytes take at least 4 s.
            assertTrue(Double.parseDouble(one.get("ms")) >= 4000, one.toString());
            assertTrue(Double.parseDouble(two.get("ms")) >= 4000, two.toString());
            // Side by side: the second client's reads start before the first client's end.
            List<String> lines = server.proc().stdoutLines();
            int firstOfTwo = Wire.indexOfPrefix(lines, "EVENT read client=2 ");
            int lastOfOne = -1;
            for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("EVENT read client=1 ")) lastOfOne = i;
            assertTrue(firstOfTwo >= 0 && firstOfTwo < lastOfOne, "client 2 read before client 1 was done:\n" + String.join("\n", lines));
        }
    }

    @Test
    void itsThreadCountDoesNotGrowWithTheNumberOfConnections() throws Exception {
        try (Scripts.Server server = Scripts.selectServer("--events")) {
            List<SocketChannel> socks = new ArrayList<>();
            try {
                socks.add(Wire.connect(server.port()));
                Scripts.Proc.LineCounter accepted = server.proc().counter(ACCEPT);
                accepted.awaitAtLeast(1, WAIT);
                long withOne = threads(server.proc().pid());
                for (int i = 1; i < 1000; i++) socks.add(Wire.connect(server.port()));
                accepted.awaitAtLeast(1000, WAIT);
                long withThousand = threads(server.proc().pid());
                // The JVM may start a few helper threads of its own (compiler, GC) along the way.
                assertTrue(withThousand <= withOne + 10, "threads with 1 connection: " + withOne + ", with 1,000: " + withThousand);
            } finally {
                for (SocketChannel sock : socks) sock.close();
            }
            server.proc().signal("TERM");
            server.proc().waitFor(WAIT);
            assertEquals("1000", server.proc().last("TOTAL").get("max_open"), "all 1,000 were open at once");
        }
    }

    @Test
    void messagesCountInWordsWithThousandsSeparators() throws Exception {
        try (Scripts.Server server = Scripts.selectServer()) {
            try (SocketChannel one = Wire.connect(server.port())) {
                Wire.write(one, "x");
            }
            server.proc().awaitLine(Pattern.compile("^select-server: client 1 done: 1 byte in 1 read, [\\d.]+ s, crc32=[0-9a-f]{8}; 0 still open$"), WAIT);
            server.proc().signal("TERM");
            server.proc().waitFor(WAIT);
            assertTrue(server.proc().stdout().contains("select-server: stopped; served 1 client, 1 byte in total, at most 1 at once;"),
                    server.proc().stdout());
        }
        try (Scripts.Server server = Scripts.selectServer()) {
            Scripts.Proc client = Scripts.start("SelectClient", "localhost", server.portArg(), "1234567");
            assertEquals(0, client.waitFor(WAIT), client.output());
            server.proc().awaitLine(Pattern.compile("^select-server: client 1 done: 1,234,567 bytes in [\\d,]+ reads, "), WAIT);
        }
    }

    @Test
    void onAnIpv6OnlyHostItSaysLocalhostHasNoIpv4AddressAndHowToListenOnIpv6() {
        Scripts.Proc run = Scripts.startIpv6Only("SelectServer", "0", "--no-progress");
        assertEquals(1, run.waitFor(WAIT), run.output());
        assertEquals(List.of("select-server: cannot listen on localhost (127.0.0.1): no network interface here has that address"
                + " (Cannot assign requested address); this host has IPv6's loopback only: `select-server 0 --host ::1` listens there,"
                + " and clients connect to host ::1"), run.stderrLines());
        assertFalse(run.output().contains("already in use"), run.output());

        Scripts.Proc v6 = Scripts.startIpv6Only("SelectServer", "0", "--no-progress", "--host", "::1");
        try {
            v6.awaitLine(Pattern.compile("^select-server: listening on \\[::1\\]:\\d+, "), WAIT);
            v6.signal("TERM");
            v6.waitFor(WAIT);
            assertEquals("0", v6.last("TOTAL").get("clients"));
        } finally {
            v6.close();
        }
    }

    @Test
    void aHostThatIsNotLoopbackIsRefusedBeforeAnythingStarts() {
        Scripts.Proc run = Scripts.start("SelectServer", "0", "--host", "10.0.0.1");
        assertEquals(2, run.waitFor(WAIT));
        assertEquals(1, run.stderrLines().size(), run.output());
        assertTrue(run.stderr().startsWith("select-server: bad --host '10.0.0.1' (expected a loopback address"), run.stderr());
    }

    static long threads(long pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.count();
        }
    }
}
