package benchmark;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import nbio.MachineLines;
import benchmark.Results.Row;
import benchmark.Processes.Child;
import benchmark.LoadGenerator.LoadResult;
import benchmark.ServersUnderTest.ServerKind;
import benchmark.Processes.ThreadSampler;
import static benchmark.LoadGenerator.blockingSend;
import static benchmark.Processes.cpuSeconds;
import static benchmark.LoadGenerator.expectedCrc;
import static benchmark.Report.fmt;
import static benchmark.Processes.javaBin;
import static benchmark.ServersUnderTest.serversToRun;
import static benchmark.Report.size;
import static benchmark.Results.LOST;
import benchmark.LoadGenerator.LoadGen;
import static benchmark.Config.MiB;
import static benchmark.Config.OUT;
import static benchmark.Processes.statusKb;
import static benchmark.ServersUnderTest.serverCommand;

/** The three parts of the bench: part 3 (the ceiling, measured first), part 1 (the client steps) and part 2 (servers under C connections). */
final class Parts {
    private final BenchRun bench;
    private final Config cfg;
    private final Results results;

    Parts(BenchRun bench) {
        this.bench = bench;
        this.cfg = bench.cfg;
        this.results = bench.results;
    }

    private Row row(String part, String subject, String condition) { return results.row(part, subject, condition); }
    private Optional<Row> find(String part, String subject, String condition) { return results.find(part, subject, condition); }
    private void lostBytes(Row r, String what) { results.lostBytes(r, what); }

    // ------------------------------------------------------------------ part 3: the loopback ceiling

    /** The sender/reader pairs tried for the ceiling: read and write size, and socket buffers (0: the kernel tunes them). */
    record Pair(int chunk, int socketBuffer) {
        String label() {
            return (chunk >= MiB ? chunk / MiB + " MiB" : chunk / 1024 + " KiB") + " reads/writes, "
                    + (socketBuffer == 0 ? "kernel-tuned socket buffers" : socketBuffer / MiB + " MiB socket buffers");
        }
    }

    static final List<Pair> CEILING_PAIRS = List.of(new Pair(64 * 1024, 0), new Pair(256 * 1024, 0), new Pair((int) MiB, 0),
            new Pair((int) MiB, 4 * (int) MiB));

