///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Benchmark: the client steps against one reader, five server designs (the pack's, threads, virtual threads, Netty) under up to 10,000 connections, and the loopback ceiling; ratios, targets, CSV and a PNG chart.
//DEPS io.netty:netty-transport:4.2.18.Final
//FILES Server.java
//FILES BlockingClient.java
//FILES RetryClient.java
//FILES SelectClient.java
//FILES SelectServer.java

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.tools.ToolProvider;

/*
 * The pack's benchmark. Everything it prints is measured in this run, on this machine.
 *
 *   Part 1  the client steps (blocking, retry, select) send the article's 70 MB to the step-1 server,
 *           once reading as fast as it can and once reading at a fixed slow pace.
 *   Part 2  a load generator (one NIO thread in this process) opens C connections at once, each
 *           sending an equal share of 2 GiB, against five servers, each in its own JVM:
 *           the step-1 server, thread-per-connection, the pack's select-server, virtual threads
 *           (JDK 21+) and a Netty discard server.
 *   Part 3  the loopback ceiling: one blocking sender, one reader, large buffers, both Java.
 *
 * The server programs that are not step scripts are the nested classes below (ThreadServer,
 * VirtualThreadServer, NettyServer, Sink); the bench starts each as `java -cp <its own class path>
 * Bench$Name`, so each has its own process, its own CPU time, RSS and thread count in /proc.
 */
public class Bench {
    static final String USAGE = String.join("\n",
            "usage: bench [--quick] [--runs N] [--conns 1,100,1000,10000] [--total-mib N] [--servers a,b,..]",
            "             [--parts 1,2,3] [--slow-rate MiB/s] [--out DIR]",
            "  --quick      a small configuration (seconds, not minutes): C = 1 and 5, 32 MiB per run, 2 runs",
            "  --runs N     measured runs per figure (the median and range are shown); one warm-up run more",
            "  --conns      the connection counts of part 2",
            "  --total-mib  the bytes every part-2 run sends, shared equally by its connections (default 2048)",
            "  --servers    part-2 servers to run: step1,threads,select,virtual,netty (default all)",
            "  --slow-rate  the pace of part 1's slow reader (default 5 MiB/s)",
            "  --out DIR    where results.csv, results.json and chart.png go (default target/bench)",
            "  --jvm-opt X  a JVM option for every part-2 server alike (repeatable; default: none, the JVM's own defaults)",
            "Full configuration: about 8 to 10 minutes on 2 cores (longer on a busy machine). Every run has a deadline.");

    static final long MiB = 1024 * 1024;
    static final PrintWriter OUT = new PrintWriter(System.out, true);

    // ------------------------------------------------------------------ configuration

    static final class Config {
        boolean quick;
        int runs = 3;
        int[] conns = {1, 100, 1000, 10000};
        long totalBytes = 2048 * MiB;
        long warmBytes = 512 * MiB;
        long clientBytes = 7L * 10 * 1024 * 1024; // the article's 'foobar\n' * 10 * 1024 * 1024
        double slowRate = 5;                     // MiB/s: a slow peer (a 40 Mbit/s link)
        List<String> servers = new ArrayList<>(List.of("step1", "threads", "select", "virtual", "netty"));
        List<Integer> parts = new ArrayList<>(List.of(1, 2, 3));
        List<String> jvmOpts = new ArrayList<>();
        Path out = Path.of("target", "bench");
        Duration runDeadline = Duration.ofSeconds(60);
        Duration budget = Duration.ofMinutes(20);

        String describe() {
            return String.format(Locale.ROOT, "%s: %d measured run%s per figure after 1 warm-up; part 1 sends %s per client, slow reader %.1f MiB/s;"
                            + " part 2 sends %s per run (warm-up %s) with C = %s; every run has a %d s deadline",
                    quick ? "quick configuration" : "full configuration", runs, runs == 1 ? "" : "s", size(clientBytes), slowRate,
                    size(totalBytes), size(warmBytes), Arrays.stream(conns).mapToObj(Integer::toString).collect(Collectors.joining(", ")),
                    runDeadline.toSeconds()) + (jvmOpts.isEmpty() ? "" : "; every server JVM runs with " + String.join(" ", jvmOpts));
        }
    }

