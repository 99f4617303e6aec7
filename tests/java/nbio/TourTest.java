package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        Matcher row = Pattern.compile("(?m)^(\\S.*?\\S) +([\\d,]+) +([\\d,]+) +([\\d,]+) +([\\d,]+) +([\\d.]+) +([\\d.]+) +(held|AssertionError) +(yes|NO)$")
                .matcher(out);
        while (row.find()) {
            rows.put(row.group(1), Map.of("bytes", row.group(2).replace(",", ""), "writes", row.group(3).replace(",", ""),
                    "zero", row.group(4).replace(",", ""), "selects", row.group(5).replace(",", ""),
                    "assertion", row.group(8), "intact", row.group(9), "crc32", crcOf(out, row.group(1))));
        }
        assertEquals(Set.of("blocking-client", "nonblocking-client", "retry-client", "select-client",
                "event-loop send-1 -> step-1 server", "event-loop send-2 -> step-1 server",
                "event-loop send-1 -> select-server", "event-loop send-2 -> select-server",
                "virtual-threads x10240 -> select-server"), rows.keySet(), "one table row per client run:\n" + out);
        for (String step : rows.keySet().stream().filter(step -> !step.equals("nonblocking-client")).toList()) {
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
        for (String story : List.of("Step 1.", "Step 2.", "Step 3.", "Step 4.", "Step 5.", "Step 6.")) assertTrue(out.contains(story), story);
        assertTrue(out.contains("server | TOTAL clients=6"), "the step-1 server stopped and printed its totals");

        // Step 6: one after the other on the step-1 server (by its log's order), side by side on
        // select-server, 10,240 virtual threads on a JDK 21+ from this machine, nothing left behind.
        assertTrue(out.contains("(its log: client 5 done, then client 6 connected): one after the other"), out);
        assertEquals("10240", ratios.get("select_server_max_open"), "10,240 connections open at once on one thread");
        assertEquals("0", ratios.get("select_server_registered"));
        assertEquals("ran", ratios.get("virtual_threads"), "the tour found the JDK 21+ on this machine");
        assertTrue(out.contains("select-server received exactly 7,168 bytes with crc32="
                + rows.get("virtual-threads x10240 -> select-server").get("crc32") + " on 10,240 of 10,240 connections"), out);
        Matcher done = Pattern.compile("Tour done in ([\\d.]+) s").matcher(out);
        assertTrue(done.find() && Double.parseDouble(done.group(1)) < 60, "well under a minute: " + out);
    }

    /** The crc32 a run reported, found from its RESULT line (only needed for virtual threads). */
    static String crcOf(String out, String rowLabel) {
        if (!rowLabel.startsWith("virtual-threads")) return "";
        Matcher m = Pattern.compile("RESULT client=virtual-threads .*crc32=(\\w+)").matcher(out);
        return m.find() ? m.group(1) : "missing";
    }
}
