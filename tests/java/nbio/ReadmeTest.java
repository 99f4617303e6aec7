package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every command in the README works as written (the server's port swapped for a free one). */
@Timeout(1200) // every README command, each through ./jbang (which compiles it first): minutes on a busy machine
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)   // the kernel-view runs go on in the background meanwhile
class ReadmeTest {
    static final Duration RUN = Duration.ofSeconds(180);
    /** For JVMs whose checks are about what they do, not how fast: C1 alone compiles for less CPU. */
    static final String BRIEF_JVM = JshellEditionsTest.BRIEF_JVM;

    /**
     * A README command as written, every JVM it starts on {@link #BRIEF_JVM} through the environment: JAVA_TOOL_OPTIONS
     * reaches JBang's JVM, the step's, javac's, jshell's and the one jshell runs the code in (each says so in one line
     * on stderr). For the commands whose checks here are about what they do, not how fast.
     */
    static Scripts.Proc asWrittenOnC1(String... command) {
        return Scripts.commandWithEnv(Map.of("JAVA_TOOL_OPTIONS", BRIEF_JVM), command);
    }

    static List<List<String>> commands() throws IOException {
        List<List<String>> commands = new ArrayList<>();
        Matcher block = Pattern.compile("(?s)```bash\\n(.*?)```").matcher(Files.readString(Scripts.ROOT.resolve("README.md")));
        while (block.find()) {
            for (String line : block.group(1).split("\n")) {
                String command = line.replaceAll("\\s+#.*$", "").trim(); // a comment is not part of the command
                if (!command.isBlank()) commands.add(Arrays.asList(command.split("\\s+")));
            }
        }
        return commands;
    }

    /** What checks a README command: one of the tests below, or another class (the tour) or CI (the test command). */
    enum Check { SERVERS, SHOW_DATA, SOURCE_LAUNCHER, JSHELL, KERNEL_VIEW, OTHER, ELSEWHERE }

    /** The check of a README command, or null when none runs it. */
    static Check checkOf(List<String> command) {
        String line = String.join(" ", command), tool = command.get(0), what = command.size() > 1 ? command.get(1) : "";
        String last = command.get(command.size() - 1);
        if (line.equals("./jbang tour") || line.equals("tests/run")) return Check.ELSEWHERE;   // TourTest; CI runs it
        if (tool.equals("./jbang")) {
            boolean server = what.equals("server"), client = what.endsWith("-client");
            if (server && command.contains("--show-data")) return Check.SHOW_DATA;
            if (client && command.size() == 5 && !last.startsWith("-")) return Check.SHOW_DATA;   // a client with a size
            if (server || client && (command.size() == 2 || command.contains("--verbose"))) return Check.SERVERS;
            if (what.equals("kernel-view") && command.size() == 3) return Check.KERNEL_VIEW;
            if (List.of("bench", "install-kernel", "check").contains(what)) return Check.OTHER;
            return null;
        }
        if (tool.equals("java") && what.endsWith("/SocketQueues.java")) return Check.SERVERS;   // the sampler, beside a server
        if (tool.equals("java") || tool.equals("javac")) return Check.SOURCE_LAUNCHER;
        if (tool.equals("jshell") && command.size() == 2) return Check.JSHELL;
        if (tool.equals("diff") && command.size() == 3) return Check.OTHER;
        return null;
    }

    static List<List<String>> commands(Check check) throws IOException {
        return commands().stream().filter(c -> checkOf(c) == check).toList();
    }

    @Test @Order(0)
    void everyReadmeCommandHasACheck() throws IOException {
        List<List<String>> commands = commands();
        assertTrue(commands.contains(List.of("./jbang", "tour")), "the tour is the main command");
        assertTrue(commands.contains(List.of("tests/run")), "the test command");
        String ci = Files.readString(Scripts.ROOT.resolve(".ci/run"));
        assertTrue(ci.contains("exec tests/run"), ".ci/run calls the README's test command");
        for (List<String> command : commands) {
            if (checkOf(command) == null) fail("no check for the README command: " + String.join(" ", command));
        }
    }

