///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DESCRIPTION Step 6c of 6: the modern answer: plain blocking code, one virtual thread per connection, 10,000 connections at once on a handful of OS threads (Java 21+).

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

// The event loop (event-loop, select-server) serves many sockets on one thread by cutting every
// task into pieces that never wait. Since Java 21 the JDK does that cutting for you: write the
// article's first, blocking client and run each copy on a virtual thread. When a call cannot go
// on, the JDK parks the virtual thread: it takes it off its OS thread (its carrier), hands the
// socket to its poller (JDK code waiting in epoll: a selector loop like ours), and runs another
// virtual thread there. When the socket is ready, the poller unparks the thread and it carries on
// where it stopped. (On Linux since JDK 22 the pollers are themselves virtual threads, under one
// platform "MasterPoller" thread that waits in epoll_wait for them all; JDK 21 uses platform threads.) Ten thousand waiting connections cost a few OS threads.
public class VirtualThreads {

    static void run(Options o) throws Exception {              // o: host, port, size, --connections (below; needs Java 21)
        byte[] data = fill(o.size);                             // data = 'foobar\n' * ...
        Watch watch = new Watch(o, data);                       // counts, and looks at the threads while they wait (below)
        ExecutorService virtualThreads = newVirtualThreadPerTaskExecutor();
        for (int i = 0; i < o.connections; i++) {
            int n = i;
            virtualThreads.execute(() -> watch.run(n, () -> send(o, data, watch, n)));   // one virtual thread each
        }
        watch.untilDone(virtualThreads);
        watch.report();
    }

    // The article's blocking client. Every call here may wait, and on a virtual thread waiting
    // is parking: the OS thread goes on with other virtual threads meanwhile.
    static void send(Options o, byte[] data, Watch watch, int n) throws Exception {
        try (Socket sock = new Socket()) {                      // sock = socket.socket(AF_INET, SOCK_STREAM)
            watch.in(n, Watch.CONNECT);
            sock.connect(o.server, o.timeoutMs());              // sock.connect(('localhost', 1234))
            watch.connected(n);                                 // (every connection opens before any sends)
            OutputStream out = sock.getOutputStream();
            watch.in(n, Watch.WRITE);
            for (int off = 0; off < data.length; off += CHUNK) {
                int len = Math.min(CHUNK, data.length - off);
                out.write(data, off, len);                      // sock.send(data): parks while the socket buffer is full
                watch.sent(len);
            }
            sock.shutdownOutput();                              // that was all: the server reads to the end,
            watch.in(n, Watch.EOF);
            sock.getInputStream().read();                       // and closes; this read parks until it has
            watch.in(n, Watch.NONE);
        }
    }

    // ---- below: not the lesson ----

    public static void main(String[] args) throws Exception {
        run(Options.parse(args));
    }

    static final String NAME = "virtual-threads";
    static final int CHUNK = 64 * 1024;
    static final String USAGE = "usage: " + NAME + " [host] [port] [size] [--connections N] [--timeout SECONDS]"
            + " (defaults: localhost 1234 71680, 10000 connections; every connection sends size bytes, then waits for the"
            + " server to close; needs Java 21+; give up after 60 s without progress)";

    static final class Options {
        String host = "localhost";
        int port = 1234, size = 7 * 10 * 1024, connections = 10_000, timeoutSeconds = 60;
        InetSocketAddress server;

        int timeoutMs() { return timeoutSeconds * 1000; }

        String where() { return (host.contains(":") ? "[" + host + "]" : host) + ":" + port; }