    /**
     * The loopback limit: one blocking Java sender to one blocking Java reader (its own JVM), no checksum, tried with a few
     * buffer sizes; the best median is the ceiling. Then part 2's load generator feeds that same reader.
     */
    void partCeiling() throws Exception {
        OUT.println();
        OUT.println("== Part 3 (measured first): the loopback ceiling: one blocking sender, one reader, both Java, a few buffer sizes ==");
        Row best = null;
        Pair bestPair = null;
        // The quick configuration skips the sweep and tries only the largest pair.
        for (Pair pair : cfg.quick ? CEILING_PAIRS.subList(CEILING_PAIRS.size() - 1, CEILING_PAIRS.size()) : CEILING_PAIRS) {
            Row r = row("ceiling", "pair: " + pair.label(), "1 connection");
            try (Child sink = sink(pair)) {
                int port = sink.awaitPort(Duration.ofSeconds(30));
                for (int run = 0; run <= ceilingRuns(); run++) {
                    long bytes = run == 0 ? cfg.warmBytes : cfg.totalBytes;
                    long[] before = sink.counters();
                    long t0 = System.nanoTime();
                    long sent = blockingSend(port, bytes, pair, System.nanoTime() + cfg.runDeadline.toNanos());
                    boolean all = sink.awaitServed(before[0] + 1, System.nanoTime() + cfg.runDeadline.toNanos());
                    double secs = (System.nanoTime() - t0) / 1e9;
                    long got = sink.counters()[1] - before[1];
                    OUT.printf(Locale.ROOT, "  %-58s %-7s sent %s, the reader got %s, %.0f MiB/s%n", pair.label(), run == 0 ? "warm-up" : "run " + run,
                            size(sent), size(got), got / (double) MiB / secs);
                    if (run == 0) continue;
                    r.stat("mib_s").add(got / (double) MiB / secs);
                    r.stat("bytes_sent").add(sent);
                    r.stat("bytes_read").add(got);
                    if (!all || got != bytes) { r.failed = true; r.note = "the reader did not get every byte"; }
                }
            } catch (Exception e) {
                r.failed = true;
                r.note = "failed: " + e.getMessage();
                OUT.println("  " + r.note);
            }
            if (!r.failed && !r.get("mib_s").empty() && (best == null || r.med("mib_s") > best.med("mib_s"))) {
                best = r;
                bestPair = pair;
            }
        }
        Row ceiling = row("ceiling", "loopback", "1 connection");
        if (best == null) {
            ceiling.failed = true;
            ceiling.note = "no sender/reader pair got every byte through";
            return;
        }
        ceiling.stats.putAll(best.stats);
        ceiling.note = "the best pair: " + bestPair.label();
        bench.ceilingPair = bestPair;
        // Part 2's load generator (one NIO thread, kernel-tuned buffers) feeding the best pair's reader, C = 1:
        // how much of the ceiling the load generator itself can reach.
        Row lg = row("ceiling", "load generator", "1 connection");
        try (Child sink = sink(bestPair)) {
            int port = sink.awaitPort(Duration.ofSeconds(30));
            for (int run = 0; run <= cfg.runs; run++) {
                long bytes = run == 0 ? cfg.warmBytes : cfg.totalBytes;
                long[] before = sink.counters();
                LoadResult lr = LoadGen.run(port, 1, bytes, System.nanoTime() + cfg.runDeadline.toNanos());
                sink.awaitServed(before[0] + 1, System.nanoTime() + 10_000_000_000L);
                long got = sink.counters()[1] - before[1];
                double mibs = got / (double) MiB / (lr.wallNanos() / 1e9);
                OUT.printf(Locale.ROOT, "  %-58s %-7s sent %s, the reader got %s, %.0f MiB/s%n", "part 2's load generator to the best pair's reader",
                        run == 0 ? "warm-up" : "run " + run, size(lr.sent()), size(got), mibs);
                if (run == 0) continue;
                lg.stat("mib_s").add(mibs);
                lg.stat("bytes_sent").add(lr.sent());
                lg.stat("bytes_read").add(got);
                if (lr.completed() != 1 || got != bytes) { lg.failed = true; lg.note = "the reader did not get every byte"; }
            }
        } catch (Exception e) {
            lg.failed = true;
            lg.note = "failed: " + e.getMessage();
            OUT.println("  " + lg.note);
        }
    }

    /** Loopback throughput swings from run to run (which core each side runs on); these runs are short, so take more. */
    int ceilingRuns() { return cfg.quick ? cfg.runs : Math.max(cfg.runs, 5); }

    Child sink(Pair pair) throws IOException {
        return new Child(bench.children, "sink", List.of(javaBin().toString(), "-cp", System.getProperty("java.class.path"), ServersUnderTest.class.getName() + "$Sink", "0",
                String.valueOf(pair.chunk()), String.valueOf(pair.socketBuffer())));
    }

    /** One blocking sender; returns the bytes sent (all of them unless the deadline passed). */
    // ------------------------------------------------------------------ part 1: clients against the same reader

    static final List<String[]> CLIENTS = List.of(
            new String[]{"blocking-client", "BlockingClient"},
            new String[]{"retry-client", "RetryClient"},
            new String[]{"select-client", "SelectClient"});

