///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Benchmark: the client steps against one reader, the pack's select-server against threads, virtual threads and Netty (NIO on one event loop, NIO default, native epoll) under up to 10,000 connections, and the loopback ceiling; ratios, targets, CSV and a PNG chart.
//DEPS io.netty:netty-transport:4.2.18.Final
//DEPS io.netty:netty-transport-native-epoll:4.2.18.Final:linux-x86_64
//DEPS org.knowm.xchart:xchart:3.8.8
//SOURCES nbio/MachineLines.java
//SOURCES nbio/Jdks.java
//SOURCES nbio/Failure.java
//SOURCES nbio/StepScripts.java
//SOURCES benchmark/Config.java
//SOURCES benchmark/BenchRun.java
//SOURCES benchmark/Results.java
//SOURCES benchmark/Processes.java
//SOURCES benchmark/LoadGenerator.java
//SOURCES benchmark/ServersUnderTest.java
//SOURCES benchmark/Stats.java
//SOURCES benchmark/Parts.java
//SOURCES benchmark/Report.java
//SOURCES benchmark/Chart.java
//FILES Server.java
//FILES BlockingClient.java
//FILES RetryClient.java
//FILES SelectClient.java
//FILES SelectServer.java
//FILES nbio/=nbio/*.java
//FILES benchmark/=benchmark/VirtualThreadServer.java
package benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import nbio.Failure;
import static benchmark.Config.OUT;
import static benchmark.Processes.compileSteps;
import static benchmark.ServersUnderTest.declaredOptions;
import static benchmark.Processes.deleteTree;
import static benchmark.Processes.java21;
import static benchmark.ServersUnderTest.serversToRun;
import benchmark.ServersUnderTest.ServerKind;

/*
 * The pack's benchmark. Everything it prints is measured in this run, on this machine.
 *
 *   Part 1  the client steps (blocking, retry, select) send the article's 70 MB to the step-1 server,
 *           once reading as fast as it can and once reading at a fixed slow pace.
 *   Part 2  a load generator (one NIO thread in this process) opens C connections at once, each
 *           sending an equal share of 2 GiB, against the servers, each in its own JVM: the step-1
 *           server, thread-per-connection, the pack's select-server, virtual threads (JDK 21+) and
 *           Netty three ways (NIO on one event loop, NIO with its default pool, native epoll).
 *   Part 3  the loopback ceiling: one blocking sender, one reader, large buffers, both Java.
 *
 * This file runs the parts in order and writes the results; the parts live in benchmark/, one concern a file,
 * each importing by name what it uses from the others. Nothing is shared through statics: one BenchRun is handed
 * to each part.
 *   Config            options and the quick configuration
 *   BenchRun          one run: its configuration, working folder, compiled steps, child processes and results
 *   Results           what a run measured: figures, rows, ratios, targets, lost bytes
 *   Processes         child JVMs and what /proc says about them
 *   LoadGenerator     the bytes every sender sends, and the senders
 *   ServersUnderTest  the servers of part 2 (those that are not step scripts run as `java -cp <class path>
 *                     benchmark.ServersUnderTest$Name`, each in its own process with its own CPU time, RSS, threads)
 *   Parts             parts 1, 2 and 3
 *   Stats             the ratios and targets judged on a run's results
 *   Report, Chart     the tables, CSV, JSON and the PNG chart (XChart)
 */