    /**
     * The README's kernel-view runs start with this class, two at a time in threads of their own (most of a run is a
     * slow reader's waiting), and go on while the other commands run; each is read in {@link #kernelViewCommands}, from
     * the run KernelViewTest shares (whichever asks first starts it).
     */
    @BeforeAll
    static void startKernelViews() throws IOException {
        java.util.Queue<String> steps = new java.util.concurrent.ConcurrentLinkedQueue<>(
                commands(Check.KERNEL_VIEW).stream().map(c -> c.get(2)).toList());
        for (int i = 0; i < 2; i++) {
            Thread runs = new Thread(() -> {
                for (String step; (step = steps.poll()) != null; ) {
                    try {
                        KernelViewTest.kernelView(step);
                    } catch (RuntimeException | Error failed) {
                        // the same call in kernelViewCommands fails with it
                    }
                }
            }, "readme-kernel-views-" + i);
            runs.setDaemon(true);
            runs.start();
        }
    }

    /**
     * The server commands, side by side, each on a free port: the plain one followed by every client command and the
     * clients' --verbose commands (a server a client at a time serves them all in turn); a slow reader (--read-rate) by
     * one client, which its pace holds back, with the queue sampler watching (LoopStepsTest measures what spinning and
     * waiting cost against such a server).
     */
    @Test @Order(1)
    void serverCommandsServeTheClientCommands() throws Throwable {
        List<List<String>> mine = commands(Check.SERVERS);
        List<List<String>> servers = mine.stream().filter(c -> c.get(1).equals("server")).toList();
        List<List<String>> clients = mine.stream().filter(c -> c.size() == 2 && c.get(1).endsWith("-client")).toList();
        List<List<String>> verbose = mine.stream().filter(c -> c.get(1).endsWith("-client") && c.contains("--verbose")).toList();
        List<List<String>> samplers = mine.stream().filter(c -> c.get(0).equals("java")).toList();
        assertTrue(servers.size() >= 2 && clients.size() == 4, "servers " + servers + ", clients " + clients);
        assertEquals(2, verbose.size(), "the select and retry clients' --verbose commands: " + verbose);
        assertEquals(1, samplers.size(), "the queue sampler: " + samplers);
        List<Executable> checks = new ArrayList<>();
        for (List<String> serverCommand : servers) checks.add(() -> {
            List<String> command = new ArrayList<>(serverCommand);
            if (command.size() > 2 && command.get(2).matches("\\d+")) command.remove(2);
            command.addAll(2, List.of("0", "--no-progress"));
            try (Scripts.Proc server = asWrittenOnC1(command.toArray(String[]::new))) {
                String port = server.awaitLine(Pattern.compile("listening on localhost:(\\d+)"), RUN).group(1);
                int rate = command.indexOf("--read-rate");
                if (rate >= 0) {
                    checkReadRate(server, Integer.parseInt(port), Double.parseDouble(command.get(rate + 1)), samplers.get(0));
                    return;
                }
                for (List<String> clientCommand : clients) {
                    List<String> client = new ArrayList<>(clientCommand.subList(0, 2));
                    client.addAll(List.of("localhost", port));
                    Scripts.Proc run = asWrittenOnC1(client.toArray(String[]::new));
                    int expected = client.get(1).equals("nonblocking-client") ? 1 : 0;
                    assertEquals(expected, run.waitFor(RUN), String.join(" ", client) + ":\n" + run.output());
                    assertTrue(run.stdout().contains("RESULT client=" + client.get(1)), run.output());
                }
                if (serverCommand.size() == 2) {
                    for (List<String> verboseCommand : verbose) checkVerbose(verboseCommand, port);
                }
            }
        });
        sideBySide(checks);
    }

    @Test @Order(2)
    void showDataServerWithTheSizedClient() throws IOException {
        List<List<String>> mine = commands(Check.SHOW_DATA);
        assertEquals(List.of("./jbang", "server", "--show-data"), mine.get(0), "the --show-data server: " + mine);
        checkShowData(mine);
    }

    /**
     * With the Java the README names beside the line: a step that imports nbio runs on Java 22's source launcher or
     * later; on Java 17 it is compiled with its library first (into a folder of our own here).
     */
    @Test @Order(3)
    void javaCommandsRunOnTheJavaNamedBesideThem(@TempDir Path classes) throws IOException {
        List<List<String>> mine = commands(Check.SOURCE_LAUNCHER);
        assertTrue(mine.size() >= 3, "java and javac commands: " + mine);
        for (List<String> command : mine) {
            String line = String.join(" ", command);
            Path script = Scripts.ROOT.resolve(command.get(1));
            boolean importsNbio = Files.isRegularFile(script) && Files.readString(script).contains("\nimport nbio.");
            if (importsNbio && command.get(0).equals("java")) {
                Scripts.Proc old = asWrittenOnC1(Scripts.javaHome(17).resolve("bin/java").toString(), command.get(1), "--help");
                assertEquals(1, old.waitFor(RUN), "Java 17's launcher compiles one file only:\n" + old.output());
                assertTrue(old.stderr().contains("package nbio does not exist"), old.output());
            }
            List<String> asWritten = new ArrayList<>(command);
            asWritten.replaceAll(word -> word.equals("nbio-classes") ? classes.toString() : word);
            asWritten.set(0, Scripts.javaHome(importsNbio ? 22 : 17).resolve("bin/" + command.get(0)).toString());
            Scripts.Proc run = asWrittenOnC1(asWritten.toArray(String[]::new));
            assertEquals(0, run.waitFor(RUN), line + ":\n" + run.output());
            if (command.contains("--help")) assertTrue(run.stdout().startsWith("usage: "), line + ":\n" + run.output());
        }
    }

