package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every cell of every notebook runs on the second kernel (rapaio) and, cell by cell, in JShell with assertions on (the
 * copy-paste promise), with SIZE at 7 MiB: what the notebooks claim is judged once, at full size, by NotebooksTest.
 * Nothing here is timed, so it may run beside other classes; the rapaio runner works while the JShell runs do.
 */
@Timeout(1800)
class NotebooksSmallRunsTest {
    static final String KERNEL = "nbio-rapaio";
    static CompletableFuture<Map<String, Notebooks.Execution>> rapaio;

    @BeforeAll
    static void setUp() {
        Notebooks.setUp();
    }

    /** The runs on rapaio, started by the first test that runs (a JShell one starts them and goes on beside them). */
    static synchronized CompletableFuture<Map<String, Notebooks.Execution>> rapaioRuns() {
        if (rapaio == null) rapaio = CompletableFuture.supplyAsync(
                () -> Notebooks.executeAll(KERNEL, Notebooks.names(), true, true, NotebooksTest.CELL_TIMEOUT));
        return rapaio;
    }

    @AfterAll
    static synchronized void waitForTheRapaioRuns() {
        if (rapaio != null) rapaio.join();
    }

    static Stream<String> notebooks() { return Notebooks.names().stream(); }

    @ParameterizedTest(name = "jshell, small: {0}")
    @MethodSource("notebooks")
    void everyCellRunsInJShellWithAssertionsOn(String name) throws Exception {
        rapaioRuns();
        String output = NotebooksTest.runInJShell(Notebooks.read(Notebooks.DIR.resolve(name)), name, NotebooksTest.CELL_TIMEOUT, true);
        assertTrue(output.lines().count() >= 1, name + ": its cells printed nothing in JShell");
    }

    @ParameterizedTest(name = "nbio-rapaio, small: {0}")
    @MethodSource("notebooks")
    void everyCellRunsOnTheSecondKernel(String name) {
        Notebooks.Execution run = rapaioRuns().join().get(name);
        System.out.printf("NOTEBOOK %s kernel=%s-small seconds=%.1f status=%d%n", name, KERNEL, run.seconds(), run.status());
        assertEquals(0, run.status(), name + " on " + KERNEL + " (see tests/target/notebooks):\n" + run.log());
        assertNotNull(run.notebook(), name + ": no executed notebook written");
        NotebooksTest.checkCells(name + " on " + KERNEL, run.notebook());
    }

    /** A cell that hangs, or one whose JVM dies, fails the JShell run with the cell's number (never passes as a valid snippet). */
    @Test
    void theJShellRunFailsOnAHungCellAndOnADeadVmWithTheCellNumber() {
        AssertionError hung = assertThrows(AssertionError.class, () -> NotebooksTest.runInJShell(
                NotebooksTest.synthetic("int x = 1;", "while (x > 0) { x = 1; }"), "hung.ipynb", Duration.ofSeconds(5), false));
        assertTrue(hung.getMessage().contains("hung.ipynb code cell 2: still running after 5 s; stopped."), hung.getMessage());
        AssertionError died = assertThrows(AssertionError.class, () -> NotebooksTest.runInJShell(
                NotebooksTest.synthetic("int x = 1;", "System.exit(3);", "int y = 2;"), "died.ipynb", Duration.ofSeconds(60), false));
        assertTrue(died.getMessage().contains("died.ipynb code cell 2: JShell's remote VM"), died.getMessage());
    }
}