    void partClients() throws Exception {
        for (String reader : List.of("fast", "slow")) {
            OUT.println();
            OUT.printf(Locale.ROOT, "== Part 1: the client steps send %s to the step-1 server reading %s ==%n", size(cfg.clientBytes),
                    reader.equals("fast") ? "as fast as it can (1 KiB reads)" : "at a fixed " + fmt(cfg.slowRate) + " MiB/s");
            List<String> cmd = new ArrayList<>(List.of(javaBin().toString(), "-cp", bench.stepClasses.toString(), "Server", "0", "--no-progress"));
            if (reader.equals("slow")) cmd.addAll(List.of("--read-rate", fmt(cfg.slowRate)));
            try (Child server = new Child(bench.children, "server-" + reader, cmd)) {
                int port = server.awaitPort(Duration.ofSeconds(30));
                server.expect(Map.of(cfg.clientBytes, expectedCrc(cfg.clientBytes)));
                // Warm the reader's JVM once (each client is a fresh JVM anyway); discarded.
                runClient(server, port, "BlockingClient", reader.equals("fast") ? cfg.clientBytes : Math.min(cfg.clientBytes, 4 * MiB));
                // Round-robin: run 1 of every client, then run 2 of every client, ...: drift in the machine's load
                // hits every client alike.
                Map<String, Row> byClient = new LinkedHashMap<>();
                for (String[] client : CLIENTS) byClient.put(client[0], row("clients", client[0], reader));
                for (int run = 1; run <= cfg.runs && !bench.overBudget(); run++) {
                    for (String[] client : CLIENTS) {
                        Row r = byClient.get(client[0]);
                        if (r.failed) continue;
                        long[] before = server.counters();
                        Map<String, String> res = runClient(server, port, client[1], cfg.clientBytes);
                        long[] after = server.counters();
                        if (res == null) { r.failed = true; r.note = "no RESULT line: " + server.tail(); continue; }
                        double wall = Double.parseDouble(res.get("wall_ms"));
                        long bytes = Long.parseLong(res.get("bytes"));
                        r.stat("bytes").add(bytes);
                        r.stat("bytes_read").add(after[1] - before[1]);
                        r.stat("writes").add(Double.parseDouble(res.get("writes")));
                        r.stat("zero_writes").add(Double.parseDouble(res.get("zero_writes")));
                        r.stat("selects").add(Double.parseDouble(res.get("selects")));
                        r.stat("cpu_ms").add(Double.parseDouble(res.get("cpu_ms")));
                        if (res.containsKey("queued_ms")) {
                            // On a core or queued for one: the CPU time the client wanted, whatever the machine's load gave it.
                            double queued = Double.parseDouble(res.get("queued_ms"));
                            r.stat("queued_ms").add(queued);
                            r.stat("wanted_ms").add(Double.parseDouble(res.get("cpu_ms")) + queued);
                        }
                        r.stat("wall_ms").add(wall);
                        r.stat("mib_s").add(bytes / (double) MiB / (wall / 1000));
                        boolean intact = after[3] - before[3] == 1 && after[4] == before[4] && after[1] - before[1] == cfg.clientBytes;
                        if (after[4] > before[4] || (bytes == cfg.clientBytes && after[1] - before[1] != bytes)) {
                            lostBytes(r, client[0] + " on the " + reader + " reader, run " + run + ": the client sent " + bytes + " bytes, the server read "
                                    + (after[1] - before[1]) + (server.firstBad() != null ? " (" + server.firstBad() + ")" : ""));
                        } else if (!intact) { r.failed = true; r.note = "the reader did not get every byte"; }
                        OUT.printf(Locale.ROOT, "  %-15s run %d: %,d writes (%,d returned 0), %,d selects, %.1f ms CPU, %.1f ms wall; the reader got %,d bytes%s%n",
                                client[0], run, Long.parseLong(res.get("writes")), Long.parseLong(res.get("zero_writes")),
                                Long.parseLong(res.get("selects")), Double.parseDouble(res.get("cpu_ms")), wall, after[1] - before[1],
                                intact ? ", crc32 ok" : ", NOT INTACT");
                    }
                }
            }
        }
    }

