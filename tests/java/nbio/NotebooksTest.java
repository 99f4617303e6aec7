package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The notebooks keep their promises: each runs top to bottom in a real Jupyter on two Java
 * kernels and, cell by cell, in JShell with assertions on; what the prose claims holds in what
 * the cells print for people (there are no test-only lines); they read as essays (prose and the
 * step's code first, the article's Python beside the Java, no long open cells); and the committed
 * outputs are not stale.
 */
@Timeout(3600)
@Isolated("the notebooks' claims include CPU shares and wall times")
class NotebooksTest {
    static final Duration CELL_TIMEOUT = Duration.ofSeconds(180);
    static final List<String> STEPS = List.of("00-overview.ipynb", "01-server.ipynb", "02-blocking-client.ipynb",
            "03-nonblocking-client.ipynb", "04-retry-loop.ipynb", "05-selector-loop.ipynb", "06a-event-loop.ipynb",
            "06b-select-server.ipynb", "06c-virtual-threads.ipynb", "07-buffer-lab.ipynb", "08-kernel-view.ipynb");
    /** How many charts (PNG results) each notebook shows. */
    static final Map<String, Integer> CHARTS = Map.of("04-retry-loop.ipynb", 1, "05-selector-loop.ipynb", 1,
            "06a-event-loop.ipynb", 1, "07-buffer-lab.ipynb", 2);
    static final int MAX_OPEN_CELL_LINES = 40;
    /** The kernel the claims are judged on, at full size (the one the committed outputs come from). */
    static final String CLAIMS_KERNEL = "nbio-ijava";

    @BeforeAll
    static void setUp() {
        Notebooks.setUp();
    }

    static Stream<String> notebooks() { return Notebooks.names().stream(); }

    static Stream<String> stepNotebooks() { return Notebooks.names().stream().filter(n -> !n.startsWith("00-")); }

    static Notebooks.Notebook committed(String name) { return Notebooks.read(Notebooks.DIR.resolve(name)); }

    @Test
    void everyStepHasItsNotebookTitledByItsNumberAndLinkedInOrder() {
        assertEquals(STEPS, Notebooks.names());
        String overview = committed(STEPS.get(0)).cells().stream()
                .filter(c -> c.type().equals("markdown")).map(Notebooks.Cell::source).reduce("", String::concat);
        int last = -1;
        for (String step : STEPS.subList(1, STEPS.size())) {
            int at = overview.indexOf("](" + step + ")");
            assertTrue(at > last, step + " linked from the overview, after the previous step");
            last = at;
        }
        for (int i = 1; i < STEPS.size(); i++) {
            String name = STEPS.get(i), first = committed(name).cells().get(0).source();
            String number = name.substring(0, name.indexOf('-')).replaceFirst("^0", "");
            String title = first.lines().findFirst().orElse("");
            if (number.equals("7")) assertTrue(title.startsWith("# The buffer lab"), name + ": " + title);
            else if (number.equals("8")) assertTrue(title.startsWith("# The kernel's view"), name + ": " + title);
            else assertTrue(title.startsWith("# Step " + number + ": "), name + " is step " + number + ": " + title);
            assertTrue(first.contains("](00-overview.ipynb)"), name + " links back to the overview");
            if (i > 1) assertTrue(first.contains("Previous: [") && first.contains("](" + STEPS.get(i - 1) + ")"), name + " links to the previous step");
            if (i + 1 < STEPS.size()) assertTrue(first.contains("Next: [") && first.contains("](" + STEPS.get(i + 1) + ")"), name + " links to the next step");
            for (Matcher link = Pattern.compile("\\]\\(([^)#]+\\.ipynb)\\)").matcher(String.join("\n",
                    committed(name).cells().stream().map(Notebooks.Cell::source).toList())); link.find(); ) {
                assertTrue(Files.exists(Notebooks.DIR.resolve(link.group(1))), name + " links to a notebook that exists: " + link.group(1));
            }
        }
    }

    /** An essay: prose first, then the step's own code within the first screen; scaffolding loaded, not pasted; no long open cell. */
    @ParameterizedTest(name = "essay: {0}")
    @MethodSource("stepNotebooks")
    void opensWithProseAndTheLessonAndHidesNoLongCell(String name) {
        List<Notebooks.Cell> cells = committed(name).cells();
        assertEquals("markdown", cells.get(0).type(), name + " opens with prose");
        int proseLines = 0, lesson = -1;
        for (int i = 0; i < cells.size() && lesson < 0; i++) {
            Notebooks.Cell cell = cells.get(i);
            if (cell.type().equals("markdown")) proseLines += cell.source().lines().count();
            else if (!cell.source().strip().matches("%load \\S+")) lesson = i;
        }
        assertTrue(lesson >= 0 && lesson <= 3, name + ": the step's code is one of the first cells (found at " + lesson + ")");
        assertTrue(proseLines <= 20, name + ": at most 20 lines of prose before the step's code, not " + proseLines);
        for (Notebooks.Cell cell : cells) {
            if (!cell.type().equals("code")) continue;
            long lines = cell.source().lines().count();
            assertTrue(lines <= MAX_OPEN_CELL_LINES || cell.sourceHidden(), name + ": a code cell of " + lines + " lines shown open:\n" + cell.source());
            assertFalse(cell.source().contains("class BlockingServer") || cell.source().contains("class PacedServer"),
                    name + ": scaffolding pasted into a cell instead of loaded from lib/");
            for (Path file : Notebooks.loads(cell.source())) assertTrue(Files.isRegularFile(file), name + " loads " + file);
        }
    }

    /** Every notebook's code, and what it prints, has no line over 100 characters. */
    @Test
    void codeLinesFitAProjector() {
        for (String name : Notebooks.names()) {
            for (Notebooks.Cell cell : committed(name).code()) {
                for (String line : cell.source().split("\n")) {
                    assertTrue(line.length() <= 100, name + ": a code line of " + line.length() + " characters:\n" + line);
                }
                for (Map<String, Object> output : cell.outputs()) {
                    if (!"stream".equals(output.get("output_type"))) continue;
                    for (String line : Notebooks.joined(output.get("text")).split("\n")) {
                        assertTrue(line.length() <= 100, name + ": an output line of " + line.length() + " characters:\n" + line);
                    }
                }
            }
        }
    }

