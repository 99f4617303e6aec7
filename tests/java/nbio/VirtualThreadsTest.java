package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Step 6, virtual-threads: plain blocking code, a virtual thread per connection, on JDK 21+.
 * The client and select-server run in separate processes: each holds 10,000 sockets, and a
 * process here may hold at most 20,000 open files.
 */
@Timeout(300)
class VirtualThreadsTest {
    static final Duration RUN = Duration.ofSeconds(150);
    static final Pattern SERVED = Pattern.compile("^SERVED .*");

    @Test
    void tenThousandConcurrentConnectionsToTheSelectServerDeliverEveryByte() throws IOException {
        int connections = 10_000, size = 7 * 1024;             // 'foobar\n' * 1024 on each
        Path jdk = Scripts.javaHome(21);
        // Both in a network namespace of their own: the 10,000 sockets the server leaves in TIME-WAIT stay out of this
        // machine's socket tables. Neither JVM is timed here (C1, serial GC: 5.6 -> 4.1 CPU-s for the two, measured).
        try (Scripts.Server server = Scripts.listeningInNetworkOfItsOwn("SelectServer")) {
            Scripts.Proc client = Scripts.startUntimedInNetworkOf(server.proc(), jdk, "VirtualThreads", "localhost", server.portArg(),
                    String.valueOf(size), "--connections", String.valueOf(connections));
            // While 10,000 connections are open, the kernel counts the client's OS threads.
            client.awaitLine(Pattern.compile("^virtual-threads: all 10,000 connections are open; sending$"), RUN);
            int osThreads = osThreads(client.pid());
            assertTrue(osThreads < 60, "OS threads of the client with 10,000 connections open: " + osThreads);
            assertEquals(0, client.waitFor(RUN), client.output());
            Map<String, String> result = client.last("RESULT");
            assertEquals(String.valueOf((long) connections * size), result.get("bytes"), result.toString());
            assertEquals("held", result.get("assertion"));
            assertEquals(String.valueOf(connections), result.get("peak_open"), "all open at once, seen by the client");
            // 10,000 blocked connections, yet only a handful of OS threads.
            int platformThreads = Integer.parseInt(result.get("platform_threads")), carriers = Integer.parseInt(result.get("carriers"));
            assertTrue(platformThreads < 50, "platform threads: " + platformThreads);
            assertTrue(carriers >= 1 && carriers <= platformThreads, "carriers: " + carriers);
            assertTrue(client.stdout().contains("all 10,000 connections were open at once, each waiting in its own thread, while this JVM had "
                    + platformThreads + " platform threads; the virtual threads ran on " + carriers + " carrier thread"), client.stdout());
            // By default each connection waits for the server to close after sending: that read parks.
            assertTrue(Integer.parseInt(result.get("parked_eof")) > 0, "threads seen parked waiting for the server to close: " + result);
            parkingLinesMatchCounts(client, result);

            // The server got every connection, every byte, every checksum.
            int from = 0;
            for (int n = 0; n < connections; n++) {
                Scripts.Proc.Found found = server.proc().awaitLineFrom(from, SERVED, RUN);
                from = found.index() + 1;
                Map<String, String> served = Scripts.fields(found.matcher().group());
                assertEquals(String.valueOf(size), served.get("bytes"), served.toString());
                assertEquals(result.get("crc32"), served.get("crc32"), served.toString());
                assertEquals("eof", served.get("ended"), served.toString());
            }
            server.proc().signal("TERM");
            server.proc().waitFor(RUN);
            Map<String, String> total = server.proc().last("TOTAL");
            assertEquals(String.valueOf(connections), total.get("clients"));
            assertEquals(String.valueOf((long) connections * size), total.get("bytes"));
            assertEquals(String.valueOf(connections), total.get("max_open"), "all open at once, seen by the server");
            assertEquals("0", total.get("registered"));
        }
    }

