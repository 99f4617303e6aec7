package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The benchmark's small configuration ({@code ./jbang bench --quick}) runs once, through the launcher,
 * and every part must come back complete: every byte accounted for, every median and ratio in its
 * CSV recomputable from the measured runs beside it, and every target's verdict recomputable from its
 * value and threshold. The full benchmark is not run here; a copy of the bench whose select-server reports a wrong
 * CRC32 must fail (BenchLostBytesTest, beside other classes: nothing of it is timed).
 */
@Timeout(600)
@Isolated("the quick bench judges CPU ratios")
class BenchTest {
    static final long MiB = 1024 * 1024;
    static final List<String> SERVERS = List.of("step1-blocking", "thread-per-conn", "select-server", "virtual-threads",
            "netty-nio-1loop", "netty-nio", "netty-epoll");
    static final long CLIENT_BYTES = 16 * MiB;
    static final double SLOW_RATE = 4;
    static final Path OUT = Scripts.ROOT.resolve("tests/target/bench-quick");
    static Scripts.Proc bench;
    static List<Map<String, String>> csv;

    @BeforeAll
    static void runQuickBench() throws IOException {
        Files.deleteIfExists(OUT.resolve("results.csv"));
        Files.deleteIfExists(OUT.resolve("chart.png"));
        bench = Scripts.command("./jbang", "bench", "--quick", "--out", OUT.toString());
        assertEquals(0, bench.waitFor(Duration.ofSeconds(570)), bench.output()); // minutes on a busy 2-core machine
        csv = readCsv(OUT.resolve("results.csv"));
    }

    @Test
    void printsTheThreePartsAndEveryTargetAsMetMissedOrNotMeasured() {
        String out = bench.stdout();
        for (String part : List.of("Part 1. Clients against the same reader", "Part 2. Servers under C concurrent connections",
                "Part 3. The loopback ceiling", "Targets (measured by this run):")) {
            assertTrue(out.contains(part), part + " in:\n" + out);
        }
        List<Map<String, String>> targets = rows("target");
        List<String> targetLines = bench.stdoutLines().stream().filter(l -> l.startsWith("  [")).collect(Collectors.toList());
        assertEquals(targets.size(), targetLines.size(), "every target in the CSV is printed:\n" + out);
        assertTrue(targets.size() >= 11, "targets: " + targets.size());
        for (int i = 0; i < targets.size(); i++) {
            Map<String, String> t = targets.get(i);
            assertTrue(targetLines.get(i).startsWith("  [" + t.get("condition") + "] " + t.get("subject") + ": "), targetLines.get(i) + " vs " + t);
        }
        assertTrue(out.contains("quick configuration"), "says which configuration it ran");
    }