    /** Runs one client step in its own JVM and returns the fields of its RESULT line (null if it printed none). */
    Map<String, String> runClient(Child server, int port, String className, long bytes) throws Exception {
        long servedBefore = server.counters()[0];
        try (Child c = new Child(bench.children, className, List.of(javaBin().toString(), "-cp", bench.stepClasses.toString(), className,
                "localhost", String.valueOf(port), String.valueOf(bytes)))) {
            long deadline = System.nanoTime() + Math.max(cfg.runDeadline.toNanos(), (long) (bytes / (cfg.slowRate * MiB) * 3e9));
            if (!c.process.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) {
                OUT.println("  " + className + " missed its deadline: stopped");
                return null;
            }
            c.pump.join(5000);
            server.awaitServed(servedBefore + 1, System.nanoTime() + 10_000_000_000L);
            return c.resultLine == null ? null : MachineLines.fields(c.resultLine);
        }
    }

    /** One server JVM at one C, with its row of figures. */
    static final class Cell {
        final ServerKind kind;
        final Row row;
        Child server;
        int port;
        long peakThreads;
        boolean done;
        String role = "server"; // or "ceiling" (blocking pair) or "load generator": both against a Sink, at C = 1
        Cell(ServerKind kind, Row row) { this.kind = kind; this.row = row; }
        String name() { return kind != null ? kind.name() : role; }
    }

    /**
     * For each C, a fresh JVM per server (so peak RSS belongs to that C), then rounds: the warm-up of every server, run 1
     * of every server, run 2 of every server, ... Interleaved so that drift in the machine's load hits every server alike.
     */
    void partServers() throws Exception {
        OUT.println();
        OUT.println("== Part 2: servers under C concurrent connections (load generator: one NIO thread in this process) ==");
        Map<String, Integer> failedAt = new HashMap<>();
        for (int c : cfg.conns) {
            List<Cell> cells = new ArrayList<>();
            try {
                if (c == 1 && bench.ceilingPair != null) {
                    // The ceiling and the load generator's own limit are measured again here, in the same rounds as the
                    // servers at C = 1, so that every "fraction of the ceiling" compares runs taken side by side.
                    for (String role : List.of("ceiling", "load generator")) {
                        Row r = find("ceiling", role.equals("ceiling") ? "loopback" : "load generator", "1 connection").orElse(null);
                        if (r == null) continue;
                        r.stats.clear();
                        r.failed = false;
                        r.note = role.equals("ceiling") ? "best pair: " + bench.ceilingPair.label() + "; re-measured beside the servers"
                                : "re-measured beside the servers, to the best pair's reader";
                        Cell cell = new Cell(null, r);
                        cell.role = role;
                        cell.server = sink(bench.ceilingPair);
                        cell.port = cell.server.awaitPort(Duration.ofSeconds(30));
                        cells.add(cell);
                    }
                }
                for (ServerKind kind : serversToRun(cfg)) {
                    Row r = row("servers", kind.name(), String.valueOf(c));
                    r.stat("conns");
                    List<String> cmd = serverCommand(cfg, bench.stepClasses, bench.work, kind);
                    String skip = cmd == null ? (kind.key().equals("virtual") ? "skipped: no JDK 21+ found (set NBIO_JAVA21_HOME)" : "missing: scripts/SelectServer.java not found")
                            : failedAt.containsKey(kind.key()) ? "not run: it already failed at C=" + failedAt.get(kind.key())
                            : bench.overBudget() ? "not run: the bench's time budget (" + cfg.budget.toMinutes() + " min) is spent" : null;
                    if (skip != null) {
                        r.failed = true;
                        r.note = skip;
                        OUT.printf("  %-16s C=%-6d %s%n", kind.name(), c, r.note);
                        continue;
                    }
                    Cell cell = new Cell(kind, r);
                    try {
                        cell.server = new Child(bench.children, kind.name() + "-" + c, cmd);
                        cell.port = cell.server.awaitPort(Duration.ofSeconds(60));
                        cells.add(cell);
                    } catch (Exception e) {
                        r.failed = true;
                        r.note = "failed to start: " + e.getMessage();
                        OUT.println("  " + kind.name() + " C=" + c + ": " + r.note);
                        if (cell.server != null) cell.server.close();
                        failedAt.put(kind.key(), c);
                    }
                }
                for (int run = 0; run <= cfg.runs; run++) {
                    for (Cell cell : cells) {
                        if (cell.done) continue;
                        if (!serverRun(cell, c, run)) {
                            cell.done = true;
                            if (cell.kind != null) failedAt.put(cell.kind.key(), c);
                        }
                    }
                    if (bench.overBudget()) break;
                }
            } finally {
                for (Cell cell : cells) {
                    if (cell.kind != null) {
                        cell.row.stat("rss_mib").add(statusKb(cell.server.pid(), "VmHWM") / 1024.0);
                        cell.row.stat("threads").add(cell.peakThreads);
                    }
                    cell.server.close();
                }
            }
        }
    }