    /**
     * A peer that takes both connections and reads nothing until told: their 8 MB cannot fit in the
     * kernel's buffers, so the blocking writes must wait. The JDK's own thread dump (taken with jcmd
     * from outside, while they wait) shows a virtual thread parked inside the socket write, registered
     * with the poller. Then the test reads everything and closes: the writes finish, the final reads
     * see the close, and every byte arrives: the poller woke them.
     */
    @Test
    void aWriteThatCannotGoOnParksItsVirtualThreadAndThePollerWakesIt() throws IOException {
        int size = 8_000_000;
        Path jdk = Scripts.javaHome(21);
        Path dump = Files.createTempFile("nbio-threads-", ".json");
        try (ServerSocketChannel peer = ServerSocketChannel.open()) {
            peer.bind(new InetSocketAddress("localhost", 0), 16);
            int port = ((InetSocketAddress) peer.getLocalAddress()).getPort();
            Scripts.Proc client = Scripts.startWith(jdk, "VirtualThreads", "localhost", String.valueOf(port),
                    String.valueOf(size), "--connections", "2", "--timeout", "600");
            client.awaitLine(Pattern.compile("^virtual-threads: all 2 connections are open; sending$"), RUN);
            List<SocketChannel> conns = List.of(peer.accept(), peer.accept());
            int parkedInWrite = 0;
            long deadline = System.nanoTime() + RUN.toNanos();
            while (parkedInWrite == 0 && System.nanoTime() < deadline) {
                Files.deleteIfExists(dump);
                Scripts.Proc jcmd = Scripts.command(jdk.resolve("bin/jcmd").toString(), String.valueOf(client.pid()),
                        "Thread.dump_to_file", "-format=json", dump.toString());
                assertEquals(0, jcmd.waitFor(RUN), jcmd.output());
                parkedInWrite = virtualThreadsParkedAt(Files.readString(dump), "java.net.Socket$SocketOutputStream.write");
            }
            assertTrue(parkedInWrite >= 1, "a virtual thread parked in a socket write, with the poller, in the JDK's thread dump:\n"
                    + Files.readString(dump) + "\n" + client.output());
            List<long[]> received = new ArrayList<>();
            for (SocketChannel conn : conns) {
                try (conn) {
                    received.add(Wire.drain(conn));                         // to the client's EOF; closing then ends its last read
                }
            }
            assertEquals(0, client.waitFor(RUN), client.output());
            Map<String, String> result = client.last("RESULT");
            assertEquals("held", result.get("assertion"));
            assertTrue(Integer.parseInt(result.get("parked_write")) >= 1, "the script saw it too: " + result);
            parkingLinesMatchCounts(client, result);
            for (long[] r : received) {
                assertEquals(size, r[0]);
                assertEquals(result.get("crc32"), String.format("%08x", r[1]));
            }
        } finally {
            Files.deleteIfExists(dump);
        }
    }

    /**
     * How many virtual threads of a JSON thread dump (jcmd PID Thread.dump_to_file -format=json) are
     * parked (WAITING) with the given frame on their stack and the poller's poll above it.
     */
    static int virtualThreadsParkedAt(String json, String frame) {
        int count = 0;
        for (String thread : json.split("\\{\"tid\": ")) {
            int stack = thread.indexOf("\"stack\": [");
            if (stack < 0 || !thread.contains("\"virtual\": true") || !thread.contains("\"state\": \"WAITING\"")) continue;
            String frames = thread.substring(stack);
            int poll = frames.indexOf("sun.nio.ch.Poller.poll("), call = frames.indexOf(frame + "(");
            if (poll >= 0 && call > poll) count++;                      // innermost first: the poll is above the call
        }
        return count;
    }

