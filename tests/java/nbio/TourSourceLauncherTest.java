package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tour without JBang. Its claims here are rows, bytes and checksums, none a CPU ratio or a time, so it runs beside
 * other classes; TourTest, alone, judges the full tour's ratios.
 */
@Timeout(600)
class TourSourceLauncherTest {
    /** Without JBang, Java 22+'s source launcher runs the tour too (it finds scripts/nbio beside it, JEP 458). */
    @Test
    void theTourRunsWithThePlainSourceLauncherToo() {
        // The launcher compiles the script in its own JVM, seconds of CPU: Scripts.sourceLauncher makes that cheaper; what
        // it compiles and runs is the same, and nothing here is timed.
        List<String> command = new java.util.ArrayList<>(Scripts.sourceLauncher(Scripts.javaHome(22)));
        command.addAll(List.of("scripts/Tour.java", "--size", "1000000", "--connections", "100"));
        Scripts.Proc tour = Scripts.command(command.toArray(String[]::new));
        assertEquals(0, tour.waitFor(Duration.ofSeconds(240)), tour.output());
        Map<String, Map<String, String>> rows = TourTest.table(tour.stdout());
        assertEquals(9, rows.size(), tour.stdout());
        assertEquals("1000000", rows.get("retry-client").get("bytes"));
        TourTest.checkEveryRowAgainstTheServers(tour.stdout(), rows, 1_000_000, 100);
    }
}
