package benchmark;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import static benchmark.ServersUnderTest.SERVER_KEYS;
import static benchmark.Report.fmt;
import static benchmark.Processes.javaBin;
import static benchmark.Report.size;

/** The bench's configuration: its options, their defaults and the quick configuration; and how bad input is answered. */
final class Config {
    static final String USAGE = String.join("\n",
            "usage: bench [--quick] [--runs N] [--conns 1,100,1000,10000] [--total-mib N] [--servers a,b,..]",
            "             [--parts 1,2,3] [--slow-rate MiB/s] [--out DIR] [--jvm-opt X] [--dry-run]",
            "  --quick      a small configuration: C = 1 and 5, 32 MiB per run, 2 runs; part 1 on a",
            "               16 MiB transfer to a 4 MiB/s reader; the targets it cannot judge at that size say so",
            "  --runs N     measured runs per figure (the median and range are shown); one warm-up run more",
            "  --conns      the connection counts of part 2",
            "  --total-mib  the bytes every part-2 run sends, shared equally by its connections (default 2048)",
            "  --servers    part-2 servers to run: " + String.join(",", SERVER_KEYS) + " (default all)",
            "  --slow-rate  the pace of part 1's slow reader (default 5 MiB/s)",
            "  --out DIR    where results.csv, results.json and chart.png go (default target/bench)",
            "  --jvm-opt X  a JVM option for every part-2 server alike (repeatable; default: none, the JVM's own defaults)",
            "  --dry-run    print the configuration and the servers it would run, then stop",
            "The full configuration takes many minutes (benchmark/README.md says how long one run took). Every run has a deadline.",
            "Exit code 1 if any server lost or corrupted a byte (a count or a CRC32 that does not match), 2 for bad arguments.");

    static final long MiB = 1024 * 1024;
    static final PrintWriter OUT = new PrintWriter(System.out, true);

    boolean quick, dryRun;
    int runs = 3;
    int[] conns = {1, 100, 1000, 10000};
    long totalBytes = 2048 * MiB;
    long warmBytes = 512 * MiB;
    long clientBytes = 7L * 10 * 1024 * 1024; // the article's 'foobar\n' * 10 * 1024 * 1024
    double slowRate = 5;                     // MiB/s: a slow peer (a 40 Mbit/s link)
    List<String> servers = new ArrayList<>(SERVER_KEYS);
    List<Integer> parts = new ArrayList<>(List.of(1, 2, 3));
    List<String> jvmOpts = new ArrayList<>();
    Path out = Path.of("target", "bench");
    Duration runDeadline = Duration.ofSeconds(60);
    Duration budget = Duration.ofMinutes(45);

    String describe() {
        return String.format(Locale.ROOT, "%s: %d measured run%s per figure after 1 warm-up; part 1 sends %s per client, slow reader %s MiB/s;"
                        + " part 2 sends %s per run (warm-up %s) with C = %s; every run has a %d s deadline",
                quick ? "quick configuration" : "full configuration", runs, runs == 1 ? "" : "s", size(clientBytes), fmt(slowRate),
                size(totalBytes), size(warmBytes), Arrays.stream(conns).mapToObj(Integer::toString).collect(Collectors.joining(", ")),
                runDeadline.toSeconds()) + (jvmOpts.isEmpty() ? "; every server JVM runs with the JVM's defaults" : "; every server JVM runs with " + String.join(" ", jvmOpts));
    }

