package benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import benchmark.Results.Ratio;
import benchmark.Results.Row;
import benchmark.Results.Target;
import benchmark.ServersUnderTest.ServerKind;
import benchmark.Results.Stat;
import static benchmark.ServersUnderTest.declaredOptions;
import static benchmark.Bench.machine;
import static benchmark.ServersUnderTest.serversToRun;
import static benchmark.Config.MiB;
import static benchmark.Config.OUT;

/** What the bench prints at the end, and the CSV and JSON files it writes. */
final class Report {
    private final BenchRun bench;
    private final Config cfg;
    private final Results results;
    private final List<Row> rows;
    private final List<Ratio> ratios;
    private final List<Target> targets;

    Report(BenchRun bench) {
        this.bench = bench;
        this.cfg = bench.cfg;
        this.results = bench.results;
        this.rows = results.rows;
        this.ratios = results.ratios;
        this.targets = results.targets;
    }

    private Optional<Row> find(String part, String subject, String condition) { return results.find(part, subject, condition); }

    // ------------------------------------------------------------------ output

    void report() {
        OUT.println();
        OUT.println("=".repeat(100));
        OUT.println("RESULTS (" + cfg.describe() + ")");
        OUT.println("Each figure: median [min-max] over the measured runs; warm-up runs are discarded. Machine-dependent: "
                + Runtime.getRuntime().availableProcessors() + " cores here.");

        if (cfg.parts.contains(1)) {
            OUT.println();
            OUT.println("Part 1. Clients against the same reader (the step-1 server), " + size(cfg.clientBytes) + " each. Ratio: CPU against select-client's on the same reader.");
            List<String[]> t = new ArrayList<>();
            t.add(new String[]{"client", "reader", "runs", "writes", "zero writes", "selects", "CPU ms", "wall ms", "MiB/s", "CPU x select", "bytes read"});
            for (Row r : rows) {
                if (!r.part.equals("clients")) continue;
                double sel = find("clients", "select-client", r.condition).map(x -> x.med("cpu_ms")).orElse(Double.NaN);
                t.add(new String[]{r.subject, r.condition.equals("slow") ? "slow " + fmt(cfg.slowRate) + " MiB/s" : "fast", String.valueOf(r.runs()),
                        r.get("writes").show("%.0f"), r.get("zero_writes").show("%.0f"), r.get("selects").show("%.0f"),
                        r.get("cpu_ms").show("%.1f"), r.get("wall_ms").show("%.0f"), r.get("mib_s").show("%.0f"),
                        String.format(Locale.ROOT, "%.1f", r.med("cpu_ms") / sel),
                        (r.failed ? "NOT ALL: " + r.note : r.get("bytes_read").show("%.0f"))});
            }
            table(t);
        }
        if (cfg.parts.contains(2)) {
            OUT.println();
            OUT.println("Part 2. Servers under C concurrent connections, " + size(cfg.totalBytes) + " per run shared equally."
                    + " Ratios: against each Netty at the same C (1loop: NIO on one event loop; nio: NIO default pool; epoll: native epoll).");
            OUT.println("  All C connections are opened and held before any of them sends; a connection is completed when the server has read");
            OUT.println("  it to the end and closed it, and the server's own SERVED lines (bytes, CRC32) account for every byte. MiB/s: all bytes");
            OUT.println("  over the whole run, connecting included. CPU per GiB, peak RSS (VmHWM) and threads: the server's JVM, from /proc.");
            OUT.println("  Every server JVM runs with " + (cfg.jvmOpts.isEmpty() ? "the JVM's defaults" : String.join(" ", cfg.jvmOpts))
                    + declaredOptions().map(o -> ", but select-server+opts adds the options its script declares: " + o).orElse("") + ".");
            for (ServerKind k : serversToRun(cfg)) OUT.printf("  %-18s %s%n", k.name(), k.design());
            Optional<Row> ceiling = find("ceiling", "loopback", "1 connection");
            double ceil = ceiling.map(r -> r.med("mib_s")).orElse(Double.NaN);
            List<String[]> t = new ArrayList<>();
            t.add(new String[]{"server", "C", "runs", "open at once", "completed", "errors", "MiB/s", "x 1loop", "x nio", "x epoll", "of ceiling",
                    "CPU s/GiB", "x 1loop", "peak RSS MiB", "x epoll", "threads", "note"});
            for (Row r : rows) {
                if (!r.part.equals("servers")) continue;
                Optional<Row> one = find("servers", "netty-nio-1loop", r.condition), nio = find("servers", "netty-nio", r.condition),
                        epoll = find("servers", "netty-epoll", r.condition);
                boolean ran = !r.get("mib_s").empty();
                t.add(new String[]{r.subject, r.condition, String.valueOf(ran ? r.get("mib_s").values.size() : 0),
                        ran ? String.format(Locale.ROOT, "%.0f", r.get("open_at_once").min()) : "-",
                        ran ? String.format(Locale.ROOT, "%.0f/%s", r.get("completed").min(), r.condition) : "-",
                        ran ? String.format(Locale.ROOT, "%.0f", r.get("errors").max() + r.get("timed_out").max()) : "-",
                        r.get("mib_s").show("%.0f"), ratio(r, one, "mib_s"), ratio(r, nio, "mib_s"), ratio(r, epoll, "mib_s"), percent(r.med("mib_s"), ceil),
                        r.get("cpu_s_per_gib").show("%.2f"), ratio(r, one, "cpu_s_per_gib"),
                        r.get("rss_mib").show("%.0f"), ratio(r, epoll, "rss_mib"), r.get("threads").show("%.0f"),
                        r.failed ? r.note : ""});
            }
            table(t);
        }
        if (cfg.parts.contains(3)) {
            OUT.println();
            OUT.println("Part 3. The loopback ceiling: one blocking Java sender to one Java reader (no checksum), the best of a few buffer sizes.");
            OUT.println("  First a sweep of sender/reader buffer sizes (before part 1); the best pair is the ceiling"
                    + (cfg.parts.contains(2) && bench.ceilingPair != null && Arrays.stream(cfg.conns).anyMatch(c -> c == 1)
                    ? ", measured again in part 2's rounds at C=1,\n  side by side with the servers, and that figure is the one every fraction uses." : "."));
            List<String[]> t = new ArrayList<>();
            t.add(new String[]{"what", "runs", "MiB/s", "fraction of ceiling"});
            double ceil = find("ceiling", "loopback", "1 connection").map(c -> c.med("mib_s")).orElse(Double.NaN);
            double bestSweep = rows.stream().filter(p -> p.part.equals("ceiling") && p.subject.startsWith("pair: ") && !p.get("mib_s").empty())
                    .mapToDouble(p -> p.med("mib_s")).max().orElse(Double.NaN);
            for (Row p : rows) {
                if (p.part.equals("ceiling") && p.subject.startsWith("pair: ")) {
                    t.add(new String[]{"sweep: " + p.subject.substring(6), String.valueOf(p.runs()), p.get("mib_s").show("%.0f") + (p.failed ? " (" + p.note + ")" : ""),
                            percent(p.med("mib_s"), bestSweep) + " of the best pair"});
                }
            }
            find("ceiling", "loopback", "1 connection").ifPresent(c -> t.add(new String[]{"CEILING (" + c.note + ")", String.valueOf(c.runs()),
                    c.get("mib_s").show("%.0f") + (c.failed ? " (failed)" : ""), "100%"}));
            find("ceiling", "load generator", "1 connection").filter(l -> !l.get("mib_s").empty()).ifPresent(l -> t.add(new String[]{
                    "load generator (part 2's, 1 connection) to the same reader", String.valueOf(l.runs()),
                    l.get("mib_s").show("%.0f") + (l.failed ? " (" + l.note + ")" : ""),
                    percent(l.med("mib_s"), find("ceiling", "loopback", "1 connection").get().med("mib_s"))}));
            for (Ratio q : ratios) {
                if (q.name().equals("fraction of ceiling")) {
                    Row r = find("servers", q.condition().replace(" C=1", ""), "1").get();
                    t.add(new String[]{q.condition(), String.valueOf(r.get("mib_s").values.size()), r.get("mib_s").show("%.0f"),
                            String.format(Locale.ROOT, "%.0f%%", 100 * q.value())});
                }
            }
            table(t);
        }
        OUT.println();
        OUT.println("Targets (measured by this run):");
        for (Target t : targets) OUT.printf("  [%s] %s: %s%n", t.status(), t.name(), t.detail());
        if (!results.integrityFailures.isEmpty()) OUT.println("  (every speed figure above is void: bytes were lost or corrupted, see the notes)");
    }

