package benchmark;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import benchmark.Results.Ratio;
import benchmark.Results.Row;
import benchmark.Results.Target;
import static benchmark.ServersUnderTest.declaredOptions;
import static benchmark.Report.fmt;
import static benchmark.ServersUnderTest.serversToRun;
import static benchmark.Report.size;

/** The ratios between the results.rows of a run and the targets judged on them, from its configuration and results. */
final class Stats {
    private final Config cfg;
    private final Results results;
    private final List<Ratio> ratios;
    private final List<Target> targets;

    Stats(Config cfg, Results results) {
        this.cfg = cfg;
        this.results = results;
        this.ratios = results.ratios;
        this.targets = results.targets;
    }

    private Optional<Row> find(String part, String subject, String condition) { return results.find(part, subject, condition); }

    // ------------------------------------------------------------------ ratios and targets

    /** The peers every part-2 figure is compared with, at the same C, in the same run. */
    static final List<String> PEERS = List.of("netty-nio-1loop", "netty-nio", "netty-epoll");
    static final List<String> RATIO_METRICS = List.of("mib_s", "server_cpu_s", "cpu_s_per_gib", "rss_mib");

    void computeRatiosAndTargets() {
        // Part 1: CPU of retry / CPU of select, on each reader.
        for (String reader : List.of("fast", "slow")) {
            Optional<Row> retry = find("clients", "retry-client", reader), select = find("clients", "select-client", reader);
            if (retry.isPresent() && select.isPresent() && !retry.get().get("cpu_ms").empty() && !select.get().get("cpu_ms").empty()) {
                ratios.add(new Ratio("cpu retry/select", reader, "clients/retry-client/" + reader + "/cpu_ms",
                        "clients/select-client/" + reader + "/cpu_ms", retry.get().med("cpu_ms") / select.get().med("cpu_ms")));
            }
        }
        // Part 2: every server against each Netty peer at the same C.
        for (Row r : results.rows) {
            if (!r.part.equals("servers") || r.get("mib_s").empty()) continue;
            for (String peer : PEERS) {
                Optional<Row> p = find("servers", peer, r.condition);
                if (peer.equals(r.subject) || p.isEmpty() || p.get().get("mib_s").empty()) continue;
                for (String m : RATIO_METRICS) {
                    if (r.get(m).empty() || p.get().get(m).empty()) continue;
                    ratios.add(new Ratio(m + " vs " + peer, r.subject + " C=" + r.condition, "servers/" + r.subject + "/" + r.condition + "/" + m,
                            "servers/" + peer + "/" + r.condition + "/" + m, r.med(m) / p.get().med(m)));
                }
            }
        }
        // Part 3: every C=1 throughput as a fraction of the ceiling.
        Optional<Row> ceiling = find("ceiling", "loopback", "1 connection");
        if (ceiling.isPresent() && !ceiling.get().get("mib_s").empty()) {
            find("ceiling", "load generator", "1 connection").filter(l -> !l.get("mib_s").empty()).ifPresent(l ->
                    ratios.add(new Ratio("load generator fraction of ceiling", "C=1", "ceiling/load generator/1 connection/mib_s",
                            "ceiling/loopback/1 connection/mib_s", l.med("mib_s") / ceiling.get().med("mib_s"))));
            for (Row r : results.rows) {
                if (r.part.equals("servers") && r.condition.equals("1") && !r.get("mib_s").empty()) {
                    ratios.add(new Ratio("fraction of ceiling", r.subject + " C=1", "servers/" + r.subject + "/1/mib_s",
                            "ceiling/loopback/1 connection/mib_s", r.med("mib_s") / ceiling.get().med("mib_s")));
                }
            }
        }

        // The select-server against Netty on one event loop (its own design), and against Netty's native transport.
        for (String c : List.of("1000", "10000")) {
            against("select-server", "netty-nio-1loop", c, "mib_s", ">=", 1.0, "");
            against("select-server", "netty-nio-1loop", c, "cpu_s_per_gib", "<=", 1.0, "");
            against("select-server", "netty-epoll", c, "mib_s", ">=", c.equals("1000") ? 0.75 : 1.0, "");
            if (c.equals("1000")) against("select-server", "netty-epoll", c, "mib_s", ">=", 1.0, "stretch: ");
        }
        against("select-server", "netty-epoll", "10000", "rss_mib", "<=", 1.0, "");
        against("select-server", "netty-epoll", "10000", "rss_mib", "<=", 0.5, "stretch: ");
        if (serversToRun(cfg).stream().anyMatch(k -> k.key().equals("select-opts"))) {
            String opts = " (with its //JAVA_OPTIONS " + declaredOptions().orElse("") + ")";
            against("select-server+opts", "netty-epoll", "10000", "rss_mib", "<=", 1.0, "with its own options" + opts + ": ");
            against("select-server+opts", "netty-epoll", "10000", "mib_s", ">=", 1.0, "with its own options" + opts + ": ");
        }

        String name = "select-server at C=1 >= 80% of the loopback ceiling";
        Optional<Row> sel1 = find("servers", "select-server", "1");
        if (cfg.quick) {
            targets.add(notMeasured(name, ">=", 0.8, "its runs of " + size(cfg.totalBytes) + " last well under a second, too short to judge a fraction"));
        } else if (sel1.isPresent() && !sel1.get().get("mib_s").empty() && ceiling.isPresent() && !ceiling.get().get("mib_s").empty()) {
            double f = sel1.get().med("mib_s") / ceiling.get().med("mib_s");
            targets.add(judged(name, ">=", f, 0.8, sel1.get(), String.format(Locale.ROOT, "%.0f of %.0f MiB/s = %.0f%%",
                    sel1.get().med("mib_s"), ceiling.get().med("mib_s"), 100 * f)));
        } else {
            targets.add(notMeasured(name, ">=", 0.8, sel1.map(r -> r.note).filter(s -> !s.isEmpty()).orElse("part 2 at C=1 or part 3 did not run")));
        }

        name = "select-client uses >= 50x less CPU than retry-client on the slow reader";
        Optional<Ratio> slow = ratios.stream().filter(r -> r.name().equals("cpu retry/select") && r.condition().equals("slow")).findFirst();
        if (slow.isPresent()) {
            Row retry = find("clients", "retry-client", "slow").get(), select = find("clients", "select-client", "slow").get();
            Row both = new Row("clients", "retry and select", "slow");
            if (retry.failed || select.failed || retry.med("bytes_read") != select.med("bytes_read")) {
                both.failed = true;
                both.note = "not the same bytes: " + retry.note + " " + select.note;
            }
            // A crowded machine gives the spinning client less CPU than it wants (and the target is then MISSED): the note
            // says how much it wanted, on a core or queued for one, which no load shrinks.
            String wanted = retry.get("wanted_ms").empty() ? "" : String.format(Locale.ROOT, "; retry-client wanted %.0f ms (on a core or queued for one)",
                    retry.med("wanted_ms"));
            targets.add(judged(name, ">=", slow.get().value(), 50, both, String.format(Locale.ROOT, "%.0f ms vs %.1f ms CPU for %s each, reader at %s MiB/s%s",
                    retry.med("cpu_ms"), select.med("cpu_ms"), size((long) retry.med("bytes_read")), fmt(cfg.slowRate), wanted)));
        } else {
            targets.add(notMeasured(name, ">=", 50, "part 1 did not run"));
        }
    }

