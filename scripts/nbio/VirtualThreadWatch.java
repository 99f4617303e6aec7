package nbio;

//SOURCES Connect.java
//SOURCES Counted.java
//SOURCES Failure.java
//SOURCES VirtualThreadsArguments.java

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

/**
 * Counts what the connections do, and watches them from the outside while they wait: every few
 * milliseconds it asks the JDK for the state of each virtual thread that is inside a blocking
 * call. WAITING there means parked: off its carrier, its socket with the poller.
 * At the end it reports, for people and in the RESULT line, or says in one line why it failed.
 */
public final class VirtualThreadWatch {
    static final String NAME = VirtualThreadsArguments.NAME;

    /** A connection's body: the lesson's blocking client. */
    public interface Body { void run() throws Exception; }

    /** Where a connection is: in no blocking call, or in connect, write, or the read that waits for the close. */
    public static final int NONE = 0, CONNECT = 1, WRITE = 2, EOF = 3;
    final VirtualThreadsArguments o;
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

    public VirtualThreadWatch(VirtualThreadsArguments o, byte[] data) {
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
                NAME, Counted.of(n, "connection"), o.where(), data.length);
        // Ctrl-C: say how far it got (the JVM then exits; the kernel closes every socket).
        onCtrlC = new Thread(() -> System.err.printf("%s: stopped by a signal: %,d of %s had sent everything,"
                + " the kernel accepted %,d of %,d bytes: transfer cut short%n", NAME, done.get(), Counted.of(n, "connection"), sent.get(), total));
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        cpuStart = processCpuNanos();
        start = System.nanoTime();
    }

    public void run(int i, Body body) {
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

    public void in(int i, int what) { phase.set(i, what); }

    public void connected(int i) throws InterruptedException {
        phase.set(i, NONE);
        wasOpen[i] = true;                                  // (read back by this same thread)
        peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        carriers.add(carrierOf(Thread.currentThread()));
        connectedAll.countDown();
        go.await();                                         // every connection is open before any sends
    }

    public void sent(int len) {
        writes.incrementAndGet();
        sent.addAndGet(len);
    }

    // While the connections run: when all are open, note what carries them and let them send;
    // look at the threads every 5 ms until all are done.
    public void untilDone(ExecutorService executor) throws InterruptedException {
        while (!connectedAll.await(5, TimeUnit.MILLISECONDS)) {
            look();
            if (stalled()) break;
        }
        openAtOnce = open.get();
        platformThreads = ManagementFactory.getThreadMXBean().getThreadCount();
        if (openAtOnce > 0) System.out.printf("%s: %s open; sending%n", NAME,
                openAtOnce == n ? "all " + Counted.of(n, "connection") + " are" : String.format("%,d of %s", openAtOnce, Counted.of(n, "connection")));
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
            Failure.exit(NAME, 1, why);
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
        String hint = Connect.noIpv4Hint(o.server);
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
                finished ? String.format("%,d of %s failed", failed.get(), Counted.of(n, "connection")) : "gave up", why,
                openAtOnce, done.get(), sent.get(), total);
    }

    public void report() {
        carriers.remove("");
        int parked = parked(-1), parkedWrite = parked(WRITE), parkedEof = parked(EOF), parkedConnect = parked(CONNECT);
        System.out.printf("%s: all %s were open at once, each waiting in its own thread, while this JVM had %s;"
                        + " the virtual threads ran on %s%n", NAME, Counted.of(openAtOnce, "connection"), Counted.of(platformThreads, "platform thread"),
                Counted.of(carriers.size(), "carrier thread"));
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
                NAME, sent.get(), total, crc.getValue(), Counted.of(writes.get(), "write call"), cpu / 1e6, wallNanos / 1e6);
        System.out.printf(java.util.Locale.ROOT, "RESULT client=%s bytes=%d requested=%d writes=%d zero_writes=0 selects=0 wall_ms=%.1f cpu_ms=%.1f"
                        + " crc32=%08x assertion=%s connections=%d peak_open=%d platform_threads=%d carriers=%d pollers=%d"
                        + " parked=%d parked_connect=%d parked_write=%d parked_eof=%d%n",
                NAME, sent.get(), total, writes.get(), wallNanos / 1e6, cpu / 1e6, crc.getValue(),
                sent.get() == total ? "held" : "failed", n, peakOpen.get(), platformThreads, carriers.size(), pollers.size(),
                parked, parkedConnect, parkedWrite, parkedEof);
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

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
