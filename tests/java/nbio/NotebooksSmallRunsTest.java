package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every cell of every notebook runs on the second kernel (rapaio) and, cell by cell, in JShell with assertions on (the
 * copy-paste promise), with SIZE at 7 MiB: what the notebooks claim is judged once, at full size, by NotebooksTest.
 * Nothing here is timed, so it may run beside other classes. The first test starts every run in the background at
 * once: the JShell runs (two at a time), the rapaio runner, and NotebooksTest's full-size run of the notebooks whose
 * claims are not timed (NotebooksTest.UNTIMED, judged there later); the tests then read their results.
 */
@Timeout(1800)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotebooksSmallRunsTest {
    static final String KERNEL = "nbio-rapaio";
    static CompletableFuture<Map<String, Notebooks.Execution>> rapaio;
    static Map<String, CompletableFuture<String>> jshell;

    @BeforeAll
    static void setUp() {
        Notebooks.setUp();
    }

    /** The runs on rapaio, started with the JShell runs. */
    static synchronized CompletableFuture<Map<String, Notebooks.Execution>> rapaioRuns() {
        jshellRuns();
        return rapaio;
    }

    /**
     * Every notebook's JShell run, two at a time (most of a run is waiting: for the remote VM, for peers paced to a
     * rate, for the processes a cell starts), the later notebooks first (they run longer); started by whichever test
     * asks first, with the rapaio runner and NotebooksTest's untimed full-size runs on IJava.
     */
    static synchronized Map<String, CompletableFuture<String>> jshellRuns() {
        if (jshell != null) return jshell;
        NotebooksTest.untimedRuns();   // full size on IJava, for NotebooksTest's claims: these need no machine to themselves
        rapaio = CompletableFuture.supplyAsync(
                () -> Notebooks.executeAll(KERNEL, Notebooks.names(), true, true, NotebooksTest.CELL_TIMEOUT));
        ExecutorService two = Executors.newFixedThreadPool(2, run -> {
            Thread thread = new Thread(run, "jshell-small-run");
            thread.setDaemon(true);
            return thread;
        });
        List<String> laterFirst = new ArrayList<>(Notebooks.names());
        Collections.reverse(laterFirst);
        jshell = new LinkedHashMap<>();
        for (String name : laterFirst) jshell.put(name, CompletableFuture.supplyAsync(() -> {
            try {
                return NotebooksTest.runInJShell(Notebooks.read(Notebooks.DIR.resolve(name)), name, NotebooksTest.CELL_TIMEOUT, true);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, two));
        two.shutdown();
        return jshell;
    }

    @AfterAll
    static synchronized void waitForTheRuns() {
        // No run left going when the isolated classes start (a failure there is its test's to report); none started when
        // only this class's self-tests ran.
        if (jshell == null) return;
        jshell.values().forEach(run -> run.handle((output, failure) -> output).join());
        rapaio.handle((runs, failure) -> runs).join();
        NotebooksTest.untimedRuns().handle((runs, failure) -> runs).join();
    }

    static Stream<String> notebooks() { return Notebooks.names().stream(); }

    @Order(1)
    @ParameterizedTest(name = "jshell, small: {0}")
    @MethodSource("notebooks")
    void everyCellRunsInJShellWithAssertionsOn(String name) throws Exception {
        String output;
        try {
            output = jshellRuns().get(name).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof AssertionError failed) throw failed;
            throw e;
        }
        assertTrue(output.lines().count() >= 1, name + ": its cells printed nothing in JShell");
    }

    @Order(3)
    @ParameterizedTest(name = "nbio-rapaio, small: {0}")
    @MethodSource("notebooks")
    void everyCellRunsOnTheSecondKernel(String name) {
        Notebooks.Execution run = rapaioRuns().join().get(name);
        System.out.printf("NOTEBOOK %s kernel=%s-small seconds=%.1f status=%d%n", name, KERNEL, run.seconds(), run.status());
        assertEquals(0, run.status(), name + " on " + KERNEL + " (see tests/target/notebooks):\n" + run.log());
        assertNotNull(run.notebook(), name + ": no executed notebook written");
        NotebooksTest.checkCells(name + " on " + KERNEL, run.notebook());
    }

    /**
     * The runner, stopped (SIGTERM, as when a test run is killed), kills the kernels it started (each in a process group
     * of its own, which the signal does not reach) and exits 143 at once rather than going on with the next notebook.
     * It runs as for timed notebooks (--ready-first), so both notebooks' kernels are started before either runs and
     * both are waiting when it is stopped. The kernel here is a stand-in that never answers (a Python process that
     * sleeps): what is checked is the runner's.
     */
    @Order(2)
    @Test
    void aStoppedRunnerLeavesNoKernelBehind() throws Exception {
        Path dir = Notebooks.EXECUTED.resolve("stopped"), log = dir.resolve("nbrun.log");
        Path jupyter = dir.resolve("jupyter"), stub = jupyter.resolve("kernels/nbio-stub");
        Files.createDirectories(stub);
        Files.writeString(stub.resolve("stub.py"), "import time\ntime.sleep(600)\n");
        Files.writeString(stub.resolve("kernel.json"), "{\"argv\": [\"/usr/bin/python3\", \"" + stub.resolve("stub.py")
                + "\", \"{connection_file}\"], \"display_name\": \"never answers\", \"language\": \"java\"}\n");
        Process runner = Notebooks.nbrun(Notebooks.executeAllArguments("nbio-stub", dir, List.of("07-buffer-lab.ipynb",
                "08-kernel-view.ipynb"), true, false, NotebooksTest.CELL_TIMEOUT), jupyter, log).start();
        try {
            // It prints nothing before a notebook is done: look at its child processes every 100 ms, for 2 minutes at most.
            List<ProcessHandle> kernels = List.of();
            for (int look = 0; kernels.size() < 2 && look < 1200 && runner.isAlive(); look++) {
                kernels = runner.descendants().filter(p -> p.info().commandLine().orElse("").contains("kernels/nbio-stub")).toList();
                if (kernels.size() < 2) Thread.sleep(100);
            }
            assertEquals(2, kernels.size(), "the runner started both notebooks' kernels at once:\n" + Files.readString(log));
            runner.destroy();   // SIGTERM
            // Its handler runs on the runner's event loop, which never waits on anything for long: 30 s is plenty.
            assertTrue(runner.waitFor(30, TimeUnit.SECONDS), "the runner stops at once:\n" + Files.readString(log));
            assertEquals(143, runner.exitValue(), Files.readString(log));
            for (ProcessHandle kernel : kernels) {
                kernel.onExit().completeOnTimeout(kernel, 30, TimeUnit.SECONDS).join();
                assertFalse(kernel.isAlive(), "kernel " + kernel.pid() + " left running:\n" + Files.readString(log));
            }
        } finally {
            runner.descendants().forEach(ProcessHandle::destroyForcibly);
            runner.destroyForcibly();
        }
    }

    /**
     * A cell that hangs, one whose JVM dies, or one whose assert fails, fails the JShell run with the cell's number
     * (never passes as a valid snippet). The hung cell waits forever rather than spins: the same hang for the watchdog,
     * without a core burnt.
     */
    @Order(2)
    @Test
    void theJShellRunFailsOnAHungCellADeadVmAndAFailedAssertWithTheCellNumber() {
        AssertionError hung = assertThrows(AssertionError.class, () -> NotebooksTest.runInJShell(
                NotebooksTest.synthetic("int x = 1;", "new java.util.concurrent.CountDownLatch(x).await();"), "hung.ipynb",
                Duration.ofSeconds(5), false));
        assertTrue(hung.getMessage().contains("hung.ipynb code cell 2: still running after 5 s; stopped."), hung.getMessage());
        AssertionError died = assertThrows(AssertionError.class, () -> NotebooksTest.runInJShell(
                NotebooksTest.synthetic("int x = 1;", "System.exit(3);", "int y = 2;"), "died.ipynb", Duration.ofSeconds(60), false));
        assertTrue(died.getMessage().contains("died.ipynb code cell 2: JShell's remote VM"), died.getMessage());
        // Assertions are on: a cell's failed assert fails the run, with the cell's number.
        AssertionError asserted = assertThrows(AssertionError.class, () -> NotebooksTest.runInJShell(
                NotebooksTest.synthetic("int x = 1;", "assert x == 2 : \"x is \" + x;"), "asserts.ipynb", Duration.ofSeconds(60), true));
        assertTrue(asserted.getMessage().contains("asserts.ipynb code cell 2, snippet:")
                && asserted.getMessage().contains("threw java.lang.AssertionError: x is 1"), asserted.getMessage());
    }
}
