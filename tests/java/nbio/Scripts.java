package nbio;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the pack's real scripts (scripts/*.java) as separate processes, the way a learner does,
 * and reads what they print. Each script is compiled once per test run with the JDK's javac
 * (the same compiler the source launcher and JBang use), into tests/target/scripts/NAME/.
 */
public final class Scripts {
    public static final Path ROOT = findRoot();
    public static final Path SCRIPTS = ROOT.resolve("scripts");
    private static final Path CLASSES = ROOT.resolve("tests/target/scripts");
    private static final Map<String, Path> compiled = new HashMap<>();
    /** Every line any process printed during this test run, for checks that span tests. */
    private static final Set<String> printed = ConcurrentHashMap.newKeySet();

    public static Set<String> printedSoFar() { return Set.copyOf(printed); }

    private Scripts() { }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("jbang-catalog.json"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("no jbang-catalog.json above " + Path.of("").toAbsolutePath());
        return dir;
    }

    /** A JDK at or above {@code feature} (the pack's one finder, nbio.Jdks), for scripts marked //JAVA 21+. */
    public static Path javaHome(int feature) {
        return Jdks.atLeast(feature).orElseThrow(() -> new IllegalStateException("no JDK " + feature
                + "+ on this machine (the running one, NBIO_JAVA" + feature + "_HOME, JAVA_HOME, /usr/lib/jvm, ...)"));
    }

    /** A JDK of exactly this feature release, if the machine has one. */
    public static java.util.Optional<Path> javaHomeExactly(int feature) {
        return Jdks.exactly(feature);
    }

    /** The feature release (17, 21, 25...) of a JDK folder, from its release file; 0 if unknown. */
    public static int featureOf(Path jdk) {
        return Jdks.featureOf(jdk);
    }

