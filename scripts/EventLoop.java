///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 6: an event loop: one thread and one Selector drive two senders and a ticking timer at once, each task resumed when what it waits for is ready.

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

// Where the article stops: "we are going to make use of generators ... Consider this example."
// Its example ran two sending tasks and an "other task" as Python generators: each task sent
// until the socket was full, then did `yield sock`, and a loop called select() on the yielded
// sockets and resumed whichever could go on. That is an event loop.
//
// Java has no generators, so each task here is a small object the loop resumes. A resume does
// a little work that cannot block and answers what the task waits for next: a writable socket,
// a point in time, or nothing (done). The loop sleeps in select() with a timeout taken from the
// nearest timer, so it neither spins (the example's select timeout of 0 did) nor sleeps inside
// a task (the example's time.sleep stopped every task at once).
public class EventLoop {
    static final String NAME = "event-loop";
    static final String USAGE = "usage: " + NAME + " [host] [port[,port...]] [size] [--senders N] [--tick-ms MS] [--timeout SECONDS]"
            + " (defaults: localhost 1234 73400320, 2 senders, a tick every 100 ms; every sender sends size bytes,"
            + " taking the ports in turn; a sender gives up after 60 s without progress)";

    // What a task waits for next: the Java spelling of `yield sock`. A channel and the
    // readiness it needs (OP_CONNECT, OP_WRITE), and/or a deadline; DONE when it is finished.
    record Wait(SocketChannel channel, int op, long deadline) {
        static final Wait DONE = new Wait(null, 0, Long.MAX_VALUE);
        static Wait until(long deadline) { return new Wait(null, 0, deadline); }
    }

    interface Task {
        String name();

        /** Does some work that cannot block; {@code ready} is false when woken by the deadline. */
        Wait resume(boolean ready) throws IOException;

        /** A background task (the ticker) does not keep the loop running on its own. */
        default boolean background() { return false; }
    }