    static String ratio(Row r, Optional<Row> peer, String metric) {
        return ratio(r.med(metric), peer.map(p -> p.med(metric)).orElse(Double.NaN));
    }

    static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    static String percent(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * a / b);
    }

    static void table(List<String[]> t) {
        int[] w = new int[t.get(0).length];
        for (String[] r : t) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        for (int j = 0; j < t.size(); j++) {
            StringBuilder sb = new StringBuilder("  ");
            for (int i = 0; i < w.length; i++) sb.append(i == 0 || i == w.length - 1 ? pad(t.get(j)[i], w[i], false) : pad(t.get(j)[i], w[i], true)).append("  ");
            OUT.println(sb.toString().stripTrailing());
            if (j == 0) {
                StringBuilder line = new StringBuilder("  ");
                for (int x : w) line.append("-".repeat(x)).append("  ");
                OUT.println(line.toString().stripTrailing());
            }
        }
    }

    static String pad(String s, int w, boolean right) {
        String fill = " ".repeat(Math.max(0, w - s.length()));
        return right ? fill + s : s + fill;
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    static String size(long bytes) {
        if (bytes >= 1024 * MiB && bytes % (1024 * MiB) == 0) return bytes / (1024 * MiB) + " GiB";
        if (bytes >= MiB) return String.format(Locale.ROOT, bytes % MiB == 0 ? "%.0f MiB" : "%.1f MiB", bytes / (double) MiB);
        return String.format(Locale.ROOT, "%,d bytes", bytes);
    }

    static String csv(String s) { return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s; }

    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.valueOf((long) v);
        return new java.math.BigDecimal(v).round(new java.math.MathContext(7)).stripTrailingZeros().toPlainString();
    }

    /** Long format: one line per figure (median, min, max, runs), per run value, per ratio and per target. */
    void writeCsv(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("kind,part,subject,condition,metric,value,min,max,runs,note");
        for (Row r : rows) {
            for (Map.Entry<String, Stat> e : r.stats.entrySet()) {
                Stat s = e.getValue();
                lines.add(String.join(",", "figure", r.part, csv(r.subject), csv(r.condition), e.getKey(), num(s.median()), num(s.min()), num(s.max()),
                        String.valueOf(s.values.size()), csv(r.failed ? r.note : "")));
                for (int i = 0; i < s.values.size(); i++) {
                    lines.add(String.join(",", "run", r.part, csv(r.subject), csv(r.condition), e.getKey(), num(s.values.get(i)), "", "", String.valueOf(i + 1), ""));
                }
            }
            if (r.stats.values().stream().allMatch(Stat::empty)) {
                lines.add(String.join(",", "figure", r.part, csv(r.subject), csv(r.condition), "none", "", "", "", "0", csv(r.note)));
            }
        }
        for (Ratio q : ratios) {
            lines.add(String.join(",", "ratio", "ratio", csv(q.name()), csv(q.condition()), csv(q.numerator() + " / " + q.denominator()),
                    num(q.value()), "", "", "", ""));
        }
        for (Target t : targets) {
            lines.add(String.join(",", "target", "target", csv(t.name()), csv(t.status()), "measured " + t.direction() + " threshold",
                    num(t.measured()), num(t.threshold()), "", "", csv(t.detail())));
        }
        Files.write(file, lines);
    }

    static String json(String s) { return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""; }

    static String jnum(double v) { return Double.isNaN(v) || Double.isInfinite(v) ? "null" : num(v); }

    void writeJson(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("{\n  \"configuration\": ").append(json(cfg.describe())).append(",\n  \"machine\": ").append(json(machine()))
                .append(",\n  \"measured_at\": ").append(json(Instant.now().toString())).append(",\n  \"rows\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append("    {\"part\": ").append(json(r.part)).append(", \"subject\": ").append(json(r.subject)).append(", \"condition\": ")
                    .append(json(r.condition)).append(", \"failed\": ").append(r.failed).append(", \"note\": ").append(json(r.note)).append(", \"figures\": {");
            int j = 0;
            for (Map.Entry<String, Stat> e : r.stats.entrySet()) {
                Stat s = e.getValue();
                sb.append(j++ == 0 ? "" : ", ").append(json(e.getKey())).append(": {\"median\": ").append(jnum(s.median())).append(", \"min\": ")
                        .append(jnum(s.min())).append(", \"max\": ").append(jnum(s.max())).append(", \"runs\": [")
                        .append(s.values.stream().map(Report::jnum).collect(Collectors.joining(", "))).append("]}");
            }
            sb.append("}}").append(i < rows.size() - 1 ? "," : "").append("\n");
        }
        sb.append("  ],\n  \"ratios\": [\n");
        for (int i = 0; i < ratios.size(); i++) {
            Ratio q = ratios.get(i);
            sb.append("    {\"name\": ").append(json(q.name())).append(", \"condition\": ").append(json(q.condition())).append(", \"numerator\": ")
                    .append(json(q.numerator())).append(", \"denominator\": ").append(json(q.denominator())).append(", \"value\": ").append(jnum(q.value()))
                    .append("}").append(i < ratios.size() - 1 ? "," : "").append("\n");
        }
        sb.append("  ],\n  \"targets\": [\n");
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            sb.append("    {\"name\": ").append(json(t.name())).append(", \"status\": ").append(json(t.status())).append(", \"direction\": ").append(json(t.direction())).append(", \"measured\": ")
                    .append(jnum(t.measured())).append(", \"threshold\": ").append(jnum(t.threshold())).append(", \"detail\": ").append(json(t.detail()))
                    .append("}").append(i < targets.size() - 1 ? "," : "").append("\n");
        }
        sb.append("  ]\n}\n");
        Files.writeString(file, sb);
    }

}