    /**
     * Every target's verdict follows from its row: met when "measured >= threshold" (or <=) holds and nothing failed,
     * MISSED otherwise; a target the quick configuration cannot judge says so, with a reason, and carries no value.
     */
    @Test
    void everyTargetsVerdictFollowsFromItsValueAndThreshold() {
        for (Map<String, String> t : rows("target")) {
            String status = t.get("condition"), note = t.get("note");
            assertFalse(note.isBlank(), "every target says what it was judged on: " + t);
            assertFalse(t.get("min").isEmpty(), "every target has a threshold: " + t);
            double threshold = Double.parseDouble(t.get("min"));
            boolean atLeast = t.get("metric").equals("measured >= threshold");
            assertTrue(atLeast || t.get("metric").equals("measured <= threshold"), t.toString());
            if (t.get("subject").contains("C=1000") || t.get("subject").contains("C=10000") || t.get("subject").contains("loopback ceiling")) {
                assertEquals("not measured in --quick", status, "the quick configuration cannot judge " + t);
            }
            if (status.startsWith("not measured")) {
                assertEquals("not measured in --quick", status, "the quick configuration says why: " + t);
                assertTrue(t.get("value").isEmpty(), t.toString());
                continue;
            }
            double value = Double.parseDouble(t.get("value"));
            boolean holds = atLeast ? value >= threshold : value <= threshold;
            assertEquals(holds && !note.contains("FAILED") ? "met" : "MISSED", status, "the verdict of " + t);
        }
        // The one target the quick configuration judges: its value is the CPU ratio of the two clients' runs.
        Map<String, String> spin = rows("target").stream().filter(t -> t.get("subject").startsWith("select-client uses")).findFirst()
                .orElseThrow(() -> new AssertionError("the client target"));
        assertClose(figure("clients", "retry-client", "slow", "cpu_ms") / figure("clients", "select-client", "slow", "cpu_ms"),
                Double.parseDouble(spin.get("value")), "the client target's value");
        // ...and far above 1, counted the way no load changes: the retry loop never sleeps while it writes (paced by the
        // slow reader: 1.8-2.6 s for what does not fit in the buffers), so its thread is on a core or queued for one for
        // about its whole run (wanted_ms = cpu_ms + queued_ms, the kernel's schedstat; a crowded machine moves time from
        // the first to the second, and only lengthens the run), while select-client's thread sleeps in select() and
        // uses 34-60 ms of CPU for 16 MiB (seen from quiet to a load average of 16: its own work, which load hardly
        // changes). 1.8 s against 60 ms is 30x, 65-85x on quiet machines; 25x leaves the margin. Its CPU alone is no
        // bound: with the other core busy it got 26% of a core at a load of 21 (the 50x target then says MISSED).
        double retryWanted = figure("clients", "retry-client", "slow", "wanted_ms"), selectCpu = figure("clients", "select-client", "slow", "cpu_ms");
        List<Double> cpuRuns = runs("clients", "retry-client", "slow", "cpu_ms"), queuedRuns = runs("clients", "retry-client", "slow", "queued_ms"),
                wantedRuns = runs("clients", "retry-client", "slow", "wanted_ms");
        for (int i = 0; i < wantedRuns.size(); i++) assertClose(cpuRuns.get(i) + queuedRuns.get(i), wantedRuns.get(i), "wanted_ms = cpu_ms + queued_ms");
        assertTrue(retryWanted >= 25 * selectCpu, String.format("retry-client wanted at least 25x the CPU select-client used: %.0f ms"
                + " (%.0f on a core, %.0f queued for one) against %.1f ms; %s", retryWanted, figure("clients", "retry-client", "slow", "cpu_ms"),
                figure("clients", "retry-client", "slow", "queued_ms"), selectCpu, spin));
        assertTrue(spin.get("note").contains(String.format(java.util.Locale.ROOT, "retry-client wanted %.0f ms", retryWanted)),
                "the bench's verdict line says what the test judges: " + spin);
    }

    /** Every row's note is read: a row either has none or one of the reasons a design may fail or be skipped. */
    @Test
    void everyRowsNoteIsAnExpectedOneAndNoByteWasLost() {
        for (Map<String, String> r : csv) {
            String note = r.get("note");
            assertFalse(note.contains("LOST") || note.contains("CORRUPTED"), r.toString());
            if (note.isEmpty() || r.get("kind").equals("target")) continue;
            boolean expected = (r.get("subject").equals("step1-blocking") && note.startsWith("failed"))
                    || (r.get("subject").equals("virtual-threads") && note.startsWith("skipped: no JDK 21+"));
            assertTrue(expected, "an unexpected note: " + r);
        }
        assertFalse(bench.stdout().contains("bench: FAILED"), bench.stdout());
    }

    @Test
    void partOneEveryClientOnEveryReaderSentEveryByteAndTheReaderGotThem() {
        for (String client : List.of("blocking-client", "retry-client", "select-client")) {
            for (String reader : List.of("fast", "slow")) {
                String where = client + " on the " + reader + " reader";
                double bytes = figure("clients", client, reader, "bytes");
                assertEquals(CLIENT_BYTES, bytes, where);
                assertEquals(bytes, figure("clients", client, reader, "bytes_read"), where + ": the reader got them all");
                assertTrue(figure("clients", client, reader, "cpu_ms") > 0, where);
                assertTrue(figure("clients", client, reader, "writes") >= 1, where);
                List<Double> wall = runs("clients", client, reader, "wall_ms"), mibs = runs("clients", client, reader, "mib_s"),
                        sent = runs("clients", client, reader, "bytes");
                assertEquals(2, wall.size(), where + ": two measured runs");
                for (int i = 0; i < wall.size(); i++) {
                    assertTrue(wall.get(i) > 0, where);
                    assertClose(sent.get(i) / MiB / (wall.get(i) / 1000), mibs.get(i), where + " MiB/s of run " + (i + 1));
                }
                assertMediansMatchRuns("clients", client, reader);
            }
        }
        // The slow reader holds every client back: it cannot beat the reader's pace by much.
        assertTrue(bench.stdout().contains("slow reader " + (int) SLOW_RATE + " MiB/s"), "the quick run's slow reader is slow");
        for (String client : List.of("blocking-client", "retry-client", "select-client")) {
            // The socket buffers hold a few MiB; the rest goes at the reader's pace.
            double seconds = figure("clients", client, "slow", "wall_ms") / 1000;
            assertTrue(seconds > 0.5 * (16 - 8) / SLOW_RATE, client + " took " + seconds + " s on the slow reader");
        }
        assertTrue(figure("clients", "retry-client", "slow", "zero_writes") > 100, "the retry client spins on the slow reader");
        assertTrue(figure("clients", "select-client", "slow", "selects") >= 1, "the select client sleeps in select()");
    }

