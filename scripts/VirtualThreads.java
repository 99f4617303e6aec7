///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DESCRIPTION Step 6: the modern answer: plain blocking code, one virtual thread per connection, 10,000 connections at once on a handful of OS threads (Java 21+).

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

// The event loop (event-loop, select-server) answers "how do I serve many sockets without a
// thread each?" by turning the code inside out: no call may wait, so every task is cut into
// pieces the loop resumes. Since Java 21 the JDK can do that cutting for you. Write the article's
// first, blocking client, and run each copy on a virtual thread: when a blocking call cannot go
// on (a connect in flight, a full socket buffer), the JDK parks the virtual thread, hands the
// socket to its poller (epoll on Linux: a selector loop like ours), and runs another virtual
// thread on the same OS thread. When the socket is ready the poller unparks it. Thousands of
// blocked connections cost a few OS threads.
//
// Where it breaks down: a virtual thread can be pinned to its OS thread (its carrier). Blocking
// inside native code, or before JDK 24 inside a synchronized block, holds the carrier as well;
// with as many pinned threads as carriers, every other virtual thread waits. Code that blocks
// while pinned needs an event loop or platform threads after all.
public class VirtualThreads {
    static final String NAME = "virtual-threads";
    static final String USAGE = "usage: " + NAME + " [host] [port] [size] [--connections N] [--timeout SECONDS]"
            + " (defaults: localhost 1234 71680, 10000 connections; every connection sends size bytes;"
            + " needs Java 21+; give up after 60 s)";

