///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION The whole article in one run: every step against a live server, then one table of measured numbers.
// The tour's own JVM compiles the steps and reads what they print; each step measures itself in a JVM of its own,
// with the JVM's defaults. Without the optimising JIT the tour's JVM spends about 40% less CPU compiling them
// (4.7 -> 2.6 CPU-s, measured), CPU the steps running beside it would otherwise compete for.
//JAVA_OPTIONS -XX:TieredStopAtLevel=1
//SOURCES nbio/MachineLines.java
//SOURCES nbio/Jdks.java
//SOURCES nbio/Failure.java
//SOURCES nbio/StepScripts.java
//FILES Server.java
//FILES BlockingClient.java
//FILES NonBlockingClient.java
//FILES RetryClient.java
//FILES SelectClient.java
//FILES SelectServer.java
//FILES EventLoop.java
//FILES VirtualThreads.java
//FILES nbio/=nbio/*.java

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nbio.Failure;
import nbio.Jdks;
import nbio.MachineLines;
import nbio.StepScripts;

// The tour runs the real step scripts, unchanged, each in a process of its own, as a learner
// would in several terminals: it compiles them once, starts the step-1 server on a free port,
// runs each client against it, and reads the RESULT and SERVED lines they print to build one
// table at the end.
public class Tour {
    static final String USAGE = "usage: tour [--size BYTES] [--read-rate MiB/s] [--connections N]"
            + " (defaults: 73400320 bytes, a step-1 server reading at most 100 MiB/s, 10240 virtual-thread connections)";
    static final PrintStream STDERR = System.err;
    // Compiled and run by this Java. VirtualThreads needs Java 21+: compiled and run by a JDK 21+.
    static final List<String> STEP_FILES = List.of("Server", "BlockingClient", "NonBlockingClient", "RetryClient",
            "SelectClient", "SelectServer", "EventLoop");

