package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
@Timeout(180)
class VirtualThreadsTest {
    static final Duration RUN = Duration.ofSeconds(90);
    static final Pattern SERVED = Pattern.compile("^SERVED .*");

    @Test
    void tenThousandConcurrentConnectionsToTheSelectServerDeliverEveryByte() {
        int connections = 10_000, size = 7 * 1024;             // 'foobar\n' * 1024 on each
        Path jdk = Scripts.javaHome(21);
        try (Scripts.Server server = Scripts.selectServer()) {
            Scripts.Proc client = Scripts.startWith(jdk, "VirtualThreads", "localhost", server.portArg(),
                    String.valueOf(size), "--connections", String.valueOf(connections));
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
                    + platformThreads + " platform threads; the virtual threads ran on " + carriers + " carrier thread(s)"), client.stdout());
            pollerLineMatchesCount(client, result);

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

    @Test
    void aWriteThatCannotGoOnParksItsVirtualThreadAndThePollerWakesIt() {
        // The step-1 server reads one client at a time, slowly: the second and third connections'
        // 8 MB cannot fit in the kernel's buffers, so their blocking writes must wait.
        int size = 8_000_000;
        try (Scripts.Server server = Scripts.server("--read-rate", "200")) {
            Scripts.Proc client = Scripts.startWith(Scripts.javaHome(21), "VirtualThreads", "localhost", server.portArg(),
                    String.valueOf(size), "--connections", "3");
            assertEquals(0, client.waitFor(RUN), client.output());
            Map<String, String> result = client.last("RESULT");
            assertEquals("held", result.get("assertion"));
            assertTrue(Integer.parseInt(result.get("pollers")) >= 1, "the JDK started its poller: " + result);
            pollerLineMatchesCount(client, result);
            for (int n = 1; n <= 3; n++) {
                Map<String, String> served = server.served(n, RUN);
                assertEquals(String.valueOf(size), served.get("bytes"));
                assertEquals(result.get("crc32"), served.get("crc32"));
            }
        }
    }

    @Test
    void onJava17ItSaysPlainlyThatItNeedsJava21() {
        Optional<Path> jdk17 = Scripts.javaHomeExactly(17);
        assumeTrue(jdk17.isPresent(), "no JDK 17 on this machine");
        // Compiled and run by Java 17 (as `java scripts/VirtualThreads.java` does on 17).
        Scripts.Proc run = Scripts.startWith(jdk17.get(), "VirtualThreads", "localhost", "1");
        assertEquals(1, run.waitFor(RUN), run.output());
        assertEquals(1, run.stderrLines().size(), run.output());
        assertTrue(run.stderr().startsWith("virtual-threads: needs Java 21 or newer for virtual threads, and this is Java 17"), run.stderr());
        assertEquals("", run.stdout());

        // The plain source launcher of Java 17, as a learner would type it.
        Scripts.Proc launcher = Scripts.command(jdk17.get().resolve("bin/java").toString(), "scripts/VirtualThreads.java");
        assertEquals(1, launcher.waitFor(RUN), launcher.output());
        assertTrue(launcher.stderr().startsWith("virtual-threads: needs Java 21 or newer"), launcher.output());
        assertFalse(launcher.output().contains("error:") || launcher.output().contains("Exception"), launcher.output());
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
                    + " the kernel accepted (\\d+) of 32000000 bytes: transfer cut short").matcher(client.stderr());
            assertTrue(m.matches(), client.stderr());
            long accepted = Long.parseLong(m.group(1));
            assertTrue(accepted > 0 && accepted < 32_000_000, "a part, in 64 KiB writes: " + accepted);
        }
    }

    @Test
    void nothingListeningIsOneLine() {
        int port;
        try (Scripts.Server server = Scripts.selectServer()) {
            port = server.port();
            server.proc().signal("TERM");
            server.proc().waitFor(RUN);
        }
        Scripts.Proc run = Scripts.startWith(Scripts.javaHome(21), "VirtualThreads", "localhost", String.valueOf(port), "100", "--connections", "50");
        assertEquals(1, run.waitFor(RUN), run.output());
        assertEquals(List.of("virtual-threads: nothing is listening on localhost:" + port + ": start `./jbang select-server` first"), run.stderrLines());
    }

    /** What the README says: JAVA_HOME pointing at a JDK 21+ makes JBang run it there, and nothing is downloaded. */
    @Test
    void jbangRunsTheAliasOnTheJdkInJavaHome() {
        Path jdk = Scripts.javaHome(21);
        try (Scripts.Server server = Scripts.selectServer()) {
            Scripts.Proc run = Scripts.commandWithEnv(Map.of("JAVA_HOME", jdk.toString()),
                    "./jbang", "virtual-threads", "localhost", server.portArg(), "7000", "--connections", "200");
            assertEquals(0, run.waitFor(RUN), run.output());
            assertEquals("held", run.last("RESULT").get("assertion"));
            assertFalse(run.output().toLowerCase().contains("download"), run.output());
        }
        assertEquals(Map.of("JAVA_HOME", jdk.toString()), Scripts.jbangEnv("VirtualThreads"));
        // And without JBang, the source launcher of that JDK.
        Scripts.Proc help = Scripts.command(jdk.resolve("bin/java").toString(), "scripts/VirtualThreads.java", "--help");
        assertEquals(0, help.waitFor(RUN), help.output());
        assertTrue(help.stdout().startsWith("usage: virtual-threads"), help.output());
    }

    /** As the README says, JBang does not look in /usr/lib/jvm: with a fresh JBANG_DIR, offline, it finds no JDK 21+. */
    @Test
    void withoutJavaHomeOrALinkJbangFindsNoJdk21() throws IOException {
        assumeTrue(Runtime.version().feature() < 21, "the JVM running the tests is itself 21+");
        Path jbangDir = Files.createTempDirectory("nbio-jbang-");
        try {
            Map<String, String> env = Map.of("JBANG_DIR", jbangDir.toString(), "JAVA_HOME", System.getProperty("java.home"));
            Scripts.Proc run = Scripts.commandWithEnv(env, "./jbang", "--offline", "virtual-threads", "--help");
            assertTrue(run.waitFor(RUN) != 0, run.output());
            assertTrue(run.output().contains("No suitable JDK was found for requested version: 21"), run.output());
        } finally {
            deleteTree(jbangDir);
        }
    }

    /** The README's other way: link the JDK into JBang once (here into a throwaway JBANG_DIR). */
    @Test
    void jbangFindsALinkedJdk() throws IOException {
        Path jdk = Scripts.javaHome(21);
        Path jbangDir = Files.createTempDirectory("nbio-jbang-");
        try {
            Map<String, String> env = Map.of("JBANG_DIR", jbangDir.toString());
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

    /** The line about parking says what the poller count says. */
    static void pollerLineMatchesCount(Scripts.Proc client, Map<String, String> result) {
        boolean pollers = Integer.parseInt(result.get("pollers")) > 0;
        assertEquals(pollers, client.stdout().contains("parked their virtual threads, and the JDK's poller ("), client.stdout());
        assertEquals(!pollers, client.stdout().contains("no call had to wait this time"), client.stdout());
    }
}
