///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION The whole article in one run: every step against a live server, then one table of measured numbers.
//FILES Server.java
//FILES BlockingClient.java
//FILES NonBlockingClient.java
//FILES RetryClient.java
//FILES SelectClient.java
//FILES SelectServer.java
//FILES EventLoop.java
//FILES VirtualThreads.java
//FILES nbio/ArticleData.java
//FILES nbio/CommandLine.java
//FILES nbio/Connect.java
//FILES nbio/CpuClock.java
//FILES nbio/EventLoopArguments.java
//FILES nbio/Failure.java
//FILES nbio/LoopLog.java
//FILES nbio/SenderLog.java
//FILES nbio/Timeline.java
//SOURCES nbio/MachineLines.java

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

// The tour runs the real step scripts, unchanged, in this one process: it compiles them,
// starts the step-1 server in a thread on a free port, runs each client against it, and
// reads the RESULT and SERVED lines they print to build one table at the end.
public class Tour {
    static final String USAGE = "usage: tour [--size BYTES] [--read-rate MiB/s] [--connections N]"
            + " (defaults: 73400320 bytes, a step-1 server reading at most 100 MiB/s, 10240 virtual-thread connections)";
    static final PrintStream STDERR = System.err;
    // Compiled here, run in this process. VirtualThreads needs Java 21+ and runs as a child process.
    static final String[] STEP_FILES = {"Server", "BlockingClient", "NonBlockingClient", "RetryClient", "SelectClient",
            "SelectServer", "EventLoop"};

    // Step 2 sends --size in one write call, and Linux moves at most this much in one.
    static final long MOST_ONE_WRITE_MOVES = 2_147_479_552L;
    // Ctrl-C (or a kill) mid-tour: the steps stop, and the tour says where it stopped instead of judging them.
    static volatile boolean stopping;
    static volatile String currentStep = "the start";

    record Step(String alias, String className, String story) { }

    static final List<Step> CLIENT_STEPS = List.of(
            new Step("blocking-client", "BlockingClient",
                    "Step 2. A blocking client sends the whole buffer in ONE write call. The call does not return\n"
                            + "until the kernel has taken every byte, so the article's assertion holds."),
            new Step("nonblocking-client", "NonBlockingClient",
                    "Step 3. The same write on a non-blocking channel returns at once, having copied only what fits\n"
                            + "in the socket buffers. The assertion fails, as in the article; the server gets exactly that part."),
            new Step("retry-client", "RetryClient",
                    "Step 4. So write the rest in a loop. When the buffers are full Java's write returns 0 (Python\n"
                            + "raises EAGAIN) and the loop asks again at once: watch the zero-returns and the CPU time."),
            new Step("select-client", "SelectClient",
                    "Step 5. The same loop, but after a 0 it sleeps in a Selector until the socket is writable.\n"
                            + "Same bytes, same time on the clock, a tiny fraction of the write calls and CPU."));