    /** The article's Python beside the Java, line against line, with the article's bugs where the step has them. */
    @ParameterizedTest(name = "python beside java: {0}")
    @MethodSource("stepNotebooks")
    void showsTheArticlesPythonBesideTheJava(String name) {
        String prose = String.join("\n", committed(name).cells().stream().filter(c -> c.type().equals("markdown"))
                .map(Notebooks.Cell::source).toList());
        Matcher header = Pattern.compile("(?m)^\\|[^\\n]*(Python|the article)[^\\n]*\\|[^\\n]*Java[^\\n]*\\|\\n\\|---\\|---\\|\\n((\\|[^\\n]*\\|\\n?)+)")
                .matcher(prose);
        assertTrue(header.find(), name + ": a two-column table, the article's Python beside the Java");
        long rows = header.group(2).lines().count();
        assertTrue(rows >= 4, name + ": the table pairs at least 4 lines, not " + rows);
        // Steps 1 to 5 show the article's listing whole (its first and last lines) and how Python 3 spells it.
        Map<String, List<String>> listing = Map.of(
                "01-server.ipynb", List.of("import socket\nimport sys\n", "except KeyboardInterrupt:\n    sock.close\n```"),
                "02-blocking-client.ipynb", List.of("import socket\n", "assert sock.send(data) == len(data)  # True\n```", "sendall"),
                "03-nonblocking-client.ipynb", List.of("import socket\n", "sock.setblocking(0)\n", "# AssertionError\n```",
                        "BlockingIOError"),
                "04-retry-loop.ipynb", List.of("import errno\nimport select\nimport socket\n", "assert total_sent == data_size # True\n```",
                        "except BlockingIOError:"),
                "05-selector-loop.ipynb", List.of("import errno\nimport select\nimport socket\n", "assert total_sent == data_size # True\n```",
                        "except BlockingIOError:"),
                "06c-virtual-threads.ipynb", List.of("sendall", "BlockingIOError"));
        for (String part : listing.getOrDefault(name, List.of())) {
            assertTrue(prose.contains(part), name + ": the article's listing whole, and Python 3's spelling; missing: " + part);
        }
        if (listing.containsKey(name) && !name.startsWith("06c")) {
            assertTrue(prose.contains("```python\n" + listing.get(name).get(0)), name + ": the listing as a Python block");
        }
        switch (name) {
            case "01-server.ipynb", "06b-select-server.ipynb" -> assertTrue(prose.contains("| `sock.close` ") && prose.contains("bug"),
                    name + ": the article's `sock.close` without parentheses, and what Java does instead");
            case "06a-event-loop.ipynb" -> {
                // The article's example is a dead link: a whole generator loop written for the pack, beside the Java.
                for (String part : List.of("```python\nimport heapq, select, socket, time\n", "def sender(sock, data):",
                        "except BlockingIOError:", "        _, writable, _ = select.select([], list(writers), [], timeout)\n", "run(senders + [ticker(0.1, senders)])",
                        "`OP_CONNECT`")) {
                    assertTrue(prose.contains(part), name + ": the generator loop in Python beside the Java; missing " + part);
                }
            }
            default -> { }
        }
    }

    /**
     * 06c shows the code that runs: its lesson cell is lib/ParkAndWake.java's two sending methods word for word, the
     * first of them step 2's client unchanged, and the lines it quotes that start the virtual threads are the file's.
     */
    @Test
    void virtualThreadsShowTheCodeThatRuns() throws IOException {
        List<Notebooks.Cell> cells = committed("06c-virtual-threads.ipynb").cells();
        String demo = Files.readString(Notebooks.DIR.resolve("lib/ParkAndWake.java"));
        String lesson = cells.stream().filter(c -> c.type().equals("code") && Notebooks.loads(c.source()).isEmpty())
                .findFirst().orElseThrow().source();
        String inFile = demo.substring(demo.indexOf("// --- the notebook's lesson cell, word for word ---\n"),
                demo.indexOf("    // --- end of the lesson cell ---"));
        inFile = inFile.substring(inFile.indexOf('\n') + 1).replace("    static ", "    ");
        assertEquals(lesson.strip(), inFile.stripTrailing().stripIndent().strip(), "06c's lesson cell is the code ParkAndWake.java runs");
        String step2 = committed("02-blocking-client.ipynb").cells().stream().map(Notebooks.Cell::source)
                .filter(s -> s.contains("int blockingSend(")).findFirst().orElseThrow();
        assertTrue(lesson.contains(step2.substring(step2.indexOf("int blockingSend("))), "step 2's client, unchanged, in 06c");
        String prose = cells.stream().filter(c -> c.type().equals("markdown")).map(Notebooks.Cell::source)
                .reduce("", String::concat);
        Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(prose);
        int quoted = 0;
        while (block.find()) {
            for (String line : block.group(1).strip().split("\n")) {
                assertTrue(demo.contains(line.strip()), "06c quotes a line ParkAndWake.java does not run: " + line);
                quoted++;
            }
        }
        assertTrue(quoted >= 2, "06c quotes the lines that start the virtual threads");
    }

    @Test
    void noTestLinesInWhatReadersSee() {
        for (String name : Notebooks.names()) {
            for (Notebooks.Cell cell : committed(name).cells()) {
                for (String text : List.of(cell.source(), cell.text())) {
                    assertFalse(Pattern.compile("(?m)^\\s*(CLAIM|CHART) ").matcher(text).find() || text.contains("\"CLAIM ")
                            || text.contains("\"CHART "), name + ": a test line in\n" + text);
                }
            }
        }
    }

    /**
     * Notebooks whose claims do not depend on how busy the machine is, so their full-size run may go on beside other
     * classes (NotebooksSmallRunsTest starts it; the claims are judged here). What each claims (checkClaims):
     * 00 what Java it runs on; 01 an order (B's hello only after A's end of stream; "nothing in the next second" only
     * grows with load, the server being blocked reading A); 02 bytes, checksums, an order on one clock and counts of
     * sleeps (70 MB cannot fit in the buffers, so the write must sleep whatever the load); 03 bytes, zero-returns, and
     * Linux's account of one call (on a core + queued fits in the call's own time: an identity, not a bound on load);
     * 06b orders, a hundred hellos and a thread count; 06c bytes, checksums, thread states and where the writer parked;
     * 08 a step's counts against the kernel's, and its one CPU comparison has a margin measured in the same run, as
     * KernelViewTest argues for the same runs. The others stay alone: 04 (its loop's share of a core and
     * how long it slept), 05 (wall and CPU of two loops), 06a (how late a tick comes, the loop's CPU share) and 07 (how many
     * times step 4 spins against step 5's wake-ups, what a sampler sees in time) depend on CPU shares or wall time.
     */
    static final List<String> UNTIMED = List.of("00-overview.ipynb", "01-server.ipynb", "02-blocking-client.ipynb",
            "03-nonblocking-client.ipynb", "06b-select-server.ipynb", "06c-virtual-threads.ipynb", "08-kernel-view.ipynb");