    static Config parse(String[] args) {
        Config c = new Config();
        boolean runsSet = false, connsSet = false, totalSet = false, rateSet = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> { OUT.println(USAGE); System.exit(0); }
                case "--quick" -> c.quick = true;
                case "--runs" -> { c.runs = (int) number(value(args, ++i, a), a, 1, 50); runsSet = true; }
                case "--conns" -> {
                    c.conns = Arrays.stream(value(args, ++i, a).split(",")).mapToInt(s -> (int) number(s.trim(), a, 1, 10000)).toArray();
                    connsSet = true;
                }
                case "--total-mib" -> { c.totalBytes = (long) (number(value(args, ++i, a), a, 1, 65536) * MiB); totalSet = true; }
                case "--slow-rate" -> { c.slowRate = number(value(args, ++i, a), a, 0.1, 10000); rateSet = true; }
                case "--servers" -> {
                    c.servers = new ArrayList<>(Arrays.asList(value(args, ++i, a).split(",")));
                    for (String s : c.servers) if (!List.of("step1", "threads", "select", "virtual", "netty").contains(s)) fail("unknown server '" + s + "'; " + USAGE);
                }
                case "--parts" -> c.parts = Arrays.stream(value(args, ++i, a).split(",")).map(s -> (int) number(s.trim(), a, 1, 3)).collect(Collectors.toList());
                case "--out" -> c.out = Path.of(value(args, ++i, a));
                case "--jvm-opt" -> c.jvmOpts.add(value(args, ++i, a));
                default -> fail("unknown argument '" + a + "'; " + USAGE);
            }
        }
        if (c.quick) {
            if (!runsSet) c.runs = 2;
            if (!connsSet) c.conns = new int[]{1, 5};
            if (!totalSet) c.totalBytes = 32 * MiB;
            if (!rateSet) c.slowRate = 64;
            c.clientBytes = 24 * MiB; // more than the socket buffers hold, so the slow reader still holds the clients back
            c.runDeadline = Duration.ofSeconds(20);
            c.budget = Duration.ofMinutes(3);
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

    static void fail(String message) {
        System.err.println("bench: " + message);
        System.exit(2);
    }

    // ------------------------------------------------------------------ results

    /** One measured figure: its values over the measured runs. */
    static final class Stat {
        final List<Double> values = new ArrayList<>();
        void add(double v) { values.add(v); }
        boolean empty() { return values.isEmpty(); }
        double median() {
            if (values.isEmpty()) return Double.NaN;
            double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }
        double min() { return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN); }
        double max() { return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN); }
        String show(String format) {
            if (values.isEmpty()) return "-";
            String m = String.format(Locale.ROOT, format, median());
            if (values.size() == 1 || min() == max()) return m;
            return m + " [" + String.format(Locale.ROOT, format, min()) + "-" + String.format(Locale.ROOT, format, max()) + "]";
        }
    }

    /** A row of a table: what was measured (subject, condition) and its figures by name. */
    static final class Row {
        final String part, subject, condition;
        final Map<String, Stat> stats = new LinkedHashMap<>();
        String note = "";
        boolean failed;
        Row(String part, String subject, String condition) { this.part = part; this.subject = subject; this.condition = condition; }
        Stat stat(String name) { return stats.computeIfAbsent(name, k -> new Stat()); }
        Stat get(String name) { return stats.getOrDefault(name, new Stat()); }
        double med(String name) { Stat s = stats.get(name); return s == null ? Double.NaN : s.median(); }
        int runs() { return stats.values().stream().mapToInt(s -> s.values.size()).max().orElse(0); }
    }

    record Ratio(String name, String condition, String numerator, String denominator, double value) { }

    record Target(String name, String status, double measured, double threshold, String detail) { }

    static final List<Row> rows = new ArrayList<>();
    static final List<Ratio> ratios = new ArrayList<>();
    static final List<Target> targets = new ArrayList<>();

    static Row row(String part, String subject, String condition) {
        Row r = new Row(part, subject, condition);
        rows.add(r);
        return r;
    }

    static Optional<Row> find(String part, String subject, String condition) {
        return rows.stream().filter(r -> r.part.equals(part) && r.subject.equals(subject) && r.condition.equals(condition)).findFirst();
    }

    // ------------------------------------------------------------------ main

    static Config cfg;
    static Path work;
    static Path stepClasses;
    static long benchStart;
    static final List<Process> children = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        cfg = parse(args);
        benchStart = System.nanoTime();
        Runtime.getRuntime().addShutdownHook(new Thread(Bench::killChildren));
        work = Files.createTempDirectory("nbio-bench");
        OUT.println("bench: " + cfg.describe());
        OUT.println("bench: " + machine());
        OUT.println("bench: " + load("before"));
        stepClasses = compileSteps();

        if (cfg.parts.contains(3)) partCeiling();
        if (cfg.parts.contains(1)) partClients();
        if (cfg.parts.contains(2)) partServers();

        String after = load("after");
        computeRatiosAndTargets();
        report();
        OUT.println("bench: " + after);
        Files.createDirectories(cfg.out);
        writeCsv(cfg.out.resolve("results.csv"));
        writeJson(cfg.out.resolve("results.json"));
        if (cfg.parts.contains(2)) chart(cfg.out.resolve("chart.png"));
        OUT.printf(Locale.ROOT, "bench: wrote %s, %s%s; took %.0f s%n", cfg.out.resolve("results.csv"), cfg.out.resolve("results.json"),
                cfg.parts.contains(2) ? ", " + cfg.out.resolve("chart.png") : "", (System.nanoTime() - benchStart) / 1e9);
        deleteTree(work);
        System.exit(0);
    }

    /** Other work on the machine skews every figure (2 cores here): the load average is recorded before and after. */
    static String load(String when) {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            row("machine", "load average", when).stat("loadavg_1min").add(Double.parseDouble(f[0]));
            return String.format(Locale.ROOT, "load average %s the bench: %s (1 min), %s (5 min) on %d cores%s", when, f[0], f[1],
                    Runtime.getRuntime().availableProcessors(), when.equals("after") ? " (the bench's own load included)"
                            : Double.parseDouble(f[0]) > 0.5 * Runtime.getRuntime().availableProcessors()
                            ? ": the machine is busy with other work, so the figures will be lower and noisier than on an idle machine" : "");
        } catch (IOException | RuntimeException e) {
            return "load average " + when + " the bench: unknown";
        }
    }

    static boolean overBudget() { return System.nanoTime() - benchStart > cfg.budget.toNanos(); }

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

    // ------------------------------------------------------------------ processes

    static Path javaBin() { return Path.of(System.getProperty("java.home"), "bin", "java"); }

    /** A JDK 21+ for the virtual-thread server: this one, $NBIO_JAVA21_HOME, or one installed in the usual places. */
    static Optional<Path> java21() {
        if (Runtime.version().feature() >= 21) return Optional.of(javaBin());
        List<Path> homes = new ArrayList<>();
        for (String env : List.of("NBIO_JAVA21_HOME", "JAVA21_HOME", "JAVA_HOME")) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) homes.add(Path.of(v));
        }
        for (Path dir : List.of(Path.of("/usr/lib/jvm"), Path.of("/opt/java"), Path.of(System.getProperty("user.home"), ".jbang", "cache", "jdks"),
                Path.of(System.getProperty("user.home"), ".sdkman", "candidates", "java"))) {
            try (Stream<Path> s = Files.list(dir)) {
                s.sorted().forEach(homes::add);
            } catch (IOException ignored) { }
        }
        return homes.stream().filter(h -> Files.isExecutable(h.resolve("bin/java")) && featureOf(h) >= 21)
                .max((a, b) -> Integer.compare(featureOf(a), featureOf(b))).map(h -> h.resolve("bin/java"));
    }

    static int featureOf(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"))) {
                Matcher m = Pattern.compile("^JAVA_VERSION=\"(\\d+)").matcher(line);
                if (m.find()) return Integer.parseInt(m.group(1));
            }
        } catch (IOException ignored) { }
        return 0;
    }

    /** The step scripts travel with this one (//FILES, inside JBang's jar) or lie beside it in scripts/. */
    static Path compileSteps() throws IOException {
        Path src = Files.createDirectories(work.resolve("src")), classes = Files.createDirectories(work.resolve("classes"));
        List<String> javacArgs = new ArrayList<>(List.of("-d", classes.toString(), "-nowarn"));
        for (String name : List.of("Server", "BlockingClient", "RetryClient", "SelectClient", "SelectServer")) {
            Path copy = src.resolve(name + ".java");
            try (InputStream packed = Bench.class.getResourceAsStream("/" + name + ".java")) {
                if (packed != null) Files.copy(packed, copy);
                else if (Files.exists(Path.of("scripts", name + ".java"))) Files.copy(Path.of("scripts", name + ".java"), copy);
                else { OUT.println("bench: " + name + ".java not found: its rows are reported as missing"); continue; }
            }
            javacArgs.add(copy.toString());
        }
        if (ToolProvider.getSystemJavaCompiler() == null) fail("this Java has no compiler: run the bench with a JDK, not a JRE");
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        if (ToolProvider.getSystemJavaCompiler().run(null, errors, errors, javacArgs.toArray(String[]::new)) != 0) {
            fail("the step scripts do not compile:\n" + errors);
        }
        return classes;
    }

    static boolean compiled(String className) { return Files.exists(stepClasses.resolve(className + ".class")); }

    static synchronized Process spawn(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        children.add(p);
        return p;
    }

    static synchronized void killChildren() {
        for (Process p : children) p.descendants().forEach(ProcessHandle::destroyForcibly);
        for (Process p : children) p.destroyForcibly();
    }

    /** A child process whose output lines are read as they come: SERVED lines are counted and checked. */
    static final class Child implements AutoCloseable {
        final String name;
        final Process process;
        final Deque<String> tail = new ArrayDeque<>();
        final Thread pump;
        long served, servedBytes, notEof, crcOk, crcBad;
        String resultLine;
        int port = -1;
        Map<Long, Long> expectedCrc = Map.of();

        Child(String name, List<String> command) throws IOException {
            this.name = name;
            this.process = spawn(command);
            pump = new Thread(this::pump, "pump-" + name);
            pump.setDaemon(true);
            pump.start();
        }

        private void pump() {
            Pattern listening = Pattern.compile("listening on [^\\s:]+:(\\d+)");
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (this) {
                        if (line.startsWith("SERVED ")) {
                            Map<String, String> f = fields(line);
                            long bytes = Long.parseLong(f.getOrDefault("bytes", "0"));
                            served++;
                            servedBytes += bytes;
                            if (!"eof".equals(f.get("ended"))) notEof++;
                            Long want = expectedCrc.get(bytes);
                            if (want != null && String.format("%08x", want).equals(f.get("crc32"))) crcOk++;
                            else crcBad++;
                        } else if (line.startsWith("RESULT ")) {
                            resultLine = line;
                        } else {
                            Matcher m = listening.matcher(line);
                            if (port < 0 && m.find()) port = Integer.parseInt(m.group(1));
                        }
                        if (!line.startsWith("SERVED ") && !line.matches("^[\\w-]+: client \\d+ .*")) {
                            tail.addLast(line);
                            if (tail.size() > 12) tail.removeFirst();
                        }
                        notifyAll();
                    }
                }
            } catch (IOException ignored) { }
            synchronized (this) { notifyAll(); }
        }

        synchronized int awaitPort(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (port < 0 && process.isAlive() && System.nanoTime() < deadline) wait(100);
            if (port < 0) throw new IllegalStateException(name + " did not print 'listening on localhost:PORT' within " + timeout.toSeconds() + " s: " + tail());
            return port;
        }

        /** Waits until the server has reported {@code count} connections in all, or the deadline passes. */
        synchronized boolean awaitServed(long count, long deadlineNanos) throws InterruptedException {
            while (served < count && process.isAlive() && System.nanoTime() < deadlineNanos) wait(50);
            return served >= count;
        }

        synchronized void expect(Map<Long, Long> crcs) { expectedCrc = crcs; }

        synchronized long[] counters() { return new long[]{served, servedBytes, notEof, crcOk, crcBad}; }

        synchronized String tail() { return String.join(" | ", tail); }

        long pid() { return process.pid(); }

        @Override public void close() {
            process.destroy(); // SIGTERM: the servers print their TOTAL line and exit
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    static Map<String, String> fields(String line) {
        Map<String, String> f = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(\\w+)=(\\S+)").matcher(line);
        while (m.find()) f.put(m.group(1), m.group(2));
        return f;
    }

    // /proc readings of a child: CPU ticks, peak RSS, threads.
    static final long CLK_TCK = 100; // USER_HZ, 100 on Linux

    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLK_TCK;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("\\D", ""));
            }
        } catch (IOException | RuntimeException ignored) { }
        return -1;
    }

    /** Samples a process's thread count while a run goes on. */
    static final class ThreadSampler implements AutoCloseable {
        final long pid;
        volatile long max;
        volatile boolean stop;
        final Thread thread;
        ThreadSampler(long pid) {
            this.pid = pid;
            max = statusKb(pid, "Threads");
            thread = new Thread(() -> {
                while (!stop) {
                    max = Math.max(max, statusKb(pid, "Threads"));
                    try { Thread.sleep(5); } catch (InterruptedException e) { return; }
                }
            }, "threads-" + pid);
            thread.setDaemon(true);
            thread.start();
        }
        void sample() { max = Math.max(max, statusKb(pid, "Threads")); }

        @Override public void close() {
            stop = true;
            thread.interrupt();
            max = Math.max(max, statusKb(pid, "Threads"));
        }
    }

    // ------------------------------------------------------------------ the data every client sends

    // 'foobar\n' over and over, as in the article; ~1 MiB, a whole number of patterns, so any stream of
    // it can be cut from this buffer at (bytes sent so far) modulo its length.
    static final int PATTERN_LENGTH = 7 * 149797;
    static final ByteBuffer PATTERN = pattern();

    static ByteBuffer pattern() {
        ByteBuffer b = ByteBuffer.allocateDirect(PATTERN_LENGTH);
        byte[] foobar = "foobar\n".getBytes(StandardCharsets.US_ASCII);
        while (b.hasRemaining()) b.put(foobar);
        return b.flip().asReadOnlyBuffer();
    }

    static final Map<Long, Long> crcCache = new HashMap<>();

    /** The CRC32 of the first {@code size} bytes of the stream every client sends. */
    static synchronized long expectedCrc(long size) {
        return crcCache.computeIfAbsent(size, s -> {
            CRC32 crc = new CRC32();
            ByteBuffer view = PATTERN.duplicate();
            for (long done = 0; done < s; ) {
                int n = (int) Math.min(PATTERN_LENGTH, s - done);
                view.clear().limit(n);
                crc.update(view);
                done += n;
            }
            return crc.getValue();
        });
    }

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
    static void partCeiling() throws Exception {
        OUT.println();
        OUT.println("== Part 3 (measured first): the loopback ceiling: one blocking sender, one reader, both Java, a few buffer sizes ==");
        Row best = null;
        Pair bestPair = null;
        for (Pair pair : CEILING_PAIRS) {
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
        ceilingPair = bestPair;
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

    static Pair ceilingPair; // the sender/reader pair with the best median in the sweep

    /** Loopback throughput swings from run to run (which core each side runs on); these runs are short, so take more. */
    static int ceilingRuns() { return cfg.quick ? cfg.runs : Math.max(cfg.runs, 5); }

    static Child sink(Pair pair) throws IOException {
        return new Child("sink", List.of(javaBin().toString(), "-cp", System.getProperty("java.class.path"), "Bench$Sink", "0",
                String.valueOf(pair.chunk()), String.valueOf(pair.socketBuffer())));
    }

    /** One blocking sender; returns the bytes sent (all of them unless the deadline passed). */
    static long blockingSend(int port, long bytes, Pair pair, long deadlineNanos) throws IOException {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open()) {
            if (pair.socketBuffer() > 0) ch.setOption(StandardSocketOptions.SO_SNDBUF, pair.socketBuffer());
            ch.connect(new InetSocketAddress("localhost", port));
            ByteBuffer view = PATTERN.duplicate();
            long sent = 0;
            int pos = 0;
            while (sent < bytes && System.nanoTime() < deadlineNanos) {
                if (pos + pair.chunk() > PATTERN_LENGTH) pos = 0;
                view.clear().position(pos).limit(pos + (int) Math.min(pair.chunk(), bytes - sent));
                while (view.hasRemaining()) sent += ch.write(view);
                pos += pair.chunk();
            }
            return sent;
        }
    }

    /** The ceiling's reader: blocking, one connection at a time, direct reads of the given size, no checksum. */
    public static final class Sink {
        public static void main(String[] args) throws IOException {
            int chunk = Integer.parseInt(args[1]), socketBuffer = Integer.parseInt(args[2]);
            ServerSocketChannel listener = ServerSocketChannel.open();
            if (socketBuffer > 0) listener.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
            listener.bind(new InetSocketAddress("localhost", Integer.parseInt(args[0])), 64);
            System.out.println("sink: listening on localhost:" + ((InetSocketAddress) listener.getLocalAddress()).getPort());
            ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
            for (long client = 1; ; client++) {
                long bytes = 0, reads = 0, t0 = System.nanoTime();
                try (java.nio.channels.SocketChannel ch = listener.accept()) {
                    for (int n; (n = ch.read(buf.clear())) >= 0; ) { bytes += n; reads++; }
                }
                System.out.printf(Locale.ROOT, "SERVED client=%d bytes=%d reads=%d ms=%.1f crc32=none ended=eof%n",
                        client, bytes, reads, (System.nanoTime() - t0) / 1e6);
            }
        }
    }

    // ------------------------------------------------------------------ part 1: clients against the same reader

    static final List<String[]> CLIENTS = List.of(
            new String[]{"blocking-client", "BlockingClient"},
            new String[]{"retry-client", "RetryClient"},
            new String[]{"select-client", "SelectClient"});

    static void partClients() throws Exception {
        for (String reader : List.of("fast", "slow")) {
            OUT.println();
            OUT.printf(Locale.ROOT, "== Part 1: the client steps send %s to the step-1 server reading %s ==%n", size(cfg.clientBytes),
                    reader.equals("fast") ? "as fast as it can (1 KiB reads)" : "at a fixed " + fmt(cfg.slowRate) + " MiB/s");
            List<String> cmd = new ArrayList<>(List.of(javaBin().toString(), "-cp", stepClasses.toString(), "Server", "0", "--no-progress"));
            if (reader.equals("slow")) cmd.addAll(List.of("--read-rate", fmt(cfg.slowRate)));
            try (Child server = new Child("server-" + reader, cmd)) {
                int port = server.awaitPort(Duration.ofSeconds(30));
                server.expect(Map.of(cfg.clientBytes, expectedCrc(cfg.clientBytes)));
                // Warm the reader's JVM once (each client is a fresh JVM anyway); discarded.
                runClient(server, port, "BlockingClient", reader.equals("fast") ? cfg.clientBytes : Math.min(cfg.clientBytes, 4 * MiB));
                // Round-robin: run 1 of every client, then run 2 of every client, ...: drift in the machine's load
                // hits every client alike.
                Map<String, Row> byClient = new LinkedHashMap<>();
                for (String[] client : CLIENTS) byClient.put(client[0], row("clients", client[0], reader));
                for (int run = 1; run <= cfg.runs && !overBudget(); run++) {
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
                        r.stat("wall_ms").add(wall);
                        r.stat("mib_s").add(bytes / (double) MiB / (wall / 1000));
                        boolean intact = after[3] - before[3] == 1 && after[4] == before[4] && after[1] - before[1] == cfg.clientBytes;
                        if (!intact) { r.failed = true; r.note = "the reader did not get every byte intact"; }
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
    static Map<String, String> runClient(Child server, int port, String className, long bytes) throws Exception {
        long servedBefore = server.counters()[0];
        try (Child c = new Child(className, List.of(javaBin().toString(), "-cp", stepClasses.toString(), className,
                "localhost", String.valueOf(port), String.valueOf(bytes)))) {
            long deadline = System.nanoTime() + Math.max(cfg.runDeadline.toNanos(), (long) (bytes / (cfg.slowRate * MiB) * 3e9));
            if (!c.process.waitFor(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)) {
                OUT.println("  " + className + " missed its deadline: stopped");
                return null;
            }
            c.pump.join(5000);
            server.awaitServed(servedBefore + 1, System.nanoTime() + 10_000_000_000L);
            return c.resultLine == null ? null : fields(c.resultLine);
        }
    }

    // ------------------------------------------------------------------ part 2: servers under many clients

    record ServerKind(String key, String name, String design) { }

    static final List<ServerKind> SERVERS = List.of(
            new ServerKind("step1", "step1-blocking", "step 1: one thread, one client at a time, listen backlog 5, 1 KiB reads"),
            new ServerKind("threads", "thread-per-conn", "a platform thread per connection, blocking 16 KiB reads"),
            new ServerKind("select", "select-server", "the pack's step 6: one thread, one Selector"),
            new ServerKind("virtual", "virtual-threads", "a virtual thread per connection (JDK 21+), blocking 16 KiB reads"),
            new ServerKind("netty", "netty", "Netty 4.2 discard server, NIO transport, default worker pool"));

    /** The command of a part-2 server, with --jvm-opt options (the same for every server) after its java. */
    static List<String> serverCommand(ServerKind kind) {
        List<String> cmd = baseCommand(kind);
        if (cmd == null || cfg.jvmOpts.isEmpty()) return cmd;
        List<String> withOpts = new ArrayList<>(cmd.subList(0, 1));
        withOpts.addAll(cfg.jvmOpts);
        withOpts.addAll(cmd.subList(1, cmd.size()));
        return withOpts;
    }

    static List<String> baseCommand(ServerKind kind) {
        String cp = System.getProperty("java.class.path");
        return switch (kind.key()) {
            case "step1" -> List.of(javaBin().toString(), "-cp", stepClasses.toString(), "Server", "0", "--no-progress");
            case "select" -> compiled("SelectServer")
                    ? List.of(javaBin().toString(), "-cp", stepClasses.toString(), "SelectServer", "0", "--no-progress")
                    : null;
            case "threads" -> List.of(javaBin().toString(), "-cp", cp, "Bench$ThreadServer", "0");
            case "virtual" -> java21().map(j -> List.of(j.toString(), "-cp", cp, "Bench$VirtualThreadServer", "0")).orElse(null);
            case "netty" -> List.of(javaBin().toString(), "-cp", cp, "Bench$NettyServer", "0");
            default -> throw new IllegalArgumentException(kind.key());
        };
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
    static void partServers() throws Exception {
        OUT.println();
        OUT.println("== Part 2: servers under C concurrent connections (load generator: one NIO thread in this process) ==");
        Map<String, Integer> failedAt = new HashMap<>();
        for (int c : cfg.conns) {
            List<Cell> cells = new ArrayList<>();
            try {
                if (c == 1 && ceilingPair != null) {
                    // The ceiling and the load generator's own limit are measured again here, in the same rounds as the
                    // servers at C = 1, so that every "fraction of the ceiling" compares runs taken side by side.
                    for (String role : List.of("ceiling", "load generator")) {
                        Row r = find("ceiling", role.equals("ceiling") ? "loopback" : "load generator", "1 connection").orElse(null);
                        if (r == null) continue;
                        r.stats.clear();
                        r.failed = false;
                        r.note = role.equals("ceiling") ? "best pair: " + ceilingPair.label() + "; re-measured beside the servers"
                                : "re-measured beside the servers, to the best pair's reader";
                        Cell cell = new Cell(null, r);
                        cell.role = role;
                        cell.server = sink(ceilingPair);
                        cell.port = cell.server.awaitPort(Duration.ofSeconds(30));
                        cells.add(cell);
                    }
                }
                for (ServerKind kind : SERVERS) {
                    if (!cfg.servers.contains(kind.key())) continue;
                    Row r = row("servers", kind.name(), String.valueOf(c));
                    r.stat("conns");
                    List<String> cmd = serverCommand(kind);
                    String skip = cmd == null ? (kind.key().equals("virtual") ? "skipped: no JDK 21+ found (set NBIO_JAVA21_HOME)" : "missing: scripts/SelectServer.java not found")
                            : failedAt.containsKey(kind.key()) ? "not run: it already failed at C=" + failedAt.get(kind.key())
                            : overBudget() ? "not run: the bench's time budget (" + cfg.budget.toMinutes() + " min) is spent" : null;
                    if (skip != null) {
                        r.failed = true;
                        r.note = skip;
                        OUT.printf("  %-16s C=%-6d %s%n", kind.name(), c, r.note);
                        continue;
                    }
                    Cell cell = new Cell(kind, r);
                    try {
                        cell.server = new Child(kind.name() + "-" + c, cmd);
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
                    if (overBudget()) break;
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
    static boolean serverRun(Cell cell, int conns, int run) throws IOException, InterruptedException {
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
            server.awaitServed(before[0] + conns, System.nanoTime() + (lr.completed == conns ? 10_000_000_000L : 2_000_000_000L));
            threads.close();
            cell.peakThreads = Math.max(cell.peakThreads, threads.max);
        }
        double cpu = cpuSeconds(pid) - cpu0;
        long[] after = server.counters();
        long served = after[0] - before[0], servedBytes = after[1] - before[1], intact = after[3] - before[3];
        double mibs = lr.sent / (double) MiB / (lr.wallNanos / 1e9);
        boolean ok = lr.completed == conns && served == conns && servedBytes == total && intact == conns && after[2] == before[2];
        OUT.printf(Locale.ROOT, "  %-16s C=%-6d %-8s %d open at once after %.0f ms; %d/%d completed, %d errors, %d timed out, sent %s, served %s (%d intact), %.0f MiB/s, %.2f s CPU%s%n",
                cell.kind.name(), conns, run == 0 ? "warm-up" : "run " + run, lr.connectedAtStart(), lr.connectNanos() / 1e6, lr.completed, conns, lr.errors, lr.timedOut,
                size(lr.sent), size(servedBytes), intact, mibs, cpu,
                ok ? "" : "  <- " + (lr.firstError != null ? lr.firstError : lr.timedOut > 0 ? "deadline " + cfg.runDeadline.toSeconds() + " s" : "bytes missing"));
        if (run == 0 && ok) return true; // the warm-up is discarded; a failing warm-up is the cell's result
        r.stat("conns").add(conns);
        r.stat("completed").add(lr.completed);
        r.stat("errors").add(lr.errors);
        r.stat("timed_out").add(lr.timedOut);
        r.stat("bytes_planned").add(total);
        r.stat("bytes_sent").add(lr.sent);
        r.stat("bytes_served").add(servedBytes);
        r.stat("intact").add(intact);
        r.stat("wall_ms").add(lr.wallNanos / 1e6);
        r.stat("connect_ms").add(lr.connectNanos() / 1e6);
        r.stat("open_at_once").add(lr.connectedAtStart());
        r.stat("mib_s").add(mibs);
        r.stat("server_cpu_s").add(cpu);
        if (!ok) {
            r.failed = true;
            r.note = (run == 0 ? "failed in the warm-up: " : "failed: ") + lr.completed + "/" + conns + " completed, " + lr.errors + " errors, "
                    + lr.timedOut + " timed out" + (lr.firstError != null ? " (" + lr.firstError + ")" : "")
                    + (lr.timedOut > 0 ? " (deadline " + cfg.runDeadline.toSeconds() + " s)" : "")
                    + (served != conns || after[2] != before[2] ? "; the server reported " + served + " connections, " + (after[2] - before[2]) + " not ended by EOF" : "")
                    + (server.process.isAlive() ? "" : "; the server exited with code " + server.process.exitValue() + ": " + server.tail());
            OUT.println("    " + r.note);
        }
        return ok;
    }

    /** One run of the ceiling's blocking pair, or of the load generator with one connection, against a Sink. */
    static boolean limitRun(Cell cell, int run) throws IOException, InterruptedException {
        long bytes = run == 0 ? cfg.warmBytes : cfg.totalBytes;
        long[] before = cell.server.counters();
        long t0 = System.nanoTime(), sent, wall;
        boolean completed;
        if (cell.role.equals("ceiling")) {
            sent = blockingSend(cell.port, bytes, ceilingPair, System.nanoTime() + cfg.runDeadline.toNanos());
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

    record LoadResult(int completed, int errors, int timedOut, long sent, long wallNanos, long connectNanos, int connectedAtStart,
                      String firstError) { }

    /**
     * The load generator: one thread, one Selector. It opens {@code conns} non-blocking connections (at most 256 still
     * connecting at once) and holds them all open; when all are connected (or connecting has stalled for 3.5 s, as it
     * does against a server that accepts one client at a time) every connection sends its equal share of {@code total}.
     * A connection that has sent everything shuts its output and waits for the server to close: then the server has read
     * it all. Everything stops at the deadline.
     */
    static final class LoadGen {
        static final int MAX_CONNECTING = 256;
        static final long STALL_NANOS = 3_500_000_000L; // past two SYN retransmissions (1 s, then 2 s more)

        static final class Conn {
            java.nio.channels.SocketChannel ch;
            long size, sent;
            boolean connecting;
        }

        static LoadResult run(int port, int conns, long total, long deadlineNanos) throws IOException {
            return run(port, conns, total, deadlineNanos, () -> { });
        }

        /** {@code allOpen} runs when every connection is open, just before they start sending. */
        static LoadResult run(int port, int conns, long total, long deadlineNanos, Runnable allOpen) throws IOException {
            InetSocketAddress address = new InetSocketAddress("localhost", port);
            long base = total / conns, extra = total % conns;
            int opened = 0, connecting = 0, connected = 0, completed = 0, errors = 0, connectedAtStart = 0;
            long sent = 0;
            String firstError = null;
            ByteBuffer view = PATTERN.duplicate(), sink = ByteBuffer.allocate(256);
            List<SelectionKey> waiting = new ArrayList<>();
            boolean sending = false;
            long start = System.nanoTime(), end = start, connectEnd = start, lastConnect = start;
            try (Selector selector = Selector.open()) {
                while (completed + errors < conns) {
                    long now = System.nanoTime();
                    if (now >= deadlineNanos) break;
                    while (opened < conns && connecting < MAX_CONNECTING) {
                        Conn c = new Conn();
                        c.size = base + (opened < extra ? 1 : 0);
                        opened++;
                        try {
                            c.ch = java.nio.channels.SocketChannel.open();
                            c.ch.configureBlocking(false);
                            c.connecting = true;
                            connecting++;
                            SelectionKey key = c.ch.register(selector, SelectionKey.OP_CONNECT, c);
                            if (c.ch.connect(address)) { // connected at once (OP_CONNECT would never fire then)
                                c.connecting = false;
                                connecting--;
                                connected++;
                                lastConnect = now;
                                if (sending) key.interestOps(SelectionKey.OP_WRITE);
                                else { key.interestOps(0); waiting.add(key); }
                            }
                        } catch (IOException e) {
                            errors++;
                            if (c.connecting) connecting--;
                            if (firstError == null) firstError = "connect: " + e.getMessage();
                            closeQuietly(c.ch);
                        }
                    }
                    if (!sending && (connected + errors == conns || (connected > 0 && now - lastConnect > STALL_NANOS))) {
                        sending = true;  // all C are open at once: now every one of them sends
                        connectEnd = now;
                        connectedAtStart = connected;
                        allOpen.run();
                        for (SelectionKey k : waiting) if (k.isValid()) k.interestOps(SelectionKey.OP_WRITE);
                        waiting.clear();
                    }
                    selector.select(Math.max(1, Math.min(100, (deadlineNanos - now) / 1_000_000)));
                    for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey key = it.next();
                        it.remove();
                        Conn c = (Conn) key.attachment();
                        try {
                            if (c.connecting) {
                                if (!c.ch.finishConnect()) continue;
                                c.connecting = false;
                                connecting--;
                                connected++;
                                lastConnect = System.nanoTime();
                                if (sending) key.interestOps(SelectionKey.OP_WRITE);
                                else { key.interestOps(0); waiting.add(key); }
                            } else if (c.sent < c.size && key.isWritable()) {
                                while (c.sent < c.size) {
                                    int pos = (int) (c.sent % PATTERN_LENGTH);
                                    view.clear().position(pos).limit((int) Math.min(PATTERN_LENGTH, pos + (c.size - c.sent)));
                                    int n = c.ch.write(view);
                                    if (n == 0) break;
                                    c.sent += n;
                                    sent += n;
                                }
                                if (c.sent == c.size) {
                                    c.ch.shutdownOutput();
                                    key.interestOps(SelectionKey.OP_READ);
                                }
                            } else if (key.isReadable()) {
                                if (c.ch.read(sink.clear()) < 0) { // the server read to our EOF and closed
                                    completed++;
                                    end = System.nanoTime();
                                    key.cancel();
                                    c.ch.setOption(StandardSocketOptions.SO_LINGER, 0); // no TIME_WAIT left behind
                                    c.ch.close();
                                }
                            }
                        } catch (IOException e) {
                            errors++;
                            if (c.connecting) connecting--;
                            if (firstError == null) firstError = e.getMessage();
                            key.cancel();
                            closeQuietly(c.ch);
                        }
                    }
                }
                int timedOut = conns - completed - errors;
                if (timedOut > 0) end = System.nanoTime();
                if (!sending) connectEnd = end;
                for (SelectionKey key : selector.keys()) {
                    java.nio.channels.SocketChannel ch = (java.nio.channels.SocketChannel) key.channel();
                    try { ch.setOption(StandardSocketOptions.SO_LINGER, 0); } catch (IOException ignored) { }
                    closeQuietly(ch);
                }
                return new LoadResult(completed, errors, timedOut, sent, Math.max(1, end - start), connectEnd - start, connectedAtStart, firstError);
            }
        }
    }

    static void closeQuietly(java.nio.channels.Channel c) {
        try { if (c != null) c.close(); } catch (IOException ignored) { }
    }

    // ------------------------------------------------------------------ the servers under test (each runs in its own JVM)

    /** What every server prints when a connection ends, the same line as the pack's servers print. */
    static final AtomicLong clientNumbers = new AtomicLong();

    static void served(long bytes, long reads, long startNanos, CRC32 crc, String ended) {
        System.out.printf(Locale.ROOT, "SERVED client=%d bytes=%d reads=%d ms=%.1f crc32=%08x ended=%s%n",
                clientNumbers.incrementAndGet(), bytes, reads, (System.nanoTime() - startNanos) / 1e6, crc.getValue(), ended);
    }

    static ServerSocketChannel listen(String[] args, String name) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("localhost", args.length > 0 ? Integer.parseInt(args[0]) : 0), 4096);
        System.out.println(name + ": listening on localhost:" + ((InetSocketAddress) listener.getLocalAddress()).getPort());
        return listener;
    }

    /** Reads one connection to EOF with blocking 16 KiB reads, checksumming what arrives. */
    static void serveBlocking(Socket socket) {
        long bytes = 0, reads = 0, t0 = System.nanoTime();
        CRC32 crc = new CRC32();
        String ended = "eof";
        byte[] buf = new byte[16 * 1024];
        try (socket; InputStream in = socket.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                bytes += n;
                reads++;
                crc.update(buf, 0, n);
            }
        } catch (IOException e) {
            ended = "reset";
        }
        served(bytes, reads, t0, crc, ended);
    }

    /** Thread-per-connection: a platform thread (1 MiB stack reserved) for every connection. */
    public static final class ThreadServer {
        public static void main(String[] args) throws IOException {
            ServerSocketChannel listener = listen(args, "thread-per-connection server");
            while (true) {
                Socket s = listener.accept().socket();
                Thread t = new Thread(() -> serveBlocking(s));
                t.start();
            }
        }
    }

    /** A virtual thread per connection. Compiled for Java 17, so it reaches the JDK 21 API by reflection. */
    public static final class VirtualThreadServer {
        public static void main(String[] args) throws Exception {
            Method m = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            ExecutorService virtualThreads = (ExecutorService) m.invoke(null);
            ServerSocketChannel listener = listen(args, "virtual-thread server");
            while (true) {
                Socket s = listener.accept().socket();
                virtualThreads.execute(() -> serveBlocking(s));
            }
        }
    }

    /** Netty's discard server with the NIO transport and the default worker pool (2 x cores threads). */
    public static final class NettyServer {
        public static void main(String[] args) throws Exception {
            EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
            EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
            ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override protected void initChannel(SocketChannel ch) { ch.pipeline().addLast(new Discard()); }
                    });
            ChannelFuture bound = b.bind("localhost", args.length > 0 ? Integer.parseInt(args[0]) : 0).sync();
            System.out.println("netty discard server: listening on localhost:" + ((InetSocketAddress) bound.channel().localAddress()).getPort());
            bound.channel().closeFuture().sync();
        }

        static final class Discard extends ChannelInboundHandlerAdapter {
            long bytes, reads, t0 = System.nanoTime();
            final CRC32 crc = new CRC32();
            String ended = "eof";

            @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf buf = (ByteBuf) msg;
                try {
                    bytes += buf.readableBytes();
                    reads++;
                    for (ByteBuffer part : buf.nioBuffers()) crc.update(part);
                } finally {
                    buf.release();
                }
            }

            @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ended = "reset";
                ctx.close();
            }

            @Override public void channelInactive(ChannelHandlerContext ctx) { served(bytes, reads, t0, crc, ended); }
        }
    }

    // ------------------------------------------------------------------ ratios and targets

    static void computeRatiosAndTargets() {
        // Part 1: CPU of retry / CPU of select, on each reader; and each client's CPU against select's.
        for (String reader : List.of("fast", "slow")) {
            Optional<Row> retry = find("clients", "retry-client", reader), select = find("clients", "select-client", reader);
            if (retry.isPresent() && select.isPresent() && !retry.get().get("cpu_ms").empty() && !select.get().get("cpu_ms").empty()) {
                ratios.add(new Ratio("cpu retry/select", reader, "clients/retry-client/" + reader + "/cpu_ms",
                        "clients/select-client/" + reader + "/cpu_ms", retry.get().med("cpu_ms") / select.get().med("cpu_ms")));
            }
        }
        // Part 2: against Netty at the same C.
        for (Row r : rows) {
            if (!r.part.equals("servers") || r.get("mib_s").empty()) continue;
            Optional<Row> netty = find("servers", "netty", r.condition);
            if (netty.isEmpty() || netty.get().get("mib_s").empty()) continue;
            for (String m : List.of("mib_s", "rss_mib", "server_cpu_s")) {
                ratios.add(new Ratio(m + " vs netty", r.subject + " C=" + r.condition, "servers/" + r.subject + "/" + r.condition + "/" + m,
                        "servers/netty/" + r.condition + "/" + m, r.med(m) / netty.get().med(m)));
            }
        }
        // Part 3: every C=1 throughput as a fraction of the ceiling.
        Optional<Row> ceiling = find("ceiling", "loopback", "1 connection");
        if (ceiling.isPresent() && !ceiling.get().get("mib_s").empty()) {
            find("ceiling", "load generator", "1 connection").filter(l -> !l.get("mib_s").empty()).ifPresent(l ->
                    ratios.add(new Ratio("load generator fraction of ceiling", "C=1", "ceiling/load generator/1 connection/mib_s",
                            "ceiling/loopback/1 connection/mib_s", l.med("mib_s") / ceiling.get().med("mib_s"))));
            for (Row r : rows) {
                if (r.part.equals("servers") && r.condition.equals("1") && !r.get("mib_s").empty()) {
                    ratios.add(new Ratio("fraction of ceiling", r.subject + " C=1", "servers/" + r.subject + "/1/mib_s",
                            "ceiling/loopback/1 connection/mib_s", r.med("mib_s") / ceiling.get().med("mib_s")));
                }
            }
        }

        for (String c : List.of("1000", "10000")) {
            Optional<Row> sel = find("servers", "select-server", c), netty = find("servers", "netty", c);
            String name = "select-server >= netty MiB/s, no failed connection, RSS <= 1/2 netty's, at C=" + c;
            if (sel.isEmpty() || netty.isEmpty() || sel.get().get("mib_s").empty() || netty.get().get("mib_s").empty()) {
                targets.add(new Target(name, "not measured", Double.NaN, Double.NaN,
                        sel.isPresent() && !sel.get().note.isEmpty() ? sel.get().note : "C=" + c + " is not in this configuration or a server did not run"));
                continue;
            }
            Row s = sel.get(), n = netty.get();
            double tput = s.med("mib_s") / n.med("mib_s"), rss = s.med("rss_mib") / n.med("rss_mib");
            boolean met = !s.failed && tput >= 1.0 && rss <= 0.5;
            targets.add(new Target(name, met ? "met" : "MISSED", tput, 1.0, String.format(Locale.ROOT,
                    "MiB/s %.0f vs %.0f (x%.2f); RSS %.0f vs %.0f MiB (x%.2f); %s", s.med("mib_s"), n.med("mib_s"), tput,
                    s.med("rss_mib"), n.med("rss_mib"), rss, s.failed ? "FAILED connections: " + s.note : "no failed connection")));
        }
        Optional<Row> sel1 = find("servers", "select-server", "1");
        if (sel1.isPresent() && !sel1.get().get("mib_s").empty() && ceiling.isPresent() && !ceiling.get().get("mib_s").empty()) {
            double f = sel1.get().med("mib_s") / ceiling.get().med("mib_s");
            targets.add(new Target("select-server at C=1 >= 80% of the loopback ceiling", !sel1.get().failed && f >= 0.8 ? "met" : "MISSED", f, 0.8,
                    String.format(Locale.ROOT, "%.0f of %.0f MiB/s = %.0f%%", sel1.get().med("mib_s"), ceiling.get().med("mib_s"), 100 * f)));
        } else {
            targets.add(new Target("select-server at C=1 >= 80% of the loopback ceiling", "not measured", Double.NaN, 0.8,
                    sel1.map(r -> r.note).filter(s -> !s.isEmpty()).orElse("part 2 at C=1 or part 3 did not run")));
        }
        Optional<Ratio> slow = ratios.stream().filter(r -> r.name().equals("cpu retry/select") && r.condition().equals("slow")).findFirst();
        if (slow.isPresent()) {
            Row retry = find("clients", "retry-client", "slow").get(), select = find("clients", "select-client", "slow").get();
            boolean sameBytes = retry.med("bytes_read") == select.med("bytes_read") && !retry.failed && !select.failed;
            targets.add(new Target("select-client uses >= 50x less CPU than retry-client on the slow reader",
                    slow.get().value() >= 50 && sameBytes ? "met" : "MISSED", slow.get().value(), 50, String.format(Locale.ROOT,
                    "%.0f ms vs %.1f ms CPU for %s each, reader at %s MiB/s", retry.med("cpu_ms"), select.med("cpu_ms"), size((long) retry.med("bytes_read")),
                    fmt(cfg.slowRate))));
        } else {
            targets.add(new Target("select-client uses >= 50x less CPU than retry-client on the slow reader", "not measured", Double.NaN, 50, "part 1 did not run"));
        }
        Optional<Row> t10k = find("servers", "thread-per-conn", "10000");
        if (t10k.isPresent() && !t10k.get().get("completed").empty()) {
            Row t = t10k.get();
            String how = t.failed ? "failed, reported plainly: " + t.note : "completed " + (long) t.get("completed").min() + "/10000";
            targets.add(new Target("thread-per-connection at C=10000 completes, or fails plainly within its deadline", "met", t.med("rss_mib"), Double.NaN,
                    how + String.format(Locale.ROOT, "; peak RSS %.0f MiB, %d threads", t.med("rss_mib"), (long) t.med("threads"))));
        } else {
            targets.add(new Target("thread-per-connection at C=10000 completes, or fails plainly within its deadline", "not measured", Double.NaN, Double.NaN,
                    t10k.map(r -> r.note).filter(s -> !s.isEmpty()).orElse("C=10000 is not in this configuration")));
        }
    }

    // ------------------------------------------------------------------ output

    static void report() {
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
            OUT.println("Part 2. Servers under C concurrent connections, " + size(cfg.totalBytes) + " per run shared equally. Ratios: against netty at the same C.");
            OUT.println("  All C connections are opened and held before any of them sends; a connection is completed when the server has read");
            OUT.println("  it to the end and closed it, and the server's own SERVED lines (bytes, CRC32) account for every byte. MiB/s: all bytes");
            OUT.println("  over the whole run, connecting included. CPU, peak RSS (VmHWM) and threads: the server's JVM, from /proc.");
            for (ServerKind k : SERVERS) if (cfg.servers.contains(k.key())) OUT.printf("  %-16s %s%n", k.name(), k.design());
            Optional<Row> ceiling = find("ceiling", "loopback", "1 connection");
            double ceil = ceiling.map(r -> r.med("mib_s")).orElse(Double.NaN);
            List<String[]> t = new ArrayList<>();
            t.add(new String[]{"server", "C", "runs", "open at once", "completed", "errors", "MiB/s", "x netty", "of ceiling", "CPU s", "x netty", "peak RSS MiB", "x netty", "threads", "note"});
            for (Row r : rows) {
                if (!r.part.equals("servers")) continue;
                Optional<Row> n = find("servers", "netty", r.condition);
                double nm = n.map(x -> x.med("mib_s")).orElse(Double.NaN), nc = n.map(x -> x.med("server_cpu_s")).orElse(Double.NaN),
                        nr = n.map(x -> x.med("rss_mib")).orElse(Double.NaN);
                boolean ran = !r.get("mib_s").empty();
                t.add(new String[]{r.subject, r.condition, String.valueOf(ran ? r.get("mib_s").values.size() : 0),
                        ran ? String.format(Locale.ROOT, "%.0f", r.get("open_at_once").min()) : "-",
                        ran ? String.format(Locale.ROOT, "%.0f/%s", r.get("completed").min(), r.condition) : "-",
                        ran ? String.format(Locale.ROOT, "%.0f", r.get("errors").max() + r.get("timed_out").max()) : "-",
                        r.get("mib_s").show("%.0f"), ratio(r.med("mib_s"), nm), percent(r.med("mib_s"), ceil),
                        r.get("server_cpu_s").show("%.2f"), ratio(r.med("server_cpu_s"), nc),
                        r.get("rss_mib").show("%.0f"), ratio(r.med("rss_mib"), nr), r.get("threads").show("%.0f"),
                        r.failed ? r.note : ""});
            }
            table(t);
        }
        if (cfg.parts.contains(3)) {
            OUT.println();
            OUT.println("Part 3. The loopback ceiling: one blocking Java sender to one Java reader (no checksum), the best of a few buffer sizes.");
            OUT.println("  First a sweep of sender/reader buffer sizes (before part 1); the best pair is the ceiling"
                    + (cfg.parts.contains(2) && ceilingPair != null && Arrays.stream(cfg.conns).anyMatch(c -> c == 1)
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
    static void writeCsv(Path file) throws IOException {
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
            lines.add(String.join(",", "target", "target", csv(t.name()), csv(t.status()), "measured", num(t.measured()), num(t.threshold()), "", "", csv(t.detail())));
        }
        Files.write(file, lines);
    }

    static String json(String s) { return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""; }

    static String jnum(double v) { return Double.isNaN(v) || Double.isInfinite(v) ? "null" : num(v); }

    static void writeJson(Path file) throws IOException {
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
                        .append(s.values.stream().map(Bench::jnum).collect(Collectors.joining(", "))).append("]}");
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
            sb.append("    {\"name\": ").append(json(t.name())).append(", \"status\": ").append(json(t.status())).append(", \"measured\": ")
                    .append(jnum(t.measured())).append(", \"threshold\": ").append(jnum(t.threshold())).append(", \"detail\": ").append(json(t.detail()))
                    .append("}").append(i < targets.size() - 1 ? "," : "").append("\n");
        }
        sb.append("  ]\n}\n");
        Files.writeString(file, sb);
    }

    // ------------------------------------------------------------------ the chart

    static final Color[] COLORS = {new Color(0xd62728), new Color(0x9467bd), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xff7f0e)};

    /** Two panels: MiB/s against C and peak RSS against C (log scale), one line per server; failed cells as hollow marks. */
    static void chart(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int w = 1200, h = 520;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("nonblocking-io-java bench: " + size(cfg.totalBytes) + " per run over C connections, "
                + Runtime.getRuntime().availableProcessors() + " cores (measured " + Instant.now().toString().substring(0, 16) + "Z)", 20, 24);
        double ceil = find("ceiling", "loopback", "1 connection").map(r -> r.med("mib_s")).orElse(Double.NaN);
        panel(g, 20, 40, 560, 400, "throughput, MiB/s (median)", "mib_s", ceil);
        panel(g, 620, 40, 560, 400, "server peak RSS, MiB", "rss_mib", Double.NaN);
        // legend
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int x = 30;
        for (int i = 0; i < SERVERS.size(); i++) {
            if (!cfg.servers.contains(SERVERS.get(i).key())) continue;
            g.setColor(COLORS[i]);
            g.fillRect(x, 488, 22, 4);
            g.setColor(Color.BLACK);
            g.drawString(SERVERS.get(i).name(), x + 28, 495);
            x += 40 + g.getFontMetrics().stringWidth(SERVERS.get(i).name());
        }
        g.setColor(Color.GRAY);
        g.drawString("hollow mark: the cell failed (see the table)", x + 10, 495);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    static void panel(Graphics2D g, int px, int py, int pw, int ph, String title, String metric, double ceiling) {
        int left = px + 60, top = py + 30, right = px + pw - 10, bottom = py + ph - 40;
        double maxY = Double.isNaN(ceiling) ? 0 : ceiling;
        for (Row r : rows) if (r.part.equals("servers") && !r.get(metric).empty()) maxY = Math.max(maxY, r.med(metric));
        maxY = niceCeil(maxY <= 0 ? 1 : maxY * 1.05);
        int[] cs = cfg.conns;
        double minX = Math.log10(Arrays.stream(cs).min().orElse(1)), maxX = Math.log10(Arrays.stream(cs).max().orElse(10));
        double padX = Math.max(0.5, maxX - minX) * 0.06;
        minX -= padX;
        maxX += padX;
        final double x0 = minX, x1 = maxX, yMax = maxY;
        java.util.function.DoubleUnaryOperator sx = c -> left + (Math.log10(c) - x0) / (x1 - x0) * (right - left);
        java.util.function.DoubleUnaryOperator sy = v -> bottom - v / yMax * (bottom - top);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, left, py + 18);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(left, top, right - left, bottom - top);
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            int y = (int) sy.applyAsDouble(v);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(left + 1, y, right - 1, y);
            g.setColor(Color.BLACK);
            String label = String.format(Locale.ROOT, "%.0f", v);
            g.drawString(label, left - 6 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        for (int c : cs) {
            int x = (int) sx.applyAsDouble(c);
            g.drawLine(x, bottom, x, bottom + 4);
            String label = String.format(Locale.ROOT, "%,d", c);
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, bottom + 17);
        }
        g.drawString("C, concurrent connections (log scale)", left + (right - left) / 2 - 100, bottom + 33);
        if (!Double.isNaN(ceiling)) {
            Stroke old = g.getStroke();
            g.setColor(Color.DARK_GRAY);
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[]{6, 5}, 0));
            int y = (int) sy.applyAsDouble(ceiling);
            g.drawLine(left, y, right, y);
            g.setStroke(old);
            g.drawString(String.format(Locale.ROOT, "loopback ceiling %.0f MiB/s", ceiling), left + 6, y - 4);
        }
        for (int i = 0; i < SERVERS.size(); i++) {
            String name = SERVERS.get(i).name();
            g.setColor(COLORS[i]);
            g.setStroke(new BasicStroke(2f));
            int lastX = -1, lastY = -1;
            for (int c : cs) {
                Optional<Row> r = find("servers", name, String.valueOf(c));
                if (r.isEmpty() || r.get().get(metric).empty()) { lastX = -1; continue; }
                int x = (int) sx.applyAsDouble(c), y = (int) sy.applyAsDouble(r.get().med(metric));
                if (lastX >= 0) g.drawLine(lastX, lastY, x, y);
                if (r.get().failed) g.drawOval(x - 5, y - 5, 10, 10);
                else g.fillOval(x - 4, y - 4, 8, 8);
                lastX = x;
                lastY = y;
            }
        }
        g.setStroke(new BasicStroke(1f));
    }

    static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 2.5, 5, 10}) if (m * p >= v) return m * p;
        return 10 * p;
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) { }
    }
}