    public static void main(String[] args) throws Exception {
        long size = 7L * 10 * 1024 * 1024;
        String readRate = "100";
        long connections = 10_240; // x 7,168 bytes each = the article's 73,400,320 bytes
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> { System.out.println(USAGE); return; }
                case "--size" -> size = checkedNumber(i + 1 < args.length ? args[++i] : "", "--size", 1, MOST_ONE_WRITE_MOVES);
                case "--read-rate" -> readRate = String.valueOf(checkedNumber(i + 1 < args.length ? args[++i] : "", "--read-rate", 1, 1_000_000));
                case "--connections" -> connections = checkedNumber(i + 1 < args.length ? args[++i] : "", "--connections", 1, 15_000);
                default -> fail("unknown argument '" + args[i] + "'; " + USAGE);
            }
        }
        checkIpv4Loopback();
        PrintStream terminal = System.out;
        long tourStart = System.nanoTime();
        terminal.println("The article, step by step: every number below is measured now, on this machine.\n");

        Path work = temporaryFolder();
        Thread serverThread = null, selectServerThread = null;
        LineRouter router = new LineRouter(terminal);
        onStop(work, router);
        try (URLClassLoader steps = compiledSteps(work)) {
            System.setOut(new PrintStream(router, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(router, true, StandardCharsets.UTF_8));

            terminal.println("Step 1. A blocking server: it accepts one client at a time and reads 1024 bytes per call\n"
                    + "until the client closes. Here it reads at most " + readRate + " MiB/s on purpose, slower than loopback,\n"
                    + "like a far-away reader on a real network. It picks a free port and runs in a thread of this process.");
            serverThread = startServer(steps.loadClass("Server"), router, "server", "0", "--no-progress", "--read-rate", readRate);
            String port = router.await(0, "^server: listening on localhost:(\\d+)", 30).group(1);
            terminal.println();

            List<Map<String, String>> rows = new ArrayList<>();
            int client = 0;
            for (Step step : CLIENT_STEPS) {
                terminal.println(step.story());
                currentStep = step.story().substring(0, step.story().indexOf('.')) + " (" + step.alias() + ")";
                int mark = router.mark();
                Throwable failure = runMain(steps.loadClass(step.className()), "localhost", port, String.valueOf(size));
                router.checkNotStopping();
                if (failure instanceof AssertionError) {
                    terminal.println("    ...and it failed as the article's did: " + failure);
                } else if (failure != null) {
                    fail(step.alias() + " failed unexpectedly: " + failure);
                }
                Map<String, String> result = fields(router.await(mark, "^RESULT client=" + step.alias() + " .*", 60).line());
                Map<String, String> served = fields(router.await(mark, "^SERVED client=" + (++client) + " .*", 60).line());
                boolean intact = result.get("bytes").equals(served.get("bytes")) && result.get("crc32").equals(served.get("crc32"));
                terminal.printf("    => the server received %,d bytes, crc32=%s: %s%n%n", Long.parseLong(served.get("bytes")),
                        served.get("crc32"), intact ? "exactly what the kernel accepted from the client" : "NOT what the client sent!");
                result.put("intact", intact ? "yes" : "NO");
                rows.add(result);
            }

            terminal.println("Step 6a. Where the article stops: an event loop. Java has no generators, so each task is a small\n"
                    + "object the loop resumes when what it waits for is ready (a writable socket, a time). One thread\n"
                    + "runs two senders of the same data at once, plus a timer that ticks every 100 ms. First against\n"
                    + "the step-1 server, which serves one client at a time:");
            currentStep = "Step 6a (event-loop)";
            int mark = router.mark();
            runEventLoop(steps, port, size, mark, router, rows, "step-1 server");
            int firstDone = router.await(mark, "^server: client " + (client + 1) + " done", 60).index();
            int secondConnected = router.await(mark, "^server: client " + (client + 2) + " connected", 60).index();
            terminal.printf("    => the step-1 server took the second sender only after the first was done"
                    + " (its log: client %d done, then client %d connected): %s%n%n", client + 1, client + 2,
                    firstDone < secondConnected ? "one after the other" : "NOT in order?");
            serverThread.interrupt();   // closes the server's socket: it prints its totals and returns
            serverThread.join(10_000);
            router.await(mark, "^TOTAL clients=", 10);

            terminal.println("Step 6b. select-server, the non-blocking counterpart of step 1: one thread and a Selector\n"
                    + "(OP_ACCEPT, OP_READ) serve every client side by side. The same two senders, now against it.");
            currentStep = "Step 6b (select-server)";
            mark = router.mark();
            selectServerThread = startServer(steps.loadClass("SelectServer"), router, "select-server", "0", "--no-progress");
            String selectPort = router.await(mark, "^select-server: listening on localhost:(\\d+)", 30).group(1);
            mark = router.mark();
            runEventLoop(steps, selectPort, size, mark, router, rows, "select-server");
            terminal.println();

            terminal.println("Step 6c. The modern answer: virtual threads (Java 21+) let you write plain blocking code, one thread\n"
                    + "per connection, while the JDK parks a thread whose socket is not ready and wakes it when it is.\n"
                    + connections + " connections to select-server at once, each sending its share of the same 70 MB.");
            currentStep = "Step 6c (virtual-threads)";
            Map<String, String> virtual = runVirtualThreads(work, selectPort, connections, router);
            if (virtual != null) rows.add(virtual);
            terminal.println();

            mark = router.mark();
            selectServerThread.interrupt(); // wakes select(): it closes everything and prints its totals
            selectServerThread.join(10_000);
            Map<String, String> selectTotal = fields(router.await(mark, "^TOTAL clients=", 10).line());

            router.checkNotStopping();
            currentStep = "the table";
            printTable(terminal, rows);
            Map<String, String> retry = rows.get(2), select = rows.get(3);
            double retryCpu = Double.parseDouble(retry.get("cpu_ms")), selectCpu = Double.parseDouble(select.get("cpu_ms"));
            terminal.printf("%nWhat it means: one non-blocking write took %,d of %,d bytes, what fitted in the socket buffers."
                            + "%nTo send the same bytes, the retry loop made %.0fx the write calls of the selector loop and burned"
                            + "%n%.1fx its CPU time: %.0f%% of its wall time against %.0f%% while waiting in select()."
                            + "%nOne event-loop thread kept two transfers and a timer going; select-server held up to %,d clients"
                            + "%nat once on one thread and had %,d keys left registered when it stopped."
                            + "%nWall times follow the servers' pace; CPU times and counts depend on this machine."
                            + "%nTour done in %.1f s.%n",
                    Long.parseLong(rows.get(1).get("bytes")), Long.parseLong(rows.get(1).get("requested")),
                    Double.parseDouble(retry.get("writes")) / Double.parseDouble(select.get("writes")),
                    retryCpu / Math.max(selectCpu, 0.1), 100 * retryCpu / Double.parseDouble(retry.get("wall_ms")),
                    100 * selectCpu / Double.parseDouble(select.get("wall_ms")), Long.parseLong(selectTotal.get("max_open")),
                    Long.parseLong(selectTotal.get("registered")), (System.nanoTime() - tourStart) / 1e9);
            if (rows.stream().anyMatch(r -> !r.get("intact").equals("yes"))) fail("some bytes were lost: see the table");
        } catch (Exception | Error e) {
            // A step's Ctrl-C handler interrupts the thread that runs the step: this one.
            if (!stopping && !(e instanceof InterruptedException)) throw e;
            Thread.interrupted();
            // Stopped: what a step did after the signal says nothing about the step, so nothing is judged.
            STDERR.println("tour: stopped by a signal during " + currentStep + "; the steps after it did not run");
        } finally {
            System.setOut(terminal);
            System.setErr(STDERR);
            for (Thread thread : new Thread[]{serverThread, selectServerThread}) {
                if (thread != null && thread.isAlive()) {
                    thread.interrupt();
                    thread.join(10_000);
                }
            }
            if (router != null) router.flushAll();
            deleteTree(work);
        }
    }

    static Thread startServer(Class<?> server, LineRouter router, String label, String... args) {
        Thread thread = new Thread(() -> runMain(server, args), label);
        router.labels.put(thread, label);
        thread.start();
        return thread;
    }

    // Two senders on one thread; each one's bytes and CRC32 are checked against the server's SERVED
    // line for the connection that came from the sender's local port.
    static void runEventLoop(URLClassLoader steps, String port, long size, int mark, LineRouter router,
                             List<Map<String, String>> rows, String against) throws Exception {
        Throwable failure = runMain(steps.loadClass("EventLoop"), "localhost", port, String.valueOf(size));
        router.checkNotStopping();
        if (failure != null) fail("event-loop failed unexpectedly: " + failure);
        router.await(mark, "^LOOP .*socket_threads=1", 10);
        for (String task : List.of("send-1", "send-2")) {
            Map<String, String> result = fields(router.await(mark, "^RESULT client=event-loop task=" + task + " .*", 60).line());
            String from = result.get("local_port");
            // The step-1 server logs the peer when it connects; select-server puts it on the SERVED line.
            Map<String, String> served;
            if (against.equals("select-server")) {
                served = fields(router.await(mark, "^SERVED .*peer=127\\.0\\.0\\.1:" + from + "$", 60).line());
            } else {
                String number = router.await(mark, "^server: client (\\d+) connected from /127\\.0\\.0\\.1:" + from + "$", 60).group(1);
                served = fields(router.await(mark, "^SERVED client=" + number + " .*", 60).line());
            }
            boolean intact = result.get("bytes").equals(served.get("bytes")) && result.get("crc32").equals(served.get("crc32"));
            result.put("client", "event-loop " + task + " -> " + against);
            result.put("intact", intact ? "yes" : "NO");
            rows.add(result);
        }
    }

    // Virtual threads need Java 21+: run that script as a child process on a JDK 21+ found on
    // this machine, against the select-server in this process, and count what it received.
    static Map<String, String> runVirtualThreads(Path work, String port, long connections, LineRouter router) throws Exception {
        Path java = newerJava(21);
        if (java == null) {
            router.terminal.println("    (skipped here: no JDK 21+ found; see the README for how to point JBang at one)");
            return null;
        }
        long share = 7L * 10 * 1024 * 1024 / connections;
        int mark = router.mark();
        router.quiet = true; // thousands of SERVED lines: counted below, not shown
        Process child = new ProcessBuilder(java.toString(), work.resolve("src/VirtualThreads.java").toString(),
                "localhost", port, String.valueOf(share), "--connections", String.valueOf(connections))
                .redirectErrorStream(true).start();
        String resultLine = null;
        try (var output = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = output.readLine()) != null; ) {
                router.terminal.println("    v-threads | " + line);
                if (line.startsWith("RESULT ")) resultLine = line;
            }
        }
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            fail("virtual-threads did not finish within 120 s after closing its output");
        }
        router.checkNotStopping();
        if (child.exitValue() != 0 || resultLine == null) {
            fail("virtual-threads stopped with exit code " + child.exitValue() + " (its own line above says why): step 6c did not run");
        }
        Map<String, String> result = fields(resultLine);
        Pattern served = Pattern.compile("^SERVED .*bytes=" + share + " .*crc32=" + result.get("crc32") + " ended=eof");
        long exact = router.awaitCount(mark, served, connections, 60);
        router.quiet = false;
        router.terminal.printf("    => select-server received exactly %,d bytes with crc32=%s on %,d of %,d connections%n",
                share, result.get("crc32"), exact, connections);
        result.put("client", "virtual-threads x" + connections + " -> select-server");
        result.put("intact", exact == connections ? "yes" : "NO");
        return result;
    }

    // The running JVM if it is new enough, else a JDK in JAVA_HOME or a usual install folder.
    static Path newerJava(int feature) throws IOException {
        if (Runtime.version().feature() >= feature) return Path.of(System.getProperty("java.home"), "bin", "java");
        List<Path> candidates = new ArrayList<>();
        if (System.getenv("JAVA_HOME") != null) candidates.add(Path.of(System.getenv("JAVA_HOME")));
        for (Path folder : List.of(Path.of("/usr/lib/jvm"), Path.of(System.getProperty("user.home"), ".jbang", "cache", "jdks"))) {
            if (Files.isDirectory(folder)) try (Stream<Path> jdks = Files.list(folder)) { jdks.sorted().forEach(candidates::add); }
        }
        for (Path jdk : candidates) {
            Path release = jdk.resolve("release");
            // A JRE has bin/java but no compiler, and the child runs a source file: a JDK it must be.
            if (!Files.isReadable(release) || !Files.isExecutable(jdk.resolve("bin/java")) || !Files.isExecutable(jdk.resolve("bin/javac"))) continue;
            Matcher version = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
            if (version.find() && Integer.parseInt(version.group(1)) >= feature) return jdk.resolve("bin/java");
        }
        return null;
    }

    static void printTable(PrintStream out, List<Map<String, String>> rows) {
        String format = "%-46s %12s %9s %12s %8s %9s %9s  %-14s %s%n";
        out.printf(format, "step", "bytes sent", "writes", "zero-returns", "selects", "CPU ms", "wall ms", "assertion", "server got it all");
        for (Map<String, String> r : rows) {
            out.printf(format, r.get("client"), String.format("%,d", Long.parseLong(r.get("bytes"))),
                    String.format("%,d", Long.parseLong(r.get("writes"))), String.format("%,d", Long.parseLong(r.get("zero_writes"))),
                    String.format("%,d", Long.parseLong(r.get("selects"))), r.get("cpu_ms"), r.get("wall_ms"),
                    r.get("assertion").equals("held") ? "held" : "AssertionError", r.get("intact"));
        }
    }

    // Runs a script's main(String[]) and returns what it threw, if anything.
    static Throwable runMain(Class<?> script, String... args) {
        try {
            script.getMethod("main", String[].class).invoke(null, (Object) args);
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause();
        } catch (ReflectiveOperationException e) {
            return e;
        }
    }

    static URLClassLoader compiledSteps(Path work) {
        try {
            return compileSteps(work);
        } catch (IOException e) {
            fail("cannot write the steps' sources and classes into " + work.getParent() + " (" + reason(e) + "); free some space there"
                    + " or point -Djava.io.tmpdir elsewhere");
            return null;
        }
    }

    // The step scripts travel with this one: beside it on disk, or inside JBang's jar (//FILES).
    static URLClassLoader compileSteps(Path work) throws IOException {
        Path sources = Files.createDirectories(work.resolve("src")), classes = Files.createDirectories(work.resolve("classes"));
        String launched = System.getProperty("jdk.launcher.sourcefile");
        Path besideMe = launched != null ? Path.of(launched).toAbsolutePath().getParent() : Path.of("scripts");
        // A step's library (its //SOURCES nbio/X.java lines) is copied beside it, where javac finds it.
        List<String> compilerArgs = new ArrayList<>(List.of("-d", classes.toString(), "--source-path", sources.toString()));
        List<String> files = new ArrayList<>(List.of(STEP_FILES));
        files.add("VirtualThreads");
        for (String name : files) {
            Path copy = sources.resolve(name + ".java");
            try (InputStream packed = Tour.class.getResourceAsStream("/" + name + ".java")) {
                if (packed != null) Files.copy(packed, copy);
                else if (Files.exists(besideMe.resolve(name + ".java"))) Files.copy(besideMe.resolve(name + ".java"), copy);
                else fail("cannot find " + name + ".java: run the tour from the project folder");
            }
            if (!name.equals("VirtualThreads")) compilerArgs.add(copy.toString());
            copyLibrary(copy, sources, besideMe);
        }
        if (!canLoad("nbio.MachineLines")) { // not compiled in by JBang: compile it from beside the tour
            Path machineLinesSource = besideMe.resolve("nbio/MachineLines.java");
            if (!Files.exists(machineLinesSource)) fail("cannot find nbio/MachineLines.java: run the tour from the project folder");
            compilerArgs.add(machineLinesSource.toString());
        }
        if (ToolProvider.getSystemJavaCompiler() == null) fail("this Java has no compiler: run the tour with a JDK, not a JRE");
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = ToolProvider.getSystemJavaCompiler().run(null, errors, errors, compilerArgs.toArray(String[]::new));
        if (status != 0) fail("the step scripts do not compile:\n" + errors);
        URLClassLoader steps = new URLClassLoader(new URL[]{classes.toUri().toURL()}, Tour.class.getClassLoader());
        try {
            machineLines = Class.forName("nbio.MachineLines", true, steps).getMethod("fields", String.class);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("nbio.MachineLines was compiled but cannot be used", e);
        }
        return steps;
    }

    // The nbio files a source names on its //SOURCES lines, and the ones they name in turn, copied
    // into sources/nbio/ (from inside JBang's jar, //FILES, or from beside the tour).
    static void copyLibrary(Path source, Path sources, Path besideMe) throws IOException {
        for (String line : Files.readAllLines(source)) {
            if (!line.startsWith("//SOURCES ")) continue;
            String name = line.substring("//SOURCES ".length()).strip();
            String library = source.getParent().endsWith("nbio") ? "nbio/" + name : name;
            Path copy = sources.resolve(library);
            if (!library.startsWith("nbio/") || Files.exists(copy)) continue;
            Files.createDirectories(copy.getParent());
            try (InputStream packed = Tour.class.getResourceAsStream("/" + library)) {
                if (packed != null) Files.copy(packed, copy);
                else if (Files.exists(besideMe.resolve(library))) Files.copy(besideMe.resolve(library), copy);
                else fail("cannot find " + library + ": run the tour from the project folder");
            }
            copyLibrary(copy, sources, besideMe);
        }
    }

    static boolean canLoad(String className) {
        try {
            Class.forName(className, false, Tour.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    // Everything the scripts print passes through here: shown indented under the step, marked
    // by who printed it, and kept in order so the tour can read RESULT and SERVED lines.
    static final class LineRouter extends OutputStream {
        final PrintStream terminal;
        final List<String> history = new ArrayList<>();
        final Map<Thread, ByteArrayOutputStream> partial = new LinkedHashMap<>();
        final Map<Thread, String> labels = new java.util.concurrent.ConcurrentHashMap<>();
        volatile boolean quiet; // servers' lines are kept but not shown

        LineRouter(PrintStream terminal) { this.terminal = terminal; }

        @Override public synchronized void write(int b) {
            ByteArrayOutputStream line = partial.computeIfAbsent(Thread.currentThread(), t -> new ByteArrayOutputStream());
            if (b != '\n') { line.write(b); return; }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            String label = labels.getOrDefault(Thread.currentThread(), "client");
            if (!(quiet && !label.equals("client"))) terminal.printf("    %9s | %s%n", label, text);
            history.add(text);
            notifyAll();
        }

        synchronized void flushAll() {
            partial.values().forEach(line -> { if (line.size() > 0) terminal.println("    " + line.toString(StandardCharsets.UTF_8)); });
            partial.clear();
        }

        synchronized int mark() { return history.size(); }

        synchronized void checkNotStopping() {
            if (stopping) throw new IllegalStateException("stopped");
        }

        synchronized void stop() {
            stopping = true;
            notifyAll();
        }

        record Found(int index, String line, Matcher matcher) {
            String group(int n) { return matcher.group(n); }
        }

        /** The first line from index {@code from} on that matches, waiting for it up to a deadline. */
        synchronized Found await(int from, String regex, int seconds) throws InterruptedException {
            Pattern pattern = Pattern.compile(regex);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            for (int i = from; ; i++) {
                while (i >= history.size()) {
                    checkNotStopping();
                    long left = deadline - System.nanoTime();
                    if (left <= 0) throw new IllegalStateException("no line like /" + regex + "/ within " + seconds + " s");
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                Matcher m = pattern.matcher(history.get(i));
                if (m.find()) return new Found(i, history.get(i), m);
            }
        }

        /** Waits until {@code count} lines from {@code from} on match (or the deadline); returns how many did. */
        synchronized long awaitCount(int from, Pattern pattern, long count, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds), matched = 0;
            for (int i = from; matched < count; i++) {
                while (i >= history.size()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return matched;
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                if (pattern.matcher(history.get(i)).find()) matched++;
            }
            return matched;
        }
    }

    // The pack's one reader of RESULT, SERVED and TOTAL lines, scripts/nbio/MachineLines.java:
    // JBang compiles it into the tour (//SOURCES); run as `java scripts/Tour.java`, the tour
    // compiles it from beside itself with the steps. Either way it is called through this method.
    static Method machineLines;

    @SuppressWarnings("unchecked")
    static Map<String, String> fields(String line) {
        try {
            return new LinkedHashMap<>((Map<String, String>) machineLines.invoke(null, line));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + line, e);
        }
    }

    // On an IPv6-only host `localhost` is still 127.0.0.1, but nothing answers there.
    static void checkIpv4Loopback() throws IOException {
        InetAddress localhost = InetAddress.getByName("localhost");
        if (NetworkInterface.getByInetAddress(localhost) != null) return;
        boolean ipv6 = NetworkInterface.getByInetAddress(InetAddress.getByName("::1")) != null;
        fail("localhost is " + localhost.getHostAddress() + " here and no network interface has that address"
                + " (an IPv6-only host), so the tour cannot run" + (ipv6 ? "; the steps run one by one on IPv6's loopback ::1:"
                + " ./jbang server --ipv6, then ./jbang blocking-client ::1 (and the other clients)" : ""));
    }

    // The tour's working folder (the steps' sources and classes), with one line when it cannot be made.
    static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("nbio-tour");
        } catch (IOException e) {
            fail("cannot make a working folder in " + System.getProperty("java.io.tmpdir") + " (" + reason(e) + "); free some space there"
                    + " or point -Djava.io.tmpdir elsewhere");
            return null;
        }
    }

    // "No space left on device", without the file names Java puts around it.
    static String reason(IOException e) {
        return e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
    }

    // On Ctrl-C, a kill, or an exit from any step: wake the tour so that it says where it stopped,
    // give it a moment to say so, and remove its working folder, whichever way it ends.
    static void onStop(Path work, LineRouter router) {
        Thread tour = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (tour.isAlive() && !exitingItself(tour)) {
                router.stop();
                ProcessHandle.current().children().forEach(ProcessHandle::destroy); // the virtual-threads child
                try { tour.join(10_000); } catch (InterruptedException ignored) { }
            }
            try { deleteTree(work); } catch (IOException | RuntimeException ignored) { }
        }));
    }

    // The tour's thread called System.exit itself (a step's one-line failure): it waits for this hook.
    static boolean exitingItself(Thread tour) {
        for (StackTraceElement frame : tour.getStackTrace()) {
            if (frame.getClassName().equals("java.lang.Shutdown")) return true;
        }
        return false;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static long checkedNumber(String text, String what, long min, long max) {
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) { }
        fail("bad " + what + " '" + text + "' (expected " + min + " to " + max + "); " + USAGE);
        return 0;
    }

    static void fail(String message) {
        STDERR.println("tour: " + message);
        System.exit(message.startsWith("bad ") || message.startsWith("unknown") ? 2 : 1);
    }
}