    @Test
    void partTwoEveryServerThatRanServedEveryConnectionAndEveryByteIntact() {
        int ran = 0;
        for (String server : SERVERS) {
            for (String c : List.of("1", "5")) {
                String where = server + " at C=" + c;
                Optional<Map<String, String>> mibs = find("figure", "servers", server, c, "mib_s");
                if (mibs.isEmpty()) {
                    // Only a missing piece may keep a server from running, and the table says so.
                    String note = find("figure", "servers", server, c, "conns").or(() -> find("figure", "servers", server, c, "none"))
                            .map(r -> r.get("note")).orElse("");
                    assertTrue(note.startsWith("missing") || note.startsWith("skipped"), where + " did not run: '" + note + "'");
                    assertEquals("virtual-threads", server, where + " must run");
                    assertTrue(Jdks.atLeast(21).isEmpty(), where + " must run: this machine has a JDK 21+ (" + note + ")");
                    continue;
                }
                ran++;
                int conns = Integer.parseInt(c);
                assertEquals("", mibs.get().get("note"), where + " failed");
                assertEquals(2, Integer.parseInt(mibs.get().get("runs")), where + ": two measured runs");
                assertEquals(conns, figure("servers", server, c, "completed"), where);
                assertEquals(0, figure("servers", server, c, "errors"), where);
                assertEquals(0, figure("servers", server, c, "timed_out"), where);
                assertEquals(conns, figure("servers", server, c, "intact"), where + ": every connection's CRC32 matched");
                assertEquals(conns, figure("servers", server, c, "open_at_once"), where + ": all C were open at once");
                List<Double> planned = runs("servers", server, c, "bytes_planned"), sent = runs("servers", server, c, "bytes_sent"),
                        served = runs("servers", server, c, "bytes_served"), wall = runs("servers", server, c, "wall_ms"),
                        rate = runs("servers", server, c, "mib_s"), cpu = runs("servers", server, c, "server_cpu_s"),
                        perGib = runs("servers", server, c, "cpu_s_per_gib");
                for (int i = 0; i < planned.size(); i++) {
                    assertEquals(32 * MiB, planned.get(i), where);
                    assertEquals(planned.get(i), sent.get(i), where + ": the load generator sent it all");
                    assertEquals(planned.get(i), served.get(i), where + ": the server reported reading it all");
                    assertClose(sent.get(i) / MiB / (wall.get(i) / 1000), rate.get(i), where + " MiB/s of run " + (i + 1));
                    assertTrue(cpu.get(i) >= 0 && cpu.get(i) < 60, where + " CPU " + cpu.get(i));
                    assertClose(cpu.get(i) / (served.get(i) / (1024.0 * MiB)), perGib.get(i), where + " CPU per GiB of run " + (i + 1));
                }
                double rss = figure("servers", server, c, "rss_mib"), threads = figure("servers", server, c, "threads");
                assertTrue(rss > 10 && rss < 4096, where + " RSS " + rss);
                assertTrue(threads >= 1 && threads < 1000, where + " threads " + threads);
                assertMediansMatchRuns("servers", server, c);
            }
        }
        assertTrue(ran >= 10, "at least five servers ran at both C");
        // Thread-per-connection holds a thread for every open connection; step 1 holds one in all.
        assertTrue(figure("servers", "thread-per-conn", "5", "threads") >= figure("servers", "step1-blocking", "5", "threads") + 2);
    }

    @Test
    void partThreeTheCeilingGotEveryByte() {
        for (String what : List.of("loopback", "load generator")) {
            List<Double> sent = runs("ceiling", what, "1 connection", "bytes_sent"), read = runs("ceiling", what, "1 connection", "bytes_read");
            assertEquals(2, sent.size(), what);
            for (int i = 0; i < sent.size(); i++) {
                assertEquals(32 * MiB, sent.get(i), what);
                assertEquals(sent.get(i), read.get(i), what);
            }
            assertTrue(figure("ceiling", what, "1 connection", "mib_s") > 10, what);
        }
    }