public class Bench {
    public static void main(String[] args) throws Exception {
        BenchRun bench = new BenchRun(Config.parse(args));
        Config cfg = bench.cfg;
        OUT.println("bench: " + cfg.describe());
        OUT.println("bench: " + plan(cfg));
        if (cfg.dryRun) System.exit(0);
        cfg.checkBeforeRunning();
        // However the bench ends (done, a failure, Ctrl-C): no child left running, no working folder left behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            bench.children.killAll();
            if (bench.work != null) try { deleteTree(bench.work); } catch (RuntimeException ignored) { }
        }));
        try {
            bench.work = Files.createTempDirectory("nbio-bench");
        } catch (IOException e) {
            System.err.println("bench: cannot make a working folder in " + System.getProperty("java.io.tmpdir") + " (" + Failure.reason(e)
                    + "); free some space there or point -Djava.io.tmpdir elsewhere");
            System.exit(1);
        }
        OUT.println("bench: " + machine());
        OUT.println("bench: " + load(bench.results, "before"));
        try {
            bench.stepClasses = compileSteps();
        } catch (IOException e) { // mkdir works on a full filesystem; the first write does not
            System.err.println("bench: cannot write the steps' sources and classes into " + System.getProperty("java.io.tmpdir") + " (" + Failure.reason(e)
                    + "); free some space there or point -Djava.io.tmpdir elsewhere");
            System.exit(1);
        }
        declaredOptions().ifPresent(o -> OUT.println("bench: scripts/SelectServer.java declares //JAVA_OPTIONS " + o
                + ": select-server runs without them (the same JVM options as every server), and select-server+opts with them"));

        Parts parts = new Parts(bench);
        if (cfg.parts.contains(3)) parts.partCeiling();
        if (cfg.parts.contains(1)) parts.partClients();
        if (cfg.parts.contains(2)) parts.partServers();

        String after = load(bench.results, "after");
        new Stats(cfg, bench.results).computeRatiosAndTargets();
        Report report = new Report(bench);
        report.report();
        OUT.println("bench: " + after);
        Files.createDirectories(cfg.out);
        report.writeCsv(cfg.out.resolve("results.csv"));
        report.writeJson(cfg.out.resolve("results.json"));
        if (cfg.parts.contains(2)) new Chart(cfg, bench.results).chart(cfg.out.resolve("chart.png"));
        OUT.printf(Locale.ROOT, "bench: wrote %s, %s%s; took %.0f s%n", cfg.out.resolve("results.csv"), cfg.out.resolve("results.json"),
                cfg.parts.contains(2) ? ", " + cfg.out.resolve("chart.png") : "", (System.nanoTime() - bench.startNanos) / 1e9);
        deleteTree(bench.work);
        // Speed means nothing if bytes went missing: a count or CRC32 that does not match fails the whole bench.
        List<String> lost = bench.results.integrityFailures;
        if (!lost.isEmpty()) {
            OUT.println("bench: FAILED: " + lost.size() + " run(s) lost or corrupted bytes: " + String.join("; ", lost));
            System.exit(1);
        }
        System.exit(0);
    }

    /** What the bench will run, so that a dry run shows it. */
    static String plan(Config cfg) {
        return "parts " + cfg.parts.stream().map(String::valueOf).collect(Collectors.joining(", ")) + "; part-2 servers: "
                + serversToRun(cfg).stream().map(ServerKind::name).collect(Collectors.joining(", "));
    }

    /** Other work on the machine skews every figure (2 cores here): the load average is recorded before and after. */
    static String load(Results results, String when) {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            results.row("machine", "load average", when).stat("loadavg_1min").add(Double.parseDouble(f[0]));
            return String.format(Locale.ROOT, "load average %s the bench: %s (1 min), %s (5 min) on %d cores%s", when, f[0], f[1],
                    Runtime.getRuntime().availableProcessors(), when.equals("after") ? " (the bench's own load included)"
                            : Double.parseDouble(f[0]) > 0.5 * Runtime.getRuntime().availableProcessors()
                            ? ": the machine is busy with other work, so the figures will be lower and noisier than on an idle machine" : "");
        } catch (IOException | RuntimeException e) {
            return "load average " + when + " the bench: unknown";
        }
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException ignored) { }
        long memKb = 0;
        try {
            memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0);
        } catch (IOException ignored) { }
        return String.format(Locale.ROOT, "machine: %d cores (%s), %.0f GiB RAM, %s %s, Java %s (bench and servers), virtual threads on %s",
                Runtime.getRuntime().availableProcessors(), cpu, memKb / 1048576.0, System.getProperty("os.name"), System.getProperty("os.version"),
                Runtime.version(), java21().map(Path::toString).orElse("no JDK 21+ found"));
    }
}
