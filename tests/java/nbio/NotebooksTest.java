package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The notebooks keep their promises: each runs top to bottom in a real Jupyter on two Java
 * kernels and, cell by cell, in JShell with assertions on; what the prose claims holds in the
 * fresh outputs; and the committed outputs are not stale.
 */
@Timeout(1800)
class NotebooksTest {
    static final Duration CELL_TIMEOUT = Duration.ofSeconds(120);
    static final List<String> STEPS = List.of("00-overview.ipynb", "01-server-and-blocking-client.ipynb",
            "02-nonblocking-write-fails.ipynb", "03-retry-loop.ipynb", "04-selector-loop.ipynb", "05-event-loop.ipynb");

    @BeforeAll
    static void setUp() {
        Notebooks.setUp();
    }

    static Stream<Arguments> notebooksOnKernels() {
        List<Arguments> runs = new ArrayList<>();
        for (String kernel : Notebooks.KERNELS) for (String name : Notebooks.names()) runs.add(Arguments.of(kernel, name));
        return runs.stream();
    }

    static Stream<String> notebooks() { return Notebooks.names().stream(); }

    @Test
    void everyStepHasItsNotebookAndTheOverviewLinksThemInOrder() {
        assertEquals(STEPS, Notebooks.names());
        String overview = Notebooks.read(Notebooks.DIR.resolve(STEPS.get(0))).cells().stream()
                .filter(c -> c.type().equals("markdown")).map(Notebooks.Cell::source).reduce("", String::concat);
        int last = -1;
        for (String step : STEPS.subList(1, STEPS.size())) {
            int at = overview.indexOf("](" + step + ")");
            assertTrue(at > last, step + " linked from the overview, after the previous step");
            last = at;
        }
        for (int i = 1; i < STEPS.size(); i++) {
            String first = Notebooks.read(Notebooks.DIR.resolve(STEPS.get(i))).cells().get(0).source();
            assertTrue(first.contains("](00-overview.ipynb)"), STEPS.get(i) + " links back to the overview");
            if (i + 1 < STEPS.size()) assertTrue(first.contains("](" + STEPS.get(i + 1) + ")"), STEPS.get(i) + " links to the next step");
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("notebooksOnKernels")
    void runsInJupyterWithoutErrorsAndItsClaimsHold(String kernel, String name) {
        Notebooks.Execution run = Notebooks.execute(kernel, name, Notebooks.JUPYTER, CELL_TIMEOUT);
        System.out.printf("NOTEBOOK %s kernel=%s seconds=%.1f status=%d%n", name, kernel, run.seconds(), run.status());
        assertEquals(0, run.status(), name + " on " + kernel + " (see tests/target/notebooks):\n" + run.log());
        assertNotNull(run.notebook(), name + ": no executed notebook written");
        for (Notebooks.Cell cell : run.notebook().code()) {
            assertFalse(cell.hasOutputType("error"), name + " on " + kernel + ": error output in\n" + cell.source());
            // Kernels display the value of a cell's last expression; only the charts are meant to be one
            // (a stray `printf` or assignment at the end of a cell would show "PrintStream@1b2c3d" or a number).
            if (cell.hasOutputType("execute_result")) {
                assertTrue(cell.hasImage(), name + " on " + kernel + ": a value displayed that is not a chart:\n" + cell.text());
            }
        }
        checkClaims(name, run.notebook().allOutput(), kernel);
        for (Notebooks.Cell cell : run.notebook().code()) {
            if (cell.text().contains("CHART ")) assertTrue(cell.hasImage(), name + " on " + kernel + ": the chart cell shows no PNG:\n" + cell.source());
        }
    }

    /** The copy-paste promise: every code cell, in order, through JShell with assertions on. */
    @ParameterizedTest(name = "jshell: {0}")
    @MethodSource("notebooks")
    void everyCellRunsInJShellWithAssertionsOn(String name) throws Exception {
        Notebooks.Notebook notebook = Notebooks.read(Notebooks.DIR.resolve(name));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        try (JShell jshell = JShell.builder().out(out).err(out).remoteVMOptions("-ea").build()) {
            SourceCodeAnalysis analysis = jshell.sourceCodeAnalysis();
            int cellNumber = 0;
            for (Notebooks.Cell cell : notebook.code()) {
                cellNumber++;
                ScheduledFuture<?> stop = watchdog.schedule(jshell::stop, CELL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                String rest = cell.source();
                while (!rest.isBlank()) {
                    SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
                    if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) break;
                    if (!info.completeness().isComplete()) {
                        fail(name + " code cell " + cellNumber + ": incomplete snippet (" + info.completeness() + "):\n" + rest);
                    }
                    for (SnippetEvent event : jshell.eval(info.source())) {
                        String where = name + " code cell " + cellNumber + ", snippet:\n" + info.source();
                        if (event.causeSnippet() == null && event.status() != Snippet.Status.VALID) {
                            StringBuilder why = new StringBuilder();
                            jshell.diagnostics(event.snippet()).forEach((Diag d) -> why.append(d.getMessage(null)).append('\n'));
                            fail(where + "\nstatus " + event.status() + ":\n" + why);
                        }
                        if (event.exception() != null) {
                            String type = event.exception() instanceof EvalException e ? e.getExceptionClassName()
                                    : event.exception().getClass().getName();
                            fail(where + "\nthrew " + type + ": " + event.exception().getMessage() + "\noutput so far:\n" + captured);
                        }
                    }
                    rest = info.remaining();
                }
                stop.cancel(false);
            }
        } finally {
            watchdog.shutdownNow();
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        System.out.printf("NOTEBOOK %s kernel=jshell seconds=%.1f%n", name, (System.nanoTime() - start) / 1e9);
        checkClaims(name, output, "jshell");
    }

    @ParameterizedTest(name = "not stale: {0}")
    @MethodSource("notebooks")
    void committedOutputsComeFromTheCurrentCode(String name) {
        Notebooks.Notebook notebook = Notebooks.read(Notebooks.DIR.resolve(name));
        Object nbio = notebook.metadata().get("nbio");
        assertTrue(nbio instanceof Map<?, ?>, name + ": no metadata.nbio; run notebooks/regenerate");
        assertEquals(notebook.codeHash(), ((Map<?, ?>) nbio).get("code_sha256"),
                name + ": code cells changed since the outputs were made; run notebooks/regenerate");
        Object spec = notebook.metadata().get("kernelspec");
        assertTrue(spec instanceof Map<?, ?> s && "java".equals(s.get("name")), name + ": kernelspec name must be java: " + spec);
        for (Notebooks.Cell cell : notebook.code()) {
            assertNotNull(cell.executionCount(), name + ": a cell was never run:\n" + cell.source());
            assertFalse(cell.hasOutputType("error"), name + ": committed with an error output in\n" + cell.source());
            assertFalse(cell.source().lines().anyMatch(l -> l.startsWith("%") || l.startsWith("!")), name + ": kernel magic in\n" + cell.source());
        }
        checkClaims(name, notebook.allOutput(), "committed");
    }

    /** What each notebook's prose says, checked against what its cells printed. */
    static void checkClaims(String name, String output, String where) {
        Map<String, Map<String, String>> claims = Notebooks.claims(output);
        String context = name + " (" + where + "):\n" + output;
        switch (name) {
            case "00-overview.ipynb" -> assertTrue(output.contains("Java:"), context);
            case "01-server-and-blocking-client.ipynb" -> {
                Map<String, String> write = claim(claims, "blocking_write", context);
                assertEquals(write.get("requested"), write.get("returned"), "the blocking write returned everything: " + context);
                assertEquals(write.get("requested"), write.get("server_bytes"), context);
                assertEquals("true", write.get("crc_match"), context);
                Map<String, String> queue = claim(claims, "one_at_a_time", context);
                assertEquals("7", queue.get("b_bytes"), context);
                assertTrue(num(queue, "b_waited_ms") > 50, "client B waited for client A: " + context);
            }
            case "02-nonblocking-write-fails.ipynb" -> {
                Map<String, String> single = claim(claims, "nonblocking_single_write", context);
                assertTrue(num(single, "accepted") > 0 && num(single, "accepted") < num(single, "requested"),
                        "the single non-blocking write accepted less than everything: " + context);
                assertTrue(num(claim(claims, "nonblocking_zero_returns", context), "zeros") >= 1, context);
                Map<String, String> delivered = claim(claims, "nonblocking_delivered", context);
                assertEquals(delivered.get("accepted"), delivered.get("server_bytes"), context);
                assertEquals("true", delivered.get("crc_match"), context);
            }
            case "03-retry-loop.ipynb" -> {
                Map<String, String> retry = claim(claims, "retry_loop", context);
                assertEquals(retry.get("requested"), retry.get("sent"), context);
                assertEquals(retry.get("requested"), retry.get("server_bytes"), context);
                assertTrue(num(retry, "zero_writes") > 1000, "the retry loop spun on zeros: " + context);
            }
            case "04-selector-loop.ipynb" -> {
                Map<String, String> both = claim(claims, "selector_vs_retry", context);
                assertTrue(num(both, "selector_wakeups") >= 1, context);
                assertTrue(num(both, "selector_wakeups") * 10 < num(both, "retry_zero_writes"),
                        "the selector woke far fewer times than the retry loop spun: " + context);
                assertTrue(num(both, "selector_cpu_ms") < num(both, "retry_cpu_ms"), "the selector loop used less CPU: " + context);
            }
            case "05-event-loop.ipynb" -> {
                Map<String, String> loop = claim(claims, "event_loop", context);
                assertEquals("1", loop.get("threads"), "one thread ran every task: " + context);
                assertEquals("true", loop.get("readers_match"), context);
                assertEquals("true", loop.get("interleaved"), "the two transfers overlapped: " + context);
                assertTrue(num(loop, "ticks") >= 3, "the timer ticked during the transfers: " + context);
            }
            default -> fail("no claims known for " + name + "; add them to NotebooksTest.checkClaims");
        }
    }

    static Map<String, String> claim(Map<String, Map<String, String>> claims, String name, String context) {
        Map<String, String> claim = claims.get(name);
        assertNotNull(claim, "no CLAIM " + name + " line in " + context);
        return claim;
    }

    static double num(Map<String, String> claim, String key) {
        assertNotNull(claim.get(key), "no " + key + " in " + claim);
        return Double.parseDouble(claim.get(key));
    }
}