    /**
     * Every notebook at full size on IJava, one after the other in one runner; the timed ones' kernels all start first
     * and wait (nothing else starts while one runs). Their JVMs run on C1 alone, as the untimed ones do: the loops whose
     * CPU shares and times are judged make a system call every round (a write that returns 0, a select), as costly on
     * C1; what C1 saves is javac's CPU compiling the cells (04, 05, 06a, 07: 43 CPU-s against 77-82 on C2).
     */
    static synchronized Map<String, Notebooks.Execution> fullSizeRuns() {
        if (fullSize == null) {
            List<String> timed = Notebooks.names().stream().filter(name -> !UNTIMED.contains(name)).toList();
            Map<String, Notebooks.Execution> runs = new java.util.LinkedHashMap<>(
                    Notebooks.executeAll(CLAIMS_KERNEL, timed, false, false, CELL_TIMEOUT, ""));
            runs.putAll(untimedRuns().join());
            fullSize = runs;
        }
        return fullSize;
    }

    static Map<String, Notebooks.Execution> fullSize;
    static java.util.concurrent.CompletableFuture<Map<String, Notebooks.Execution>> untimed;

    /**
     * The full-size runs of the UNTIMED notebooks on IJava, in a runner of their own, started by whichever class asks first;
     * untimed, so each kernel starts while the one before runs, on C1 alone (nbrun.py --prestart): about half the CPU,
     * the same bytes, counts and orders.
     */
    static synchronized java.util.concurrent.CompletableFuture<Map<String, Notebooks.Execution>> untimedRuns() {
        if (untimed == null) {
            List<String> names = Notebooks.names().stream().filter(UNTIMED::contains).toList();
            untimed = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Notebooks.executeAll(CLAIMS_KERNEL, names, false, true, CELL_TIMEOUT, "-untimed"));
        }
        return untimed;
    }

    /**
     * The claims are judged once, at full size, on one kernel; NotebooksSmallRunsTest shows that every cell runs on the
     * other kernel and in JShell.
     */
    @ParameterizedTest(name = "{0} on nbio-ijava")
    @MethodSource("notebooks")
    void runsInJupyterWithoutErrorsAndItsClaimsHold(String name) {
        Notebooks.Execution run = fullSizeRuns().get(name);
        System.out.printf("NOTEBOOK %s kernel=%s seconds=%.1f status=%d%n", name, CLAIMS_KERNEL, run.seconds(), run.status());
        assertEquals(0, run.status(), name + " on " + CLAIMS_KERNEL + " (see tests/target/notebooks):\n" + run.log());
        assertNotNull(run.notebook(), name + ": no executed notebook written");
        checkCells(name + " on " + CLAIMS_KERNEL, run.notebook());
        checkClaims(name, run.notebook().allOutput(), CLAIMS_KERNEL);
    }

    /** No error or stderr output; the only values displayed are the charts, as many as the notebook has. */
    static void checkCells(String where, Notebooks.Notebook notebook) {
        long images = 0;
        for (Notebooks.Cell cell : notebook.code()) {
            assertFalse(cell.hasOutputType("error"), where + ": error output in\n" + cell.source());
            assertFalse(cell.hasStderr(), where + ": stderr output in\n" + cell.source() + "\n" + cell.text());
            // Kernels display the value of a cell's last expression; only the charts are meant to be one
            // (a stray `printf` or assignment at the end of a cell would show "PrintStream@1b2c3d" or a number).
            if (cell.hasOutputType("execute_result")) {
                assertTrue(cell.hasImage(), where + ": a value displayed that is not a chart:\n" + cell.text());
            }
            images += cell.images();
        }
        String name = where.split(" ")[0];
        assertEquals((long) CHARTS.getOrDefault(name, 0), images, where + ": charts shown as images");
    }

    /**
     * Runs every code cell through JShell (a remote VM with -ea, working folder notebooks/) and returns what they printed;
     * small: SIZE is 7 MiB (set after lib/nbio.jsh loads).
     * Fails with the cell's number when a snippet is rejected or throws, when a cell runs past timeout (it is stopped),
     * and when the remote VM dies.
     */
    static String runInJShell(Notebooks.Notebook notebook, String name, Duration timeout, boolean small) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        AtomicBoolean stopped = new AtomicBoolean(), vmGone = new AtomicBoolean();
        long start = System.nanoTime();
        List<String> vmOptions = new ArrayList<>(List.of("-ea", "-Duser.dir=" + Notebooks.DIR));
        // A small run judges no number: its VM gets what tests/nbrun.py gives a small run's kernel (C1 alone, the
        // serial collector), the same cells for less CPU.
        if (small) vmOptions.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        try (JShell jshell = JShell.builder().out(out).err(out).remoteVMOptions(vmOptions.toArray(String[]::new)).build()) {
            jshell.onShutdown(j -> vmGone.set(true));
            jshell.eval("0;");   // starts the compiler and the remote VM before any cell's clock runs
            SourceCodeAnalysis analysis = jshell.sourceCodeAnalysis();
            int cellNumber = 0;
            for (Notebooks.Cell cell : notebook.code()) {
                cellNumber++;
                String where = name + " code cell " + cellNumber;
                // Stopped again every half second: a stop that comes before the snippet starts running does nothing.
                ScheduledFuture<?> stop = watchdog.scheduleWithFixedDelay(() -> { stopped.set(true); jshell.stop(); },
                        timeout.toMillis(), 500, TimeUnit.MILLISECONDS);
                StringBuilder source = new StringBuilder();
                for (String line : cell.source().split("\n", -1)) {
                    if (line.strip().equals(Notebooks.JARS)) {                                          // jshell --class-path
                        jshell.addToClasspath(Notebooks.DIR.resolve(Notebooks.CHARTS_JAR).toString());
                    }
                    else if (Notebooks.loads(line).isEmpty()) source.append(line).append('\n');
                    else source.append(Files.readString(Notebooks.loads(line).get(0))).append('\n');   // jshell's /open
                    if (small && SIZED.matcher(line).matches()) source.append(SMALL).append('\n');
                }
                String rest = source.toString();
                while (!rest.isBlank()) {
                    SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
                    if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) break;
                    if (!info.completeness().isComplete()) {
                        fail(where + ": incomplete snippet (" + info.completeness() + "):\n" + rest);
                    }
                    List<SnippetEvent> events;
                    try {
                        events = jshell.eval(info.source());
                    } catch (IllegalStateException closed) {
                        throw new AssertionError(where + ": JShell's remote VM is gone (" + closed.getMessage() + ")\noutput so far:\n" + captured);
                    }
                    String snippet = where + ", snippet:\n" + info.source();
                    if (stopped.get()) fail(where + ": still running after " + timeout.toSeconds() + " s; stopped. " + snippet);
                    if (vmGone.get()) fail(where + ": JShell's remote VM died while it ran. " + snippet + "\noutput so far:\n" + captured);
                    for (SnippetEvent event : events) {
                        if (event.causeSnippet() == null && event.status() != Snippet.Status.VALID) {
                            StringBuilder why = new StringBuilder();
                            jshell.diagnostics(event.snippet()).forEach((Diag d) -> why.append(d.getMessage(null)).append('\n'));
                            fail(snippet + "\nstatus " + event.status() + ":\n" + why);
                        }
                        if (event.exception() != null) {
                            String type = event.exception() instanceof EvalException e ? e.getExceptionClassName()
                                    : event.exception().getClass().getName();
                            fail(snippet + "\nthrew " + type + ": " + event.exception().getMessage() + "\noutput so far:\n" + captured);
                        }
                    }
                    rest = info.remaining();
                }
                stop.cancel(false);
            }
        } finally {
            watchdog.shutdownNow();
        }
        System.out.printf("NOTEBOOK %s kernel=jshell seconds=%.1f%n", name, (System.nanoTime() - start) / 1e9);
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** What tests/nbrun.py --small runs after lib/nbio.jsh or lib/kernel.jsh: the same cells on 7 MiB instead of the article's 70 MB. */
    static final String SMALL = "{ SIZE = 7 * 1024 * 1024; }";
    /** The lines that load a file defining SIZE (as nbrun.py's NBIO_LOAD). */
    static final Pattern SIZED = Pattern.compile("^%load lib/(nbio|kernel)\\.jsh\\s*$");

    static Notebooks.Notebook synthetic(String... cells) {
        List<Notebooks.Cell> list = new ArrayList<>();
        for (String source : cells) list.add(new Notebooks.Cell("code", source, List.of(), null, Map.of()));
        return new Notebooks.Notebook(Map.of(), list);
    }

    @ParameterizedTest(name = "not stale: {0}")
    @MethodSource("notebooks")
    void committedOutputsComeFromTheCurrentCode(String name) {
        Notebooks.Notebook notebook = committed(name);
        Object nbio = notebook.metadata().get("nbio");
        assertTrue(nbio instanceof Map<?, ?>, name + ": no metadata.nbio; run notebooks/regenerate");
        assertEquals(notebook.codeHash(), ((Map<?, ?>) nbio).get("code_sha256"),
                name + ": code cells (or the lib/ files they load) changed since the outputs were made; run notebooks/regenerate");
        Object spec = notebook.metadata().get("kernelspec");
        assertTrue(spec instanceof Map<?, ?> s && "java".equals(s.get("name")), name + ": kernelspec name must be java: " + spec);
        for (Notebooks.Cell cell : notebook.code()) {
            assertNotNull(cell.executionCount(), name + ": a cell was never run:\n" + cell.source());
            assertFalse(cell.source().lines().anyMatch(l -> (l.startsWith("%") && !l.matches("%load lib/\\S+")
                            && !l.equals(Notebooks.JARS)) || l.startsWith("!")),
                    name + ": kernel magic other than %load lib/... and " + Notebooks.JARS + " in\n" + cell.source());
        }
        checkCells(name + " (committed)", notebook);
        checkClaims(name, notebook.allOutput(), "committed");
    }

    /** What each notebook's prose says, checked against what its cells printed for the reader. */
    static void checkClaims(String name, String output, String where) {
        String context = name + " (" + where + "):\n" + output;
        switch (name) {
            case "00-overview.ipynb" -> {
                assertTrue(output.contains("Java: "), context);
                // Kernel set-up (install-kernel, -ea) is the README's, checked in InstallKernelTest.
                assertFalse(output.contains("-ea"), "no kernel set-up in the overview's output: " + context);
            }
            case "01-server.ipynb" -> {
                assertTrue(output.contains("the server printed: client 1: hello from A"), context);
                assertTrue(output.contains("what the server printed in the next second: nothing"), "B waited while A was connected: " + context);
                assertInOrder(context, output, "A hung up; the server printed:", "  client 1: end of stream", "  client 2: hello from B",
                        "  client 2: end of stream");
                assertTrue(output.contains("server: the listening socket is closed; its thread has finished"), context);
            }
            case "02-blocking-client.ipynb" -> {
                long[] w = numbers(context, output, "client: write\\(\\) returned ([\\d,]+) of ([\\d,]+) bytes");
                assertEquals(73_400_320L, w[1], context);
                assertEquals(w[1], w[0], "the blocking write returned everything: " + context);
                long[] s = numbers(context, output, ": ([\\d,]+) bytes in ([\\d,]+) reads, crc32=");
                assertEquals(w[1], s[0], context);
                assertTrue(output.contains("the same bytes as sent: true; the article's assertion, sent == len(data): true"), context);
                // "it returned only after the server had been reading for a long while", on one clock (the client's
                // instant is taken after it closed, so a busy machine only moves it later).
                double returnedMs = decimals(context, output, "bytes \\(and closed\\) at ([\\d.]+) ms")[0];
                double[] read = decimals(context, output, "server: read from ([\\d.]+) ms to ([\\d.]+) ms");
                assertTrue(read[0] < returnedMs, "the write returned after the server began reading: " + context);
                // "then sleeps until the reader makes room, again and again": Linux counted sleeps inside blockingSend
                // (its connect and close too; the write alone is counted below).
                long sleeps = numbers(context, output, "in blockingSend \\(connect, one write\\(\\), close\\) the thread slept ([\\d,]+) times")[0];
                assertTrue(sleeps >= 2, "the blocking write slept again and again: " + context);
                // "Taken is not delivered": the server's close (read returned -1) came after the write had returned,
                // and then the server had read every byte.
                double[] confirm = decimals(context, output, "write\\(\\) returned ([\\d,]+) bytes after ([\\d.]+) ms;\n"
                        + "the server's close came at ([\\d.]+) ms \\(read returned (-?\\d+)\\)");
                assertTrue(confirm[0] == 73_400_320 && confirm[3] == -1 && confirm[2] >= confirm[1],
                        "the close, seen after the write returned, confirms delivery: " + context);
                assertTrue(output.contains("the server had read 73,400,320 bytes, crc32 the same as sent: true"), context);
                // "The third line counts the sleeps inside that one write alone: more than one".
                long sleepsInWrite = numbers(context, output, "inside that one write\\(\\) the thread slept ([\\d,]+) times")[0];
                assertTrue(sleepsInWrite >= 2, "the write alone slept again and again: " + context);
            }
            case "03-nonblocking-client.ipynb" -> {
                long[] w = numbers(context, output, "write\\(\\) returned ([\\d,]+) of ([\\d,]+) bytes \\(");
                assertTrue(w[0] > 0 && w[0] < w[1], "the single non-blocking write accepted some but not all: " + context);
                assertTrue(output.contains("java.lang.AssertionError: sent " + w[0] + " of " + w[1] + " bytes"), context);
                // "the second line is Linux's account of the call": its time on a core and queued for one fit in the call.
                long[] call = numbers(context, output, "after ([\\d,]+) microseconds, with nobody reading\n"
                        + "Linux's count for the call: ([\\d,]+) µs on a core, ([\\d,]+) µs waiting for one, (\\d+) sleeps");
                assertTrue(call[1] + call[2] <= call[0] + 5_000, "on a core + queued <= the call (a 4 ms tick of slack): " + context);
                Matcher again = Pattern.compile("eight more write\\(\\) calls returned: \\[([\\d, ]+)\\]").matcher(output);
                assertTrue(again.find(), context);
                assertTrue(again.group(1).endsWith(", 0"), "the calls on a full socket return 0: " + context);
                long[] all = numbers(context, output, "exactly the ([\\d,]+) bytes the writes accepted: (true)");
                assertTrue(all[0] >= w[0], context);
            }
            case "04-retry-loop.ipynb" -> {
                // The article's lines first, as its loop prints them, each stretch of equal lines once with its count:
                // six stretches, then how many more and how many lines in all. A "Sending data" ends every stretch of
                // "Blocking with N remaining" (N only changes when a write takes bytes), so the stretches alternate and
                // any six of them show both kinds, whichever came first (the reader may take the first writes at once).
                Matcher first = Pattern.compile("\\A((?:(?:Sending data|Blocking with \\d+ remaining) +[\\d,]+ times?\n){6})"
                        + "\\.\\.\\. and ([\\d,]+) more stretches like these: ([\\d,]+) lines printed in all\n").matcher(output);
                assertTrue(first.find(), "six stretches of the article's lines first, then how many more: " + context);
                List<String> stretches = first.group(1).lines().toList();
                for (int i = 1; i < stretches.size(); i++) {
                    assertNotEquals(stretches.get(i - 1).startsWith("Sending"), stretches.get(i).startsWith("Sending"),
                            "stretches of equal lines alternate between the two kinds: " + context);
                }
                long writes = numbers(context, output, "write\\(\\) calls: +([\\d,]+)")[0];
                assertEquals(writes, parse(first.group(3)), "one line per write call: " + context);
                long shownLines = stretches.stream().mapToLong(l -> parse(l.replaceAll(".* ([\\d,]+) times?$", "$1"))).sum();
                assertTrue(shownLines < writes, "the six stretches are not all the lines: " + context);
                long zeros = numbers(context, output, "that returned 0: +([\\d,]+)")[0];
                assertTrue(zeros > 1000 && zeros * 10 > writes * 9, "the retry loop spun: almost every call returned 0: " + context);
                // "The loop hardly sleeps at all. Whenever it was not on a core it was queued for one": Linux's split of
                // the wall-clock time. It sleeps only when the JVM stops it (a safepoint, a collection): milliseconds.
                double wall = decimals(context, output, "wall-clock time: +([\\d,.]+) ms")[0];
                double asleep = decimals(context, output, "  asleep: +([\\d,.]+) ms")[0];
                assertTrue(asleep < 0.2 * wall, "the retry loop hardly slept: " + context);
                assertTrue(output.contains("server: 73,400,320 bytes arrived, crc32=32c5cd4a, all of them and in order: true"), context);
                // "Each round of the loop that got 0 ... cost a few microseconds of a core, in every fifth of both runs":
                // zero-returns over the loop thread's own CPU time, which a busy machine does not stretch (it stretches
                // the wall time and shrinks the share, the last column). "A few" is held to under 25 µs, more than 40
                // rounds per ms, with this argument: the slowest code the loop can run is HotSpot's interpreter, and
                // with the JIT off (-Xint, jshell) it made 83-90 a ms; with the JIT on, every fifth seen was faster
                // (136-509, quiet to load 35, and at load 24 with a core kept busy). Half the interpreter's rate
                // leaves room for a slower core or colder caches. No claim on how the fifths or runs compare: every such comparison went
                // red somewhere (first 314 -> 509 quiet but 221 -> 182 at load 24; the second run's start 312 against
                // the first's 314), so the prose gives the JIT only as a reason they vary.
                double[] cold = decimals(context, output, "the run above, the loop's first: +([\\d,]+) +([\\d,]+) +(\\d+)%");
                // The rerun sends a quarter of the article's bytes ("on a quarter of the bytes"): fewer to wait for, still
                // tens of thousands of zero-returns, so each fifth holds dozens of the every-1,024 CPU readings.
                double[] again = decimals(context, output, "the same loop again, on ([\\d,]+) bytes: +([\\d,]+) +([\\d,]+) +(\\d+)%");
                assertEquals(73_400_320 / 4, again[0], "the rerun sends a quarter of the bytes: " + context);
                double[] rerun = {again[1], again[2], again[3]};
                double floor = 40;
                for (double rate : new double[] {cold[0], cold[1], rerun[0], rerun[1]}) {
                    assertTrue(rate > floor, "every fifth of both runs: over " + floor + " rounds per ms on a core, "
                            + "under " + 1000 / floor + " µs a round: " + context);
                }
                // "the last line turns the rates into that, 1,000 µs divided by a rate": from the fastest to the slowest
                // (each rate printed rounded to a whole number, so each end within its rounding).
                double[] us = decimals(context, output, "so one round that returned 0 took ([\\d.]+) to ([\\d.]+) µs on a core");
                double fastest = Math.max(Math.max(cold[0], cold[1]), Math.max(rerun[0], rerun[1]));
                double slowest = Math.min(Math.min(cold[0], cold[1]), Math.min(rerun[0], rerun[1]));
                assertEquals(1000 / fastest, us[0], 0.05 + 1000 / (fastest - 0.5) - 1000 / fastest, "the fastest: " + context);
                assertEquals(1000 / slowest, us[1], 0.05 + 1000 / (slowest - 0.5) - 1000 / slowest, "the slowest: " + context);
            }
            case "05-selector-loop.ipynb" -> {
                long[] zeros = numbers(context, output, "write\\(\\) calls that returned 0 +([\\d,]+) +([\\d,]+)");
                long wakeups = numbers(context, output, "selector wake-ups +- +([\\d,]+)")[0];
                double[] cpu = decimals(context, output, "CPU ms of the sending thread +([\\d,.]+) +([\\d,.]+)");
                double[] wall = decimals(context, output, "wall-clock ms +([\\d,.]+) +([\\d,.]+)");
                assertTrue(output.contains("every byte arrived intact, both times: true"), context);
                assertTrue(wakeups >= 1 && wakeups * 10 < zeros[0], "the selector woke far fewer times than the retry loop spun: " + context);
                // "the selector loop ... its thread asleep most of the transfer"; the retry loop "hardly ever asleep, but
                // queued for a core": Linux's split of each thread's wall-clock time.
                double[] asleep = decimals(context, output, "  ms asleep +([\\d,.]+) +([\\d,.]+)");
                // "Its CPU time is what the scheduler gave it": on a crowded machine the spinner got 7% of a core (the load
                // average at 16), about 90 ms here against the selector loop's 10-17 ms. What no load changes is how long
                // it wanted a core (on one or queued, the wall time less asleep): over a second, against the selector
                // loop's CPU time (a busy machine stretches its wall time, not that). Five times is far below 70.
                assertTrue(cpu[1] * 5 < wall[0] - asleep[0], "the selector loop used a small share of what the retry loop wanted: " + context);
                assertTrue(asleep[0] < 0.2 * wall[0], "the retry loop hardly slept: " + context);
                assertTrue(asleep[1] > 0.5 * wall[1], "the selector loop slept most of the transfer: " + context);
                // Both are paced by the reader (50 MB/s: about 1.4 s for 73.4 MB, less what the buffers still hold when a
                // loop ends); the selector loop falls behind it only while its woken thread waits for a CPU, milliseconds
                // even with the other core busy. Half again is 700 ms of room; the prose says "in less than one and a half
                // times the retry loop's wall-clock time".
                assertTrue(wall[1] < 1.5 * wall[0], "the selector loop keeps up with the reader as well as the retry loop: " + context);
                // The bytes per wake-up are what the loop sent after its first write, over its wake-ups.
                Matcher wake = Pattern.compile("moved ([\\d.]+) MB per wake-up \\(([\\d,]+) bytes in ([\\d,]+) wake-ups\\)").matcher(output);
                assertTrue(wake.find(), context);
                long after = parse(wake.group(2)), wakes = parse(wake.group(3));
                assertEquals(wakeups, wakes, context);
                assertTrue(after > 0 && after < 73_400_320, context);
                assertEquals(after / 1e6 / wakes, Double.parseDouble(wake.group(1)), 0.006, context);
            }
            case "06a-event-loop.ipynb" -> {
                // Counted by the kernel for every thread of the JVM (a pool of senders would show two or more).
                assertTrue(output.contains("threads that wrote over 1 MB in the run (Linux's count): 1;"
                        + " the loop's thread among them: true"), "one thread wrote both payloads, the loop's: " + context);
                assertTrue(output.contains("checksums match what was sent: true"), context);
                assertTrue(output.contains("the transfers overlapped: true"), context);
                // Kept its beat: it ticked during the transfers, never a second late. A loop held up by a blocking task
                // would hold every tick for the whole transfer (seconds); a busy machine only delays one (586 ms seen
                // with the load average at 20, a few ms when idle).
                double[] ticker = decimals(context, output, "ticker: (\\d+) ticks in (\\d+) ms, the latest ([\\d.]+) ms late");
                assertTrue(ticker[0] >= 3 && ticker[2] < 1000, "the ticker kept its beat during the transfers: " + context);
                long share = numbers(context, output, "ms wall \\((\\d+)%\\)")[0];
                // The loop thread's own CPU time, which a busy machine does not stretch (it stretches the wall time):
                // copying 50 MB costs tens of ms against seconds at the readers' pace, far below half.
                assertTrue(share < 50, "the loop's CPU is a small part of its wall-clock time: " + context);
            }
            case "06b-select-server.ipynb" -> {
                assertInOrder(context, output, "while A is still connected the server printed:", "  client 2: hello from B",
                        "  client 2: end of stream", "A sent 'goodbye from A' and hung up; the server printed:", "  client 1: goodbye from A",
                        "  client 1: end of stream");
                assertTrue(output.contains("the server printed 100 hellos and 100 ends of stream from 100 clients connected at once"), context);
                long grew = numbers(context, output, "with all 100 connected \\(([+-]\\d+)\\)")[0];
                assertTrue(grew < 10, "the thread count did not grow with 100 clients: " + context);
                assertTrue(output.contains("server: the listening socket is closed; its thread has finished"), context);
            }
            case "06c-virtual-threads.ipynb" -> {
                if (!hasJdk21()) {
                    assertTrue(output.contains("a JDK 21 or newer for the demonstration: none on this machine"),
                            "says plainly there is no JDK 21+: " + context);
                    return;
                }
                assertTrue(output.contains("a JDK 21 or newer for the demonstration: /"), context);
                // "Step 2's client, unchanged, does not do the same in a virtual thread: its one write returned after
                // taking what fitted, and the article's assertion fails"
                long[] first = numbers(context, output, "1\\. step 2's client in a virtual thread: write\\(\\) returned ([\\d,]+) of ([\\d,]+) bytes;\n"
                        + "   the article's assertion: false");
                assertTrue(first[0] > 0 && first[0] < first[1], "one partial write returned: " + context);
                assertTrue(output.contains("2. sendAll in a virtual thread: the writer is WAITING inside write(), in:"), "the writer parked: " + context);
                assertTrue(output.contains("java.lang.VirtualThread.park") && output.contains("sun.nio.ch.Poller.poll")
                        && output.contains("ParkAndWake.sendAll"), "parked through the poller, inside sendAll: " + context);
                // JDK 22+ (jcmd Thread.vthread_pollers): the poller that held the socket and the master under it;
                // JDK 21: the platform poller threads by name.
                assertTrue(Pattern.compile("the writer's socket was registered with the write poller run by \\S+, a (virtual|platform) thread")
                        .matcher(output).find() || Pattern.compile("poller threads \\([^)]*\\):\\s+\\[\\w*Poller").matcher(output).find(), context);
                if (output.contains("SubPoller-")) {
                    assertTrue(output.contains("run by SubPoller-") && output.contains(", a virtual thread;")
                            && output.contains("master poller run by MasterPoller, a platform thread"),
                            "virtual-thread pollers under a platform master poller, as 06c's prose says: " + context);
                }
                assertTrue(output.contains("ran to its end on the only carrier thread: 1000 steps"), context);
                assertTrue(output.contains("the peer read 73,400,320 bytes") && output.contains("(crc32 matches)")
                        && output.contains("the writer is now TERMINATED"), "the poller woke the writer and it finished: " + context);
            }
            case "07-buffer-lab.ipynb" -> {
                // Java's getOption(SO_SNDBUF/SO_RCVBUF) is half of what the kernel reports (NET_GetSockOpt halves it).
                Matcher size = Pattern.compile("(?m)^(default|\\d+ KiB) +\\| +([\\d,]+) +([\\d,]+) \\| +([\\d,]+) +([\\d,]+)$").matcher(output);
                int sizes = 0;
                for (; size.find(); sizes++) {
                    assertEquals(2 * parse(size.group(2)), parse(size.group(3)), "kernel tb = 2 x Java's SO_SNDBUF: " + context);
                    assertEquals(2 * parse(size.group(4)), parse(size.group(5)), "kernel rb = 2 x Java's SO_RCVBUF: " + context);
                }
                assertEquals(4, sizes, "four sizes asked: " + context);
                assertTrue(output.contains("the kernel's number over Java's, every row: [2.0]"), context);
                // One write: Send-Q + acked = took (TCP's bookkeeping); against a peer that does not read, at most
                // tb + rb + 128 KiB (the send queue stops at tb, the peer's queue at rb, a 64 KiB packet over each).
                Matcher one = Pattern.compile("(?m)^(default|\\d+ KiB) +(not reading|reading) +\\| +([\\d.]+) \\| +([\\d.]+) +([\\d.]+) "
                        + "\\| +([\\d.]+) +([\\d.]+) \\| +([\\d.]+) +([\\d.]+)$").matcher(output);
                int rows = 0;
                for (; one.find(); rows++) {
                    double took = Double.parseDouble(one.group(3)), sendQ = Double.parseDouble(one.group(4));
                    double acked = Double.parseDouble(one.group(5)), settledSendQ = Double.parseDouble(one.group(6));
                    double peerRecvQ = Double.parseDouble(one.group(7)), tb = Double.parseDouble(one.group(8));
                    double rb = Double.parseDouble(one.group(9));
                    assertEquals(took, sendQ + acked, 0.011, "Send-Q + acked = took: " + one.group() + "\n" + context);
                    assertTrue(took > 0 && took < 73.4, "one write took part of the 73 MB: " + context);
                    assertTrue(sendQ <= tb + 0.075, "just after the call the Send-Q is within tb + 64 KiB: " + context);
                    if (one.group(2).equals("not reading")) {
                        assertEquals(took, settledSendQ + peerRecvQ, 0.011, "settled: Send-Q + the peer's Recv-Q = took: " + context);
                        assertTrue(took <= tb + rb + 0.14, "at most tb + rb + 128 KiB: " + one.group() + "\n" + context);
                    }
                }
                assertEquals(10, rows, "five sizes, peer reading or not: " + context);
                for (String check : List.of("every row adds up (Send-Q + acked = took), just after and settled: true",
                        "just after the call, every Send-Q was at most tb + 64 KiB: true",
                        "peer not reading: once settled, its Recv-Q is what it acknowledged: true",
                        "peer not reading: every write took at most tb + rb + 128 KiB: true")) {
                    assertTrue(output.contains(check), check + "\n" + context);
                }
                // The queues over time: {writes, zeros, selects, MB sent, readings, largest Send-Q, median Send-Q,
                // largest peer Recv-Q, tb}, for steps 3, 4, 5.
                Matcher step = Pattern.compile("(?m)^step (\\d): [^|]*? ([\\d,]+) +([\\d,]+) +([\\d,]+) +([\\d.]+) +([\\d,]+) "
                        + "\\| +([\\d.]+) +(\\S+) \\| +([\\d.]+) +\\S+ \\| +([\\d.]+)$").matcher(output);
                List<double[]> steps = new ArrayList<>();
                while (step.find()) {
                    steps.add(new double[] {parse(step.group(2)), parse(step.group(3)), parse(step.group(4)),
                            Double.parseDouble(step.group(5)), parse(step.group(6)), Double.parseDouble(step.group(7)),
                            step.group(8).equals("-") ? -1 : Double.parseDouble(step.group(8)), Double.parseDouble(step.group(9)),
                            Double.parseDouble(step.group(10))});
                }
                assertEquals(3, steps.size(), "steps 3, 4 and 5 watched: " + context);
                double[] s3 = steps.get(0), s4 = steps.get(1), s5 = steps.get(2);
                assertEquals(1, s3[0], "step 3 writes once: " + context);
                // Full (about tb) at the write, the queue drains at 4 MB/s: above a quarter of tb for about 0.75 s (a reader paced from its start,
                // before the write, may first take up to ~1.2 MB at once: 0.3 s of its pace while the sampler starts).
                assertTrue(s3[5] >= 0.25 * s3[8], "step 3: the sampler saw the one write's bytes queued: " + context);
                assertEquals(73.4, s4[3], 0.05, context);
                assertEquals(73.4, s5[3], 0.05, context);
                assertTrue(s4[1] > 1000 && s4[1] * 10 > s4[0] * 9, "step 4 hammered a full buffer: almost every write returned 0: " + context);
                // The retry loop refills at once: any reading while it runs finds the queue near full.
                assertTrue(s4[6] >= 0.5 * s4[8], "step 4: the median Send-Q while it wrote is near tb: " + context);
                assertTrue(s5[2] >= 1 && s5[2] * 10 < s4[1], "step 5 woke far fewer times than step 4 spun: " + context);
                for (double[] s : steps) assertTrue(s[7] <= 0.2, "the peer's Recv-Q stays within its 128 KiB buffer: " + context);
                // A wake-up comes once a third of the buffer is free; the writes then refill at least that (a little
                // less in bytes than in memory, tb a little smaller early on, the last refill partial).
                double[] wake = decimals(context, output, "after its first write, ([\\d.]+) MB per wake-up: ([\\d.]+) of the kernel's send buffer");
                assertTrue(wake[1] >= 0.25, "each wake-up refilled at least about a third of the send buffer: " + context);
            }
            case "08-kernel-view.ipynb" -> {
                // Every sentence puts a step's count beside the kernel's: all of them agree.
                assertFalse(output.contains("DIFFERENT"), "a step's count is not the kernel's: " + context);
                assertEquals(9, output.split(": the same\\.", -1).length - 1, "nine counts compared: " + context);
                assertTrue(output.contains("The step's exit code: 1 (its AssertionError)."), context);
                long[] server = numbers(context, output, "read\\(2\\) calls that met -1 EAGAIN: ([\\d,]+); poll\\(2\\) calls on the socket: ([\\d,]+)");
                assertTrue(server[0] == 0 || server[1] >= 1, "a read that met EAGAIN was followed by a poll: " + context);
                assertTrue(Pattern.compile("(?m)^    \\d+ +[\\d:.]+ read\\(\\d+, \"[^\"]*\"\\.\\.\\., 1024\\) = 1024$").matcher(output).find(), context);
                assertTrue(Pattern.compile("(?m)^    \\d+ +[\\d:.]+ write\\(\\d+, \"[^\"]*\"\\.\\.\\., \\d+\\) = -1 EAGAIN( \\(Resource temporarily"
                        + " unavailable\\))?$").matcher(output).find(), "a raw EAGAIN line: " + context);
                // The loop spun: most of its calls found the buffer full. Not a count of calls, which follows the CPU the
                // loop got (960 calls in 4.9 s seen when starved by a whole suite; KernelViewTest says more).
                long[] kernelWrites = numbers(context, output, "The kernel: ([\\d,]+) write\\(2\\) calls, ([\\d,]+) answered -1 EAGAIN");
                assertTrue(kernelWrites[1] * 2 > kernelWrites[0], "the retry loop spun against the slow reader: " + context);
                // The kernel's count of the loop thread's CPU: within the samples' slack and two 10 ms ticks (and rounding).
                long[] cpu = numbers(context, output, "CPU: (\\d+) ms by its own clock, (\\d+) ms by /proc\\s+\\(its samples miss the loop's ends by (\\d+) ms\\)");
                assertTrue(Math.abs(cpu[0] - cpu[1]) <= cpu[2] + 22, "the script's CPU is the kernel's: " + context);
                assertTrue(output.contains("EPOLL_CTL_ADD") && Pattern.compile("epoll_wait\\(\\d+\\) by main \\(tid \\d+\\):\\s+[\\d,]+\\s+calls?,\\s+[\\d,]+"
                        + "\\s+returned\\s+events").matcher(output).find(), "register is epoll_ctl, select() epoll_wait: " + context);
                if (!hasJdk21()) return;
                Matcher master = Pattern.compile("epoll_wait\\((\\d+)\\) by MasterPoller \\(tid (\\d+)\\)").matcher(output);
                assertTrue(master.find(), "a MasterPoller thread waits in epoll_wait: " + context);
                assertTrue(Pattern.compile("(?m)^    " + master.group(2) + " +[\\d:.]+ (<\\.\\.\\. epoll_wait resumed>|epoll_wait\\(" + master.group(1)
                        + ", )\\[\\{events=EPOLLIN, .*\\], 512, -1\\) = \\d+$").matcher(output).find(), "with no timeout: " + context);
                assertTrue(Pattern.compile("epoll_wait\\(\\d+\\) by ForkJoinPool-1- \\(tid \\d+\\):\\s+[\\d,]+\\s+calls?,\\s+[\\d,]+\\s+returned\\s+events,\\s+[1-9]")
                        .matcher(output).find(), "a poller's epoll_wait on a carrier returned the socket: " + context);
                assertTrue(Pattern.compile("(?m)^    \\d+ +[\\d:.]+ (epoll_wait\\(\\d+, |<\\.\\.\\. epoll_wait resumed>)\\[\\{events=EPOLL.*\\], 64, 0\\) = \\d+$").matcher(output).find(),
                        "the pollers' epoll_wait has timeout 0: " + context);
                // "epoll_ctl with EPOLLONESHOT": the write's EPOLLOUT registration or a read's EPOLLIN one (a call strace
                // printed split, "<unfinished ...>", is shortened for the projector down to "...}", events and all).
                assertTrue(Pattern.compile("EPOLL_CTL_ADD, \\d+, \\{events=EPOLL(IN|OUT)\\|EPOLLONESHOT").matcher(output).find(),
                        "a socket handed to a poller with EPOLLONESHOT: " + context);
                long[] parked = numbers(context, output, "Writes that parked, as the JDK reported them: ([\\d,]+)\\. The kernel: ([\\d,]+) write\\(2\\) calls met");
                assertTrue(parked[0] > 0 && parked[1] > 0, "a blocking write parked, and the kernel had answered EAGAIN: " + context);
            }
            default -> fail("no claims known for " + name + "; add them to NotebooksTest.checkClaims");
        }
    }

    static boolean hasJdk21() {
        try {
            Scripts.javaHome(21);
            return true;
        } catch (IllegalStateException none) {
            return false;
        }
    }

    static void assertInOrder(String context, String output, String... lines) {
        int at = -1;
        for (String line : lines) {
            int next = output.indexOf(line + "\n", at + 1);
            assertTrue(next > at, "expected, in this order: " + String.join(" / ", lines) + "; missing or out of order: " + line + "\n" + context);
            at = next;
        }
    }

    static long parse(String number) { return Long.parseLong(number.replace(",", "")); }

    /** The groups of the first match of regex, as whole numbers (thousands separators allowed). */
    static long[] numbers(String context, String output, String regex) {
        Matcher m = Pattern.compile(regex).matcher(output);
        assertTrue(m.find(), "no line matching /" + regex + "/ in " + context);
        long[] values = new long[m.groupCount()];
        for (int i = 0; i < values.length; i++) values[i] = m.group(i + 1).equals("true") ? 1 : m.group(i + 1).equals("false") ? 0 : Long.parseLong(m.group(i + 1).replace(",", ""));
        return values;
    }

    static double[] decimals(String context, String output, String regex) {
        Matcher m = Pattern.compile(regex).matcher(output);
        assertTrue(m.find(), "no line matching /" + regex + "/ in " + context);
        double[] values = new double[m.groupCount()];
        for (int i = 0; i < values.length; i++) values[i] = Double.parseDouble(m.group(i + 1).replace(",", ""));
        return values;
    }

}
