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
import java.util.Comparator;
import java.util.HashMap;
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
        try (Scripts.Server server = Scripts.selectServerUntimed("--events")) {
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
        try (Scripts.Server server = Scripts.selectServerUntimed("--events", "--idle-timeout", "3");
             SocketChannel silent = Wire.connect(server.port());
             SocketChannel quiet = Wire.connect(server.port());
             SocketChannel busy = Wire.connect(server.port())) {
            String s = SelectServerTest.clientNumber(server, silent);
            String q = SelectServerTest.clientNumber(server, quiet);
            String b = SelectServerTest.clientNumber(server, busy);
            Wire.write(quiet, "abc");                       // three bytes, then nothing
            // The busy client sends a byte every 250 ms for 7 s: more than twice the timeout,
            // but never silent for 3 s. (The sleep is the pace of a trickle, not a wait for the server.)
            long start = System.nanoTime();
            int sent = 0;
            while (System.nanoTime() - start < 7_000_000_000L) {
                try {
                    Wire.write(busy, "x");
                } catch (IOException e) {
                    throw new AssertionError("the server dropped the busy client (" + e.getMessage() + "):\n" + server.proc().stdout());
                }
                sent++;
                Thread.sleep(250);
            }
            server.proc().awaitLine(Pattern.compile("^select-server: client " + s + " sent nothing for 3 s: dropped after 0 bytes$"), WAIT);
            server.proc().awaitLine(Pattern.compile("^select-server: client " + q + " sent nothing for 3 s: dropped after 3 bytes$"), WAIT);
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
        // The README's recipe: select-server --events --read-rate 1, then two clients each sending
        // 5,000,000 bytes, the second started while the first is sending. (Here the two clients are
        // threads of the test, so that a slow JVM start cannot decide whether they overlap.)
        int size = 5_000_000;
        byte[] first = SelectServerTest.payload(1_000), second = SelectServerTest.payload(2_000);
        first = java.util.Arrays.copyOf(first, size);
        second = java.util.Arrays.copyOf(second, size);
        second[size - 1] = 7;                              // two different payloads
        try (Scripts.Server server = Scripts.selectServerUntimed("--events", "--read-rate", "1");
             SocketChannel one = Wire.connect(server.port());
             SocketChannel two = Wire.connect(server.port())) {
            Thread sendsOne = sender(one, first);
            server.proc().awaitLine(Pattern.compile("^EVENT read client=1 "), WAIT);
            Thread sendsTwo = sender(two, second);
            sendsOne.join(WAIT.toMillis());
            sendsTwo.join(WAIT.toMillis());
            Map<String, String> servedOne = server.served(1, WAIT), servedTwo = server.served(2, WAIT);
            assertEquals(String.valueOf(size), servedOne.get("bytes"));
            assertEquals(String.valueOf(size), servedTwo.get("bytes"));
            assertEquals(Wire.crc(first), servedOne.get("crc32"));
            assertEquals(Wire.crc(second), servedTwo.get("crc32"));
            // Each was read at about 1 MiB/s: 5,000,000 bytes take at least 4 s.
            assertTrue(Double.parseDouble(servedOne.get("ms")) >= 4000, servedOne.toString());
            assertTrue(Double.parseDouble(servedTwo.get("ms")) >= 4000, servedTwo.toString());
            // Side by side: the second client's reads start before the first client's end.
            List<String> lines = server.proc().stdoutLines();
            int firstOfTwo = Wire.indexOfPrefix(lines, "EVENT read client=2 ");
            int lastOfOne = -1;
            for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("EVENT read client=1 ")) lastOfOne = i;
            assertTrue(firstOfTwo >= 0 && firstOfTwo < lastOfOne, "client 2 read before client 1 was done:\n" + String.join("\n", lines));
        }
    }

    // Writes all of {@code bytes} and closes, in a thread of its own (a blocking write waits for the paced reader).
    static Thread sender(SocketChannel sock, byte[] bytes) {
        Thread thread = new Thread(() -> {
            try (sock) {
                Wire.write(sock, bytes);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        thread.start();
        return thread;
    }

    @Test
    void itsThreadCountDoesNotGrowWithTheNumberOfConnections() throws Exception {
        try (Scripts.Server server = Scripts.selectServerUntimed("--events")) {
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

                // One thread did every socket read, as the kernel counts it per thread (rchar in
                // /proc/PID/task/TID/io, bytes returned by read calls): a fixed pool would pass the count above.
                Scripts.Proc.LineCounter done = server.proc().counter(Pattern.compile("^select-server: client [\\d,]+ done: 2,048 bytes"));
                Map<Long, Long> before = readBytesByThread(server.proc().pid());
                for (SocketChannel sock : socks) Wire.write(sock, new byte[2048]);
                for (SocketChannel sock : socks) sock.shutdownOutput();
                done.awaitAtLeast(1000, WAIT);
                Map<Long, Long> after = readBytesByThread(server.proc().pid());
                List<Long> grew = after.entrySet().stream().map(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L))
                        .sorted(Comparator.reverseOrder()).toList();
                long sent = 1000L * 2048;
                assertTrue(grew.get(0) >= sent, "one thread read all " + sent + " bytes: bytes read by thread " + grew);
                assertTrue(grew.size() == 1 || grew.get(1) < sent / 10, "no other thread read from the clients: " + grew);
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
        try (Scripts.Server server = Scripts.selectServerUntimed()) {
            try (SocketChannel one = Wire.connect(server.port())) {
                Wire.write(one, "x");
            }
            server.proc().awaitLine(Pattern.compile("^select-server: client 1 done: 1 byte in 1 read, [\\d.]+ s, crc32=[0-9a-f]{8}; 0 still open$"), WAIT);
            server.proc().signal("TERM");
            server.proc().waitFor(WAIT);
            assertTrue(server.proc().stdout().contains("select-server: stopped; served 1 client, 1 byte in total, at most 1 at once;"),
                    server.proc().stdout());
        }
        try (Scripts.Server server = Scripts.selectServerUntimed()) {
            Scripts.Proc client = Scripts.startUntimed("SelectClient", "localhost", server.portArg(), "1234567");
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
        Scripts.Proc run = Scripts.startUntimed("SelectServer", "0", "--host", "10.0.0.1");
        assertEquals(2, run.waitFor(WAIT));
        assertEquals(1, run.stderrLines().size(), run.output());
        assertTrue(run.stderr().startsWith("select-server: bad --host '10.0.0.1' (expected a loopback address"), run.stderr());
    }

    /** Bytes each thread of the process has read so far (rchar of /proc/PID/task/TID/io), by thread id. */
    static Map<Long, Long> readBytesByThread(long pid) throws IOException {
        Map<Long, Long> bytes = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    for (String line : Files.readAllLines(task.resolve("io"))) {
                        if (line.startsWith("rchar: ")) bytes.put(Long.parseLong(task.getFileName().toString()), Long.parseLong(line.substring(7).trim()));
                    }
                } catch (IOException threadEnded) {
                    // a JVM helper thread that ended between the listing and the read
                }
            }
        }
        return bytes;
    }

    static long threads(long pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.count();
        }
    }
}