    @Test
    void everyRatioIsTheQuotientOfTheMediansItNames() {
        List<Map<String, String>> ratios = csv.stream().filter(r -> r.get("kind").equals("ratio")).collect(Collectors.toList());
        assertTrue(ratios.size() >= 2 + 2 * 4 * 3, "ratios: " + ratios.size());
        for (String peer : List.of("netty-nio-1loop", "netty-nio", "netty-epoll")) {
            assertTrue(ratios.stream().anyMatch(r -> r.get("subject").equals("mib_s vs " + peer) && r.get("condition").equals("select-server C=5")),
                    "select-server against " + peer);
        }
        for (Map<String, String> ratio : ratios) {
            String[] names = ratio.get("metric").split(" / ");
            double numerator = figure(names[0]), denominator = figure(names[1]);
            assertClose(numerator / denominator, Double.parseDouble(ratio.get("value")), ratio.toString());
        }
        Optional<Map<String, String>> spin = csv.stream().filter(r -> r.get("kind").equals("ratio") && r.get("subject").equals("cpu retry/select")
                && r.get("condition").equals("slow")).findFirst();
        assertTrue(spin.isPresent(), "the CPU ratio of retry to select on the slow reader");
        assertTrue(Double.parseDouble(spin.get().get("value")) > 1, "spinning costs more CPU than select: " + spin.get());
    }

    @Test
    void writesJsonAndAChart() throws IOException {
        String json = Files.readString(OUT.resolve("results.json"));
        for (String key : List.of("\"configuration\"", "\"machine\"", "\"rows\"", "\"ratios\"", "\"targets\"")) assertTrue(json.contains(key), key);
        BufferedImage chart = ImageIO.read(OUT.resolve("chart.png").toFile());
        assertNotNull(chart, "chart.png is a PNG");
        assertTrue(chart.getWidth() >= 800 && chart.getHeight() >= 400);
    }

    // ---------------------------------------------------------------- reading results.csv

    static List<Map<String, String>> rows(String kind) {
        return csv.stream().filter(r -> r.get("kind").equals(kind)).collect(Collectors.toList());
    }

    static void assertClose(double expected, double actual, String what) {
        assertTrue(Math.abs(expected - actual) <= 1e-3 * Math.max(1e-9, Math.abs(expected)) + 1e-9,
                what + ": expected " + expected + ", got " + actual);
    }

    static void assertMediansMatchRuns(String part, String subject, String condition) {
        for (Map<String, String> f : csv) {
            if (!f.get("kind").equals("figure") || !f.get("part").equals(part) || !f.get("subject").equals(subject)
                    || !f.get("condition").equals(condition) || f.get("value").isEmpty()) continue;
            List<Double> values = runs(part, subject, condition, f.get("metric"));
            double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
            assertClose(median, Double.parseDouble(f.get("value")), subject + " " + condition + " median " + f.get("metric"));
            assertClose(s[0], Double.parseDouble(f.get("min")), subject + " " + condition + " min " + f.get("metric"));
            assertClose(s[s.length - 1], Double.parseDouble(f.get("max")), subject + " " + condition + " max " + f.get("metric"));
        }
    }

    /** "part/subject/condition/metric" as the ratio rows name a figure. */
    static double figure(String path) {
        String[] p = path.split("/");
        return figure(p[0], p[1], p[2], p[3]);
    }

    static double figure(String part, String subject, String condition, String metric) {
        Map<String, String> row = find("figure", part, subject, condition, metric)
                .orElseThrow(() -> new AssertionError("no figure " + part + "/" + subject + "/" + condition + "/" + metric));
        assertFalse(row.get("value").isEmpty(), row.toString());
        return Double.parseDouble(row.get("value"));
    }

    static List<Double> runs(String part, String subject, String condition, String metric) {
        List<Double> values = new ArrayList<>();
        for (Map<String, String> r : csv) {
            if (r.get("kind").equals("run") && r.get("part").equals(part) && r.get("subject").equals(subject)
                    && r.get("condition").equals(condition) && r.get("metric").equals(metric)) values.add(Double.parseDouble(r.get("value")));
        }
        assertFalse(values.isEmpty(), "no runs of " + part + "/" + subject + "/" + condition + "/" + metric);
        return values;
    }

    static Optional<Map<String, String>> find(String kind, String part, String subject, String condition, String metric) {
        return csv.stream().filter(r -> r.get("kind").equals(kind) && r.get("part").equals(part) && r.get("subject").equals(subject)
                && r.get("condition").equals(condition) && r.get("metric").equals(metric)).findFirst();
    }

    static List<Map<String, String>> readCsv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> header = RecordedRun.cells(lines.get(0));
        assertEquals(List.of("kind", "part", "subject", "condition", "metric", "value", "min", "max", "runs", "note"), header);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = RecordedRun.cells(line);
            assertEquals(header.size(), cells.size(), line);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) row.put(header.get(i), cells.get(i));
            rows.add(row);
        }
        return rows;
    }
}
