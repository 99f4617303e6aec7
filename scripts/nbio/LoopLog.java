package nbio;

//SOURCES CpuClock.java
//SOURCES EventLoopArguments.java
//SOURCES SenderLog.java
//SOURCES Timeline.java

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What event-loop's loop did, and its report: its selects, the switches between tasks, the ticks
 * and how late they came, its CPU and wall time; Ctrl-C, which wakes select(); at the end a
 * summary and a RESULT line per sender, one line per failure, and the LOOP line.
 */
public final class LoopLog {
    static final String NAME = EventLoopArguments.NAME;
    final EventLoopArguments arguments;
    final Timeline timeline;
    final List<SenderLog> senders = new ArrayList<>();
    // Every thread that made a socket call (connect, write) for a task: counted where the call
    // is made, so a task run by another thread would show here as a second thread.
    final Set<Thread> socketThreads = ConcurrentHashMap.newKeySet();
    final long startNanos;
    long endNanos, cpuStart, cpuNanos, selects, switches, ticks, whilePending, whileStalled, maxLateNanos;
    Object previous;
    volatile boolean signalled;

    /** The loop's clock starts here. */
    public LoopLog(EventLoopArguments arguments) {
        this.arguments = arguments;
        startNanos = System.nanoTime();
        timeline = new Timeline(NAME, startNanos);
    }

    /** The record of one sending task, which reads {@code data} through its own view. */
    public SenderLog sender(String name, InetSocketAddress to, ByteBuffer data) {
        SenderLog sender = new SenderLog(name, to, data, arguments.timeoutSeconds, timeline, socketThreads);
        senders.add(sender);
        return sender;
    }

    /**
     * The loop's selector, once every task is made: says what the run will do; from now on Ctrl-C
     * wakes the selector (main then says how far each sender got), and the loop's CPU counts.
     */
    public Selector watch(Selector selector) {
        System.out.printf("%s: one thread, one Selector: %s of %,d bytes each to %s:%s, and a tick every %s%n",
                NAME, Timeline.plural(arguments.senders, "sender"), arguments.size, arguments.host, arguments.portsText(),
                Timeline.plural(arguments.tickMs, "ms", "ms"));
        System.out.printf("%s: each tick shows how far every sender got, whether its socket buffer is full (it waits for room)"
                + " and how many turns the loop gave it since the last tick%n", NAME);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (endNanos != 0) return;
            signalled = true;
            selector.wakeup();
            try { main.join(5000); } catch (InterruptedException ignored) { }
        }));
        cpuStart = CpuClock.threadNanos();                                 // the loop's CPU counts from here, without the setup
        return selector;
    }

    /** Ctrl-C (or an interrupt, which wakes select() too): stop the loop. */
    public boolean stopped() {
        if (Thread.currentThread().isInterrupted()) signalled = true;
        return signalled;
    }

    /** One select() that slept. */
    public void selected() { selects++; }

    /** The loop turns to this task: a switch when another ran last. */
    public void switchTo(Object task) {
        if (previous != null && previous != task) switches++;
        previous = task;
    }

    /** The ticker's beat, due at {@code due}: print how far every sender got; count how late it came. */
    public void tick(long now, long due) {
        ticks++;
        maxLateNanos = Math.max(maxLateNanos, now - due);
        StringBuilder state = new StringBuilder();
        int pending = 0, stalled = 0;
        for (SenderLog s : senders) {
            if (state.length() > 0) state.append(", ");
            if (!s.finished) {
                pending++;
                if (s.full) stalled++;
            }
            s.progress(state);
        }
        if (pending > 0) whilePending++;
        if (stalled > 0) whileStalled++;
        System.out.println(timeline.stamp(now, "tick").append(ticks).append(": ").append(state));
    }

    /** The loop is over. */
    public void finished() {
        endNanos = System.nanoTime();
        cpuNanos = CpuClock.threadNanos() - cpuStart;
    }

    /**
     * After the loop: a summary and a RESULT line per sender that finished, one line on stderr per
     * sender that failed (the others are still reported), and the loop's own numbers; exit 1 if any failed.
     */
    public void report() {
        if (signalled) {
            for (SenderLog s : senders) s.stopped();
            return;
        }
        for (SenderLog s : senders) if (s.ok()) s.report(startNanos);
        // A connect failure shared by every sender is said once; anything else once per sender.
        Map<String, List<String>> failures = new LinkedHashMap<>();
        for (SenderLog s : senders) {
            if (!s.ok()) failures.computeIfAbsent(s.why(arguments.host, arguments.timeoutSeconds), k -> new ArrayList<>()).add(s.name);
        }
        for (Map.Entry<String, List<String>> f : failures.entrySet()) {
            boolean once = f.getValue().size() == senders.size() && !f.getKey().contains(" after the kernel had accepted ");
            for (String name : once ? List.of("") : f.getValue()) System.err.println(NAME + ": " + (once ? "" : name + ": ") + f.getKey());
        }
        if (failures.size() > 0 && senders.stream().noneMatch(SenderLog::ok)) System.exit(1);  // nothing else to say
        long wall = endNanos - startNanos;
        int tasks = senders.size() + 1, threads = socketThreads.size();
        System.out.printf("%s: %s on %s: %s, %s between tasks, %s (%,d while a sender waited for room, the latest %.1f ms late);"
                        + " the loop used %.1f ms CPU in %.1f ms%n",
                NAME, Timeline.plural(tasks, "task"), Timeline.plural(threads, "thread"), Timeline.plural(selects, "select"),
                Timeline.plural(switches, "switch", "switches"), Timeline.plural(ticks, "tick"), whileStalled, maxLateNanos / 1e6,
                cpuNanos / 1e6, wall / 1e6);
        System.out.printf(Locale.ROOT, "LOOP tasks=%d senders=%d failed=%d ticks=%d ticks_while_pending=%d ticks_while_stalled=%d"
                        + " max_tick_late_ms=%.1f selects=%d switches=%d wall_ms=%.1f cpu_ms=%.1f socket_threads=%d%n",
                tasks, senders.size(), senders.stream().filter(s -> !s.ok()).count(), ticks, whilePending, whileStalled,
                maxLateNanos / 1e6, selects, switches, wall / 1e6, cpuNanos / 1e6, threads);
        if (!failures.isEmpty()) System.exit(1);
    }
}