    /** The //JAVA N+ line of a script, or 17. */
    public static int requiredJava(String script) {
        try {
            for (String line : Files.readAllLines(SCRIPTS.resolve(script + ".java"))) {
                Matcher m = Pattern.compile("^//JAVA (\\d+)\\+").matcher(line);
                if (m.find()) return Integer.parseInt(m.group(1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 17;
    }

    /** The JVM options a script's //JAVA_OPTIONS line declares (JBang gives them to its JVM), or none. */
    public static List<String> javaOptions(String script) {
        try {
            return Files.readAllLines(SCRIPTS.resolve(script + ".java")).stream().filter(l -> l.startsWith("//JAVA_OPTIONS "))
                    .flatMap(l -> Stream.of(l.substring("//JAVA_OPTIONS ".length()).trim().split("\\s+"))).filter(o -> !o.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The classes of scripts/NAME.java compiled by the given JDK. The first call for a JDK compiles, in one javac run,
     * every script the pack runs with the JDK alone (no //DEPS) that has the same //JAVA line: most of a compile is
     * javac starting and compiling nbio/, which the scripts share (one run for all costs about what two separate ones
     * did, measured). They share one folder; each runs by its own class name.
     */
    static synchronized Path classesOf(String script, Path javaHome) {
        int needs = requiredJava(script);
        if (!jdkOnly(SCRIPTS.resolve(script + ".java"))) throw new IllegalStateException(script + " needs more than the JDK (//DEPS)");
        return compiled.computeIfAbsent(needs + "@" + javaHome, key -> {
            Path out = CLASSES.resolve("java" + needs + "-scripts-on-" + featureOf(javaHome));
            try {
                List<String> sources = new ArrayList<>();
                try (var files = Files.list(SCRIPTS)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                        String name = file.getFileName().toString().replaceFirst("\\.java$", "");
                        if (jdkOnly(file) && requiredJava(name) == needs) sources.add(file.toString());
                    }
                }
                // javac lives a few seconds: without the optimising compiler its JVM spends about 40% less CPU (measured).
                List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin/javac").toString(), "-J-XX:TieredStopAtLevel=1",
                        "-d", out.toString(), "--source-path", SCRIPTS.toString())); // what a script's //SOURCES names from nbio/
                command.addAll(sources);
                Process javac = new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (javac.waitFor() != 0) throw new IllegalStateException("javac " + sources + " failed:\n" + output);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return out;
        });
    }

    /**
     * The JDK's source launcher (`java File.java ...` runs what follows), for runs whose claims are what a script does, not
     * how fast: it compiles the script in its own JVM, seconds of CPU, and without the optimising compiler about 40% less
     * (measured). What it compiles and runs is the same. (A class-data archive of the compiler's classes saved ~0.3 CPU-s
     * a run but cost ~5 CPU-s a test run to make: about even over the suite's runs, measured, so there is none.)
     */
    static List<String> sourceLauncher(Path javaHome) {
        return List.of(javaHome.resolve("bin/java").toString(), "-XX:TieredStopAtLevel=1");
    }

    private static boolean jdkOnly(Path script) {
        try {
            return Files.readAllLines(script).stream().noneMatch(l -> l.startsWith("//DEPS "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts scripts/NAME.java (class NAME) with the JDK its //JAVA line asks for. */
    public static Proc start(String script, String... args) {
        return startWith(javaHome(requiredJava(script)), script, args);
    }

    /**
     * JVM options for a step run whose check is not about speed (a refusal, an exit code, a message, bytes and checksums):
     * without the optimising compiler and with the serial collector such short runs spend less CPU (measured here, 10
     * refusals each way: 0.25 -> 0.21 CPU-s a run; a 20 MB transfer's server 0.56 -> 0.44 CPU-s). They come before the
     * script's own //JAVA_OPTIONS, which win where the two differ (the last option given wins). Not for a run that mostly
     * waits on a deadline or ticks: the event loop ticks, and C1's code spends more there. (A client's stall watchdog
     * used to as well, while it parsed /proc/net/tcp with regexes; since it scans it as bytes, a blocking client writing
     * 10 MB to a 1 MiB/s reader takes about the same either way: 0.60 CPU-s on C2, 0.64-0.71 on C1, load ~10.)
     */
    public static final List<String> UNTIMED = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** {@link #start}, on a JVM with the {@link #UNTIMED} options: for checks that are not about speed. */
    public static Proc startUntimed(String script, String... args) {
        return startWith(javaHome(requiredJava(script)), UNTIMED, script, args);
    }

    /**
     * JVM options for a step run that ends before it moves a byte (its arguments refused, nothing listening): such a run
     * executes too little code for any compiler to pay off, and without one it spends about a quarter less CPU (a refused
     * size, 20 runs each way at load ~29: 0.30 -> 0.22 CPU-s a run against {@link #UNTIMED}). Never for a run that
     * transfers, fills a buffer or waits: interpreted, those cost many times more.
     */
    public static final List<String> BEFORE_ANY_BYTE = List.of("-Xint", "-XX:+UseSerialGC");

    /** {@link #start}, on a JVM with the {@link #BEFORE_ANY_BYTE} options: for a run that ends before it moves a byte. */
    public static Proc startBeforeAnyByte(String script, String... args) {
        return startWith(javaHome(requiredJava(script)), BEFORE_ANY_BYTE, script, args);
    }

    /** Starts scripts/NAME.java on the given JDK, with the options its //JAVA_OPTIONS line declares, as JBang does. */
    public static Proc startWith(Path javaHome, String script, String... args) {
        return startWith(javaHome, List.of(), script, args);
    }

    private static Proc startWith(Path javaHome, List<String> jvmOptions, String script, String... args) {
        return Proc.start(javaCommand(javaHome, jvmOptions, script, args), ROOT);
    }

    /** The java command that runs scripts/NAME.java compiled, with these options before its //JAVA_OPTIONS, then its arguments. */
    static List<String> javaCommand(Path javaHome, List<String> jvmOptions, String script, String... args) {
        List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString()));
        command.addAll(jvmOptions);
        command.addAll(javaOptions(script));
        command.addAll(List.of("-cp", classesOf(script, javaHome).toString(), script));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Starts scripts/NAME.java in a network namespace of its own whose loopback has only ::1
     * (an IPv6-only host: `localhost` still resolves to 127.0.0.1 through /etc/hosts, but no
     * interface has that address). Nothing outside this machine is reachable from there.
     */
    public static Proc startIpv6Only(String script, String... args) {
        // Every run here ends before it moves a byte: refused, nothing listening, or a server that only says where it listens.
        return startInNetworkOfItsOwn("ip link set lo up && ip addr del 127.0.0.1/8 dev lo", BEFORE_ANY_BYTE, script, args);
    }

    /**
     * Starts scripts/NAME.java in a network namespace of its own with only its loopback, up: "every interface" there
     * is that loopback. Reach it with {@link #inNetworkOf}.
     */
    public static Proc startLoopbackOnly(String script, String... args) {
        return startInNetworkOfItsOwn("ip link set lo up", UNTIMED, script, args);
    }

    /** Runs a command in the network namespace of a process started by {@link #startLoopbackOnly}. */
    public static Proc inNetworkOf(Proc proc, String... command) {
        List<String> all = new ArrayList<>(List.of("nsenter", "--net=/proc/" + proc.pid() + "/ns/net"));
        all.addAll(List.of(command));
        return Proc.start(all, ROOT);
    }

    /**
     * {@link #startUntimed} in the network namespace of a process started by {@link #startLoopbackOnly} (or
     * {@link #listeningInNetworkOfItsOwn}) on the given JDK: its connections, and the TIME-WAIT sockets they leave, stay
     * in that namespace. nsenter execs the JVM, so the process's pid is the JVM's.
     */
    public static Proc startUntimedInNetworkOf(Proc proc, Path javaHome, String script, String... args) {
        return inNetworkOf(proc, javaCommand(javaHome, UNTIMED, script, args).toArray(String[]::new));
    }

    /**
     * {@link #serverUntimed} or {@link #selectServerUntimed} (by script name) in a network namespace of its own whose only
     * interface is loopback: for runs of thousands of connections, whose clients start there with
     * {@link #startUntimedInNetworkOf}. Their sockets in TIME-WAIT (60 s each) then stay out of this machine's
     * /proc/net/tcp, which every client step's send-queue reading scans, and go when the namespace does.
     */
    public static Server listeningInNetworkOfItsOwn(String script, String... extraArgs) {
        return listening(args -> startLoopbackOnly(script, args), extraArgs);
    }

    private static Proc startInNetworkOfItsOwn(String setup, List<String> jvmOptions, String script, String... args) {
        StringBuilder command = new StringBuilder(setup + " && exec");
        // every run here checks a refusal, a message or bytes, none a speed
        for (String word : javaCommand(javaHome(requiredJava(script)), jvmOptions, script, args)) {
            command.append(' ').append(shellQuoted(word));
        }
        return Proc.start(List.of("unshare", "--net", "sh", "-c", command.toString()), ROOT);
    }

    static String shellQuoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** Runs any command from the project root (./jbang, java scripts/X.java, ...). */
    public static Proc command(String... command) {
        return Proc.start(List.of(command), ROOT);
    }

    /** Like {@link #command}, with extra environment variables (JAVA_HOME, JBANG_DIR, ...). */
    public static Proc commandWithEnv(Map<String, String> env, String... command) {
        return Proc.start(List.of(command), ROOT, env);
    }

    /**
     * The environment in which ./jbang runs this script without downloading a JDK: for a script
     * marked //JAVA 21+ (virtual-threads), JAVA_HOME names a JDK 21+ from this machine.
     */
    public static Map<String, String> jbangEnv(String script) {
        int need = requiredJava(script);
        return need <= 17 ? Map.of() : Map.of("JAVA_HOME", javaHome(need).toString());
    }

    /** Starts the step-6 select-server on an ephemeral port and waits until it listens. */
    public static Server selectServer(String... extraArgs) {
        return listening("SelectServer", List.of(), extraArgs);
    }

    private static final Map<String, String> jbangClassPaths = new HashMap<>();

    /**
     * The JVM JBang starts for a script (an alias or a file) whose claims are its own (refusals, options): the JDK of its
     * //JAVA line, the class path JBang built for it with its //DEPS (`./jbang build`, then `./jbang info classpath`,
     * which names the jar but does not build it: once per test run), its main class. Each run then needs no start of
     * JBang's own JVM; what goes through JBang is tested through ./jbang.
     */
    public static List<String> asJBangStartsIt(String script, int javaFeature, String mainClass) {
        String classPath;
        synchronized (jbangClassPaths) {
            // JBang's jar for the script as it is now (its cache key is the source's hash) is often there already (another
            // run built it): then one start of JBang's JVM, not three.
            classPath = jbangClassPaths.computeIfAbsent(script, s -> {
                String found = jbangClassPath(s);
                if (found != null) return found;
                Proc build = command("./jbang", "build", s);
                if (build.waitFor(Duration.ofSeconds(300)) != 0) throw new AssertionError("./jbang build " + s + ":\n" + build.output());
                found = jbangClassPath(s);
                if (found == null) throw new AssertionError("JBang built no jar for " + s + ": " + build.output());
                return found;
            });
        }
        return List.of(javaHome(javaFeature).resolve("bin/java").toString(), "-cp", classPath, mainClass);
    }

    /** What `./jbang info classpath SCRIPT` says, if the jar it names is there (JBang names it without building it). */
    private static String jbangClassPath(String script) {
        Proc info = command("./jbang", "info", "classpath", script);
        if (info.waitFor(Duration.ofSeconds(120)) != 0) throw new AssertionError("./jbang info classpath " + script + ":\n" + info.output());
        List<String> lines = info.stdoutLines();
        String found = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        return Files.isRegularFile(Path.of(found.split(java.io.File.pathSeparator)[0])) ? found : null;
    }

    /** Starts the step-1 server on an ephemeral port and waits until it listens. */
    public static Server server(String... extraArgs) {
        return listening("Server", List.of(), extraArgs);
    }

    /** {@link #server} on a JVM with the {@link #UNTIMED} options: for checks that are not about speed. */
    public static Server serverUntimed(String... extraArgs) {
        return listening("Server", UNTIMED, extraArgs);
    }

    /** {@link #selectServer} on a JVM with the {@link #UNTIMED} options: for checks that are not about speed. */
    public static Server selectServerUntimed(String... extraArgs) {
        return listening("SelectServer", UNTIMED, extraArgs);
    }

    private static Server listening(String script, List<String> jvmOptions, String... extraArgs) {
        return listening(args -> startWith(javaHome(requiredJava(script)), jvmOptions, script, args), extraArgs);
    }

    /** A server started by {@code start} with port 0, --no-progress and the extra arguments, once it says where it listens. */
    private static Server listening(java.util.function.Function<String[], Proc> start, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("0", "--no-progress"));
        args.addAll(List.of(extraArgs));
        Proc proc = start.apply(args.toArray(String[]::new));
        Matcher listening = proc.awaitLine(Pattern.compile("listening on localhost:(\\d+)"), Duration.ofSeconds(30));
        return new Server(proc, Integer.parseInt(listening.group(1)));
    }

    public record Server(Proc proc, int port) implements AutoCloseable {
        public String portArg() { return String.valueOf(port); }

        /** The SERVED line of the n-th client (1-based), waiting for it. */
        public Map<String, String> served(int client, Duration timeout) {
            return fields(proc.awaitLine(Pattern.compile("^SERVED client=" + client + " .*"), timeout).group());
        }

        @Override public void close() { proc.close(); }
    }

    /** The key=value fields of a RESULT, SERVED or TOTAL line (read by the pack's one parser). */
    public static Map<String, String> fields(String line) {
        return MachineLines.fields(line);
    }

    /** A running process whose stdout and stderr lines are collected as they come. */
    public static final class Proc implements AutoCloseable {
        private final Process process;
        private final List<String> out = new ArrayList<>();
        private final List<String> err = new ArrayList<>();
        private final List<String> all = new ArrayList<>();
        private final Thread[] pumps = new Thread[2];

        private Proc(Process process) {
            this.process = process;
            pumps[0] = pump(process.getInputStream(), out);
            pumps[1] = pump(process.getErrorStream(), err);
        }

        static Proc start(List<String> command, Path dir) {
            return start(command, dir, Map.of());
        }

        static Proc start(List<String> command, Path dir, Map<String, String> env) {
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
                builder.environment().remove("JAVA_TOOL_OPTIONS");
                builder.environment().putAll(env);
                return new Proc(builder.start());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private Thread pump(InputStream stream, List<String> lines) {
            Thread t = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String line; (line = reader.readLine()) != null; ) {
                        printed.add(line);
                        synchronized (this) {
                            lines.add(line);
                            all.add(line);
                            notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process went away
                }
                synchronized (this) { notifyAll(); }
            });
            t.setDaemon(true);
            t.start();
            return t;
        }

        public long pid() { return process.pid(); }

        /** Waits for a line of stdout or stderr matching {@code pattern}; fails with all output after the deadline. */
        public Matcher awaitLine(Pattern pattern, Duration timeout) {
            return awaitLineFrom(0, pattern, timeout).matcher();
        }

        public record Found(int index, Matcher matcher) { }

        /** Like {@link #awaitLine}, looking only at lines from index {@code from} on (in order of arrival). */
        public Found awaitLineFrom(int from, Pattern pattern, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            int seen = from;
            synchronized (this) {
                while (true) {
                    for (; seen < all.size(); seen++) {
                        Matcher m = pattern.matcher(all.get(seen));
                        if (m.find()) return new Found(seen, m);
                    }
                    long left = deadline - System.nanoTime();
                    boolean finished = !process.isAlive() && !pumps[0].isAlive() && !pumps[1].isAlive();
                    if (left <= 0 || finished) {
                        throw new AssertionError("no line matching /" + pattern + "/ within " + timeout
                                + (finished ? " (process exited " + process.exitValue() + ")" : "") + "; output:\n" + output());
                    }
                    try {
                        wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
                    } catch (InterruptedException e) {
                        throw new AssertionError("interrupted", e);
                    }
                }
            }
        }

        /** Waits for the process to exit (killing it after the deadline) and for all its output. */
        public int waitFor(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("still running after " + timeout + "; output:\n" + output());
                }
                for (Thread pump : pumps) pump.join(10_000);
                return process.exitValue();
            } catch (InterruptedException e) {
                throw new AssertionError("interrupted", e);
            }
        }

        /** Sends a signal by name (INT, TERM, KILL) to the process. */
        public void signal(String name) {
            if (name.equals("INT") && ignoresSigint(process.pid())) {
                throw new AssertionError("process " + process.pid() + " ignores SIGINT, as it inherited (were the tests started as a"
                        + " background job of a non-interactive shell, `mvn ... &`?): Ctrl-C cannot be tested from there");
            }
            try {
                int status = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start().waitFor();
                if (status != 0) throw new AssertionError("kill -" + name + " failed");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                throw new AssertionError("interrupted", e);
            }
        }

        /** Whether the process ignores SIGINT (bit 2 of SigIgn in /proc/PID/status): a JVM then never sees Ctrl-C. */
        static boolean ignoresSigint(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("SigIgn:")) return (Long.parseLong(line.substring(7).trim(), 16) & 2) != 0;
                }
            } catch (IOException e) {
                // gone already, or no /proc: the signal itself will tell
            }
            return false;
        }

        public synchronized List<String> stdoutLines() { return List.copyOf(out); }
        public synchronized List<String> stderrLines() { return List.copyOf(err); }
        public synchronized String stdout() { return String.join("\n", out); }
        public synchronized String stderr() { return String.join("\n", err); }
        public synchronized String output() { return String.join("\n", all); }

        /** Counts the lines matching a pattern as they arrive; each call goes on from where the last stopped. */
        public final class LineCounter {
            private final Pattern pattern;
            private int scanned, count;

            LineCounter(Pattern pattern) { this.pattern = pattern; }

            /** How many matching lines have arrived so far. */
            public int count() {
                synchronized (Proc.this) {
                    for (; scanned < all.size(); scanned++) if (pattern.matcher(all.get(scanned)).find()) count++;
                    return count;
                }
            }

            /** Waits until at least {@code n} matching lines have arrived, in any order. */
            public void awaitAtLeast(int n, Duration timeout) {
                long deadline = System.nanoTime() + timeout.toNanos();
                synchronized (Proc.this) {
                    while (true) {
                        if (count() >= n) return;
                        long left = deadline - System.nanoTime();
                        if (left <= 0 || !process.isAlive()) {
                            throw new AssertionError(count + " lines matching /" + pattern + "/, expected " + n + "; last output:\n"
                                    + String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size())));
                        }
                        try {
                            Proc.this.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
                        } catch (InterruptedException e) {
                            throw new AssertionError("interrupted", e);
                        }
                    }
                }
            }
        }

        public LineCounter counter(Pattern pattern) { return new LineCounter(pattern); }

        /** Writes a line to the process's stdin, for a program that asks and waits for an answer. */
        public void answer(String line) {
            try {
                process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                process.getOutputStream().flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The fields of the last line starting with {@code prefix} (e.g. "RESULT"). */
        public synchronized Map<String, String> last(String prefix) {
            for (int i = out.size() - 1; i >= 0; i--) {
                if (out.get(i).startsWith(prefix + " ")) return fields(out.get(i));
            }
            throw new AssertionError("no " + prefix + " line in:\n" + output());
        }

        @Override public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
