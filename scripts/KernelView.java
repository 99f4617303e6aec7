///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//JAVA_OPTIONS -XX:TieredStopAtLevel=1
//DESCRIPTION Any step under strace: its own output, then the system calls the kernel was asked and what it answered.
//SOURCES nbio/Strace.java
//SOURCES nbio/ArticleData.java
//SOURCES nbio/Jdks.java
//SOURCES nbio/SocketQueues.java
//SOURCES nbio/StepScripts.java

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nbio.ArticleData;
import nbio.Jdks;
import nbio.SocketQueues;
import nbio.StepScripts;
import nbio.Strace;
import nbio.Strace.Call;
import nbio.Strace.Socket;
import nbio.Strace.Tally;

// Runs one step under strace and, after the step's own output, says what the kernel was asked and
// what it answered: the write(2) calls on the step's socket (all taken, part taken, or -1 EAGAIN),
// the epoll_wait calls behind a Selector or the JDK's poller, the accepts and reads of a server.
// kernel-view is the peer: a slow reader for the clients, one client for step 1's server and two for select-server.
public class KernelView {
    static final String NAME = "kernel-view";
    // What kernel-view sends a server. Step 1 reads at most 1,024 bytes a call, each a line of strace: 70 MB would be
    // 71,680 of them (~7.5 CPU-s for the step, strace, kernel-view's client and its report); 8 MB shows the same
    // kinds of call, 7,813 reads. The clients send the article's 70 MB: their lessons are about its size.
    static final int SERVER_SIZE = 8_000_000;
    static final String USAGE = "usage: " + NAME + " [--size BYTES] [--read-rate MiB/s] [--log FILE] STEP [step options]"
            + " (STEP: server, blocking-client, nonblocking-client, retry-client, select-client, event-loop, select-server,"
            + " virtual-threads, or a jshell edition: server.jsh, blocking-client.jsh, nonblocking-client.jsh,"
            + " retry-client.jsh, select-client.jsh; defaults: a client sends the article's 73400320 bytes per connection"
            + " (the jshell editions always do), read at 16 MiB/s per connection once the client's send buffer is full; kernel-view sends a server "
            + SERVER_SIZE + " per connection)";
    static final PrintStream OUT = System.out;

    enum Kind { CLIENT, SERVER, EVENT_LOOP, VIRTUAL_THREADS }

    /** A step as kernel-view runs it: its file, what it is, and how many connections kernel-view serves or makes. */
    record Step(String alias, String file, Kind kind, int connections) {
        boolean jshell() { return file.endsWith(".jsh"); }
    }

    static final List<Step> STEPS = List.of(
            new Step("server", "Server.java", Kind.SERVER, 1),
            new Step("blocking-client", "BlockingClient.java", Kind.CLIENT, 1),
            new Step("nonblocking-client", "NonBlockingClient.java", Kind.CLIENT, 1),
            new Step("retry-client", "RetryClient.java", Kind.CLIENT, 1),
            new Step("select-client", "SelectClient.java", Kind.CLIENT, 1),
            new Step("event-loop", "EventLoop.java", Kind.EVENT_LOOP, 2),
            new Step("select-server", "SelectServer.java", Kind.SERVER, 2),
            new Step("virtual-threads", "VirtualThreads.java", Kind.VIRTUAL_THREADS, 2),
            new Step("server.jsh", "jshell/server.jsh", Kind.SERVER, 1),
            new Step("blocking-client.jsh", "jshell/blocking-client.jsh", Kind.CLIENT, 1),
            new Step("nonblocking-client.jsh", "jshell/nonblocking-client.jsh", Kind.CLIENT, 1),
            new Step("retry-client.jsh", "jshell/retry-client.jsh", Kind.CLIENT, 1),
            new Step("select-client.jsh", "jshell/select-client.jsh", Kind.CLIENT, 1));