    public static void main(String[] args) throws Exception {
        String host = "localhost";
        int port = 1234, size = 7 * 10 * 1024, connections = 10_000, timeoutSeconds = 60, positional = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> { System.out.println(USAGE); return; }
                case "--connections" -> connections = number(i + 1 < args.length ? args[++i] : "", "--connections", 1, 1_000_000);
                case "--timeout" -> timeoutSeconds = number(i + 1 < args.length ? args[++i] : "", "--timeout", 1, 86400);
                default -> {
                    if (arg.startsWith("-") && !arg.matches("-\\d+")) fail(2, "unknown option '" + arg + "'; " + USAGE);
                    switch (positional++) {
                        case 0 -> host = arg;
                        case 1 -> port = number(arg, "port", 0, 65535);
                        case 2 -> size = number(arg, "size", 1, 1 << 30);
                        default -> fail(2, "too many arguments; " + USAGE);
                    }
                }
            }
        }
        // This file compiles on Java 17 (it names no Java 21 API), so that there it can say why it stops.
        if (Runtime.version().feature() < 21) {
            fail(1, "needs Java 21 or newer for virtual threads, and this is Java " + Runtime.version()
                    + ": run it on a JDK 21+, e.g. JAVA_HOME=/path/to/jdk-21 ./jbang " + NAME);
        }
        InetSocketAddress server = new InetSocketAddress(host, port);
        if (server.isUnresolved()) fail(1, "cannot resolve host '" + host + "'");

        byte[] data = new byte[size];                        // 'foobar\n' repeated, as in the article
        byte[] foobar = "foobar\n".getBytes();
        for (int i = 0; i < size; i++) data[i] = foobar[i % foobar.length];
        CRC32 crc = new CRC32();
        crc.update(data);

        System.out.printf("%s: %,d connections to %s:%d, each sending %,d bytes from its own virtual thread, in plain blocking code%n",
                NAME, connections, host, port, size);
        int n = connections, bytesEach = size;
        CountDownLatch connected = new CountDownLatch(n), go = new CountDownLatch(1);
        AtomicInteger open = new AtomicInteger(), peakOpen = new AtomicInteger(), done = new AtomicInteger(), failed = new AtomicInteger();
        AtomicLong sent = new AtomicLong(), writes = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        Set<String> carriers = ConcurrentHashMap.newKeySet();
        int timeoutMs = timeoutSeconds * 1000;
        long cpuStart = processCpuNanos(), start = System.nanoTime();

        // Ctrl-C: say how far it got (the JVM then exits; the kernel closes every socket).
        Thread onCtrlC = new Thread(() -> System.err.printf("%s: stopped by a signal: %d of %d connections had sent everything,"
                + " the kernel accepted %d of %d bytes: transfer cut short%n", NAME, done.get(), n, sent.get(), (long) n * bytesEach));
        Runtime.getRuntime().addShutdownHook(onCtrlC);

        // The one Java 21 call, looked up by name so that this file still compiles on 17.
        ExecutorService virtualThreads = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        for (int i = 0; i < n; i++) {
            virtualThreads.execute(() -> {
                boolean counted = false;
                try (Socket socket = new Socket()) {
                    socket.connect(server, timeoutMs);       // blocks: parks this virtual thread only
                    peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                    connected.countDown();
                    counted = true;
                    carriers.add(carrierOf(Thread.currentThread()));
                    go.await();                              // every connection is open before any sends
                    OutputStream out = socket.getOutputStream();
                    for (int off = 0; off < bytesEach; off += 64 * 1024) {
                        int len = Math.min(64 * 1024, bytesEach - off);
                        out.write(data, off, len);           // blocks while the socket buffer is full: parks again
                        writes.incrementAndGet();
                        sent.addAndGet(len);
                    }
                    done.incrementAndGet();
                } catch (Exception e) {
                    failed.incrementAndGet();
                    firstError.compareAndSet(null, e);
                } finally {
                    if (counted) open.decrementAndGet();
                    else connected.countDown();              // failed to connect: don't keep the others waiting
                }
            });
        }

        // When every connection is open (or has failed), look at what carries them, then let them send.
        boolean allIn = connected.await(timeoutSeconds, TimeUnit.SECONDS);
        int openAtOnce = open.get(), platformThreads = ManagementFactory.getThreadMXBean().getThreadCount();
        Set<String> pollers = new TreeSet<>();
        pollerThreads(pollers);
        go.countDown();
        virtualThreads.shutdown();
        boolean finished = allIn && virtualThreads.awaitTermination(timeoutSeconds, TimeUnit.SECONDS);
        pollerThreads(pollers);                              // the JDK starts its pollers when a thread first parks on a socket
        long wallNanos = System.nanoTime() - start, cpu = processCpuNanos() - cpuStart;
        Runtime.getRuntime().removeShutdownHook(onCtrlC);

        if (!finished || failed.get() > 0) {
            virtualThreads.shutdownNow();
            Exception e = firstError.get();
            if (e instanceof ConnectException && done.get() == 0 && openAtOnce == 0) {
                fail(1, "nothing is listening on " + host + ":" + port + ": start `./jbang select-server` first");
            }
            String why = e == null ? "still not done after " + timeoutSeconds + " s (see --timeout)"
                    : e instanceof SocketTimeoutException ? "no answer within " + timeoutSeconds + " s; the step-1 server takes"
                            + " one client at a time and queues only 5: use select-server"
                    : String.valueOf(e.getMessage()).contains("Too many open files")
                    ? "too many open files (this process may open fewer sockets: see `ulimit -n`, or use fewer --connections)"
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            fail(1, failed.get() + " of " + n + " connections failed (" + why + "); " + openAtOnce + " were open at once, "
                    + done.get() + " sent everything, the kernel accepted " + sent.get() + " of " + (long) n * size + " bytes");
        }

        carriers.remove("");
        System.out.printf("%s: all %,d connections were open at once, each waiting in its own thread, while this JVM had %d platform threads;"
                        + " the virtual threads ran on %d carrier thread(s)%n", NAME, openAtOnce, platformThreads, carriers.size());
        // The JDK starts its poller the first time a virtual thread parks on a socket, so whether
        // one exists tells whether any call here had to wait.
        if (pollers.isEmpty()) {
            System.out.printf("%s: no call had to wait this time (the kernel took every write at once), so the JDK never"
                    + " started its poller; send more per connection (size) to see virtual threads park%n", NAME);
        } else {
            System.out.printf("%s: calls that could not go on parked their virtual threads, and the JDK's poller (%s)"
                            + " watched those sockets and unparked each thread when it was ready: an event loop you did not write%n",
                    NAME, String.join(", ", pollers));
        }
        System.out.printf("%s: it breaks down when a virtual thread blocks while pinned to its carrier (in native code,"
                + " or before JDK 24 inside synchronized): then it holds an OS thread like any platform thread%n", NAME);
        long total = (long) n * size;
        System.out.printf("%s: the kernel accepted %,d of %,d bytes (crc32=%08x on every connection): %,d write calls,"
                        + " %.1f ms CPU (whole process) in %.1f ms wall%n",
                NAME, sent.get(), total, crc.getValue(), writes.get(), cpu / 1e6, wallNanos / 1e6);
        System.out.printf("RESULT client=%s bytes=%d requested=%d writes=%d zero_writes=0 selects=0 wall_ms=%.1f cpu_ms=%.1f"
                        + " crc32=%08x assertion=%s connections=%d peak_open=%d platform_threads=%d carriers=%d pollers=%d%n",
                NAME, sent.get(), total, writes.get(), wallNanos / 1e6, cpu / 1e6, crc.getValue(),
                sent.get() == total ? "held" : "failed", n, peakOpen.get(), platformThreads, carriers.size(), pollers.size());
    }

    // The JDK's poller threads (named "Read-Poller", "Write-Poller" on JDK 21, "MasterPoller" on later ones).
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