    /** A target on one figure of {@code subject} against the same figure of {@code peer} at C = {@code c}. */
    void against(String subject, String peer, String c, String metric, String direction, double threshold, String prefix) {
        String what = Map.of("mib_s", "MiB/s", "cpu_s_per_gib", "server CPU s per GiB", "rss_mib", "peak RSS").get(metric);
        String name = String.format(Locale.ROOT, "%s%s %s %s %.2fx %s's at C=%s", prefix, subject, what, direction, threshold, peer, c);
        Optional<Row> s = find("servers", subject, c), p = find("servers", peer, c);
        if (s.isEmpty() || p.isEmpty() || s.get().get(metric).empty() || p.get().get(metric).empty()) {
            String why = cfg.quick && Arrays.stream(cfg.conns).noneMatch(x -> String.valueOf(x).equals(c))
                    ? "C=" + c + " is not part of the quick configuration"
                    : s.map(r -> r.note).filter(n -> !n.isEmpty()).or(() -> p.map(r -> r.note).filter(n -> !n.isEmpty()))
                    .orElse("C=" + c + " is not in this configuration or a server did not run");
            targets.add(notMeasured(name, direction, threshold, why));
            return;
        }
        if (p.get().failed) { // a peer's figures from a failed run are no yardstick
            targets.add(notMeasured(name, direction, threshold, peer + " failed at C=" + c + ": " + p.get().note));
            return;
        }
        double v = s.get().med(metric) / p.get().med(metric);
        String format = metric.equals("cpu_s_per_gib") ? "%.2f" : "%.0f";
        targets.add(judged(name, direction, v, threshold, s.get(), String.format(Locale.ROOT, "%s vs %s (x%.2f)",
                String.format(Locale.ROOT, format, s.get().med(metric)), String.format(Locale.ROOT, format, p.get().med(metric)), v)
                + (metric.equals("rss_mib") ? " MiB" : "")));
    }

    /**
     * Met when the measured value is on the right side of the threshold and the row it was measured on lost no connection;
     * the detail says FAILED when a connection failed, so that a reader of the CSV can recompute the verdict.
     */
    static Target judged(String name, String direction, double measured, double threshold, Row on, String detail) {
        boolean holds = direction.equals(">=") ? measured >= threshold : measured <= threshold;
        String full = detail + (on.failed ? "; FAILED: " + on.note : "");
        return new Target(name, holds && !on.failed ? "met" : "MISSED", direction, measured, threshold, full);
    }

    Target notMeasured(String name, String direction, double threshold, String why) {
        return new Target(name, cfg.quick ? "not measured in --quick" : "not measured", direction, Double.NaN, threshold, why);
    }

}
