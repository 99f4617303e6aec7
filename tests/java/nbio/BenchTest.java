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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark's small configuration ({@code ./jbang bench --quick}) runs once, through the launcher,
 * and every part must come back complete: every byte accounted for, and every median and ratio in its
 * CSV recomputable from the measured runs beside it. The full benchmark is not run here.
 */
@Timeout(300)
class BenchTest {
    static final long MiB = 1024 * 1024;
    static final Path OUT = Scripts.ROOT.resolve("tests/target/bench-quick");
    static Scripts.Proc bench;
    static List<Map<String, String>> csv;

    @BeforeAll
    static void runQuickBench() throws IOException {
        Files.deleteIfExists(OUT.resolve("results.csv"));
        Files.deleteIfExists(OUT.resolve("chart.png"));
        bench = Scripts.command("./jbang", "bench", "--quick", "--out", OUT.toString());
        assertEquals(0, bench.waitFor(Duration.ofSeconds(240)), bench.output());
        csv = readCsv(OUT.resolve("results.csv"));
    }

    @Test
    void printsTheThreePartsAndEveryTargetAsMetMissedOrNotMeasured() {
        String out = bench.stdout();
        for (String part : List.of("Part 1. Clients against the same reader", "Part 2. Servers under C concurrent connections",
                "Part 3. The loopback ceiling", "Targets (measured by this run):")) {
            assertTrue(out.contains(part), part + " in:\n" + out);
        }
        List<String> targetLines = bench.stdoutLines().stream().filter(l -> l.startsWith("  [")).collect(Collectors.toList());
        assertEquals(5, targetLines.size(), out);
        for (String line : targetLines) assertTrue(line.matches("  \\[(met|MISSED|not measured)] .+: .+"), line);
        assertTrue(out.contains("quick configuration"), "says which configuration it ran");
    }

    @Test
    void partOneEveryClientOnEveryReaderSentEveryByteAndTheReaderGotThem() {
        for (String client : List.of("blocking-client", "retry-client", "select-client")) {
            for (String reader : List.of("fast", "slow")) {
                String where = client + " on the " + reader + " reader";
                double bytes = figure("clients", client, reader, "bytes");
                assertEquals(24 * MiB, bytes, where);
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
        double slowRate = 64;
        for (String client : List.of("blocking-client", "retry-client", "select-client")) {
            double seconds = figure("clients", client, "slow", "wall_ms") / 1000;
            assertTrue(seconds > 0.5 * (24 - 12) / slowRate, client + " took " + seconds + " s on the slow reader");
        }
        assertTrue(figure("clients", "retry-client", "slow", "zero_writes") > 100, "the retry client spins on the slow reader");
        assertTrue(figure("clients", "select-client", "slow", "selects") >= 1, "the select client sleeps in select()");
    }

    @Test
    void partTwoEveryServerThatRanServedEveryConnectionAndEveryByteIntact() {
        List<String> servers = List.of("step1-blocking", "thread-per-conn", "select-server", "virtual-threads", "netty");
        int ran = 0;
        for (String server : servers) {
            for (String c : List.of("1", "5")) {
                String where = server + " at C=" + c;
                Optional<Map<String, String>> mibs = find("figure", "servers", server, c, "mib_s");
                if (mibs.isEmpty()) {
                    // Only a missing piece may keep a server from running, and the table says so.
                    String note = find("figure", "servers", server, c, "conns").or(() -> find("figure", "servers", server, c, "none"))
                            .map(r -> r.get("note")).orElse("");
                    assertTrue(note.startsWith("missing") || note.startsWith("skipped"), where + " did not run: '" + note + "'");
                    assertFalse(server.equals("netty") || server.equals("thread-per-conn") || server.equals("step1-blocking"), where + " must run");
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
                        rate = runs("servers", server, c, "mib_s"), cpu = runs("servers", server, c, "server_cpu_s");
                for (int i = 0; i < planned.size(); i++) {
                    assertEquals(32 * MiB, planned.get(i), where);
                    assertEquals(planned.get(i), sent.get(i), where + ": the load generator sent it all");
                    assertEquals(planned.get(i), served.get(i), where + ": the server reported reading it all");
                    assertClose(sent.get(i) / MiB / (wall.get(i) / 1000), rate.get(i), where + " MiB/s of run " + (i + 1));
                    assertTrue(cpu.get(i) >= 0 && cpu.get(i) < 60, where + " CPU " + cpu.get(i));
                }
                double rss = figure("servers", server, c, "rss_mib"), threads = figure("servers", server, c, "threads");
                assertTrue(rss > 10 && rss < 4096, where + " RSS " + rss);
                assertTrue(threads >= 1 && threads < 1000, where + " threads " + threads);
                assertMediansMatchRuns("servers", server, c);
            }
        }
        assertTrue(ran >= 6, "at least three servers ran at both C");
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
        assertTrue(ratios.size() >= 2 + 4 * 3, "ratios: " + ratios.size());
        for (Map<String, String> ratio : ratios) {
            String[] names = ratio.get("metric").split(" / ");
            double numerator = figure(names[0]), denominator = figure(names[1]);
            assertClose(numerator / denominator, Double.parseDouble(ratio.get("value")), ratio.toString());
        }
        Optional<Map<String, String>> spin = csv.stream().filter(r -> r.get("kind").equals("ratio") && r.get("subject").equals("cpu retry/select")
                && r.get("condition").equals("slow")).findFirst();
        assertTrue(spin.isPresent(), "the CPU ratio of retry to select on the slow reader");
        assertTrue(Double.parseDouble(spin.get().get("value")) > 1, "spinning costs more CPU than select: " + spin.get());
        // Targets carry the measured value they were judged on.
        for (Map<String, String> target : csv.stream().filter(r -> r.get("kind").equals("target")).collect(Collectors.toList())) {
            assertTrue(List.of("met", "MISSED", "not measured").contains(target.get("condition")), target.toString());
            if (!target.get("condition").equals("not measured") && !target.get("min").isEmpty()) assertFalse(target.get("value").isEmpty(), target.toString());
        }
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
        List<String> header = split(lines.get(0));
        assertEquals(List.of("kind", "part", "subject", "condition", "metric", "value", "min", "max", "runs", "note"), header);
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = split(line);
            assertEquals(header.size(), cells.size(), line);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) row.put(header.get(i), cells.get(i));
            rows.add(row);
        }
        return rows;
    }

    static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        Matcher m = Pattern.compile("\\G(?:\"((?:[^\"]|\"\")*)\"|([^,]*))(?:,|$)").matcher(line);
        while (cells.size() < 10 && m.find()) cells.add(m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2));
        return cells;
    }
}