        static Options parse(String[] args) {
            Options o = new Options();
            int positional = 0;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "-h", "--help" -> { System.out.println(USAGE); System.exit(0); }
                    case "--connections" -> o.connections = number(i + 1 < args.length ? args[++i] : "", "--connections", 1, 1_000_000);
                    case "--timeout" -> o.timeoutSeconds = number(i + 1 < args.length ? args[++i] : "", "--timeout", 1, 86400);
                    default -> {
                        if (arg.isEmpty()) fail(2, "argument " + (i + 1) + " is empty; " + USAGE);
                        if (arg.startsWith("-") && !arg.matches("-\\d+")) fail(2, "unknown option '" + arg + "'; " + USAGE);
                        switch (positional++) {
                            case 0 -> o.host = hostArgument(arg);
                            case 1 -> o.port = number(arg, "port", 0, 65535);
                            case 2 -> o.size = number(arg, "size", 1, 1 << 30);
                            default -> fail(2, "too many arguments; " + USAGE);
                        }
                    }
                }
            }
            // This file compiles on Java 17 (it names no Java 21 API), so that there it can say why it stops.
            if (Runtime.version().feature() < 21) {
                fail(1, "needs Java 21 or newer for virtual threads, and this is Java " + Runtime.version()
                        + ": run it with a JDK 21+, e.g. /path/to/jdk-21/bin/java scripts/VirtualThreads.java,"
                        + " or JAVA_HOME=/path/to/jdk-21 ./jbang " + NAME);
            }
            o.server = new InetSocketAddress(o.host, o.port);
            if (o.server.isUnresolved()) fail(1, "cannot resolve host '" + o.host + "'");
            return o;
        }
    }

    // A host made of digits only is a port that slid into the host's place (JBang drops an empty
    // argument): refuse it before anything connects anywhere.
    static String hostArgument(String arg) {
        if (arg.matches("\\d+")) fail(2, "host '" + arg + "' looks like a port: give the host first (" + NAME + " localhost " + arg + "); " + USAGE);
        return arg;
    }

    static byte[] fill(int size) {
        byte[] data;
        try {
            data = new byte[size];
        } catch (OutOfMemoryError e) {
            fail(1, String.format("%,d bytes do not fit in this JVM's heap (%s): send less, or give the JVM more heap with -Xmx", size, e.getMessage()));
            return null;
        }
        byte[] foobar = "foobar\n".getBytes();
        for (int i = 0; i < size; i++) data[i] = foobar[i % foobar.length];
        return data;
    }

    // The one Java 21 call, looked up by name so that this file still compiles on 17:
    // Executors.newVirtualThreadPerTaskExecutor().
    static ExecutorService newVirtualThreadPerTaskExecutor() throws ReflectiveOperationException {
        return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }

    interface Body { void run() throws Exception; }

    // Counts what the connections do, and watches them from the outside while they wait: every few
    // milliseconds it asks the JDK for the state of each virtual thread that is inside a blocking
    // call. WAITING there means parked: off its carrier, its socket with the poller.
    static final class Watch {
        static final int NONE = 0, CONNECT = 1, WRITE = 2, EOF = 3;
        final Options o;
        final int n;
        final long total;
        final CRC32 crc = new CRC32();
        final Thread[] threads;
        final boolean[] wasOpen;
        final AtomicIntegerArray phase, parkedIn;                 // parkedIn: a bit per phase it was seen parked in
        final CountDownLatch connectedAll, go = new CountDownLatch(1);
        final AtomicInteger open = new AtomicInteger(), peakOpen = new AtomicInteger(), done = new AtomicInteger(), failed = new AtomicInteger();
        final AtomicLong sent = new AtomicLong(), writes = new AtomicLong();
        final AtomicReference<Throwable> firstError = new AtomicReference<>();
        final Set<String> carriers = ConcurrentHashMap.newKeySet(), pollers = new TreeSet<>();
        volatile List<String> parkedStack;
        int openAtOnce, platformThreads;
        long cpuStart, start, wallNanos, cpu, lastProgress = System.nanoTime(), lastProgressCount = -1;
        final Thread onCtrlC;

        Watch(Options o, byte[] data) {
            this.o = o;
            n = o.connections;
            total = (long) n * data.length;
            crc.update(data);
            threads = new Thread[n];
            wasOpen = new boolean[n];
            phase = new AtomicIntegerArray(n);
            parkedIn = new AtomicIntegerArray(n);
            connectedAll = new CountDownLatch(n);
            System.out.printf("%s: %s to %s, each sending %,d bytes from its own virtual thread, in plain blocking code%n",
                    NAME, plural(n, "connection"), o.where(), data.length);
            // Ctrl-C: say how far it got (the JVM then exits; the kernel closes every socket).
            onCtrlC = new Thread(() -> System.err.printf("%s: stopped by a signal: %,d of %s had sent everything,"
                    + " the kernel accepted %,d of %,d bytes: transfer cut short%n", NAME, done.get(), plural(n, "connection"), sent.get(), total));
            Runtime.getRuntime().addShutdownHook(onCtrlC);
            cpuStart = processCpuNanos();
            start = System.nanoTime();
        }

        void run(int i, Body body) {
            threads[i] = Thread.currentThread();
            boolean counted = false;
            try {
                body.run();
                done.incrementAndGet();
            } catch (Throwable e) {                             // OutOfMemoryError included: reported, not a stack trace
                failed.incrementAndGet();
                firstError.compareAndSet(null, e);
            } finally {
                phase.set(i, NONE);
                if (wasOpen[i]) open.decrementAndGet();
                else connectedAll.countDown();                  // failed to connect: don't keep the others waiting
            }
        }

        void in(int i, int what) { phase.set(i, what); }

        void connected(int i) throws InterruptedException {
            phase.set(i, NONE);
            wasOpen[i] = true;                                  // (read back by this same thread)
            peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            carriers.add(carrierOf(Thread.currentThread()));
            connectedAll.countDown();
            go.await();                                         // every connection is open before any sends
        }

        void sent(int len) {
            writes.incrementAndGet();
            sent.addAndGet(len);
        }

        // While the connections run: when all are open, note what carries them and let them send;
        // look at the threads every 5 ms until all are done.
        void untilDone(ExecutorService executor) throws InterruptedException {
            while (!connectedAll.await(5, TimeUnit.MILLISECONDS)) {
                look();
                if (stalled()) break;
            }
            openAtOnce = open.get();
            platformThreads = ManagementFactory.getThreadMXBean().getThreadCount();
            if (openAtOnce > 0) System.out.printf("%s: %s open; sending%n", NAME,
                    openAtOnce == n ? "all " + plural(n, "connection") + " are" : String.format("%,d of %s", openAtOnce, plural(n, "connection")));
            go.countDown();
            executor.shutdown();
            while (!executor.awaitTermination(5, TimeUnit.MILLISECONDS)) {
                look();
                if (stalled()) break;
            }
            wallNanos = System.nanoTime() - start;
            cpu = processCpuNanos() - cpuStart;
            pollerThreads(pollers);
            Runtime.getRuntime().removeShutdownHook(onCtrlC);
            boolean finished = executor.isTerminated();
            if (!finished || failed.get() > 0) {
                String why = whyFailed(finished);               // first: the interrupts that stop the threads fail them too
                executor.shutdownNow();
                fail(1, why);
            }
        }

        // No connection opened, sent or finished for --timeout seconds: give up (a stall deadline,
        // not a total one: a slow but steady server never trips it).
        boolean stalled() {
            long progress = (long) open.get() + done.get() + failed.get() + sent.get();
            if (progress != lastProgressCount) {
                lastProgressCount = progress;
                lastProgress = System.nanoTime();
            }
            return System.nanoTime() - lastProgress > o.timeoutSeconds * 1_000_000_000L;
        }

        // One look at every virtual thread inside a blocking call: is it parked (WAITING)?
        void look() {
            for (int i = 0; i < n; i++) {
                int p = phase.get(i);
                Thread t = threads[i];
                if (p == NONE || t == null) continue;
                Thread.State state = t.getState();
                if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) continue;
                if (phase.get(i) != p) continue;                 // it moved on meanwhile
                int before = parkedIn.getAndUpdate(i, bits -> bits | 1 << p);
                if (before == 0 && parkedStack == null && p != CONNECT) {
                    List<String> story = frames(t.getStackTrace());
                    if (stillParked(story)) parkedStack = story; // it may have woken since getState(): then try another
                }
            }
        }

        int parked(int p) {
            int count = 0;
            for (int i = 0; i < n; i++) if ((parkedIn.get(i) & (p < 0 ? ~0 : 1 << p)) != 0) count++;
            return count;
        }

        String whyFailed(boolean finished) {
            Throwable e = firstError.get();
            String where = o.where();
            if (e instanceof ConnectException && String.valueOf(e.getMessage()).contains("refused") && done.get() == 0 && openAtOnce == 0) {
                return "nothing is listening on " + where + ": start `./jbang select-server` first";
            }
            String hint = noIpv4Hint(o.server);
            if (e != null && openAtOnce == 0 && !hint.isEmpty()) return "cannot connect to " + where + " (" + e.getMessage() + ")" + hint;
            String why = e == null || !finished ? "no progress for " + o.timeoutSeconds + " s (see --timeout)"
                    : e instanceof SocketTimeoutException ? "no answer within " + o.timeoutSeconds + " s; the step-1 server takes"
                            + " one client at a time and queues only 5: use select-server"
                    : e instanceof OutOfMemoryError ? "out of memory (" + e.getMessage() + "): use fewer --connections or a smaller size,"
                            + " or give the JVM more heap with -Xmx"
                    : String.valueOf(e.getMessage()).contains("Too many open files")
                    ? "too many open files (this process may open fewer sockets: see `ulimit -n`, or use fewer --connections)"
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            return String.format("%s (%s); %,d open at once, %,d sent everything, the kernel accepted %,d of %,d bytes",
                    finished ? String.format("%,d of %s failed", failed.get(), plural(n, "connection")) : "gave up", why,
                    openAtOnce, done.get(), sent.get(), total);
        }

        void report() {
            carriers.remove("");
            int parked = parked(-1), parkedWrite = parked(WRITE), parkedEof = parked(EOF), parkedConnect = parked(CONNECT);
            System.out.printf("%s: all %s were open at once, each waiting in its own thread, while this JVM had %s;"
                            + " the virtual threads ran on %s%n", NAME, plural(openAtOnce, "connection"), plural(platformThreads, "platform thread"),
                    plural(carriers.size(), "carrier thread"));
            System.out.printf("%s: %,d of the %,d virtual threads were seen parked (the JDK said WAITING) inside a blocking call:"
                            + " %,d in connect, %,d in write (the socket buffer was full), %,d in the read that waits for the server to close;"
                            + " the JDK's pollers watched their sockets and unparked each when it was ready%s%n",
                    NAME, parked, n, parkedConnect, parkedWrite, parkedEof,
                    pollers.isEmpty() ? "" : " (its platform poller threads: " + String.join(", ", pollers) + ")");
            if (parkedStack != null) {
                System.out.printf("%s: where one of them waited, as its stack showed while it was parked: %s%n", NAME, String.join(" > ", parkedStack));
            }
            System.out.printf("%s: it breaks down when a virtual thread blocks while pinned to its carrier (in native code,"
                    + " or before JDK 24 inside synchronized): then it holds an OS thread like any platform thread%n", NAME);
            System.out.printf("%s: the kernel accepted %,d of %,d bytes (crc32=%08x on every connection): %s,"
                            + " %.1f ms CPU (whole process) in %.1f ms wall%n",
                    NAME, sent.get(), total, crc.getValue(), plural(writes.get(), "write call"), cpu / 1e6, wallNanos / 1e6);
            System.out.printf(java.util.Locale.ROOT, "RESULT client=%s bytes=%d requested=%d writes=%d zero_writes=0 selects=0 wall_ms=%.1f cpu_ms=%.1f"
                            + " crc32=%08x assertion=%s connections=%d peak_open=%d platform_threads=%d carriers=%d pollers=%d"
                            + " parked=%d parked_connect=%d parked_write=%d parked_eof=%d%n",
                    NAME, sent.get(), total, writes.get(), wallNanos / 1e6, cpu / 1e6, crc.getValue(),
                    sent.get() == total ? "held" : "failed", n, peakOpen.get(), platformThreads, carriers.size(), pollers.size(),
                    parked, parkedConnect, parkedWrite, parkedEof);
        }
    }

    // The frames of a parked thread that tell the story, outermost first: the socket call it made,
    // then the JDK parking it and handing its socket to the poller.
    static List<String> frames(StackTraceElement[] stack) {
        List<String> story = new ArrayList<>();
        boolean call = false;
        for (int i = stack.length - 1; i >= 0; i--) {                    // outermost first
            String c = stack[i].getClassName(), frame = c.substring(c.lastIndexOf('.') + 1) + "." + stack[i].getMethodName();
            boolean socketCall = !call && c.startsWith("java.net.Socket");
            boolean parking = stack[i].getMethodName().equals("park") || c.endsWith(".Poller");
            if ((socketCall || parking) && !story.contains(frame)) story.add(frame);
            call |= socketCall;
        }
        return story;
    }

    // A story taken from a thread still parked: a socket call, the poller, and the park itself last.
    static boolean stillParked(List<String> story) {
        return !story.isEmpty() && story.get(0).startsWith("Socket") && story.get(story.size() - 1).endsWith(".park")
                && story.stream().anyMatch(frame -> frame.startsWith("Poller."));
    }

    // The JDK's platform poller threads: "Read-Poller", "Write-Poller" on JDK 21; on Linux since JDK 22
    // only "MasterPoller", as the pollers that hold the sockets are virtual threads (not listed here).
    static void pollerThreads(Set<String> names) {
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            if (t.getThreadName().contains("Poller")) names.add(t.getThreadName());
        }
    }

    // A virtual thread's toString names the carrier it runs on: "VirtualThread[#23]/runnable@ForkJoinPool-1-worker-2".
    static String carrierOf(Thread thread) {
        String s = thread.toString();
        int at = s.lastIndexOf('@');
        return at < 0 ? "" : s.substring(at + 1);
    }

    // An IPv6-only host: localhost resolves to 127.0.0.1 (from /etc/hosts) but no interface has it.
    static String noIpv4Hint(InetSocketAddress address) {
        try {
            if (address.getAddress() instanceof Inet4Address && address.getAddress().isLoopbackAddress()
                    && NetworkInterface.getByInetAddress(address.getAddress()) == null) {
                return ": this machine has no IPv4 loopback address (" + address.getAddress().getHostAddress()
                        + "); use ::1 as the host, with a server listening there";
            }
        } catch (IOException ignored) { }
        return "";
    }

    static String plural(long n, String one) { return String.format("%,d %s", n, n == 1 ? one : one + "s"); }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static int number(String text, String what, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) { }
        return fail(2, "bad " + what + " '" + text + "' (expected " + min + " to " + max + "); " + USAGE);
    }

    static int fail(int exitCode, String message) {
        System.err.println(NAME + ": " + message);
        System.exit(exitCode);
        return 0;
    }
}