    /**
     * As written, against one step-1 server on localhost: its port given as the README says (-R-Dport=). One after the
     * other: a jshell tool gives the JVM it starts 5 s to connect back, which a busy machine can take. These are the
     * blocking and non-blocking editions' runs against a server (JshellEditionsTest runs the others): jshell exits 0
     * even when a snippet throws or is rejected, so every snippet's outcome is read from what it prints for one (a line
     * starting "Exception " or "Error:"): none for the blocking edition, the article's AssertionError alone for the other.
     */
    @Test @Order(4)
    void jshellCommandsRunAgainstTheServer() throws IOException {
        List<List<String>> mine = commands(Check.JSHELL);
        assertTrue(mine.size() >= 2, "jshell commands: " + mine);
        try (Scripts.Server server = Scripts.server("--read-rate", "100")) {   // it serves them in turn, as they come
            for (int client = 1; client <= mine.size(); client++) {
                List<String> command = mine.get(client - 1);
                String line = String.join(" ", command);
                Scripts.Proc run = asWrittenOnC1("jshell", "-R-Dport=" + server.port(), command.get(1));
                boolean nonBlocking = command.get(1).endsWith("nonblocking-client.jsh");
                assertEquals(nonBlocking ? 1 : 0, run.waitFor(RUN), line + ":\n" + run.output());
                Matcher sent = Pattern.compile("one write call sent ([\\d,]+) of 73,400,320 bytes").matcher(run.stdout());
                assertTrue(sent.find(), line + ":\n" + run.output());
                Map<String, String> served = server.served(client, RUN);
                assertEquals(sent.group(1).replace(",", ""), served.get("bytes"), line + ": what the server got");
                assertEquals("eof", served.get("ended"), line + ": the edition closed its socket");
                List<String> outcomes = run.output().lines().filter(l -> l.startsWith("Exception ") || l.startsWith("Error:")).toList();
                if (nonBlocking) {
                    long took = JshellEditionsTest.number(sent.group(1));
                    assertTrue(took > 0 && took < JshellEditionsTest.ARTICLE_BYTES, "one non-blocking write took a part: " + run.output());
                    assertEquals(1, outcomes.size(), line + ": one snippet threw:\n" + run.output());
                    assertTrue(outcomes.get(0).startsWith("Exception java.lang.AssertionError: "), run.output());
                } else {
                    assertEquals(List.of(), outcomes, line + ": no snippet threw or was rejected:\n" + run.output());
                    assertEquals(ClientStepsTest.crc32OfArticleData(JshellEditionsTest.ARTICLE_BYTES), served.get("crc32"), line);
                }
            }
        }
    }

    /**
     * As written: the step under strace, kernel-view its peer. Step 3's assertion fails, as it should. (KernelViewTest
     * reads its claims from the same runs, started by {@link #startKernelViews}: each runs once per test run.)
     */
    @Test @Order(6)
    void kernelViewCommands() throws IOException {
        List<String> kernelViews = new ArrayList<>();
        for (List<String> command : commands(Check.KERNEL_VIEW)) {
            String line = String.join(" ", command);
            KernelViewTest.Seen seen = KernelViewTest.kernelView(command.get(2));
            Scripts.Proc run = seen.proc();
            assertEquals(command.get(2).equals("nonblocking-client") ? 1 : 0, seen.exit(), line + ":\n" + run.output());
            assertTrue(run.stdout().contains("\nSYSCALLS step=" + command.get(2) + " "), line + ":\n" + run.output());
            kernelViews.addAll(run.stdoutLines());
        }
        checkKernelViewExcerpts(kernelViews);
    }

