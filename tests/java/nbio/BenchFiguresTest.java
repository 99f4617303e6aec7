package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark figures the README quotes are those of the runs recorded in benchmark/ (the current
 * run, and in benchmark/before/ the run made before select-server was rewritten): read from their
 * CSV files, not typed in.
 */
@Timeout(60)
class BenchFiguresTest {
    static final Path NOW = Scripts.ROOT.resolve("benchmark/results.csv"), BEFORE = Scripts.ROOT.resolve("benchmark/before/results.csv");

    /** The median of every figure of a run: "servers/select-server/1000/mib_s" -> value. */
    static Map<String, Double> figures(Path csv) throws IOException {
        Map<String, Double> figures = new HashMap<>();
        for (String line : Files.readAllLines(csv)) {
            List<String> cells = cells(line);
            if (cells.size() > 5 && cells.get(0).equals("figure") && !cells.get(5).isEmpty()) {
                figures.put(cells.get(1) + "/" + cells.get(2) + "/" + cells.get(3) + "/" + cells.get(4), Double.parseDouble(cells.get(5)));
            }
        }
        return figures;
    }

    /** A CSV line's cells (quoted cells may hold commas). */
    static List<String> cells(String line) {
        List<String> cells = new java.util.ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"]|\"\")*)\"|([^,]*)").matcher(line);
        int at = 0;
        while (at <= line.length() && m.find(at)) {
            cells.add(m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2));
            at = m.end() + 1;
        }
        return cells;
    }

    static String section(String title) throws IOException {
        String readme = Files.readString(Scripts.ROOT.resolve("README.md"));
        int start = readme.indexOf(title);
        assertTrue(start >= 0, "README section " + title);
        int end = readme.indexOf("\n## ", start + title.length());
        int sub = readme.indexOf("\n### ", start + title.length());
        if (sub > 0 && (end < 0 || sub < end)) end = sub;
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** A number as the README shows it: thousands separators, the given decimals. */
    static String shown(double value, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    /** The data rows of the first Markdown table in a section whose first cell starts with a server name. */
    static List<List<String>> rows(String section) {
        return section.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| server") && !l.startsWith("|---"))
                .map(l -> List.of(l.substring(2, l.length() - 2).split(" \\| "))).toList();
    }

    @Test
    void theMeasuredHereTableIsTheRecordedRun() throws IOException {
        Map<String, Double> now = figures(NOW);
        List<List<String>> rows = rows(section("### Measured here"));
        assertTrue(rows.size() >= 6, "a row per part-2 server: " + rows);
        String[] metrics = {"1000/mib_s", "10000/mib_s", "1000/cpu_s_per_gib", "10000/cpu_s_per_gib", "10000/rss_mib"};
        int[] decimals = {0, 0, 2, 2, 0};
        for (List<String> row : rows) {
            String server = row.get(0).split(" ")[0];
            for (int i = 0; i < metrics.length; i++) {
                Double value = now.get("servers/" + server + "/" + metrics[i]);
                String expected = value == null ? "-" : shown(value, decimals[i]);
                assertEquals(expected, row.get(i + 1), server + " " + metrics[i]);
            }
        }
    }

    @Test
    void theTargetsQuotedAreTheRecordedRunsWordForWord() throws IOException {
        String run = Files.readString(Scripts.ROOT.resolve("benchmark/full-run.txt"));
        Matcher target = Pattern.compile("(?m)^- `(met|MISSED|not measured)` (.+)$").matcher(section("### Measured here"));
        int quoted = 0;
        while (target.find()) {
            quoted++;
            assertTrue(run.contains("[" + target.group(1) + "] " + target.group(2)), "not in benchmark/full-run.txt: " + target.group());
        }
        assertTrue(quoted >= 5, "the targets are quoted: " + quoted);
    }

    @Test
    void beforeAndAfterAreTheTwoRecordedRuns() throws IOException {
        Map<String, Map<String, Double>> runs = Map.of("before", figures(BEFORE), "now", figures(NOW));
        List<List<String>> rows = rows(section("## What makes a selector server fast"));
        assertEquals(2, rows.size(), "select-server before and now: " + rows);
        for (List<String> row : rows) {
            Map<String, Double> f = runs.get(row.get(0).replace("select-server, ", ""));
            assertTrue(f != null, "row " + row);
            int column = 1;
            // Netty's default NIO pool is in both runs (the earlier bench called it plain "netty").
            String netty = f.containsKey("servers/netty-nio/1000/mib_s") ? "netty-nio" : "netty";
            for (String c : List.of("1000", "10000")) {
                String key = "servers/select-server/" + c + "/";
                double cpuPerGib = f.containsKey(key + "cpu_s_per_gib") ? f.get(key + "cpu_s_per_gib")
                        : f.get(key + "server_cpu_s") / (f.get(key + "bytes_served") / (1L << 30));
                assertEquals(shown(f.get(key + "mib_s"), 0), row.get(column++), row.get(0) + " MiB/s at " + c);
                assertEquals(shown(f.get(key + "mib_s") / f.get("servers/" + netty + "/" + c + "/mib_s"), 2), row.get(column++),
                        row.get(0) + " x Netty's default NIO pool at " + c);
                assertEquals(shown(cpuPerGib, 2), row.get(column++), row.get(0) + " CPU s per GiB at " + c);
                assertEquals(shown(f.get(key + "rss_mib"), 0), row.get(column++), row.get(0) + " peak RSS at " + c);
            }
        }
    }

    @Test
    void whatChangedMostIsWhatTheReadmeSays() throws IOException {
        // "peak RSS at 10,000 connections three times smaller, now under half of any Netty server's"
        Map<String, Double> now = figures(NOW), before = figures(BEFORE);
        double rss = now.get("servers/select-server/10000/rss_mib");
        assertTrue(before.get("servers/select-server/10000/rss_mib") / rss >= 2.5, "about three times smaller: " + rss);
        for (String netty : List.of("netty-nio-1loop", "netty-nio", "netty-epoll")) {
            assertTrue(rss <= 0.5 * now.get("servers/" + netty + "/10000/rss_mib"), "under half of " + netty + "'s");
        }
        assertTrue(section("## What makes a selector server fast").contains("three times smaller, now under half of\nany Netty server's"));
    }
}
