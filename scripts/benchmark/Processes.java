package benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nbio.MachineLines;
import nbio.StepScripts;
import static benchmark.Config.fail;
import static benchmark.Config.OUT;

/** Child processes (each server, client and reader in its own JVM) and what /proc says about them. */
final class Processes {
    private Processes() { }

    // ------------------------------------------------------------------ processes

    static Path javaBin() { return Path.of(System.getProperty("java.home"), "bin", "java"); }

    /** A JDK 21+ for the virtual-thread server, from the pack's one finder (nbio.Jdks). */
    static Optional<Path> java21() {
        return nbio.Jdks.atLeast(21).map(jdk -> jdk.resolve("bin/java"));
    }

    /** The text of a step script, from where the steps travel with the bench (nbio.StepScripts). */
    static Optional<String> stepSource(String name) {
        try {
            Path file = StepScripts.folder(Bench.class).resolve(name + ".java");
            return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The step scripts and the nbio library travel with the bench (nbio.StepScripts): compiled by the first bench and kept
     * in ~/.cache/nbio/bench (StepScripts.compiledOnce), so a bench after it with the same sources and Java compiles nothing.
     */
    static Path compileSteps() throws IOException {
        List<String> names = List.of("Server", "BlockingClient", "RetryClient", "SelectClient", "SelectServer");
        if (!StepScripts.canCompile()) fail("this Java has no compiler: run the bench with a JDK, not a JRE");
        try {
            // By this Java's javac in a process of its own, without the optimising JIT (half the CPU of compiling them in
            // this JVM, which keeps it for part 2's load generator).
            StepScripts.Compiled steps = StepScripts.compiledOnce(StepScripts.cacheFolder("bench"), StepScripts.folder(Bench.class), names,
                    Path.of(System.getProperty("java.home")), false);
            for (String name : names) {
                if (!steps.names().contains(name)) OUT.println("bench: " + name + ".java not found: its rows are reported as missing");
            }
            return steps.classes();
        } catch (StepScripts.NotCompiled errors) {
            fail("the step scripts do not compile:\n" + errors.getMessage());
            return null;
        }
    }

    /**
     * The virtual-thread server (benchmark/VirtualThreadServer.java, which calls Java 21's API) compiled once by the
     * JDK 21+'s own javac against the bench's classes, into the bench's working folder.
     */
    static synchronized Path java21Classes(Path work, Path java21) {
        Path classes = work.resolve("classes21");
        if (Files.exists(classes.resolve("benchmark/VirtualThreadServer.class"))) return classes;
        try {
            Path source = Files.createDirectories(work.resolve("src21")).resolve("VirtualThreadServer.java");
            Files.copy(StepScripts.folder(Bench.class).resolve("benchmark/VirtualThreadServer.java"), source,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Process javac = new ProcessBuilder(java21.resolveSibling("javac").toString(), "-J-XX:TieredStopAtLevel=1", "-nowarn", "-d", classes.toString(),
                    "-cp", System.getProperty("java.class.path"), source.toString()).redirectErrorStream(true).start();
            String errors = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (javac.waitFor() != 0) fail("benchmark/VirtualThreadServer.java does not compile with " + java21 + ":\n" + errors);
        } catch (IOException e) {
            fail("cannot compile benchmark/VirtualThreadServer.java: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while compiling benchmark/VirtualThreadServer.java");
        }
        return classes;
    }

    static boolean compiled(Path stepClasses, String className) { return Files.exists(stepClasses.resolve(className + ".class")); }

    /** Every process a run started, so that none is left running however the run ends. */
    static final class Children {
        private final List<Process> started = new ArrayList<>();

        synchronized Process spawn(List<String> command) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            Process p = pb.start();
            started.add(p);
            return p;
        }

        synchronized void killAll() {
            for (Process p : started) p.descendants().forEach(ProcessHandle::destroyForcibly);
            for (Process p : started) p.destroyForcibly();
        }
    }

    /** A child process whose output lines are read as they come: SERVED lines are counted and checked. */
    static final class Child implements AutoCloseable {
        final String name;
        final Process process;
        final Deque<String> tail = new ArrayDeque<>();
        final Thread pump;
        long served, servedBytes, notEof, crcOk, crcBad;
        String resultLine, firstBad;
        int port = -1;
        Map<Long, Long> expectedCrc = Map.of();

        Child(Children children, String name, List<String> command) throws IOException {
            this.name = name;
            this.process = children.spawn(command);
            pump = new Thread(this::pump, "pump-" + name);
            pump.setDaemon(true);
            pump.start();
        }

        private void pump() {
            Pattern listening = Pattern.compile("listening on [^\\s:]+:(\\d+)");
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (this) {
                        if (MachineLines.is("SERVED", line)) {
                            Map<String, String> f = MachineLines.fields(line);
                            long bytes = MachineLines.number(f, "bytes");
                            served++;
                            servedBytes += bytes;
                            if (!"eof".equals(f.get("ended"))) notEof++;
                            else if (!expectedCrc.isEmpty() && !"none".equals(f.get("crc32"))) {
                                // Read to the sender's end: the count must be one a sender sent, and the CRC32 that count's.
                                Long want = expectedCrc.get(bytes);
                                if (want != null && String.format("%08x", want).equals(f.get("crc32"))) crcOk++;
                                else {
                                    crcBad++;
                                    if (firstBad == null) firstBad = want == null
                                            ? "client " + f.get("client") + " read to EOF with " + bytes + " bytes, a count no sender sent"
                                            : "client " + f.get("client") + " reported crc32=" + f.get("crc32") + " for " + bytes + " bytes, expected "
                                              + String.format("%08x", want);
                                }
                            }
                        } else if (MachineLines.is("RESULT", line)) {
                            resultLine = line;
                        } else {
                            Matcher m = listening.matcher(line);
                            if (port < 0 && m.find()) port = Integer.parseInt(m.group(1));
                        }
                        if (!MachineLines.is("SERVED", line) && !line.matches("^[\\w-]+: client \\d+ .*")) {
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
            if (port < 0 && !process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + " before listening: " + tail());
            }
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

        synchronized String firstBad() { return firstBad; }

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

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) { }
    }
}