    /** One run (run 0: the warm-up) of one server at C = {@code conns}; false if it failed. */
    boolean serverRun(Cell cell, int conns, int run) throws IOException, InterruptedException {
        if (cell.kind == null) return limitRun(cell, run);
        Child server = cell.server;
        Row r = cell.row;
        long pid = server.pid();
        long total = run == 0 ? cfg.warmBytes : cfg.totalBytes;
        long base = total / conns;
        Map<Long, Long> crcs = new HashMap<>();
        crcs.put(base, expectedCrc(base));
        crcs.put(base + 1, expectedCrc(base + 1));
        server.expect(crcs);
        long[] before = server.counters();
        double cpu0 = cpuSeconds(pid);
        LoadResult lr;
        try (ThreadSampler threads = new ThreadSampler(pid)) {
            lr = LoadGen.run(cell.port, conns, total, System.nanoTime() + cfg.runDeadline.toNanos(), threads::sample);
            // Every connection the server closed after reading it all must be reported. On a busy machine 10,000 report
            // lines can take well over 10 s to arrive, so wait for them generously (the wait ends as soon as they are in);
            // then a short wait for the reports of connections that failed.
            server.awaitServed(before[0] + lr.completed(), System.nanoTime() + 120_000_000_000L);
            server.awaitServed(before[0] + conns, System.nanoTime() + 2_000_000_000L);
            threads.close();
            cell.peakThreads = Math.max(cell.peakThreads, threads.max);
        }
        double cpu = cpuSeconds(pid) - cpu0;
        long[] after = server.counters();
        long served = after[0] - before[0], servedBytes = after[1] - before[1], intact = after[3] - before[3];
        double mibs = lr.sent() / (double) MiB / (lr.wallNanos() / 1e9);
        boolean ok = lr.completed() == conns && served == conns && servedBytes == total && intact == conns && after[2] == before[2];
        // A connection the server read to its end must report exactly what was sent (count and CRC32), and every connection
        // the load generator saw the server close after reading it must have been reported: anything else is lost bytes.
        long corrupt = after[4] - before[4], unreported = Math.max(0, lr.completed() - intact - corrupt);
        if (corrupt > 0 || unreported > 0) {
            lostBytes(r, cell.kind.name() + " C=" + conns + " " + (run == 0 ? "warm-up" : "run " + run) + ": "
                    + (corrupt > 0 ? corrupt + " connection(s) read to the end with the wrong bytes, first: " + server.firstBad() : "")
                    + (corrupt > 0 && unreported > 0 ? "; " : "")
                    + (unreported > 0 ? unreported + " connection(s) closed by the server without a SERVED line" : ""));
            ok = false;
        }
        OUT.printf(Locale.ROOT, "  %-16s C=%-6d %-8s %d open at once after %.0f ms; %d/%d completed, %d errors, %d timed out, sent %s, served %s (%d intact), %.0f MiB/s, %.2f s CPU%s%n",
                cell.kind.name(), conns, run == 0 ? "warm-up" : "run " + run, lr.connectedAtStart(), lr.connectNanos() / 1e6, lr.completed(), conns, lr.errors(), lr.timedOut(),
                size(lr.sent()), size(servedBytes), intact, mibs, cpu,
                ok ? "" : "  <- " + (lr.firstError() != null ? lr.firstError() : lr.timedOut() > 0 ? "deadline " + cfg.runDeadline.toSeconds() + " s" : "bytes missing"));
        if (run == 0 && ok) return true; // the warm-up is discarded; a failing warm-up is the cell's result
        r.stat("conns").add(conns);
        r.stat("completed").add(lr.completed());
        r.stat("errors").add(lr.errors());
        r.stat("timed_out").add(lr.timedOut());
        r.stat("bytes_planned").add(total);
        r.stat("bytes_sent").add(lr.sent());
        r.stat("bytes_served").add(servedBytes);
        r.stat("intact").add(intact);
        r.stat("wall_ms").add(lr.wallNanos() / 1e6);
        r.stat("connect_ms").add(lr.connectNanos() / 1e6);
        r.stat("open_at_once").add(lr.connectedAtStart());
        r.stat("mib_s").add(mibs);
        r.stat("server_cpu_s").add(cpu);
        if (servedBytes > 0) r.stat("cpu_s_per_gib").add(cpu / (servedBytes / (1024.0 * MiB)));
        if (!ok && !r.note.startsWith(LOST)) {
            r.failed = true;
            r.note = (run == 0 ? "failed in the warm-up: " : "failed: ") + lr.completed() + "/" + conns + " completed, " + lr.errors() + " errors, "
                    + lr.timedOut() + " timed out" + (lr.firstError() != null ? " (" + lr.firstError() + ")" : "")
                    + (lr.timedOut() > 0 ? " (deadline " + cfg.runDeadline.toSeconds() + " s)" : "")
                    + (served != conns || after[2] != before[2] ? "; the server reported " + served + " connections, " + (after[2] - before[2]) + " not ended by EOF" : "")
                    + (server.process.isAlive() ? "" : "; the server exited with code " + server.process.exitValue() + ": " + server.tail());
            OUT.println("    " + r.note);
        }
        return ok;
    }

