package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's main command: ./jbang tour runs the whole article and prints one table. */
@Timeout(300)
class TourTest {
    @Test
    void tourRunsEveryStepAndTellsTheArticlesStoryInOneTable() {
        Scripts.Proc tour = Scripts.command("./jbang", "tour");
        assertEquals(0, tour.waitFor(Duration.ofSeconds(240)), tour.output());
        String out = tour.stdout();

        Map<String, Map<String, String>> rows = new java.util.HashMap<>();
        Matcher row = Pattern.compile("(?m)^(blocking-client|nonblocking-client|retry-client|select-client) +([\\d,]+) +([\\d,]+) +([\\d,]+) +([\\d,]+) +([\\d.]+) +([\\d.]+) +(held|AssertionError) +(yes|NO)$")
                .matcher(out);
        while (row.find()) {
            rows.put(row.group(1), Map.of("bytes", row.group(2).replace(",", ""), "writes", row.group(3).replace(",", ""),
                    "zero", row.group(4).replace(",", ""), "selects", row.group(5).replace(",", ""),
                    "assertion", row.group(8), "intact", row.group(9)));
        }
        assertEquals(4, rows.size(), "one table row per client step:\n" + out);
        for (String step : List.of("blocking-client", "retry-client", "select-client")) {
            assertEquals("73400320", rows.get(step).get("bytes"), step);
            assertEquals("held", rows.get(step).get("assertion"), step);
        }
        long partial = Long.parseLong(rows.get("nonblocking-client").get("bytes"));
        assertTrue(partial > 0 && partial < 73_400_320L, "the non-blocking write accepted part: " + partial);
        assertEquals("AssertionError", rows.get("nonblocking-client").get("assertion"));
        assertTrue(rows.values().stream().allMatch(r -> r.get("intact").equals("yes")), "server got every accepted byte");
        assertEquals("1", rows.get("blocking-client").get("writes"));
        assertTrue(Long.parseLong(rows.get("retry-client").get("zero")) > 0);
        assertTrue(Long.parseLong(rows.get("select-client").get("selects")) > 0);

        // The closing sentences are built from the same measurements.
        Map<String, String> ratios = Scripts.fields(out.lines().filter(l -> l.startsWith("TOUR ")).findFirst().orElseThrow());
        double cpuRatio = Double.parseDouble(ratios.get("retry_select_cpu_ratio"));
        double writeRatio = Double.parseDouble(ratios.get("retry_select_write_ratio"));
        assertTrue(cpuRatio > 2, "retry burned more CPU than select: " + cpuRatio);
        assertTrue(writeRatio > 50, "retry made far more write calls: " + writeRatio);
        assertTrue(out.contains(String.format("one non-blocking write took %,d of 73,400,320 bytes", partial)), out);
        for (String story : List.of("Step 1.", "Step 2.", "Step 3.", "Step 4.", "Step 5.")) assertTrue(out.contains(story), story);
        assertTrue(out.contains("server | TOTAL clients=4"), "the server stopped and printed its totals");
        Matcher done = Pattern.compile("Tour done in ([\\d.]+) s").matcher(out);
        assertTrue(done.find() && Double.parseDouble(done.group(1)) < 60, "well under a minute: " + out);
    }
}