    /** The OS threads of a process, as the kernel counts them. */
    static int osThreads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("Threads:")) return Integer.parseInt(line.substring(8).trim());
        }
        throw new AssertionError("no Threads: line in /proc/" + pid + "/status");
    }

    /**
     * The README's word for Java 17 without JBang: the script calls Java 21's newVirtualThreadPerTaskExecutor()
     * directly, so Java 17's compiler (given the script's library, as the README shows) refuses it, naming that call.
     */
    @Test
    void onJava17ItDoesNotCompileForWantOfVirtualThreads() throws IOException {
        Path jdk17 = jdk17();
        Path classes = Files.createTempDirectory("nbio-vt17-");
        try {
            // javac lives seconds: without the optimising compiler its JVM spends less CPU (Scripts.classesOf); same verdict.
            Scripts.Proc javac = Scripts.command(jdk17.resolve("bin/javac").toString(), "-J-XX:TieredStopAtLevel=1", "-d", classes.toString(),
                    "--source-path", "scripts", "scripts/VirtualThreads.java");
            assertEquals(1, javac.waitFor(RUN), javac.output());
            assertTrue(javac.output().contains("newVirtualThreadPerTaskExecutor()"), javac.output());
            assertFalse(javac.output().contains("package nbio does not exist"), "its library was found: " + javac.output());
        } finally {
            deleteTree(classes);
        }
    }

    /** A JDK 17 from this machine, whatever JDK runs the tests; a clear failure if there is none. */
    static Path jdk17() {
        return Scripts.javaHomeExactly(17).orElseThrow(() -> new AssertionError(
                "these tests need a JDK 17 (to check what virtual-threads does there); none found as the running JDK or in /usr/lib/jvm"));
    }

    @Test
    void ctrlCSaysHowFarItGot() {
        try (Scripts.Server server = Scripts.server("--read-rate", "1")) {
            Scripts.Proc client = Scripts.startWith(Scripts.javaHome(21), "VirtualThreads", "localhost", server.portArg(),
                    "16000000", "--connections", "2");
            client.awaitLine(Pattern.compile("^virtual-threads: 2 connections to "), RUN);
            server.proc().awaitLine(Pattern.compile("^server: client 1 connected"), RUN); // sending is under way
            client.signal("INT");
            assertEquals(130, client.waitFor(RUN), client.output());
            assertEquals(1, client.stderrLines().size(), client.output());
            Matcher m = Pattern.compile("virtual-threads: stopped by a signal: 0 of 2 connections had sent everything,"
                    + " the kernel accepted (\\d{1,3}(,\\d{3})*) of 32,000,000 bytes: transfer cut short").matcher(client.stderr());
            assertTrue(m.matches(), client.stderr());
            long accepted = Long.parseLong(m.group(1).replace(",", ""));
            assertTrue(accepted > 0 && accepted < 32_000_000, "a part, in 64 KiB writes: " + accepted);
        }
    }

    @Test
    void nothingListeningIsOneLine() {
        int port;
        try (Scripts.Server server = Scripts.selectServerUntimed()) {
            port = server.port();
            server.proc().signal("TERM");
            server.proc().waitFor(RUN);
        }
        Scripts.Proc run = Scripts.startBeforeAnyByte("VirtualThreads", "localhost", String.valueOf(port), "100", "--connections", "50");
        assertEquals(1, run.waitFor(RUN), run.output());
        assertEquals(List.of("virtual-threads: nothing is listening on localhost:" + port + ": start `./jbang select-server` first"), run.stderrLines());
    }

    /** What the README says: JAVA_HOME pointing at a JDK 21+ makes JBang run it there, and nothing is downloaded. */
    @Test
    void jbangRunsTheAliasOnTheJdkInJavaHome() {
        Path jdk = Scripts.javaHome(21);
        try (Scripts.Server server = Scripts.selectServerUntimed()) { // the claim is JBang's choice of JDK, not the server's speed
            Scripts.Proc run = Scripts.commandWithEnv(Map.of("JAVA_HOME", jdk.toString()),
                    "./jbang", "virtual-threads", "localhost", server.portArg(), "7000", "--connections", "200");
            assertEquals(0, run.waitFor(RUN), run.output());
            assertEquals("held", run.last("RESULT").get("assertion"));
            assertFalse(run.output().toLowerCase().contains("download"), run.output());
        }
        assertEquals(Map.of("JAVA_HOME", jdk.toString()), Scripts.jbangEnv("VirtualThreads"));
        // Without JBang, the source launcher of a JDK 22+ runs it (the README's other way): CatalogTest starts every
        // JDK-only script so, this one from another folder.
    }

    /**
     * What a learner on Java 17 sees through JBang: JBang itself stops before the script runs, with its
     * own line (the README quotes it). JBang looks at JAVA_HOME, the java on PATH and its own JDKs, not
     * at /usr/lib/jvm; online it would try to download a JDK 21+, so this runs it --offline, with a
     * fresh JBANG_DIR and Java 17 as both JAVA_HOME and the first java on PATH.
     */
    @Test
    void onJava17JbangStopsWithItsOwnNoSuitableJdkLine() throws IOException {
        Path jdk17 = jdk17();
        Path jbangDir = Files.createTempDirectory("nbio-jbang-");
        try {
            Map<String, String> env = Map.of("JBANG_DIR", jbangDir.toString(), "JAVA_HOME", jdk17.toString(),
                    "PATH", jdk17.resolve("bin") + ":" + System.getenv("PATH"));
            Scripts.Proc run = Scripts.commandWithEnv(env, "./jbang", "--offline", "virtual-threads", "localhost", "1234");
            assertEquals(4, run.waitFor(RUN), run.output());
            assertTrue(run.stderrLines().contains("[jbang] [ERROR] No suitable JDK was found for requested version: 21"), run.output());
            assertFalse(run.output().contains("virtual-threads:"), "the script itself never ran: " + run.output());
        } finally {
            deleteTree(jbangDir);
        }
    }

    /**
     * The README's other way: link the JDK into JBang once (here into a throwaway JBANG_DIR, whose JDKs are only the
     * linked one). The script's jar comes from the usual JBang folder, built there first (JAVA_HOME names a JDK 21+, as
     * everywhere else in these tests): the claim is which JDK JBang finds to run it, and a build in a fresh cache would
     * only compile again what the other tests compiled.
     */
    @Test
    void jbangFindsALinkedJdk() throws IOException {
        Path jdk = Scripts.javaHome(21);
        Path jars = Path.of(System.getenv().getOrDefault("JBANG_DIR", System.getProperty("user.home") + "/.jbang"), "cache", "jars");
        Scripts.Proc built = Scripts.commandWithEnv(Map.of("JAVA_HOME", jdk.toString()), "./jbang", "build", "virtual-threads");
        assertEquals(0, built.waitFor(RUN), built.output());
        Path jbangDir = Files.createTempDirectory("nbio-jbang-");
        try {
            Map<String, String> env = Map.of("JBANG_DIR", jbangDir.toString(), "JBANG_CACHE_DIR_JARS", jars.toString());
            String feature = String.valueOf(Scripts.featureOf(jdk));
            Scripts.Proc link = Scripts.commandWithEnv(env, "./jbang", "jdk", "install", feature, jdk.toString());
            assertEquals(0, link.waitFor(RUN), link.output());
            Scripts.Proc help = Scripts.commandWithEnv(env, "./jbang", "virtual-threads", "--help");
            assertEquals(0, help.waitFor(RUN), help.output());
            assertTrue(help.stdout().startsWith("usage: virtual-threads"), help.output());
            assertFalse(help.output().toLowerCase().contains("download"), help.output());
        } finally {
            deleteTree(jbangDir);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            // Links are deleted, never followed: a linked JDK itself stays where it is.
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The lines about parking say what the RESULT line counts, and the parked stack shows the poller. */
    static void parkingLinesMatchCounts(Scripts.Proc client, Map<String, String> result) {
        String parked = String.format("virtual-threads: %,d of the %,d virtual threads were seen parked (the JDK said WAITING) inside a blocking call:"
                        + " %,d in connect, %,d in write (the socket buffer was full), %,d in the read that waits for the server to close;"
                        + " the JDK's poller", Long.parseLong(result.get("parked")), Long.parseLong(result.get("connections")),
                Long.parseLong(result.get("parked_connect")), Long.parseLong(result.get("parked_write")), Long.parseLong(result.get("parked_eof")));
        assertTrue(client.stdout().contains(parked), parked + "\n" + client.stdout());
        Matcher stack = Pattern.compile("(?m)^virtual-threads: where one of them waited, as its stack showed while it was parked: (.*)$")
                .matcher(client.stdout());
        assertTrue(stack.find(), client.stdout());
        assertTrue(stack.group(1).matches("Socket\\$Socket(In|Out)putStream\\.(read|write) > .*Poller\\.poll > .*park"),
                "the parked stack: '" + stack.group(1) + "'");
    }
}