    public static void main(String[] args) throws Exception {
        int size = ArticleData.SIZE;   // the article's 'foobar\n' * 10 * 1024 * 1024
        boolean sizeGiven = false;
        double readRate = 16;
        Path keepLog = null;
        Step step = null;
        List<String> stepOptions = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (step != null) stepOptions.add(arg);
            else if (arg.equals("-h") || arg.equals("--help")) { OUT.println(USAGE); return; }
            else if (arg.equals("--size")) { size = (int) number(i + 1 < args.length ? args[++i] : "", "--size", 1, 2_147_479_552); sizeGiven = true; }
            else if (arg.equals("--read-rate")) readRate = number(i + 1 < args.length ? args[++i] : "", "--read-rate", 0.01, 100_000);
            else if (arg.equals("--log")) keepLog = Path.of(i + 1 < args.length ? args[++i] : "");
            else if (arg.startsWith("-")) fail(2, "unknown option '" + arg + "'; " + USAGE);
            else step = STEPS.stream().filter(s -> s.alias().equals(arg) || s.alias().equals(arg.replaceFirst("^.*/", "")))
                    .findFirst().orElseGet(() -> { fail(2, "unknown step '" + arg + "'; " + USAGE); return null; });
        }
        if (step == null) fail(2, "which step? " + USAGE);
        if (step.jshell() && sizeGiven) fail(2, "the jshell editions always send the article's 70 MB: --size is for the scripts");
        if (step.kind() == Kind.SERVER && !sizeGiven) size = SERVER_SIZE;
        new KernelView(step, size, readRate, stepOptions, keepLog).run();
    }

    final Step step;
    final int size;
    final double readRate;
    final List<String> stepOptions;
    final Path keepLog;
    final Path scripts = scriptsFolder();
    final Map<Integer, List<double[]>> cpuSamples = new ConcurrentHashMap<>();   // tid -> {epoch seconds, CPU ticks}
    final List<String> printed = java.util.Collections.synchronizedList(new ArrayList<>());

    KernelView(Step step, int size, double readRate, List<String> stepOptions, Path keepLog) {
        this.step = step;
        this.size = size;
        this.readRate = readRate;
        this.stepOptions = stepOptions;
        this.keepLog = keepLog;
    }

    void run() throws Exception {
        Optional<String> noStrace = Strace.unavailable();
        noStrace.ifPresent(why -> OUT.println(NAME + ": " + why + ": running " + step.alias() + " without it, as usual"));
        Path log = keepLog != null ? keepLog.toAbsolutePath() : Files.createTempFile("kernel-view-", ".strace");
        try (SlowReader reader = step.kind() == Kind.SERVER ? null : new SlowReader(readRate, SlowReader.fillsThePath(size))) {
            List<String> command = stepCommand(reader == null ? 0 : reader.port());
            Process process = new ProcessBuilder(noStrace.isPresent() ? command : Strace.command(log, command))
                    .directory(scripts.getParent().toFile()).start();
            Thread out = pump(process.getInputStream(), System.out), err = pump(process.getErrorStream(), System.err);
            // The writing thread's CPU is the one number the samples serve: a server step writes nothing on its sockets.
            Thread sampler = noStrace.isPresent() || step.kind() == Kind.SERVER ? null : sampleCpu(process);
            Thread queues = step.kind() == Kind.CLIENT && noStrace.isEmpty() ? sampleQueues(reader) : null;
            Set<Integer> ports = step.kind() == Kind.SERVER ? serve(process) : Set.of(reader.port());
            int status = process.waitFor();
            if (step.kind() == Kind.SERVER && status == 128 + 15) status = 0;   // kernel-view stopped it, as Ctrl-C would
            out.join();
            err.join();
            if (sampler != null) sampler.interrupt();
            if (queues != null) { queues.interrupt(); queues.join(); }
            if (noStrace.isEmpty()) report(Strace.read(log), ports);
            if (keepLog == null) Files.deleteIfExists(log);
            System.exit(status);
        }
    }

    /** The step's command line: the script on the JDK it needs (its source launcher), or jshell for a .jsh edition. */
    List<String> stepCommand(int peerPort) throws IOException {
        Path jdk = step.kind() == Kind.VIRTUAL_THREADS ? jdk21() : Path.of(System.getProperty("java.home"));
        String file = scripts.resolve(step.file()).toString();
        List<String> command = new ArrayList<>();
        if (step.jshell()) {
            // The jshell tool's own JVM compiles the snippets and hands them over: without the optimising compiler it
            // spends far less CPU on a run this short. The JVM that runs the snippets keeps its usual settings.
            command.addAll(List.of(jdk.resolve("bin/jshell").toString(), "-J-XX:TieredStopAtLevel=1", "-R-Dport=" + peerPort, file));
        } else {
            command.add(jdk.resolve("bin/java").toString());
            command.addAll(launchable(jdk, file));
            switch (step.kind()) {
                case SERVER -> command.addAll(List.of("0", "--no-progress"));
                case CLIENT -> command.addAll(List.of("localhost", String.valueOf(peerPort), String.valueOf(size)));
                case EVENT_LOOP -> command.addAll(List.of("localhost", String.valueOf(peerPort), String.valueOf(size)));
                case VIRTUAL_THREADS -> command.addAll(List.of("localhost", String.valueOf(peerPort), String.valueOf(size),
                        "--connections", String.valueOf(step.connections())));
            }
        }
        command.addAll(stepOptions);
        return command;
    }

    /** A JDK 21+ for virtual-threads, from the pack's one finder. */
    static Path jdk21() {
        return Jdks.atLeast(21).orElseGet(() -> {
            fail(1, "virtual-threads needs a JDK 21 or newer and this is Java " + Runtime.version().feature()
                    + ": run kernel-view with one, e.g. JAVA_HOME=/path/to/jdk-21 ./jbang kernel-view virtual-threads");
            return null;
        });
    }

    // A step takes what is not its lesson from nbio/ beside it, which Java 22's source launcher finds (JEP 458) and an
    // older one does not: the step is compiled first, with nbio/, and run from its classes. On any Java: that keeps
    // the compiler's own system calls out of the count, and its CPU (step 6c's source launcher: ~2 CPU-s a run) out of
    // every run but the first (StepScripts.compiledOnce keeps the classes in ~/.cache/nbio/kernel-view). A step on
    // another JDK than kernel-view's (6c on 21+) is compiled by that JDK's javac.
    List<String> launchable(Path jdk, String file) throws IOException {
        String name = step.file().replaceFirst("\\.java$", "");
        boolean own = jdk.equals(Path.of(System.getProperty("java.home")));
        if (own && !StepScripts.canCompile()) fail(1, "this Java has no compiler: run kernel-view with a JDK, not a JRE");
        if (!own && !Files.isExecutable(jdk.resolve("bin/javac"))) return List.of(file);   // a JRE: its source launcher
        try {
            Path classes = StepScripts.compiledOnce(StepScripts.cacheFolder("kernel-view"), scripts, List.of(name), jdk, own).classes();
            return List.of("-cp", classes.toString(), name);
        } catch (StepScripts.NotCompiled e) {
            fail(1, "cannot compile " + step.file() + ":\n" + e.getMessage());
            return null;
        }
    }

    /** For a server step: wait until it listens, send it {@code connections} clients side by side, then stop it. */
    Set<Integer> serve(Process process) throws Exception {
        Pattern listening = Pattern.compile("listening on \\S*:(\\d+)");
        Matcher found = null;
        for (long deadline = System.nanoTime() + 60_000_000_000L; found == null; ) {
            synchronized (printed) {
                for (String line : printed) {
                    Matcher m = listening.matcher(line);
                    if (m.find()) { found = m; break; }
                }
            }
            if (found != null) break;
            if (!process.isAlive() || System.nanoTime() > deadline) fail(1, step.alias() + " did not start listening");
            Thread.sleep(20);
        }
        int port = Integer.parseInt(found.group(1));
        List<Thread> clients = new ArrayList<>();
        Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
        CountDownLatch connected = new CountDownLatch(step.connections());
        for (int i = 0; i < step.connections(); i++) {
            Thread client = new Thread(() -> {
                try (SocketChannel sock = SocketChannel.open(new InetSocketAddress("localhost", port))) {
                    clientPorts.add(((InetSocketAddress) sock.getLocalAddress()).getPort());
                    connected.countDown();
                    connected.await();
                    ByteBuffer data = ArticleData.foobar(NAME, size);
                    while (data.hasRemaining()) sock.write(data);
                } catch (IOException | InterruptedException e) {
                    System.err.println(NAME + ": a client of " + step.alias() + " failed: " + e.getMessage());
                }
            });
            client.start();
            clients.add(client);
        }
        for (Thread client : clients) client.join();
        // Wait until the server has said it finished every client, then stop it as Ctrl-C would (SIGTERM: its shutdown hook).
        Pattern done = Pattern.compile(step.jshell() ? "client done" : "^SERVED ");
        for (long deadline = System.nanoTime() + 60_000_000_000L; ; Thread.sleep(20)) {
            long seen;
            synchronized (printed) { seen = printed.stream().filter(l -> done.matcher(l).find()).count(); }
            if (seen >= step.connections() || System.nanoTime() > deadline || !process.isAlive()) break;
        }
        process.descendants().filter(p -> p.info().command().map(c -> c.endsWith("java") || c.endsWith("jshell")).orElse(false))
                .forEach(ProcessHandle::destroy);
        return clientPorts;
    }

    Thread pump(InputStream stream, PrintStream to) {
        Thread t = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    printed.add(line);
                    to.println(line);
                }
            } catch (IOException ignored) { }
        });
        t.start();
        return t;
    }

    // Every 10 ms, the CPU time of each thread that could write on a socket, as the kernel counts it (utime + stime
    // in /proc/PID/task/TID/stat, in clock ticks), so that the CPU of the thread that wrote can be read off between
    // its first and last write. Cheap enough not to load the run it watches: the step's processes (strace's
    // descendants, a walk of all of /proc) and its threads' names are looked up every 100 ms, not every 10, a
    // JVM's own threads (compilers, collectors, ...), which never write on a socket, are not read, and each stat
    // file stays open and is read again from its start (the kernel writes it afresh for each read from offset 0).
    Thread sampleCpu(Process strace) {
        Thread t = new Thread(() -> {
            Map<Path, java.io.RandomAccessFile> open = new LinkedHashMap<>();
            byte[] stat = new byte[1024];
            for (int round = 0; !Thread.currentThread().isInterrupted(); round++) {
                if (round % 10 == 0 || open.isEmpty()) {
                    List<Path> threads = applicationThreads(strace);
                    open.entrySet().removeIf(e -> !threads.contains(e.getKey()) && closeQuietly(e.getValue()));
                    for (Path task : threads) {
                        if (!open.containsKey(task)) {
                            try {
                                open.put(task, new java.io.RandomAccessFile(task.resolve("stat").toFile(), "r"));
                            } catch (IOException gone) { }
                        }
                    }
                }
                for (var e : open.entrySet()) {
                    try {
                        java.io.RandomAccessFile file = e.getValue();
                        file.seek(0);
                        int n = file.read(stat);
                        long ticks = utimePlusStime(stat, n);
                        if (ticks < 0) continue;
                        Instant at = Instant.now();
                        double now = at.getEpochSecond() + at.getNano() / 1e9;
                        cpuSamples.computeIfAbsent(Integer.parseInt(e.getKey().getFileName().toString()),
                                k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(new double[] {now, ticks});
                    } catch (IOException | RuntimeException gone) { }
                }
                LockSupport.parkNanos(10_000_000);
            }
            open.values().forEach(KernelView::closeQuietly);
        }, "cpu-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** utime + stime (fields 14 and 15) of a stat file's first n bytes "PID (comm) S ...", or -1 if it is not whole. */
    static long utimePlusStime(byte[] stat, int n) {
        int at = n - 1;
        while (at >= 0 && stat[at] != ')') at--;   // comm may hold spaces and parentheses: the fields start after the last ')'
        if (at < 0) return -1;
        long[] fields = new long[2];
        int field = 2;   // the ')' ends field 2; "S" is field 3
        for (int i = at + 1; i < n && field <= 15; i++) {
            if (stat[i] == ' ') { field++; continue; }
            if (field == 14 || field == 15) {
                if (stat[i] < '0' || stat[i] > '9') return -1;
                fields[field - 14] = fields[field - 14] * 10 + (stat[i] - '0');
            }
        }
        return field > 15 ? fields[0] + fields[1] : -1;
    }

    static boolean closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) { }
        return true;
    }

    /** The names (as the kernel keeps them, 15 characters) of the threads a HotSpot JVM starts for itself. */
    static final Pattern JVM_THREAD = Pattern.compile("GC Thread#.*|G1 .*|C[12] CompilerThre.*|VM Thread|VM Periodic Tas.*"
            + "|Reference Handl.*|Finalizer|Signal Dispatch.*|Service Thread|Monitor Deflati.*|Sweeper thread|Notification Th.*"
            + "|Common-Cleaner|Attach Listener|JVMCI.*|Cleaner-\\d+");

    /** The /proc/PID/task/TID folders of the step's threads (strace's descendants), its JVMs' own threads left out. */
    static List<Path> applicationThreads(Process strace) {
        List<Path> threads = new ArrayList<>();
        for (long pid : descendants(strace.pid())) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                tasks.forEach(task -> {
                    try {
                        if (!JVM_THREAD.matcher(Files.readString(task.resolve("comm")).strip()).matches()) threads.add(task);
                    } catch (IOException gone) { }
                });
            } catch (IOException | RuntimeException gone) { }
        }
        return threads;
    }

    // A process's descendants from each of its threads' /proc/PID/task/TID/children (a few small files), rather than
    // ProcessHandle.descendants(), which reads the stat file of every process on the machine; that where Linux has none.
    static List<Long> descendants(long root) {
        List<Long> found = new ArrayList<>();
        List<Long> parents = new ArrayList<>(List.of(root));
        while (!parents.isEmpty()) {
            long parent = parents.remove(parents.size() - 1);
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + parent + "/task"))) {
                for (Path task : tasks.toList()) {
                    Path children = task.resolve("children");
                    if (!Files.exists(children)) {
                        return ProcessHandle.of(root).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid).toList();
                    }
                    for (String child : Files.readString(children).trim().split(" ")) {
                        if (!child.isEmpty()) { found.add(Long.parseLong(child)); parents.add(Long.parseLong(child)); }
                    }
                }
            } catch (IOException | RuntimeException gone) { }
        }
        return found;
    }

    // The step's socket queue and the peer's, as the kernel reports them (ss, else /proc/net/tcp), from the first
    // bytes the reader gets (before them the step is still connecting or making its data, and the queues are empty):
    // every 20 ms for a second (step 3 writes once and exits within a few readings), then every 50 ms. Not more
    // often: each reading is a process (ss: 10-15 ms of CPU, most of it starting ss; a few ms more with thousands of
    // sockets in TIME-WAIT), and against the slow reader both queues stay near full for seconds, so their highs are
    // seen at either rate. Not less often either: on a loaded machine each ss takes far longer than its pause (every
    // 250 ms, at load 25, one run of retry-client saw the step's socket in 4 readings, none while its queue was full).
    // {readings, most in the step's send queue, its send buffer (skmem tb), most in the peer's receive queue, its rb}.
    final long[] queueView = new long[5];
    static final String QUEUE_EVERY = "every 20 ms for a second, then every 50 ms";

    Thread sampleQueues(SlowReader reader) throws IOException {
        int peerPort = reader.port();
        Thread t = new Thread(() -> {
            try {
                reader.firstBytes.await();
            } catch (InterruptedException stepEnded) {
                return;
            }
            long since = System.nanoTime();
            while (!Thread.currentThread().isInterrupted()) {
                List<SocketQueues.Queue> read;
                try {
                    read = SocketQueues.readAll(peerPort);
                } catch (java.io.UncheckedIOException | IllegalStateException ssFailed) {
                    if (Thread.currentThread().isInterrupted()) return;   // the step ended while ss ran: nothing to say
                    read = List.of();
                }
                synchronized (queueView) {
                    for (SocketQueues.Queue q : read) {
                        if (q.remotePort() == peerPort) {
                            queueView[0]++;
                            queueView[1] = Math.max(queueView[1], q.sendQ());
                            queueView[2] = Math.max(queueView[2], q.tb());
                        } else if (q.localPort() == peerPort) {
                            queueView[3] = Math.max(queueView[3], q.recvQ());
                            queueView[4] = Math.max(queueView[4], q.rb());
                        }
                    }
                }
                LockSupport.parkNanos(System.nanoTime() - since < 1_000_000_000L ? 20_000_000L : 50_000_000L);
            }
        }, "queue-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ---- the report: what the kernel was asked and answered ----

    void report(Strace trace, Set<Integer> ports) {
        List<Socket> sockets = trace.sockets(ports);
        OUT.println();
        OUT.printf("%s: what the kernel was asked and answered (strace: %,d calls of the kinds traced, by %,d threads)%n",
                NAME, trace.calls().size(), Strace.threads(trace.calls()).size());
        if (sockets.isEmpty()) {
            OUT.printf("%s: no connection to or from port %s was seen%n", NAME, ports);
            return;
        }
        int pid = sockets.get(0).pid();
        List<Call> onSockets = new ArrayList<>();
        for (Socket s : sockets) onSockets.addAll(s.calls());
        List<String> examples = new ArrayList<>();
        for (Socket s : sockets) {
            OUT.printf("  the socket: descriptor %d, by %s%n", s.fd(), opened(trace, s));
            example(examples, s.opened());
        }
        Tally writes = Tally.of(onSockets, "write"), reads = Tally.of(onSockets, "read");
        if (writes.calls() > 0) {
            OUT.printf("  write(2) on it: %s took %,d bytes: %,d took all they were given, %,d took part, %,d returned -1 EAGAIN"
                    + " (the buffer was full: Java's write returned 0)%n", plural(writes.calls(), "call"), writes.bytes(), writes.full(),
                    writes.partial(), writes.eagain());
            firstWhere(onSockets, c -> c.name().equals("write") && c.errno() == null).ifPresent(c -> example(examples, c));
            firstWhere(onSockets, c -> c.name().equals("write") && c.errno() == null && c.value() < c.lastNumber())
                    .ifPresent(c -> example(examples, c));
            firstWhere(onSockets, c -> c.name().equals("write") && c.failed("EAGAIN")).ifPresent(c -> example(examples, c));
        }
        if (reads.calls() > 0) {
            OUT.printf("  read(2) on it: %s: %,d returned data (%,d bytes), %,d returned 0 (the end of the stream), %,d -1 EAGAIN%n",
                    plural(reads.calls(), "call"), reads.full() + reads.partial(), reads.bytes(), reads.eof(), reads.eagain());
            firstWhere(onSockets, c -> c.name().equals("read") && c.value() > 0).ifPresent(c -> example(examples, c));
            firstWhere(onSockets, c -> c.name().equals("read") && c.value() == 0 && c.errno() == null).ifPresent(c -> example(examples, c));
            firstWhere(onSockets, c -> c.name().equals("read") && c.failed("EAGAIN")).ifPresent(c -> example(examples, c));
        }
        List<Call> polls = onSockets.stream().filter(c -> c.name().endsWith("poll")).toList();
        if (!polls.isEmpty()) {
            OUT.printf("  poll(2) on it: %s (a wait for one descriptor: the connect's deadline, or a blocking call's)%n",
                    plural(polls.size(), "call"));
            example(examples, polls.get(0));
        }
        // Which epoll sets the socket went into (epoll_ctl), and who waited on them (epoll_wait) with what result.
        Map<Integer, List<Call>> ctlsByEpoll = new LinkedHashMap<>();
        for (Call c : trace.byName(pid, "epoll_ctl")) {
            String[] a = c.args().split(", ", 4);
            for (Socket s : sockets) {
                if (a.length > 2 && a[2].equals(String.valueOf(s.fd())) && inLife(s, c)) {
                    ctlsByEpoll.computeIfAbsent(Integer.parseInt(a[0]), k -> new ArrayList<>()).add(c);
                }
            }
        }
        for (var e : ctlsByEpoll.entrySet()) {
            long added = e.getValue().stream().filter(c -> c.args().contains("EPOLL_CTL_ADD") && c.value() == 0).count();
            OUT.printf("  epoll_ctl: the socket added to epoll set %d %s (%s to add, change or remove it), by %s%n",
                    e.getKey(), plural(added, "time"), plural(e.getValue().size(), "call"), names(trace, Strace.threads(e.getValue())));
            firstWhere(e.getValue(), c -> c.args().contains("EPOLL_CTL_ADD") && c.value() == 0).ifPresent(c -> example(examples, c));
        }
        long waitsForSocket = 0, waitsTotal = 0, waitsForPollerSet = 0, waitsThatMaySleep = 0;
        Map<String, List<Call>> waitsBy = new LinkedHashMap<>();
        for (Call c : trace.epollWaits(pid)) waitsBy.computeIfAbsent(c.tid() + "/" + c.fd(), k -> new ArrayList<>()).add(c);
        for (var e : waitsBy.entrySet()) {
            List<Call> waits = e.getValue();
            Call first = waits.get(0);
            long ready = waits.stream().filter(c -> c.value() > 0).count();
            long socket = waits.stream().filter(c -> c.readyFds().stream().anyMatch(fd -> isSocket(sockets, c, fd))).count();
            List<Integer> epollFds = waits.stream().flatMap(c -> c.readyFds().stream()).filter(ctlsByEpoll::containsKey)
                    .distinct().toList();
            long pollerSet = waits.stream().filter(c -> c.readyFds().stream().anyMatch(epollFds::contains)).count();
            waitsTotal += waits.size();
            waitsThatMaySleep += waits.stream().filter(c -> !c.args().endsWith(", 0")).count();   // timeout 0: selectNow
            waitsForSocket += socket;
            waitsForPollerSet += pollerSet;
            OUT.printf("  epoll_wait(%d) by %s: %s, %,d returned events, %,d of them the socket%s%n", first.fd(),
                    names(trace, List.of(first.tid())), plural(waits.size(), "call"), ready, socket,
                    epollFds.isEmpty() ? "" : ", " + pollerSet + " epoll set " + epollFds + " (a poller's set, holding the socket)");
            firstWhere(waits, c -> c.readyFds().stream().anyMatch(fd -> isSocket(sockets, c, fd) || epollFds.contains(fd)))
                    .ifPresent(c -> example(examples, c));
        }
        List<Call> accepts = onSocketsOpenedBy(sockets, "accept");
        synchronized (queueView) {
            if (queueView[0] > 0) {
                OUT.printf("  the queues, as %s reported them %s (%s): the step's send queue held at most %,d bytes%s;"
                        + " the peer's receive queue at most %,d%s%n", SocketQueues.source(), QUEUE_EVERY, plural(queueView[0], "reading"),
                        queueView[1], queueView[2] > 0 ? String.format(" (its send buffer, skmem tb, at most %,d)", queueView[2]) : "",
                        queueView[3], queueView[4] > 0 ? String.format(" (its receive buffer, skmem rb, at most %,d)", queueView[4]) : "");
            }
        }
        CpuWindow cpu = writerCpu(trace, onSockets);
        if (cpu != null) {
            OUT.printf("  the thread that wrote, %s: %.0f ms of CPU by the kernel's count (utime+stime, /proc/%d/task/%d/stat)"
                    + " from its first write on the socket to its last%n", names(trace, List.of(cpu.tid())), cpu.ms(), pid, cpu.tid());
        }
        OUT.println("  as strace printed them, in time order (thread id, time of day, the call and the kernel's answer):");
        examples.sort(java.util.Comparator.comparing(raw -> raw.substring(raw.indexOf(' ')).trim().substring(0, 15)));
        for (String line : examples) OUT.println("    " + line.replace("\n", "\n    "));
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "SYSCALLS step=%s pid=%d fd=%d sockets=%d writes=%d full=%d partial=%d eagain=%d write_bytes=%d reads=%d read_bytes=%d"
                        + " data_reads=%d eof_reads=%d read_eagain=%d polls=%d epoll_ctls=%d epoll_waits=%d epoll_waits_socket=%d"
                        + " epoll_waits_timeout=%d epoll_waits_poller_set=%d accepts=%d",
                step.alias(), pid, sockets.get(0).fd(), sockets.size(), writes.calls(), writes.full(), writes.partial(),
                writes.eagain(), writes.bytes(), reads.calls(), reads.bytes(), reads.full() + reads.partial(), reads.eof(), reads.eagain(),
                polls.size(), ctlsByEpoll.values().stream().mapToInt(List::size).sum(), waitsTotal, waitsForSocket, waitsThatMaySleep,
                waitsForPollerSet,
                accepts.size()));
        if (cpu != null) {
            line.append(String.format(Locale.ROOT, " writer_tid=%d writer_cpu_ms=%.0f cpu_slack_ms=%.1f", cpu.tid(), cpu.ms(), cpu.slackMs()));
        }
        OUT.println(line);
    }

    static List<Call> onSocketsOpenedBy(List<Socket> sockets, String how) {
        return sockets.stream().filter(s -> s.how().startsWith(how)).map(Socket::opened).toList();
    }

    static boolean inLife(Socket s, Call c) {
        if (c.time().isBefore(s.opened().time())) return false;
        Optional<Call> closed = s.calls().stream().filter(x -> x.name().equals("close")).findFirst();
        return closed.isEmpty() || !c.time().isAfter(closed.get().time());
    }

    static boolean isSocket(List<Socket> sockets, Call c, int fd) {
        return sockets.stream().anyMatch(s -> s.fd() == fd && inLife(s, c));
    }

    static String opened(Strace trace, Socket s) {
        Call c = s.opened();
        return c.name().equals("connect")
                ? "connect(2) from " + names(trace, List.of(c.tid())) + (c.failed("EINPROGRESS")
                        ? ", which returned -1 EINPROGRESS (a connect with a deadline: the JDK then waits in poll)" : "")
                : c.name() + "(2) in " + names(trace, List.of(c.tid()));
    }

    static String names(Strace trace, Collection<Integer> tids) {
        List<String> names = new ArrayList<>();
        for (int tid : tids) names.add(trace.threadName(tid) + " (tid " + tid + ")");
        return names.size() <= 3 ? String.join(", ", names) : String.join(", ", names.subList(0, 3)) + " and " + (names.size() - 3) + " more";
    }

    /** The first call that matches, preferring one strace printed on one line (not split by another thread's call). */
    static Optional<Call> firstWhere(List<Call> calls, java.util.function.Predicate<Call> p) {
        Optional<Call> whole = calls.stream().filter(p).filter(c -> !c.raw().contains("\n")).findFirst();
        return whole.isPresent() ? whole : calls.stream().filter(p).findFirst();
    }

    static void example(List<String> examples, Call c) {
        if (!examples.contains(c.raw())) examples.add(c.raw());
    }

    /** The writing thread's CPU from just before its first write to just after its last, and how much wall time that over-covers. */
    record CpuWindow(int tid, double ms, double slackMs) { }

    CpuWindow writerCpu(Strace trace, List<Call> onSockets) {
        List<Call> writes = onSockets.stream().filter(c -> c.name().equals("write")).toList();
        if (writes.isEmpty()) return null;
        Map<Integer, Long> byThread = new LinkedHashMap<>();
        for (Call c : writes) byThread.merge(c.tid(), 1L, Long::sum);
        int tid = byThread.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<Call> mine = writes.stream().filter(c -> c.tid() == tid).toList();
        List<double[]> samples = cpuSamples.get(tid);
        if (samples == null || samples.size() < 2) return null;
        double first = epoch(mine.get(0).time()), last = epoch(mine.get(mine.size() - 1).time());
        double[] before = null, after = null;
        synchronized (samples) {
            for (double[] s : samples) {
                if (s[0] <= first) before = s;
                if (after == null && s[0] >= last) after = s;
            }
            if (before == null) before = samples.get(0);
            if (after == null) after = samples.get(samples.size() - 1);
        }
        double tickMs = 1000.0 / 100;   // USER_HZ: /proc counts CPU time in hundredths of a second
        double slack = Math.abs(first - before[0]) + Math.abs(after[0] - last);
        return new CpuWindow(tid, (after[1] - before[1]) * tickMs, slack * 1000);
    }

    static double epoch(LocalTime time) {
        LocalTime now = LocalTime.now();
        java.time.LocalDate day = java.time.LocalDate.now();
        if (time.isAfter(now)) day = day.minusDays(1);   // traced before midnight, read after
        Instant at = day.atTime(time).atZone(ZoneId.systemDefault()).toInstant();
        return at.getEpochSecond() + at.getNano() / 1e9;
    }

    /**
     * kernel-view's peer for the clients: accepts every connection and reads each at most readMiBps, until EOF. When the
     * step sends more than the path between them can hold, it starts reading only once the step's send buffer is full.
     */
    static final class SlowReader implements AutoCloseable {
        final ServerSocketChannel listener;
        final Thread acceptor;
        final CountDownLatch firstBytes = new CountDownLatch(1);

        SlowReader(double readMiBps, boolean fillFirst) throws IOException {
            listener = ServerSocketChannel.open().bind(new InetSocketAddress("localhost", 0));
            acceptor = new Thread(() -> {
                while (listener.isOpen()) {
                    try {
                        SocketChannel conn = listener.accept();
                        Thread reader = new Thread(() -> {
                            if (fillFirst) awaitFullSendBuffer(conn);
                            read(conn, readMiBps, firstBytes);
                        }, "slow-reader");
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() throws IOException { return ((InetSocketAddress) listener.getLocalAddress()).getPort(); }

        // Why wait: the steps' lessons (a write that takes only what fits, the zero-returns, EAGAIN, a virtual thread
        // parked in the poller) need a send buffer the reader does not keep empty. A reader that reads from the first
        // byte keeps up with a writer slowed enough: under strace, with one core held by another program, step 6c's
        // two connections moved 16 MB/s in all against two 16 MiB/s readers, and no write met a full buffer. The kernel
        // says when the buffer is full: ss's w (bytes queued) reaches tb (the send buffer), the point at which a write
        // blocks or returns EAGAIN. A reading every 20 ms can miss that moment: once the step's writer has met the full
        // buffer, the little the reader's kernel still takes frees a few KB (w stayed 40,384 bytes below tb, seen with
        // ss), and a writer woken only once a third is free does not fill it again. So the reader starts once w has come
        // within two writes (128 KiB) of tb and not moved for 200 ms: the writer has met the full buffer and waited there
        // long enough for the step's own 5 ms look at its threads to see it parked. That is certain to come when the step
        // sends more than its send buffer and the reader's receive buffer can ever hold (fillsThePath). At most 10 s (a
        // step that stops writing early, or ends), after which it reads as before. Without ss (no skmem) it reads at once.
        static final long HOLD_AT_MOST_NANOS = 10_000_000_000L, STILL_NANOS = 200_000_000L;
        static final long WITHIN = 128 * 1024;

        static void awaitFullSendBuffer(SocketChannel conn) {
            try {
                int step = ((InetSocketAddress) conn.getRemoteAddress()).getPort(), ours = ((InetSocketAddress) conn.getLocalAddress()).getPort();
                long lastW = -1, since = System.nanoTime();
                for (long until = since + HOLD_AT_MOST_NANOS; System.nanoTime() < until; LockSupport.parkNanos(20_000_000L)) {
                    SocketQueues.Queue q = SocketQueues.read(step, ours);
                    if (q == null || q.w() == SocketQueues.UNKNOWN || q.tb() == SocketQueues.UNKNOWN) return;
                    long now = System.nanoTime();
                    if (q.w() != lastW) { lastW = q.w(); since = now; }
                    else if (q.w() + WITHIN >= q.tb() && now - since >= STILL_NANOS) return;
                }
            } catch (IOException | RuntimeException noReading) {
                // the connection is gone or ss failed: read as usual
            }
        }

        /** Whether size bytes are more than the kernel's largest send buffer and largest receive buffer together. */
        static boolean fillsThePath(long size) {
            try {
                long most = 0;
                for (String limits : List.of("tcp_wmem", "tcp_rmem")) {
                    // one read of a whole line: a sysctl file answers a read that starts past its first byte with nothing
                    // (Files.readString gives "4" of "4096 16384 4194304", reading the first byte alone first)
                    String[] fields = Files.readAllLines(Path.of("/proc/sys/net/ipv4", limits)).get(0).trim().split("\\s+");
                    most += Long.parseLong(fields[2]);
                }
                return size > most;
            } catch (IOException | RuntimeException unknown) {
                return false;
            }
        }

        static void read(SocketChannel conn, double readMiBps, CountDownLatch firstBytes) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            long bytes = 0, start = 0;
            try (conn) {
                for (int n; (n = conn.read(chunk.clear())) >= 0; ) {
                    if (bytes == 0) {   // the pace counts from the first bytes, not the connect
                        start = System.nanoTime();
                        if (n > 0) firstBytes.countDown();
                    }
                    bytes += n;
                    long wait = start + (long) (bytes / (readMiBps * 1048576) * 1e9) - System.nanoTime();
                    if (wait > 0) LockSupport.parkNanos(wait);
                }
            } catch (IOException gone) { }
        }

        @Override public void close() throws IOException { listener.close(); }
    }

    /** The scripts folder: beside this file when JBang or the source launcher runs it, else found from here upwards. */
    static Path scriptsFolder() {
        for (String property : new String[] {"jbang.source", "jdk.launcher.sourcefile"}) {
            String source = System.getProperty(property);
            if (source != null && Files.exists(Path.of(source).toAbsolutePath().getParent().resolve("RetryClient.java"))) {
                return Path.of(source).toAbsolutePath().getParent();
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("scripts/RetryClient.java"))) return dir.resolve("scripts");
        }
        fail(1, "cannot find the step scripts: run kernel-view from the project folder");
        return null;
    }

    static String plural(long n, String thing) {
        return String.format("%,d %s%s", n, thing, n == 1 ? "" : "s");
    }

    static double number(String text, String what, double min, double max) {
        try {
            double value = Double.parseDouble(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) { }
        fail(2, "bad " + what + " '" + text + "'; " + USAGE);
        return 0;
    }

    static void fail(int exitCode, String message) {
        System.err.println(NAME + ": " + message);
        System.exit(exitCode);
    }
}