    public static void main(String[] args) throws IOException {
        String host = "localhost";
        List<Integer> ports = List.of(1234);
        int size = 7 * 10 * 1024 * 1024; // 'foobar\n' * 10 * 1024 * 1024: the article's "70 MB"
        int senders = 2, tickMs = 100, timeoutSeconds = 60, positional = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> { System.out.println(USAGE); return; }
                case "--senders" -> senders = number(i + 1 < args.length ? args[++i] : "", "--senders", 1, 1000);
                case "--tick-ms" -> tickMs = number(i + 1 < args.length ? args[++i] : "", "--tick-ms", 1, 60_000);
                case "--timeout" -> timeoutSeconds = number(i + 1 < args.length ? args[++i] : "", "--timeout", 1, 86400);
                default -> {
                    if (arg.startsWith("-") && !arg.matches("-\\d+")) fail(2, "unknown option '" + arg + "'; " + USAGE);
                    switch (positional++) {
                        case 0 -> host = arg;
                        case 1 -> {
                            List<Integer> list = new ArrayList<>();
                            for (String p : arg.split(",", -1)) list.add(number(p, "port", 0, 65535));
                            ports = list;
                        }
                        case 2 -> size = number(arg, "size", 1, Integer.MAX_VALUE - 8);
                        default -> fail(2, "too many arguments; " + USAGE);
                    }
                }
            }
        }

        // The article's data, once, in a direct buffer; every sender reads it through its own view.
        ByteBuffer data = ByteBuffer.allocateDirect(size);
        byte[] foobar = "foobar\n".getBytes();
        while (data.hasRemaining()) data.put(foobar, 0, Math.min(foobar.length, data.remaining()));
        data.flip();

        Loop loop = new Loop(timeoutSeconds);
        List<Sender> sending = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            InetSocketAddress to = new InetSocketAddress(host, ports.get(i % ports.size()));
            if (to.isUnresolved()) fail(1, "cannot resolve host '" + host + "'");
            sending.add(new Sender("send-" + (i + 1), to, data.duplicate(), loop));
        }
        Ticker ticker = new Ticker(tickMs, sending, loop);
        System.out.printf("%s: one thread, one Selector: %d senders of %,d bytes each to %s:%s, and a tick every %d ms%n",
                NAME, senders, size, host, ports.size() == 1 ? ports.get(0) : ports.toString().replace(" ", ""), tickMs);

        System.out.printf("%s: each tick shows how far every sender got, whether its socket buffer is full (it waits for room)"
                + " and how many turns the loop gave it since the last tick%n", NAME);
        List<Task> tasks = new ArrayList<>(sending);
        tasks.add(ticker);
        loop.onCtrlC();
        try {
            loop.run(tasks);
        } catch (IOException e) {
            Sender failed = loop.current instanceof Sender s ? s : null;
            if (failed == null) throw e;
            String why = e instanceof ConnectException
                    ? "nothing is listening on " + host + ":" + failed.to.getPort() + ": start `./jbang select-server` (or `./jbang server`) first"
                    : (loop.timedOut ? failed.name + ": the server took no bytes for " + timeoutSeconds + " s (see --timeout)"
                       : failed.name + ": the connection broke (" + e.getMessage() + ")")
                      + " after the kernel had accepted " + failed.buffer.position() + " of " + size + " bytes: transfer cut short";
            fail(1, why);
        }
        if (loop.signalled) {
            for (Sender s : sending) {
                if (s.channel != null) s.channel.close();
                if (!s.done) System.err.printf("%s: %s: stopped by a signal after the kernel had accepted %d of %d bytes: transfer cut short%n",
                        NAME, s.name, s.buffer.position(), size);
            }
            return;
        }

        // The same summary and RESULT line as the other clients, one per sending task.
        for (Sender s : sending) s.report(loop.startNanos);
        long wall = loop.endNanos - loop.startNanos;
        System.out.printf("%s: %d tasks on %d thread: %,d selects, %,d switches between tasks, %d ticks (%d while a sender"
                        + " waited for room); the loop used %.1f ms CPU in %.1f ms%n",
                NAME, tasks.size(), loop.socketThreads.size(), loop.selects, loop.switches, ticker.ticks,
                ticker.whileStalled, loop.cpuNanos / 1e6, wall / 1e6);
        System.out.printf("LOOP tasks=%d senders=%d ticks=%d ticks_while_pending=%d ticks_while_stalled=%d selects=%d switches=%d"
                        + " wall_ms=%.1f cpu_ms=%.1f socket_threads=%d%n",
                tasks.size(), senders, ticker.ticks, ticker.whilePending, ticker.whileStalled, loop.selects, loop.switches,
                wall / 1e6, loop.cpuNanos / 1e6, loop.socketThreads.size());
    }

    // The event loop: the one place anything waits.
    static final class Loop {
        final Selector selector;
        final long timeoutNanos;
        final Set<Thread> socketThreads = new HashSet<>(); // every thread that touched a socket or the selector
        long startNanos, endNanos, cpuNanos, selects, switches;
        Task current, previous;
        volatile boolean signalled;
        boolean timedOut;

        Loop(int timeoutSeconds) throws IOException {
            selector = Selector.open();
            timeoutNanos = timeoutSeconds * 1_000_000_000L;
        }

        void run(List<Task> tasks) throws IOException {
            startNanos = System.nanoTime();
            long cpuStart = cpuNanos();
            // Every unfinished task, with what it waits for. All start at once.
            Map<Task, Wait> pending = new LinkedHashMap<>();
            for (Task task : tasks) pending.put(task, Wait.until(startNanos));
            List<Task> due = new ArrayList<>();
            while (pending.keySet().stream().anyMatch(t -> !t.background())) {
                if (Thread.currentThread().isInterrupted()) signalled = true; // an interrupt wakes select() too
                if (signalled) break;
                // Sleep until a socket is ready or the nearest deadline comes, whichever is first.
                long nearest = Long.MAX_VALUE;
                for (Wait w : pending.values()) nearest = Math.min(nearest, w.deadline());
                long now = System.nanoTime();
                socketThreads.add(Thread.currentThread());
                if (nearest > now) {
                    long ms = nearest == Long.MAX_VALUE ? 0 : Math.max(1, (nearest - now + 999_999) / 1_000_000);
                    selector.select(ms);                        // the one place this thread sleeps
                    selects++;
                } else {
                    selector.selectNow();                       // something is due already: collect, don't sleep
                }
                // First the tasks whose socket is ready...
                for (SelectionKey key : selector.selectedKeys()) {
                    Task task = (Task) key.attachment();
                    pending.remove(task);
                    step(task, true, pending);
                }
                selector.selectedKeys().clear();
                // ...then those whose time has come (the ticker, or a sender's give-up time).
                now = System.nanoTime();
                due.clear();
                for (Map.Entry<Task, Wait> e : pending.entrySet()) if (e.getValue().deadline() <= now) due.add(e.getKey());
                for (Task task : due) {
                    pending.remove(task);
                    step(task, false, pending);
                }
            }
            endNanos = System.nanoTime();
            cpuNanos = cpuNanos() - cpuStart;
            selector.close();
        }

        // Resume one task and file it under what it waits for next.
        void step(Task task, boolean ready, Map<Task, Wait> pending) throws IOException {
            current = task;
            if (previous != null && previous != task) switches++;
            previous = task;
            socketThreads.add(Thread.currentThread());
            Wait next = task.resume(ready);
            current = null;
            if (next == Wait.DONE) return;                      // a finished task leaves the loop
            if (next.channel() != null) {                       // watch its socket for what it needs
                SelectionKey key = next.channel().keyFor(selector);
                if (key == null) next.channel().register(selector, next.op(), task);
                else key.interestOps(next.op());
            }
            pending.put(task, next);
        }

        // Ctrl-C: wake select() and let main say how far each sender got.
        void onCtrlC() {
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (endNanos != 0) return;
                signalled = true;
                selector.wakeup();
                try { main.join(5000); } catch (InterruptedException ignored) { }
            }));
        }
    }

    // A sending task: the article's non-blocking send loop, cut where it would have to wait.
    static final class Sender implements Task {
        static final int TURN_BYTES = 8 * 1024 * 1024;
        final String name;
        final InetSocketAddress to;
        final ByteBuffer buffer;
        final Loop loop;
        SocketChannel channel;
        int localPort = -1;
        boolean connected, done, full;
        long writes, zeroWrites, wakeups, cpu, start, end, resumesSinceTick;

        Sender(String name, InetSocketAddress to, ByteBuffer buffer, Loop loop) {
            this.name = name; this.to = to; this.buffer = buffer; this.loop = loop;
        }

        @Override public String name() { return name; }

        @Override public Wait resume(boolean ready) throws IOException {
            long cpuStart = cpuNanos();
            try {
                return next(ready);
            } finally {
                cpu += cpuNanos() - cpuStart;
                resumesSinceTick++;
            }
        }

        private Wait next(boolean ready) throws IOException {
            if (channel == null) {                          // first turn: start connecting, don't wait for it
                start = System.nanoTime();
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                if (!channel.connect(to)) return new Wait(channel, SelectionKey.OP_CONNECT, deadline());
            } else if (!ready) {                            // woken by the give-up time, not by the socket
                loop.timedOut = true;
                throw new IOException("no progress for " + loop.timeoutNanos / 1_000_000_000L + " s");
            }
            if (!connected) {
                channel.finishConnect();                    // throws ConnectException if nobody listens
                connected = true;
                localPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
                line("connected to %s:%d from port %d", to.getHostString(), to.getPort(), localPort);
            }
            wakeups += ready ? 1 : 0;
            // Write until the socket is full (write returns 0: Python's EAGAIN), then wait for room.
            // But at most 8 MiB per turn (more than a socket buffer holds): against a fast reader
            // the socket may never fill, and a task that never waits would keep every other task
            // waiting until it is done.
            full = false;
            int size = buffer.limit();
            buffer.limit(Math.min(size, buffer.position() + TURN_BYTES));
            while (buffer.hasRemaining()) {
                int n = channel.write(buffer);
                writes++;
                if (n == 0) {
                    if (zeroWrites++ == 0) line("socket full after %,d bytes: waits until it is writable", buffer.position());
                    full = true;
                    break;
                }
            }
            buffer.limit(size);
            if (buffer.hasRemaining()) return new Wait(channel, SelectionKey.OP_WRITE, deadline());
            end = System.nanoTime();
            done = true;
            channel.close();                                // closing also drops it from the selector
            line("done: %,d bytes in %,d writes, %,d of them returned 0", buffer.position(), writes, zeroWrites);
            return Wait.DONE;
        }

        long deadline() { return System.nanoTime() + loop.timeoutNanos; }

        void line(String format, Object... args) {
            System.out.printf("%s: %7.3f s  %-7s %s%n", NAME, (System.nanoTime() - loop.startNanos) / 1e9, name, String.format(format, args));
        }

        void report(long loopStart) {
            int sent = buffer.position(), size = buffer.limit();
            CRC32 crc = new CRC32();
            crc.update(buffer.duplicate().flip());
            double wall = (end - start) / 1e6;
            System.out.printf("%s: %s: the kernel accepted %,d of %,d bytes (crc32=%08x): %,d write calls, %,d returned 0,"
                            + " %,d selector wake-ups, %.1f ms CPU in %.1f ms wall%n",
                    NAME, name, sent, size, crc.getValue(), writes, zeroWrites, wakeups, cpu / 1e6, wall);
            System.out.printf("RESULT client=%s task=%s bytes=%d requested=%d writes=%d zero_writes=%d selects=%d"
                            + " wall_ms=%.1f cpu_ms=%.1f crc32=%08x assertion=%s port=%d local_port=%d start_ms=%.1f end_ms=%.1f%n",
                    NAME, name, sent, size, writes, zeroWrites, wakeups, wall, cpu / 1e6, crc.getValue(),
                    sent == size ? "held" : "failed", to.getPort(), localPort, (start - loopStart) / 1e6, (end - loopStart) / 1e6);
        }
    }

    // The unrelated task: it only wants the time. It keeps ticking while the senders are
    // stalled, because nothing in the loop ever waits for one socket alone.
    static final class Ticker implements Task {
        final long periodNanos;
        final List<Sender> senders;
        final Loop loop;
        long next, ticks, whilePending, whileStalled;

        Ticker(int periodMs, List<Sender> senders, Loop loop) {
            this.periodNanos = periodMs * 1_000_000L; this.senders = senders; this.loop = loop;
        }

        @Override public String name() { return "tick"; }
        @Override public boolean background() { return true; }

        @Override public Wait resume(boolean ready) {
            long now = System.nanoTime();
            if (next == 0) { next = now + periodNanos; return Wait.until(next); }  // first tick one period from now
            ticks++;
            StringBuilder state = new StringBuilder();
            int pending = 0, stalled = 0;
            for (Sender s : senders) {
                if (state.length() > 0) state.append(", ");
                state.append(s.name).append(' ').append(100L * s.buffer.position() / s.buffer.limit()).append('%');
                if (!s.done) {
                    pending++;
                    if (s.full) stalled++;
                    state.append(s.full ? " (buffer full, " : " (sending, ").append(s.resumesSinceTick).append(" turns)");
                } else {
                    state.append(" (done)");
                }
                s.resumesSinceTick = 0;
            }
            if (pending > 0) whilePending++;
            if (stalled > 0) whileStalled++;
            System.out.printf("%s: %7.3f s  %-7s %d: %s%n", NAME, (now - loop.startNanos) / 1e9, "tick", ticks, state);
            do next += periodNanos; while (next <= now);     // a late tick is not repeated to catch up
            return Wait.until(next);
        }
    }

    static long cpuNanos() { // CPU time of this thread only: the loop and everything it runs
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
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
