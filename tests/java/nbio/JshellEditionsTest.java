package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jshell editions (scripts/jshell/*.jsh): each runs snippet by snippet in JShell against a live
 * server, every snippet's outcome is checked (jshell itself exits 0 when one throws), and the server
 * says what it received. The blocking and non-blocking editions' runs are the README's, in the jshell
 * tool (ReadmeTest), where each snippet's outcome is read from what the tool prints.
 */
@Timeout(300)
class JshellEditionsTest {
    static final Path EDITIONS = Scripts.SCRIPTS.resolve("jshell");
    static final long ARTICLE_BYTES = 73_400_320L;
    static final Duration RUN = Duration.ofSeconds(120);
    /**
     * JVM options for the JVMs these tests start to run an edition: each lives seconds, mostly compiling snippets
     * (jshell's own JVM) or starting up (the one that runs them), and without the optimising compiler spends about 40%
     * less CPU (measured). What an edition does and prints does not depend on them.
     */
    static final String BRIEF_JVM = "-XX:TieredStopAtLevel=1";

    /** The jshell tool of Java 17 with {@link #BRIEF_JVM} for itself and the JVM it runs the code in, then {@code args}. */
    static List<String> jshellTool(String... args) {
        List<String> command = new ArrayList<>(List.of(Scripts.javaHome(17).resolve("bin/jshell").toString(), "-J" + BRIEF_JVM,
                "-R" + BRIEF_JVM));
        command.addAll(List.of(args));
        return command;
    }

    /** An exception a snippet threw: its class name, its message and the snippet. */
    record Thrown(String type, String message, String snippet) { }

    /**
     * What a run of an edition printed, the exceptions its snippets threw (in order), and the value of its last line's
     * {@code /exit} expression (what jshell would exit with; null for an edition without one).
     */
    record Outcome(String printed, List<Thrown> thrown, String exitValue) {
        List<String> exceptions() { return thrown.stream().map(Thrown::type).toList(); }
    }

    /** Evaluates every snippet of an edition, then its /exit expression, in a fresh JShell with -Dport. */
    static Outcome run(String edition, int port) throws IOException {
        return run(edition, String.valueOf(port));
    }

    /** Like {@link #run(String, int)}, with the port as written after -R-Dport= (a typo too). */
    static Outcome run(String edition, String port) throws IOException {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<Thrown> thrown = new ArrayList<>();
        try (JShell shell = JShell.builder().out(new PrintStream(printed, true, StandardCharsets.UTF_8))
                .err(new PrintStream(printed, true, StandardCharsets.UTF_8)).remoteVMOptions(BRIEF_JVM, "-Dport=" + port).build()) {
            for (String snippet : snippets(shell, edition)) evalChecked(shell, edition, snippet, thrown);
            String exit = Files.readAllLines(EDITIONS.resolve(edition)).stream().filter(l -> l.startsWith("/exit "))
                    .map(l -> l.substring("/exit ".length())).findFirst().orElse(null);
            List<SnippetEvent> exitValue = exit == null ? List.of() : evalChecked(shell, edition, exit, thrown);
            return new Outcome(printed.toString(StandardCharsets.UTF_8), thrown,
                    exitValue.isEmpty() || exitValue.get(0).exception() != null ? null : exitValue.get(0).value());
        }
    }

    /** The edition's snippets, split as jshell splits them; command lines such as /exit are left out. */
    static List<String> snippets(JShell shell, String edition) throws IOException {
        StringBuilder code = new StringBuilder();
        for (String line : Files.readAllLines(EDITIONS.resolve(edition))) if (!line.startsWith("/")) code.append(line).append('\n');
        List<String> snippets = new ArrayList<>();
        String rest = code.toString();
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = shell.sourceCodeAnalysis().analyzeCompletion(rest);
            assertTrue(info.completeness().isComplete(), edition + ": incomplete code at: " + rest);
            if (!info.source().isBlank()) snippets.add(info.source());
            rest = info.remaining();
        }
        return snippets;
    }

    /** Evaluates one snippet, which must be valid; adds what it threw to {@code thrown}; returns its own events. */
    static List<SnippetEvent> evalChecked(JShell shell, String edition, String snippet, List<Thrown> thrown) {
        List<SnippetEvent> own = new ArrayList<>();
        for (SnippetEvent event : shell.eval(snippet)) {
            if (event.causeSnippet() != null) continue; // a dependent snippet's update, not this one
            assertTrue(event.status() == Snippet.Status.VALID, edition + ": snippet rejected (" + event.status() + "): " + snippet
                    + shell.diagnostics(event.snippet()).map(d -> "\n  " + d.getMessage(null)).toList());
            own.add(event);
            if (event.exception() != null) {
                String name = event.exception() instanceof jdk.jshell.EvalException e ? e.getExceptionClassName()
                        : event.exception().getClass().getName();
                thrown.add(new Thrown(name, event.exception().getMessage(), snippet));
            }
        }
        return own;
    }

    /**
     * The blocking and non-blocking editions run against a server as the README writes them (in the jshell tool), each
     * snippet's outcome read from its output there: ReadmeTest#jshellCommandsRunAgainstTheServer, not again here.
     */
    @ParameterizedTest
    @ValueSource(strings = {"retry-client.jsh", "select-client.jsh"})
    void clientEditionSendsTheArticlesBytesToTheStepOneServer(String edition) throws IOException {
        // A slow reader, so that the non-blocking loops meet full buffers and have zeros to count.
        try (Scripts.Server server = Scripts.server("--read-rate", "100")) {
            Outcome outcome = run(edition, server.port());
            assertEquals(List.of(), outcome.exceptions(), edition + " printed:\n" + outcome.printed());
            assertEquals("0", outcome.exitValue(), edition + ": its /exit line gives 0");
            Map<String, String> served = server.served(1, RUN);
            assertEquals(String.valueOf(ARTICLE_BYTES), served.get("bytes"), "bytes the server received");
            assertEquals(ClientStepsTest.crc32OfArticleData(ARTICLE_BYTES), served.get("crc32"), "crc32 of what it received");
            assertEquals("eof", served.get("ended"));
            Matcher m = Pattern.compile("sent 73,400,320 bytes; ([\\d,]+) write calls returned 0").matcher(outcome.printed());
            assertTrue(m.find(), outcome.printed());
            assertTrue(number(m.group(1)) > 0, "against a slow reader some writes return 0: " + outcome.printed());
            if (edition.equals("select-client.jsh")) {
                Matcher wakeUps = Pattern.compile("([\\d,]+) selector wake-ups").matcher(outcome.printed());
                assertTrue(wakeUps.find(), outcome.printed());
                assertEquals(number(m.group(1)), number(wakeUps.group(1)), "one wake-up per zero-return");
            }
        }
    }

    @Test
    void serverEditionReceivesEachClientInTurn() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        OutputStream lines = new OutputStream() { // collects what the server prints, for the test to wait on
            @Override public synchronized void write(int b) { printed.write(b); notifyAll(); }
        };
        try (JShell shell = JShell.builder().out(new PrintStream(lines, true, StandardCharsets.UTF_8))
                .err(new PrintStream(lines, true, StandardCharsets.UTF_8)).remoteVMOptions(BRIEF_JVM, "-Dport=0").build()) {
            List<String> snippets = snippets(shell, "server.jsh");
            List<Thrown> exceptions = new ArrayList<>();
            AtomicReference<Throwable> failed = new AtomicReference<>();   // a rejected snippet fails the thread, not the test
            Thread server = new Thread(() -> { for (String s : snippets) evalChecked(shell, "server.jsh", s, exceptions); });
            server.setUncaughtExceptionHandler((thread, e) -> failed.set(e));
            server.setDaemon(true);
            server.start();
            int port = Integer.parseInt(await(lines, printed, Pattern.compile("listening on /127\\.0\\.0\\.1:(\\d+)"), 1).group(1));
            byte[][] payloads = {"hello\n".getBytes(), new byte[3_000_000]};
            for (int i = 0; i < payloads[1].length; i++) payloads[1][i] = (byte) (i * 31);
            for (int client = 0; client < payloads.length; client++) {
                try (SocketChannel sock = Wire.connect(port)) {
                    Wire.write(sock, payloads[client]);
                }
                Matcher done = await(lines, printed, Pattern.compile("client done: ([\\d,]+) bytes, crc32=(\\w+)"), client + 1);
                assertEquals(payloads[client].length, number(done.group(1)), "bytes of client " + (client + 1));
                assertEquals(Wire.crc(payloads[client]), done.group(2), "crc32 of client " + (client + 1));
            }
            shell.stop(); // the article's server runs until stopped (Ctrl-C)
            // The stop takes effect when the snippet next runs Java code: a connection wakes it from accept().
            for (long end = System.nanoTime() + RUN.toNanos(); server.isAlive() && System.nanoTime() < end; server.join(1000)) {
                Wire.connect(port).close();
            }
            assertFalse(server.isAlive(), "the server edition did not stop:\n" + printed.toString(StandardCharsets.UTF_8));
            if (failed.get() != null) throw new AssertionError("the server edition failed", failed.get());
            assertEquals(List.of(), exceptions, printed.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * An edition is a file JBang runs too. (With plain jshell, as the README writes it, ReadmeTest runs the blocking and
     * the non-blocking edition: the failed assertion is a non-zero exit there.) JBang runs the file in jshell's own JVM
     * (--execution=local), which gets {@link #BRIEF_JVM} through JBang's -R: about half the CPU (measured).
     */
    @Test
    void editionsRunAsFilesWithJbang() {
        try (Scripts.Server server = Scripts.server()) {
            Scripts.Proc jbang = Scripts.command("./jbang", "-R" + BRIEF_JVM, "-Dport=" + server.port(), "scripts/jshell/blocking-client.jsh");
            assertEquals(0, jbang.waitFor(Duration.ofSeconds(240)), jbang.output());
            assertTrue(jbang.stdout().contains("one write call sent 73,400,320 of 73,400,320 bytes"), jbang.output());
            assertEquals(ClientStepsTest.crc32OfArticleData(ARTICLE_BYTES), server.served(1, RUN).get("crc32"));
        }
    }

    @Test
    void editionsAreTheArticlesProgramInAtMostTwentyLinesOfCode() throws IOException {
        try (var files = Files.list(EDITIONS)) {
            List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
            assertEquals(List.of("blocking-client.jsh", "nonblocking-client.jsh", "retry-client.jsh", "select-client.jsh", "server.jsh"), names);
        }
        for (String edition : List.of("server.jsh", "blocking-client.jsh", "nonblocking-client.jsh", "retry-client.jsh", "select-client.jsh")) {
            List<String> code = Files.readAllLines(EDITIONS.resolve(edition)).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("//") && !l.startsWith("import ") && !l.startsWith("/exit")).toList();
            assertTrue(code.size() <= 20, edition + " has " + code.size() + " lines of code");
            assertTrue(code.stream().anyMatch(l -> l.contains("System.getProperty(\"port\", \"1234\")")), edition + ": localhost:1234 by default");
        }
    }

    /**
     * A typo in the port (-R-Dport=28092x) stops the edition at that line; it never falls back to 1234 or anywhere else.
     * Each edition runs in JShell with -Dport=28092x in the VM that runs its code (what jshell's -R gives that VM); a
     * client's /exit line then gives 1. {@link #aBadPortStopsTheFileInTheJshellTool} runs one through the tool itself.
     */
    @ParameterizedTest
    @ValueSource(strings = {"server.jsh", "blocking-client.jsh", "nonblocking-client.jsh", "retry-client.jsh", "select-client.jsh"})
    void aBadPortIsRefusedNotReplacedByTheDefault(String edition) throws IOException {
        Outcome outcome = run(edition, "28092x");
        String context = edition + " printed:\n" + outcome.printed() + "\nthrew: " + outcome.thrown();
        assertFalse(outcome.thrown().isEmpty(), context);
        Thrown first = outcome.thrown().get(0);
        assertEquals("java.lang.NumberFormatException", first.type(), context);
        assertEquals("For input string: \"28092x\"", first.message(), context);
        assertTrue(first.snippet().contains("System.getProperty(\"port\""), "the port's own line stops: " + context);
        assertFalse(Pattern.compile("listening on /|sent [1-9]").matcher(outcome.printed()).find(), "nothing listened or sent: " + context);
        if (!edition.equals("server.jsh")) assertEquals("1", outcome.exitValue(), context);
    }

    /** Through the jshell tool, as a file: the port's line prints jshell's NumberFormatException, nothing is sent, exit 1. */
    @Test
    void aBadPortStopsTheFileInTheJshellTool() {
        String command = String.join(" ", jshellTool("-R-Dport=28092x", EDITIONS.resolve("retry-client.jsh").toString()).stream()
                .map(Scripts::shellQuoted).toList());
        try (Scripts.Proc run = Scripts.command("sh", "-c", "exec " + command + " </dev/null")) {
            int exit = run.waitFor(RUN);
            assertTrue(run.output().contains("NumberFormatException: For input string: \"28092x\""), run.output());
            assertFalse(Pattern.compile("sent [1-9]").matcher(run.output()).find(), "nothing sent: " + run.output());
            assertEquals(1, exit, run.output());
        }
    }

    /**
     * kill -TERM (or -KILL) on jshell running server.jsh: the JVM that runs the code (jshell's agent) stops serving
     * too. Without the edition's parent watch, jshell's agent was once seen still listening 3 s after kill -TERM (1 run
     * in 5 here): its end then depended on jshell's own shutdown, which a killed jshell may not finish.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TERM", "KILL"})
    void killingJshellStopsTheServerItRan(String signal) throws Exception {
        try (Scripts.Proc run = Scripts.command(jshellTool("-R-Dport=0", EDITIONS.resolve("server.jsh").toString()).toArray(String[]::new))) {
            int port = Integer.parseInt(run.awaitLine(Pattern.compile("listening on /127\\.0\\.0\\.1:(\\d+)"), RUN).group(1));
            List<ProcessHandle> agents = ProcessHandle.of(run.pid()).orElseThrow().descendants().toList();
            assertTrue(!agents.isEmpty(), "jshell runs the code in a JVM of its own");
            run.signal(signal);
            run.waitFor(RUN);
            for (ProcessHandle agent : agents) {
                agent.onExit().get(60, TimeUnit.SECONDS); // throws TimeoutException if it is still serving
            }
            try (ServerSocketChannel probe = ServerSocketChannel.open()) {
                probe.bind(new InetSocketAddress("localhost", port)); // the port is free again: nothing serves there
            }
        }
    }

    static long number(String withCommas) {
        return Long.parseLong(withCommas.replace(",", ""));
    }

    /** Waits until {@code pattern} has matched {@code count} times in what was printed; returns the last match. */
    static Matcher await(Object lock, ByteArrayOutputStream printed, Pattern pattern, int count) throws InterruptedException {
        long deadline = System.nanoTime() + RUN.toNanos();
        synchronized (lock) {
            while (true) {
                // Whole lines only: a line still being printed could match a prefix of its value.
                String text = printed.toString(StandardCharsets.UTF_8);
                Matcher m = pattern.matcher(text.substring(0, text.lastIndexOf('\n') + 1));
                List<String> found = new ArrayList<>();
                while (m.find()) found.add(m.group());
                if (found.size() >= count) {
                    Matcher last = pattern.matcher(found.get(count - 1));
                    assertTrue(last.find());
                    return last;
                }
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "never printed " + pattern + " " + count + " times:\n" + printed);
                lock.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
        }
    }
}