    static Config parse(String[] args) {
        Config c = new Config();
        boolean runsSet = false, connsSet = false, totalSet = false, rateSet = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> { OUT.println(USAGE); System.exit(0); }
                case "--quick" -> c.quick = true;
                case "--dry-run" -> c.dryRun = true;
                case "--runs" -> { c.runs = (int) whole(value(args, ++i, a), a, 1, 50); runsSet = true; }
                case "--conns" -> {
                    c.conns = Arrays.stream(value(args, ++i, a).split(",", -1)).mapToInt(s -> (int) whole(s.trim(), a, 1, 10000)).toArray();
                    connsSet = true;
                }
                case "--total-mib" -> { c.totalBytes = (long) (number(value(args, ++i, a), a, 1, 65536) * MiB); totalSet = true; }
                case "--slow-rate" -> { c.slowRate = number(value(args, ++i, a), a, 0.1, 10000); rateSet = true; }
                case "--servers" -> {
                    c.servers = new ArrayList<>(Arrays.asList(value(args, ++i, a).split(",", -1)));
                    for (String s : c.servers) if (!SERVER_KEYS.contains(s)) fail("unknown server '" + s + "' (expected some of " + String.join(",", SERVER_KEYS) + ")");
                }
                case "--parts" -> c.parts = Arrays.stream(value(args, ++i, a).split(",", -1)).map(s -> (int) whole(s.trim(), a, 1, 3)).collect(Collectors.toList());
                case "--out" -> c.out = Path.of(value(args, ++i, a));
                case "--jvm-opt" -> c.jvmOpts.add(value(args, ++i, a));
                default -> fail("unknown argument '" + a + "'; " + USAGE);
            }
        }
        if (c.quick) {
            if (!runsSet) c.runs = 2;
            if (!connsSet) c.conns = new int[]{1, 5};
            if (!totalSet) c.totalBytes = 32 * MiB;
            // Part 1 still shows the lesson: a reader slow enough that the retry loop spins for seconds,
            // and a transfer several times what the socket buffers hold.
            if (!rateSet) c.slowRate = 4;
            c.clientBytes = 16 * MiB;
            c.runDeadline = Duration.ofSeconds(20);
            c.budget = Duration.ofMinutes(4);
        }
        c.warmBytes = Math.max(1, c.quick ? c.totalBytes / 4 : Math.min(c.totalBytes, 512 * MiB));
        return c;
    }

    static String value(String[] args, int i, String option) {
        if (i >= args.length) fail(option + " needs a value; " + USAGE);
        return args[i];
    }

    static double number(String text, String what, double min, double max) {
        try {
            double v = Double.parseDouble(text);
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException ignored) { }
        fail("bad " + what + " '" + text + "' (expected " + fmt(min) + " to " + fmt(max) + ")");
        return 0;
    }

    /** A count: a whole number (1.5 runs or 1.9 connections are refused, not cut down). */
    static long whole(String text, String what, long min, long max) {
        try {
            long v = Long.parseLong(text);
            if (v >= min && v <= max) return v;
        } catch (NumberFormatException ignored) { }
        fail("bad " + what + " '" + text + "' (expected a whole number from " + min + " to " + max + ")");
        return 0;
    }

    // Checked before the first run, which the full bench reaches only after minutes: a folder the
    // results cannot be written to, and a JVM option the servers' JVM refuses.
    void checkBeforeRunning() {
        if (Files.exists(out) && !Files.isDirectory(out)) fail("cannot write the results to --out " + out + " (a file, not a folder)");
        try {
            Files.createDirectories(out);
            Files.delete(Files.createTempFile(out, ".bench-write-check", ""));
        } catch (IOException e) {
            fail("cannot write the results to --out " + out + " (" + (e instanceof java.nio.file.FileSystemException f
                    ? (f.getReason() != null ? f.getReason() : "cannot create or write " + f.getFile()) : e.getMessage()) + ")");
        }
        if (jvmOpts.isEmpty()) return;
        List<String> command = new ArrayList<>(List.of(javaBin().toString()));
        command.addAll(jvmOpts);
        command.add("-version");
        try {
            Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
            String said = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (java.waitFor() != 0) {
                fail("the servers' JVM refuses --jvm-opt " + String.join(" ", jvmOpts) + ": " + said.lines().findFirst().orElse("exit code " + java.exitValue()));
            }
        } catch (IOException | InterruptedException e) {
            fail("cannot start " + javaBin() + " to check --jvm-opt (" + e.getMessage() + ")");
        }
    }

    static void fail(String message) {
        System.err.println("bench: " + message);
        System.exit(2);
    }
}