    /** The bench, install-kernel, check and diff commands, side by side. */
    @Test @Order(5)
    void otherCommandsRunAsWritten() throws Throwable {
        String readme = Files.readString(Scripts.ROOT.resolve("README.md"));
        List<Executable> checks = new ArrayList<>();
        for (List<String> command : commands(Check.OTHER)) checks.add(() -> {
            String line = String.join(" ", command);
            if (command.get(0).equals("./jbang") && command.get(1).equals("bench")) {
                // The bench takes the command as written: with --dry-run it prints the configuration those options
                // select and stops. (BenchTest runs the quick configuration in full; the full one takes many minutes.)
                List<String> dryRun = new ArrayList<>(command);
                dryRun.add("--dry-run");
                Scripts.Proc run = asWrittenOnC1(dryRun.toArray(String[]::new));
                assertEquals(0, run.waitFor(RUN), line + " --dry-run:\n" + run.output());
                String configuration = command.contains("--quick") ? "bench: quick configuration: " : "bench: full configuration: ";
                assertTrue(run.stdoutLines().stream().anyMatch(l -> l.startsWith(configuration)), line + ":\n" + run.output());
            } else if (command.get(0).equals("./jbang") && command.get(1).equals("install-kernel")) {
                // As written, but into a temporary Jupyter folder rather than this user's (the install itself: the run
                // InstallKernelTest reads too, made once per test run).
                if (command.size() == 2) {
                    InstallKernelTest.Installed installed = InstallKernelTest.asTheReadmeSays();
                    assertEquals(0, installed.result().status(), line + ":\n" + installed.result().output());
                    assertTrue(Files.readString(installed.jupyterDataDir().resolve("kernels/java/kernel.json")).contains("\"argv\""), line);
                    return;
                }
                Path jupyter = Files.createTempDirectory("readme-jupyter");
                Scripts.Proc run = Scripts.commandWithEnv(Map.of("JUPYTER_DATA_DIR", jupyter.toString()), command.toArray(String[]::new));
                assertEquals(0, run.waitFor(RUN), line + ":\n" + run.output());
            } else if (command.get(0).equals("./jbang") && command.get(1).equals("check")) {
                // The list names the exercises of "Your turn" in its order; an exercise as shipped fails its checks
                // (ExercisesTest runs the answers, which pass, and the kept mistakes, which fail with their hints).
                Scripts.Proc run = Scripts.command(command.toArray(String[]::new));
                boolean list = command.contains("--list");
                assertEquals(list ? 0 : 1, run.waitFor(RUN), line + ":\n" + run.output());
                if (list) {
                    List<String> names = run.stdoutLines().stream().map(l -> l.split("\\s+")[0]).toList();
                    Matcher row = Pattern.compile("(?m)^\\| `([\\w-]+)` \\| [\\w ]+ \\|").matcher(
                            readme.substring(readme.indexOf("## Your turn"), readme.indexOf("## Notebooks")));
                    List<String> inReadme = new ArrayList<>();
                    while (row.find()) inReadme.add(row.group(1));
                    assertEquals(inReadme, names, "the README's exercises, in the order `check --list` prints them");
                } else {
                    assertTrue(run.stdoutLines().stream().anyMatch(l -> l.startsWith("FAIL ")), line + ":\n" + run.output());
                }
            } else {
                // diff between two consecutive steps: they differ (exit 1), and by the lesson (LessonFirstTest bounds it).
                Scripts.Proc run = Scripts.command(command.toArray(String[]::new));
                assertEquals(1, run.waitFor(RUN), line + ":\n" + run.output());
                assertTrue(run.stdout().contains("selector.select("), line + " shows the selector loop's lesson:\n" + run.stdout());
            }
        });
        sideBySide(checks);
    }

