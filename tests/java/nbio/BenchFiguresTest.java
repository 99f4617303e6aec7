package nbio;

import static nbio.RecordedRun.shown;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    /** The median of every figure of a recorded run (benchmark/ or benchmark/before/). */
    static Map<String, Double> figures(Path dir) throws IOException {
        return RecordedRun.read(dir).medians();
    }

    static String section(String title) throws IOException {
        return RecordedRun.section(Files.readString(Scripts.ROOT.resolve("README.md")), title);
    }

    @Test
    void theMeasuredHereTableIsTheRecordedRun() throws IOException {
        RecordedRun now = RecordedRun.read(RecordedRun.NOW);
        List<List<String>> rows = RecordedRun.rows(section("### Measured here"));
        assertTrue(rows.size() >= 6, "a row per part-2 server: " + rows);
        for (List<String> row : rows) now.assertSummaryRow(row, "README.md, Measured here");
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
        Map<String, Map<String, Double>> runs = Map.of("before", figures(RecordedRun.BEFORE), "now", figures(RecordedRun.NOW));
        List<List<String>> rows = RecordedRun.rows(section("## What makes a selector server fast"));
        assertEquals(2, rows.size(), "select-server before and now: " + rows);
        for (List<String> row : rows) {
            Map<String, Double> f = runs.get(row.get(0).replace("select-server, ", ""));
            assertTrue(f != null, "row " + row);
            int column = 1;
            // Netty's default NIO pool is in both runs (the earlier bench called it plain "netty").
            String netty = f.containsKey("servers/netty-nio/1000/mib_s") ? "netty-nio" : "netty";
            for (String c : List.of("1000", "10000")) {
                String key = "servers/select-server/" + c + "/";
                double cpuPerGib = selectServerCpuPerGib(f, c);
                assertEquals(shown(f.get(key + "mib_s"), 0), row.get(column++), row.get(0) + " MiB/s at " + c);
                assertEquals(shown(f.get(key + "mib_s") / f.get("servers/" + netty + "/" + c + "/mib_s"), 2), row.get(column++),
                        row.get(0) + " x Netty's default NIO pool at " + c);
                assertEquals(shown(cpuPerGib, 2), row.get(column++), row.get(0) + " CPU s per GiB at " + c);
                assertEquals(shown(f.get(key + "rss_mib"), 0), row.get(column++), row.get(0) + " peak RSS at " + c);
            }
        }
    }

    /** select-server's CPU seconds per GiB at C (the earlier bench recorded CPU seconds and bytes, not their ratio). */
    static double selectServerCpuPerGib(Map<String, Double> f, String c) {
        String key = "servers/select-server/" + c + "/";
        return f.containsKey(key + "cpu_s_per_gib") ? f.get(key + "cpu_s_per_gib")
                : f.get(key + "server_cpu_s") / (f.get(key + "bytes_served") / (1L << 30));
    }

    /** A README section as it reads (see RecordedRun.plain). */
    static String words(String title) throws IOException {
        return RecordedRun.plain(section(title));
    }

    @Test
    void theWordsAroundTheTablesSayWhatTheRunsWere() throws IOException {
        RecordedRun now = RecordedRun.read(RecordedRun.NOW), before = RecordedRun.read(RecordedRun.BEFORE);
        String cores = now.printed("machine: (\\d+) cores"), perRun = now.printed("part 2 sends (.+?) per run");
        String runs = shown(now.figure("servers/select-server/1000/mib_s").runs(), 0);
        double load = now.median("machine/load average/before/loadavg_1min");
        String measured = words("### Measured here");
        for (String said : List.of(
                now.printed("took (\\d+) s") + " s on the " + cores + "-core machine",
                "with a load average of " + shown(load, 2) + " when the bench started (" + (load < 1 ? "less than" : "no less than") + " one task",
                "MiB/s and CPU per GiB are medians of " + runs + " runs of " + perRun + " each, peak RSS one reading per server JVM")) {
            assertTrue(measured.contains(said), "README.md, Measured here, should say: " + said + "\n" + measured);
        }
        assertEquals(1, now.figure("servers/select-server/10000/rss_mib").runs(), "peak RSS: one reading per server JVM");

        // Before and after: both runs on the same machine, started quiet, measured alike.
        double loadBefore = before.median("machine/load average/before/loadavg_1min");
        String fast = words("## What makes a selector server fast");
        assertEquals(cores, before.printed("machine: (\\d+) cores"), "the same machine");
        assertEquals(perRun, before.printed("part 2 sends (.+?) per run"));
        assertEquals(runs, shown(before.figure("servers/select-server/1000/mib_s").runs(), 0));
        assertTrue(loadBefore < 1 && load < 1, "both started with a load average under 1: " + loadBefore + ", " + load);
        for (String said : List.of(
                "on the same " + cores + "-core machine, each started with a load average under 1 (" + shown(loadBefore, 2) + " and " + shown(load, 2) + ")",
                "MiB/s and CPU per GiB are medians of " + runs + " runs of " + perRun + ", peak RSS one reading per server JVM")) {
            assertTrue(fast.contains(said), "README.md, What makes a selector server fast, should say: " + said + "\n" + fast);
        }
    }

    @Test
    void whatChangedMostIsWhatTheReadmeSays() throws IOException {
        // "peak RSS at 10,000 connections three times smaller, now under half of any Netty server's"
        Map<String, Double> now = figures(RecordedRun.NOW), before = figures(RecordedRun.BEFORE);
        double rss = now.get("servers/select-server/10000/rss_mib");
        assertTrue(before.get("servers/select-server/10000/rss_mib") / rss >= 2.5, "about three times smaller: " + rss);
        for (String netty : List.of("netty-nio-1loop", "netty-nio", "netty-epoll")) {
            assertTrue(rss <= 0.5 * now.get("servers/" + netty + "/10000/rss_mib"), "under half of " + netty + "'s");
        }
        assertTrue(section("## What makes a selector server fast").contains("three times smaller, now under half of\nany Netty server's"));
        // "the CPU per GiB of the server's whole JVM came out about the same in these two runs": within 10%.
        for (String c : List.of("1000", "10000")) {
            double ratio = selectServerCpuPerGib(now, c) / selectServerCpuPerGib(before, c);
            assertTrue(Math.abs(ratio - 1) <= 0.10, "CPU per GiB about the same at C=" + c + ": now/before " + ratio);
        }
        assertTrue(words("## What makes a selector server fast").contains("the CPU per GiB of the server's whole JVM came out about the same in these two runs"));
    }
}