    /** One run of the ceiling's blocking pair, or of the load generator with one connection, against a Sink. */
    boolean limitRun(Cell cell, int run) throws IOException, InterruptedException {
        long bytes = run == 0 ? cfg.warmBytes : cfg.totalBytes;
        long[] before = cell.server.counters();
        long t0 = System.nanoTime(), sent, wall;
        boolean completed;
        if (cell.role.equals("ceiling")) {
            sent = blockingSend(cell.port, bytes, bench.ceilingPair, System.nanoTime() + cfg.runDeadline.toNanos());
            completed = cell.server.awaitServed(before[0] + 1, System.nanoTime() + cfg.runDeadline.toNanos());
            wall = System.nanoTime() - t0;
        } else {
            LoadResult lr = LoadGen.run(cell.port, 1, bytes, System.nanoTime() + cfg.runDeadline.toNanos());
            cell.server.awaitServed(before[0] + 1, System.nanoTime() + 10_000_000_000L);
            sent = lr.sent();
            wall = lr.wallNanos();
            completed = lr.completed() == 1;
        }
        long got = cell.server.counters()[1] - before[1];
        double mibs = got / (double) MiB / (wall / 1e9);
        OUT.printf(Locale.ROOT, "  %-16s C=%-6d %-8s sent %s, the reader got %s, %.0f MiB/s%n", cell.role, 1, run == 0 ? "warm-up" : "run " + run,
                size(sent), size(got), mibs);
        boolean ok = completed && got == bytes;
        if (run == 0 && ok) return true;
        cell.row.stat("mib_s").add(mibs);
        cell.row.stat("bytes_sent").add(sent);
        cell.row.stat("bytes_read").add(got);
        if (!ok) { cell.row.failed = true; cell.row.note = "the reader did not get every byte"; }
        return ok;
    }

}