    /** Runs each check in a thread of its own, all at once, and waits for them all: the first failure is the test's. */
    static void sideBySide(List<Executable> checks) throws Throwable {
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (Executable check : checks) {
            CompletableFuture<Void> run = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    check.execute();
                    run.complete(null);
                } catch (Throwable failed) {
                    run.completeExceptionally(failed);
                }
            }, "readme-check");
            thread.setDaemon(true);
            thread.start();
            runs.add(run);
        }
        Throwable first = null;
        for (CompletableFuture<Void> run : runs) {
            try {
                run.join();
            } catch (CompletionException failed) {
                if (first == null) first = failed.getCause();
                else first.addSuppressed(failed.getCause());
            }
        }
        if (first != null) throw first;
    }

    /**
     * The excerpts of kernel-view runs the README shows have the shape of lines the runs above printed: the same
     * words, with any numbers, any strings strace quoted, and "..." where the README cut a long line short.
     */
    static void checkKernelViewExcerpts(List<String> printed) throws IOException {
        String readme = Files.readString(Scripts.ROOT.resolve("README.md"));
        int start = readme.indexOf("## What the kernel saw"), end = readme.indexOf("\n## ", start + 1);
        List<String> shown = new ArrayList<>();
        boolean inExcerpt = false, inBlock = false;
        for (String line : readme.substring(start, end).split("\n")) {
            if (line.startsWith("```")) {
                inExcerpt = !inBlock && line.equals("```");   // an excerpt's fence names no language
                inBlock = !inBlock;
            } else if (inExcerpt) {
                shown.add(line);
            }
        }
        // A call strace split in two (another thread's call came between) counts as the one line it would have been.
        List<String> calls = new ArrayList<>(printed);
        for (int i = 0; i + 1 < printed.size(); i++) {
            Matcher resumed = Pattern.compile("^ +\\d+ +[\\d:.]+ <\\.\\.\\. \\w+ resumed>(.*)$").matcher(printed.get(i + 1));
            if (printed.get(i).endsWith(" <unfinished ...>") && resumed.matches()) {
                calls.add(printed.get(i).substring(0, printed.get(i).length() - " <unfinished ...>".length()) + resumed.group(1));
            }
        }
        // strace pads a thread id to five columns, so the gap after it depends on how many digits the id has.
        calls.replaceAll(l -> l.replaceAll(" {2,}", " "));
        int lines = 0;
        for (String shownLine : shown) {
            String line = shownLine.replaceAll(" {2,}", " ");
            StringBuilder regex = new StringBuilder();
            Matcher piece = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|\\d[\\d,]*| \\.\\.\\.$").matcher(line);
            int at = 0;
            while (piece.find()) {
                regex.append(Pattern.quote(line.substring(at, piece.start())));
                String p = piece.group();
                regex.append(p.startsWith("\"") ? "\"(?:[^\"\\\\]|\\\\.)*\"" : p.equals(" ...") ? " .*" : "\\d[\\d,]*");
                at = piece.end();
            }
            regex.append(Pattern.quote(line.substring(at))).append(line.endsWith(" ...") ? "" : "$");
            Pattern shape = Pattern.compile("^" + regex);
            assertTrue(calls.stream().anyMatch(l -> shape.matcher(l).find()), "no kernel-view run printed a line like: " + shownLine);
            lines++;
        }
        assertTrue(lines >= 5, "the README shows kernel-view's lines: " + lines);
    }

    /** The README's commands with its port 1234 swapped for the port a test server got. */
    static String[] onPort(List<String> command, String port) {
        return command.stream().map(word -> word.equals("1234") ? port : word).toArray(String[]::new);
    }

    /**
     * `./jbang server --show-data` with each client command that names a size (the README's
     * 70 bytes): the article's lines, the whole server output on one screen (24 lines).
     */
    static void checkShowData(List<List<String>> commands) {
        List<List<String>> sized = commands.stream().filter(c -> c.size() > 4 && c.get(0).equals("./jbang")
                && c.get(1).endsWith("-client") && !c.get(c.size() - 1).startsWith("-")).toList();
        assertEquals(1, sized.size(), "the client to run against the --show-data server: " + sized);
        List<String> client = sized.get(0);
        try (Scripts.Proc server = asWrittenOnC1("./jbang", "server", "0", "--show-data", "--no-progress")) {
            String port = server.awaitLine(Pattern.compile("listening on localhost:(\\d+)"), RUN).group(1);
            Scripts.Proc run = asWrittenOnC1(onPort(client, port));
            assertEquals(0, run.waitFor(RUN), run.output());
            long size = Long.parseLong(client.get(4));
            server.awaitLine(Pattern.compile("^SERVED client=1 bytes=" + size + " "), RUN);
            assertEquals(size / 7, server.stdoutLines().stream().filter(l -> l.equals("foobar")).count(), server.output());
            assertTrue(server.stdoutLines().size() <= 24, "one screen:\n" + server.output());
        }
    }

    /**
     * The article's 70 MB to a server started with --read-rate MiB/s: all of it arrives, and no faster than that. The
     * README's queue sampler, as written on the server's port, started just before the client as the README says.
     */
    static void checkReadRate(Scripts.Proc server, int port, double mibPerSecond, List<String> samplerCommand) {
        List<String> sampler = new ArrayList<>(List.of(onPort(samplerCommand, String.valueOf(port))));
        sampler.set(0, Scripts.javaHome(17).resolve("bin/java").toString());
        try (Scripts.Proc queues = asWrittenOnC1(sampler.toArray(String[]::new));
             Scripts.Proc client = waitingFor(queues, () -> Scripts.start("SelectClient", "localhost", String.valueOf(port)))) {
            assertEquals(0, client.waitFor(RUN), client.output());
            Map<String, String> result = client.last("RESULT");
            String served = server.awaitLine(Pattern.compile("^SERVED client=1 .*"), RUN).group();
            Map<String, String> fields = Scripts.fields(served);
            assertEquals(result.get("bytes"), fields.get("bytes"), served);
            assertEquals(result.get("crc32"), fields.get("crc32"), served);
            // The server waits after each read until that many bytes are due at the rate: the whole takes at least
            // bytes / rate (a little less counted here, as its clock starts at the first read, not at the connect).
            double atLeastMs = Long.parseLong(fields.get("bytes")) / (mibPerSecond * 1024 * 1024) * 1000 * 0.9;
            assertTrue(Double.parseDouble(fields.get("ms")) >= atLeastMs, "--read-rate " + mibPerSecond + " holds the reading back: " + served);

            // The sampler ran as written to its end (--for), reading ss. Its QUEUE lines are SocketQueuesProgramTest's
            // and SocketQueuesTest's to check: how many readings it gets during a 1.4 s transfer depends on the load.
            String line = String.join(" ", samplerCommand);
            assertEquals(0, queues.waitFor(RUN), line + ":\n" + queues.output());
            String every = samplerCommand.get(samplerCommand.indexOf("--every") + 1), during = samplerCommand.get(samplerCommand.indexOf("--for") + 1);
            assertEquals("SAMPLER source=ss every_ms=" + every + " for_ms=" + during, queues.stdoutLines().get(0), line + ":\n" + queues.output());
        }
    }

    /** Starts {@code next} once the queue sampler has said where it reads from (its first reading comes next). */
    static Scripts.Proc waitingFor(Scripts.Proc sampler, java.util.function.Supplier<Scripts.Proc> next) {
        sampler.awaitLine(Pattern.compile("^SAMPLER "), RUN);
        return next.get();
    }

    /**
     * A client's --verbose prints a `Blocking with N remaining` line per miss; select-client's fits on one screen. Against
     * the plain server on {@code port}.
     */
    static void checkVerbose(List<String> command, String port) {
        Scripts.Proc client = asWrittenOnC1(onPort(command, port));
        assertEquals(0, client.waitFor(RUN), client.output());
        long misses = client.stdoutLines().stream().filter(l -> l.matches("Blocking with \\d+ remaining")).count();
        assertEquals(Long.parseLong(client.last("RESULT").get("zero_writes")), misses, "one line per miss");
        assertTrue(client.stdoutLines().contains("Sending data"), client.output());
        if (command.get(1).equals("select-client")) {
            assertTrue(client.stdoutLines().size() <= 24, "one screen:\n" + client.output());
        }
    }

    /**
     * The README: without jbang installed, ./jbang fetches JBang's jar once with Maven into
     * .jbang-cli/ beside it. Here into a fresh folder: one line says so, and none of Maven's
     * colour codes get through.
     */
    @Test @Order(7)
    void theLauncherFetchesJBangOnceQuietly(@TempDir Path fresh) throws IOException {   // gone with its 9 MB jar after
        Files.copy(Scripts.ROOT.resolve("jbang"), fresh.resolve("jbang"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Map<String, String> env = Map.of("NBIO_USE_JAR", "1");
        Scripts.Proc first = Scripts.commandWithEnv(env, fresh.resolve("jbang").toString(), "version");
        assertEquals(0, first.waitFor(RUN), first.output());
        assertTrue(first.stderrLines().contains("jbang: fetching dev.jbang:jbang-cli:0.132.1 (once) with Maven..."), first.output());
        assertFalse(first.output().contains("\u001b"), "no escape codes:\n" + first.output().replace("\u001b", "^["));
        assertTrue(Files.isRegularFile(fresh.resolve(".jbang-cli/jbang-cli-0.132.1-all.jar")));
        Scripts.Proc again = Scripts.commandWithEnv(env, fresh.resolve("jbang").toString(), "version");
        assertEquals(0, again.waitFor(RUN), again.output());
        assertFalse(again.output().contains("fetching"), "only once: " + again.output());
    }
}