    // Step 2 sends --size in one write call, and Linux moves at most this much in one.
    static final long MOST_ONE_WRITE_MOVES = 2_147_479_552L;
    // Ctrl-C (or a kill) mid-tour: the steps stop, and the tour says where it stopped instead of judging them.
    static volatile boolean stopping;
    // The tour gives up with one line of its own (fail): its children are stopped, nothing else is said.
    static volatile boolean exiting;
    static volatile String currentStep = "the start";
    static final List<Child> CHILDREN = new ArrayList<>();

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
                            + "Same bytes, a tiny fraction of the write calls, and less CPU: it sleeps while the socket is full."));

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

        onStop();
        boolean signalledChild = false;
        try {
            Steps steps = compiledSteps();

            terminal.println("Step 1. A blocking server: it accepts one client at a time and reads 1024 bytes per call\n"
                    + "until the client closes. Here it reads at most " + readRate + " MiB/s on purpose, slower than loopback,\n"
                    + "like a far-away reader on a real network. It picks a free port and runs in a process of its own.");
            Child server = steps.start("server", "Server", "0", "--no-progress", "--read-rate", readRate);
            String port = server.await(0, "^server: listening on localhost:(\\d+)", 30).group(1);
            terminal.println();

            List<Map<String, String>> rows = new ArrayList<>();
            int client = 0;
            for (Step step : CLIENT_STEPS) {
                terminal.println(step.story());
                currentStep = step.story().substring(0, step.story().indexOf('.')) + " (" + step.alias() + ")";
                int mark = server.mark();
                Child run = steps.start("client", step.className(), "localhost", port, String.valueOf(size));
                int exit = run.waitFor();
                Map<String, String> result = run.result(step.alias());
                if (exit != 0 && result.get("assertion").equals("failed")) {
                    terminal.println("    ...and it failed as the article's did: " + run.find("^Exception in thread \"main\" (.*)", step.alias()).group(1));
                } else if (exit != 0) {
                    fail(step.alias() + " stopped with exit code " + exit + " (its own line above says why)");
                }
                Map<String, String> served = MachineLines.fields(server.await(mark, "^SERVED client=" + (++client) + " .*", 60).line());
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
            int mark = server.mark();
            runEventLoop(steps, port, size, server, mark, rows, "step-1 server");
            int firstDone = server.await(mark, "^server: client " + (client + 1) + " done", 60).index();
            int secondConnected = server.await(mark, "^server: client " + (client + 2) + " connected", 60).index();
            terminal.printf("    => the step-1 server took the second sender only after the first was done"
                    + " (its log: client %d done, then client %d connected): %s%n%n", client + 1, client + 2,
                    firstDone < secondConnected ? "one after the other" : "NOT in order?");
            server.stop();   // as Ctrl-C would: it prints its totals and exits
            server.await(mark, "^TOTAL clients=", 10);

            terminal.println("Step 6b. select-server, the non-blocking counterpart of step 1: one thread and a Selector\n"
                    + "(OP_ACCEPT, OP_READ) serve every client side by side. The same two senders, now against it.");
            currentStep = "Step 6b (select-server)";
            Child selectServer = steps.start("select-server", "SelectServer", "0", "--no-progress");
            String selectPort = selectServer.await(0, "^select-server: listening on localhost:(\\d+)", 30).group(1);
            runEventLoop(steps, selectPort, size, selectServer, selectServer.mark(), rows, "select-server");
            terminal.println();

            terminal.println("Step 6c. The modern answer: virtual threads (Java 21+) let you write plain blocking code, one thread\n"
                    + "per connection, while the JDK parks a thread whose socket is not ready and wakes it when it is.\n"
                    + connections + " connections to select-server at once, each sending its share of the same 70 MB.");
            currentStep = "Step 6c (virtual-threads)";
            Map<String, String> virtual = runVirtualThreads(steps, selectPort, connections, selectServer);
            if (virtual != null) rows.add(virtual);
            terminal.println();

            mark = selectServer.mark();
            selectServer.stop(); // it closes everything and prints its totals
            Map<String, String> selectTotal = MachineLines.fields(selectServer.await(mark, "^TOTAL clients=", 10).line());

            checkNotStopping();
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
        } catch (Stopped | RuntimeException e) {
            if (!stopping && !(e instanceof Stopped)) throw e;
            // Stopped: what a step did after the signal says nothing about the step, so nothing is judged.
            signalledChild = !stopping; // Ctrl-C in a terminal reaches the steps too, maybe before this process hears it
            STDERR.println("tour: stopped by a signal during " + currentStep + "; the steps after it did not run");
        } finally {
            stopChildren();
        }
        if (signalledChild) System.exit(130);
    }

    // Two senders on one thread; each one's bytes and CRC32 are checked against the server's SERVED
    // line for the connection that came from the sender's local port.
    static void runEventLoop(Steps steps, String port, long size, Child server, int mark,
                             List<Map<String, String>> rows, String against) throws Stopped {
        Child loop = steps.start("client", "EventLoop", "localhost", port, String.valueOf(size));
        int exit = loop.waitFor();
        if (exit != 0) fail("event-loop stopped with exit code " + exit + " (its own line above says why)");
        loop.find("^LOOP .*socket_threads=1", "event-loop");
        for (String task : List.of("send-1", "send-2")) {
            Map<String, String> result = MachineLines.fields(loop.find("^RESULT client=event-loop task=" + task + " .*", "event-loop").group());
            String from = result.get("local_port");
            // The step-1 server logs the peer when it connects; select-server puts it on the SERVED line.
            Map<String, String> served;
            if (against.equals("select-server")) {
                served = MachineLines.fields(server.await(mark, "^SERVED .*peer=127\\.0\\.0\\.1:" + from + "$", 60).line());
            } else {
                String number = server.await(mark, "^server: client (\\d+) connected from /127\\.0\\.0\\.1:" + from + "$", 60).group(1);
                served = MachineLines.fields(server.await(mark, "^SERVED client=" + number + " .*", 60).line());
            }
            boolean intact = result.get("bytes").equals(served.get("bytes")) && result.get("crc32").equals(served.get("crc32"));
            result.put("client", "event-loop " + task + " -> " + against);
            result.put("intact", intact ? "yes" : "NO");
            rows.add(result);
        }
    }

    // Virtual threads need Java 21+: that step runs on a JDK 21+ found on this machine, against
    // select-server, and the tour counts what select-server received.
    static Map<String, String> runVirtualThreads(Steps steps, String port, long connections, Child selectServer) throws Stopped {
        if (steps.virtualThreads() == null) {
            System.out.println("    (skipped here: no JDK 21+ found; see the README for how to point JBang at one)");
            return null;
        }
        long share = 7L * 10 * 1024 * 1024 / connections;
        int mark = selectServer.mark();
        selectServer.quiet = true; // thousands of SERVED lines: counted below, not shown
        Child run = steps.virtualThreads().start("localhost", port, String.valueOf(share), "--connections", String.valueOf(connections));
        int exit = run.waitFor();
        if (exit != 0 || run.lastResult() == null) {
            fail("virtual-threads stopped with exit code " + exit + " (its own line above says why): step 6c did not run");
        }
        Map<String, String> result = run.lastResult();
        Pattern served = Pattern.compile("^SERVED .*bytes=" + share + " .*crc32=" + result.get("crc32") + " ended=eof");
        long exact = selectServer.awaitCount(mark, served, connections, 60);
        selectServer.quiet = false;
        System.out.printf("    => select-server received exactly %,d bytes with crc32=%s on %,d of %,d connections%n",
                share, result.get("crc32"), exact, connections);
        result.put("client", "virtual-threads x" + connections + " -> select-server");
        result.put("intact", exact == connections ? "yes" : "NO");
        return result;
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

    /** The compiled steps: this Java runs steps 1 to 6b from {@code classes}; a JDK 21+, if found, runs step 6c. */
    record Steps(Path java, Path classes, VirtualThreadsStep virtualThreads) {
        Child start(String label, String className, String... args) {
            List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", classes.toString(), className));
            command.addAll(List.of(args));
            return Child.start(label, command);
        }
    }

    /** Step 6c on a JDK 21+: compiled by that JDK's javac (if no earlier tour did) while the other steps run, then run by its java. */
    record VirtualThreadsStep(Path jdk, CompletableFuture<Path> classes) {
        Child start(String... args) throws Stopped {
            Path compiled = null;
            try {
                compiled = classes.get();
            } catch (InterruptedException e) {
                throw new Stopped();
            } catch (ExecutionException e) {
                checkNotStopping();
                if (e.getCause() instanceof StepScripts.NotCompiled javac) {
                    for (String line : javac.getMessage().split("\n")) System.out.println("    v-threads | " + line);
                    fail("virtual-threads does not compile with " + jdk + " (exit code " + javac.exitCode + ", its lines above say why):"
                            + " step 6c did not run");
                }
                fail("cannot compile virtual-threads with " + jdk.resolve("bin/javac") + " (" + (e.getCause() instanceof IOException io
                        ? Failure.reason(io) : e.getCause().toString()) + ")");
            }
            checkNotStopping();
            List<String> command = new ArrayList<>(List.of(jdk.resolve("bin/java").toString(), "-cp", compiled.toString(), "VirtualThreads"));
            command.addAll(List.of(args));
            return Child.start("v-threads", command);
        }
    }

    static Steps compiledSteps() {
        try {
            return compileSteps();
        } catch (IOException e) {
            fail("cannot write the steps' sources and classes into " + System.getProperty("java.io.tmpdir") + " (" + Failure.reason(e)
                    + "); free some space there or point -Djava.io.tmpdir elsewhere");
            return null;
        }
    }

    // The step scripts and the nbio library they use travel with this one (see StepScripts), compiled by the
    // first tour and kept in ~/.cache/nbio/tour: a tour after it with the same sources and JDKs compiles nothing.
    static Steps compileSteps() throws IOException {
        Path from = StepScripts.folder(Tour.class);
        for (String name : STEP_FILES) {
            if (!Files.exists(from.resolve(name + ".java"))) fail("cannot find " + name + ".java: run the tour from the project folder");
        }
        if (!Files.exists(from.resolve("VirtualThreads.java"))) fail("cannot find VirtualThreads.java: run the tour from the project folder");

        // Step 6c's compiler runs in its own process on the JDK 21+ while this one compiles the rest.
        VirtualThreadsStep virtualThreads = null;
        Path jdk = Jdks.atLeast(21).orElse(null);
        if (jdk != null) {
            CompletableFuture<Path> classes21 = new CompletableFuture<>();
            Thread compiling = new Thread(() -> {
                try {
                    classes21.complete(StepScripts.compiledOnce(StepScripts.cacheFolder("tour"), from, List.of("VirtualThreads"), jdk, false).classes());
                } catch (Exception | Error e) {
                    classes21.completeExceptionally(e);
                }
            }, "v-threads-javac");
            compiling.setDaemon(true);
            compiling.start();
            virtualThreads = new VirtualThreadsStep(jdk, classes21);
        }

        if (!StepScripts.canCompile()) fail("this Java has no compiler: run the tour with a JDK, not a JRE");
        Path javaHome = Path.of(System.getProperty("java.home"));
        try {
            Path classes = StepScripts.compiledOnce(StepScripts.cacheFolder("tour"), from, STEP_FILES, javaHome, true).classes();
            return new Steps(javaHome.resolve("bin/java"), classes, virtualThreads);
        } catch (StepScripts.NotCompiled errors) {
            fail("the step scripts do not compile:\n" + errors.getMessage());
            return null;
        }
    }

    /** A step running in its own process: its lines are shown as they come, indented under the step and marked by who printed them. */
    static final class Child {
        final String label;
        final Process process;
        final Thread pump;
        final List<String> lines = new ArrayList<>();
        volatile boolean quiet; // lines kept but not shown

        private Child(String label, Process process) {
            this.label = label;
            this.process = process;
            this.pump = new Thread(this::pump, "pump-" + label);
            pump.setDaemon(true);
            pump.start();
        }

        static Child start(String label, List<String> command) {
            try {
                Child child = new Child(label, new ProcessBuilder(command).redirectErrorStream(true).start());
                synchronized (CHILDREN) { CHILDREN.add(child); }
                return child;
            } catch (IOException e) {
                fail("cannot start " + command.get(0) + " (" + Failure.reason(e) + ")");
                return null;
            }
        }

        private void pump() {
            try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = output.readLine()) != null; ) {
                    if (!quiet) System.out.printf("    %9s | %s%n", label, line);
                    synchronized (this) {
                        lines.add(line);
                        notifyAll();
                    }
                }
            } catch (IOException gone) { }
            synchronized (this) { notifyAll(); }
        }

        synchronized int mark() { return lines.size(); }

        /** Waits until the step exits and its last line is read; a step stopped by a signal stops the tour. */
        int waitFor() throws Stopped {
            try {
                int exit = process.waitFor();
                pump.join();
                // 130 and 143: SIGINT and SIGTERM. Ctrl-C in a terminal reaches every process of the tour.
                if (stopping || exit == 130 || exit == 143) throw new Stopped();
                return exit;
            } catch (InterruptedException e) {
                throw new Stopped();
            }
        }

        /** Stops it as Ctrl-C would (SIGTERM: its shutdown hook runs) and waits for its last line. */
        void stop() {
            // Process.destroy would close the pipe and lose those last lines: the handle only signals.
            process.toHandle().destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.toHandle().destroyForcibly();
                pump.join(5_000);
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }

        record Found(int index, String line, Matcher matcher) {
            String group(int n) { return matcher.group(n); }
            String group() { return matcher.group(); }
        }

        /** The first line from index {@code from} on that matches, waiting for it up to a deadline. */
        synchronized Found await(int from, String regex, int seconds) throws Stopped {
            Pattern pattern = Pattern.compile(regex);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            for (int i = from; ; i++) {
                while (i >= lines.size()) {
                    checkNotStopping();
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !pump.isAlive()) {
                        fail(label + " printed no line like /" + regex + "/" + (pump.isAlive() ? " within " + seconds + " s" : " before it exited"));
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
                    } catch (InterruptedException e) {
                        throw new Stopped();
                    }
                }
                Matcher m = pattern.matcher(lines.get(i));
                if (m.find()) return new Found(i, lines.get(i), m);
            }
        }

        /** Waits until {@code count} lines from {@code from} on match (or the deadline); returns how many did. */
        synchronized long awaitCount(int from, Pattern pattern, long count, int seconds) throws Stopped {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds), matched = 0;
            for (int i = from; matched < count; i++) {
                while (i >= lines.size()) {
                    checkNotStopping();
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !pump.isAlive()) return matched;
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
                    } catch (InterruptedException e) {
                        throw new Stopped();
                    }
                }
                if (pattern.matcher(lines.get(i)).find()) matched++;
            }
            return matched;
        }

        /** A line of a step that has exited; a line that is not there is one line of the tour's. */
        synchronized Matcher find(String regex, String step) {
            Pattern pattern = Pattern.compile(regex);
            for (String line : lines) {
                Matcher m = pattern.matcher(line);
                if (m.find()) return m;
            }
            fail(step + " printed no line like /" + regex + "/");
            return null;
        }

        /** The fields of the step's RESULT line, read by the pack's one parser. */
        Map<String, String> result(String step) {
            return MachineLines.fields(find("^RESULT client=" + step + " .*", step).group());
        }

        synchronized Map<String, String> lastResult() {
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (MachineLines.is("RESULT", lines.get(i))) return MachineLines.fields(lines.get(i));
            }
            return null;
        }
    }

    /** The tour was stopped by a signal: it says where, and judges nothing. */
    static final class Stopped extends Exception {
        Stopped() { super(null, null, false, false); }
    }

    static void checkNotStopping() throws Stopped {
        if (stopping) throw new Stopped();
    }

    // Clients first, then the servers they talk to: a client never sees its server go first.
    // Then step 6c's compiler, if it still runs.
    static void stopChildren() {
        List<Child> children;
        synchronized (CHILDREN) { children = new ArrayList<>(CHILDREN); }
        for (int i = children.size() - 1; i >= 0; i--) children.get(i).stop();
        ProcessHandle.current().children().forEach(ProcessHandle::destroyForcibly);
    }

    // On Ctrl-C or a kill: the steps stop and the tour says where it stopped (given a moment).
    static void onStop() {
        Thread tour = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (tour.isAlive() && !exiting) {
                stopping = true;
                stopChildren();
                synchronized (CHILDREN) { CHILDREN.forEach(child -> { synchronized (child) { child.notifyAll(); } }); }
                try { tour.join(10_000); } catch (InterruptedException ignored) { }
            }
            stopChildren();
        }));
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

    static long checkedNumber(String text, String what, long min, long max) {
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) { }
        fail("bad " + what + " '" + text + "' (expected " + min + " to " + max + "); " + USAGE);
        return 0;
    }

    static void fail(String message) {
        exiting = true;
        STDERR.println("tour: " + message);
        System.exit(message.startsWith("bad ") || message.startsWith("unknown") ? 2 : 1);
    }
}
