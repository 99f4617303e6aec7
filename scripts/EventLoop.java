///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 6a of 6: an event loop: one thread and one Selector drive two senders and a ticking timer at once, each task resumed when what it waits for is ready.

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

// Where the article stops: "we are going to make use of generators ... Consider this example."
// Its tasks were Python generators: a sender sent until the socket was full, then did
// `yield sock`; a loop called select() on the yielded sockets and resumed whichever could go on.
// Java has no generators, so a task here is an object with resume(): it does what it can without
// waiting and returns what it waits for next (a writable socket, a time, or nothing: done).
public class EventLoop {

    static void run(Options o) throws IOException {                        // o: host, ports, size... (below)
        ByteBuffer data = fill(o.size);                                    // data = 'foobar\n' * 10 * 1024 * 1024
        Loop loop = new Loop(o.timeoutSeconds);
        List<Sender> senders = new ArrayList<>();
        for (int i = 0; i < o.senders; i++) {                              // two sending tasks...
            senders.add(new Sender("send-" + (i + 1), o.address(i), data.duplicate(), loop));
        }
        Ticker ticker = new Ticker(o.tickMs, senders, loop);               // ...and the "other task": a timer
        List<Task> tasks = new ArrayList<>(senders);
        tasks.add(ticker);
        announce(o, loop);
        loop.run(tasks);                                                   // one thread runs them all
        report(o, loop, senders, ticker);                                  // below: what each task did
    }

    // What a task waits for next: the Java spelling of `yield sock`. A socket and the readiness
    // it needs (OP_CONNECT, OP_WRITE), and a deadline; or only a deadline (a timer); or DONE.
    record Wait(SocketChannel sock, int op, long deadline) {
        static final Wait DONE = new Wait(null, 0, Long.MAX_VALUE);
        static Wait until(long deadline) { return new Wait(null, 0, deadline); }
    }

    interface Task {
        Wait resume(boolean ready) throws IOException;                    // next(generator); ready: woken by its socket
        default boolean background() { return false; }                    // the timer does not keep the loop alive
    }

    // The event loop: the one place anything waits.
    static final class Loop extends LoopMachinery {
        Loop(int timeoutSeconds) throws IOException { super(timeoutSeconds); }

        void run(List<Task> tasks) throws IOException {
            Map<Task, Wait> waiting = new LinkedHashMap<>();
            for (Task task : tasks) waiting.put(task, Wait.until(System.nanoTime()));   // all start at once
            while (waiting.keySet().stream().anyMatch(t -> !t.background()) && !stopped()) {
                // Sleep in select() until a socket is ready or the nearest deadline comes. Never a
                // select with timeout 0 in a loop (a busy poll), never a sleep inside a task.
                // (Every waiting task has a deadline: a sender's give-up time, the timer's next tick.)
                long nearest = waiting.values().stream().mapToLong(Wait::deadline).min().getAsLong();
                long ms = (nearest - System.nanoTime() + 999_999) / 1_000_000;
                if (ms > 0) { selector.select(ms); selects++; }             // select.select([], socks, [], timeout)
                else selector.selectNow();                                 // something is due already: don't sleep
                for (SelectionKey key : selector.selectedKeys()) {          // resume the tasks whose socket is ready...
                    Task task = (Task) key.attachment();
                    waiting.remove(task);
                    resume(task, true, waiting);
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();                              // ...then those whose time has come
                for (Task task : List.copyOf(waiting.keySet())) {
                    if (waiting.get(task).deadline() <= now) {
                        waiting.remove(task);
                        resume(task, false, waiting);
                    }
                }
            }
            finish();
        }

        // Run one task until it would wait, and file it under what it waits for.
        void resume(Task task, boolean ready, Map<Task, Wait> waiting) throws IOException {
            Wait next = turn(task, ready);                                 // task.resume(ready); a failure ends that task only
            if (next == Wait.DONE) return;
            if (next.sock() != null) {                                     // watch its socket for what it needs
                SelectionKey key = next.sock().keyFor(selector);
                if (key == null) next.sock().register(selector, next.op(), task);
                else key.interestOps(next.op());
            }
            waiting.put(task, next);
        }
    }

    // A sending task: the article's non-blocking send loop, cut where it would have to wait.
    static final class Sender extends SenderMachinery implements Task {
        Sender(String name, InetSocketAddress to, ByteBuffer data, Loop loop) { super(name, to, data, loop); }

        @Override public Wait resume(boolean ready) throws IOException {
            if (sock == null) {                                            // first turn: start connecting
                sock = SocketChannel.open();                               // sock = socket.socket(...)
                sock.configureBlocking(false);                             // sock.setblocking(0)
                if (!sock.connect(to)) return new Wait(sock, SelectionKey.OP_CONNECT, giveUpTime());
            } else if (!ready) {
                throw gaveUp();                                            // its deadline came, not its socket
            } else if (sock.isConnectionPending() && !sock.finishConnect()) { // throws if nobody is listening
                return new Wait(sock, SelectionKey.OP_CONNECT, giveUpTime());
            }
            connected();                                                   // (says so once)
            int turn = 0;
            while (data.hasRemaining()) {                                  // while len(data):
                int sent = sock.write(data);                               //     sent = sock.send(data)
                counted(sent);
                if (sent == 0) return new Wait(sock, SelectionKey.OP_WRITE, giveUpTime()); // EAGAIN: yield sock
                // A fast reader may never fill the socket: after 8 MiB, let the other tasks have a turn.
                if ((turn += sent) >= TURN_BYTES) return new Wait(sock, SelectionKey.OP_WRITE, giveUpTime());
            }
            // The kernel took every byte; that is not yet the server's having them. Say we are done
            // (a FIN after the last byte) and wait for the server's close: it closes once it has read all.
            if (!sock.socket().isOutputShutdown()) sock.shutdownOutput();  // sock.shutdown(socket.SHUT_WR)
            if (sock.read(receipt()) >= 0) return new Wait(sock, SelectionKey.OP_READ, giveUpTime()); // not closed yet
            sock.close();                                                  // done: closing also leaves the selector
            return done();
        }
    }

    // The unrelated task: it only wants the time. It keeps its beat while the senders are
    // stalled, because nothing in the loop ever waits for one socket alone.
    static final class Ticker extends TickerMachinery implements Task {
        Ticker(int periodMs, List<Sender> senders, Loop loop) { super(periodMs, senders, loop); }

        @Override public boolean background() { return true; }

        @Override public Wait resume(boolean ready) {
            long now = System.nanoTime();
            if (next != 0) tick(now);                                      // print how far every sender got
            else next = now;                                               // the first tick comes one period from now
            do next += periodNanos; while (next <= now);                   // a late tick is not repeated to catch up
            return Wait.until(next);
        }
    }

    // ---- below: not the lesson ----

    public static void main(String[] args) throws IOException {
        run(Options.parse(args));
    }

    static final String NAME = "event-loop";
    static final String USAGE = "usage: " + NAME + " [host] [port[,port...]] [size] [--senders N] [--tick-ms MS] [--timeout SECONDS]"
            + " (defaults: localhost 1234 73400320, 2 senders, a tick every 100 ms; every sender sends size bytes,"
            + " taking the ports in turn; a sender gives up after 60 s without progress)";

    static final class Options {
        String host = "localhost";
        List<Integer> ports = List.of(1234);
        int size = 7 * 10 * 1024 * 1024; // 'foobar\n' * 10 * 1024 * 1024: the article's "70 MB"
        int senders = 2, tickMs = 100, timeoutSeconds = 60;

        static Options parse(String[] args) {
            Options o = new Options();
            int positional = 0;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "-h", "--help" -> { System.out.println(USAGE); System.exit(0); }
                    case "--senders" -> o.senders = number(i + 1 < args.length ? args[++i] : "", "--senders", 1, 1000);
                    case "--tick-ms" -> o.tickMs = number(i + 1 < args.length ? args[++i] : "", "--tick-ms", 1, 60_000);
                    case "--timeout" -> o.timeoutSeconds = number(i + 1 < args.length ? args[++i] : "", "--timeout", 1, 86400);
                    default -> {
                        if (arg.isEmpty()) fail(2, "argument " + (i + 1) + " is empty; " + USAGE);
                        if (arg.startsWith("-") && !arg.matches("-\\d+")) fail(2, "unknown option '" + arg + "'; " + USAGE);
                        switch (positional++) {
                            case 0 -> o.host = hostArgument(arg);
                            case 1 -> {
                                List<Integer> list = new ArrayList<>();
                                for (String p : arg.split(",", -1)) list.add(number(p, "port", 0, 65535));
                                o.ports = list;
                            }
                            case 2 -> o.size = number(arg, "size", 1, Integer.MAX_VALUE - 8);
                            default -> fail(2, "too many arguments; " + USAGE);
                        }
                    }
                }
            }
            return o;
        }

        InetSocketAddress address(int sender) {
            InetSocketAddress to = new InetSocketAddress(host, ports.get(sender % ports.size()));
            if (to.isUnresolved()) fail(1, "cannot resolve host '" + host + "'");
            return to;
        }

        String portsText() { return ports.size() == 1 ? String.valueOf(ports.get(0)) : ports.toString().replace(" ", ""); }
    }

    // A host made of digits only is a port that slid into the host's place (JBang drops an empty
    // argument): refuse it before anything connects anywhere.
    static String hostArgument(String arg) {
        if (arg.matches("\\d+")) fail(2, "host '" + arg + "' looks like a port: give the host first (" + NAME + " localhost " + arg + "); " + USAGE);
        return arg;
    }

    // The article's data, once, in a direct buffer (the kernel copies straight from it); every
    // sender reads it through its own view.
    static ByteBuffer fill(int size) {
        ByteBuffer data;
        try {
            data = ByteBuffer.allocateDirect(size);
        } catch (OutOfMemoryError e) {
            fail(1, String.valueOf(e.getMessage()).startsWith("Cannot reserve")    // the JVM's own limit, or the system's
                    ? String.format("%,d bytes do not fit in this JVM's direct memory (%s): send less,"
                            + " or allow more with -XX:MaxDirectMemorySize", size, e.getMessage())
                    : String.format("the system refused %,d bytes of memory (%s): send less, or raise this process's"
                            + " memory limit (ulimit -v)", size, e.getMessage()));
            return null;
        }
        byte[] foobar = "foobar\n".getBytes();
        while (data.hasRemaining()) data.put(foobar, 0, Math.min(foobar.length, data.remaining()));
        return data.flip();
    }

    static void announce(Options o, Loop loop) {
        System.out.printf("%s: one thread, one Selector: %s of %,d bytes each to %s:%s, and a tick every %s%n",
                NAME, plural(o.senders, "sender"), o.size, o.host, o.portsText(), plural(o.tickMs, "ms", "ms"));
        System.out.printf("%s: each tick shows how far every sender got, whether its socket buffer is full (it waits for room)"
                + " and how many turns the loop gave it since the last tick%n", NAME);
        loop.host = o.host;
        loop.onCtrlC();
        loop.cpuStart = cpuNanos();                                        // the loop's CPU counts from here, without the setup
    }

    // After the loop: a summary and a RESULT line per sender that finished, one line on stderr per
    // sender that failed (the others are still reported), and the loop's own numbers.
    static void report(Options o, Loop loop, List<Sender> senders, Ticker ticker) throws IOException {
        if (loop.signalled) {
            for (Sender s : senders) {
                if (s.sock != null) s.sock.close();
                if (!s.finished) System.err.printf("%s: %s: stopped by a signal after the kernel had accepted %,d of %,d bytes: %s%n",
                        NAME, s.name, s.data.position(), s.data.limit(), s.receipt != null ? "delivery not confirmed" : "transfer cut short");
            }
            return;
        }
        for (Sender s : senders) if (s.failure == null) s.report(loop.startNanos);
        // A connect failure shared by every sender is said once; anything else once per sender.
        Map<String, List<String>> failures = new LinkedHashMap<>();
        for (Sender s : senders) if (s.failure != null) failures.computeIfAbsent(s.why(o.timeoutSeconds), k -> new ArrayList<>()).add(s.name);
        for (Map.Entry<String, List<String>> f : failures.entrySet()) {
            boolean once = f.getValue().size() == senders.size() && !f.getKey().contains(" after the kernel had accepted ");
            for (String name : once ? List.of("") : f.getValue()) System.err.println(NAME + ": " + (once ? "" : name + ": ") + f.getKey());
        }
        if (failures.size() > 0 && senders.stream().allMatch(s -> s.failure != null)) System.exit(1);  // nothing else to say
        long wall = loop.endNanos - loop.startNanos;
        int tasks = senders.size() + 1, threads = loop.socketThreads.size();
        System.out.printf("%s: %s on %s: %s, %s between tasks, %s (%,d while a sender waited for room, the latest %.1f ms late);"
                        + " the loop used %.1f ms CPU in %.1f ms%n",
                NAME, plural(tasks, "task"), plural(threads, "thread"), plural(loop.selects, "select"), plural(loop.switches, "switch", "switches"),
                plural(ticker.ticks, "tick"), ticker.whileStalled, ticker.maxLateNanos / 1e6, loop.cpuNanos / 1e6, wall / 1e6);
        System.out.printf(java.util.Locale.ROOT, "LOOP tasks=%d senders=%d failed=%d ticks=%d ticks_while_pending=%d ticks_while_stalled=%d max_tick_late_ms=%.1f"
                        + " selects=%d switches=%d wall_ms=%.1f cpu_ms=%.1f socket_threads=%d%n",
                tasks, senders.size(), senders.stream().filter(s -> s.failure != null).count(), ticker.ticks, ticker.whilePending,
                ticker.whileStalled, ticker.maxLateNanos / 1e6, loop.selects, loop.switches, wall / 1e6, loop.cpuNanos / 1e6, threads);
        if (!failures.isEmpty()) System.exit(1);
    }

    static class LoopMachinery {
        final Selector selector;
        final long timeoutNanos;
        // Every thread that made a socket call (connect, write) for a task: counted where the call
        // is made, so a task run by another thread would show here as a second thread.
        final Set<Thread> socketThreads = ConcurrentHashMap.newKeySet();
        String host = "localhost";
        long startNanos, endNanos, cpuNanos, cpuStart, selects, switches;
        Task previous;
        volatile boolean signalled;

        LoopMachinery(int timeoutSeconds) throws IOException {
            selector = Selector.open();
            timeoutNanos = timeoutSeconds * 1_000_000_000L;
            startNanos = System.nanoTime();
            cpuStart = cpuNanos();
        }

        boolean stopped() {
            if (Thread.currentThread().isInterrupted()) signalled = true;  // an interrupt wakes select() too
            return signalled;
        }

        Wait turn(Task task, boolean ready) throws IOException {
            if (previous != null && previous != task) switches++;
            previous = task;
            Sender sender = task instanceof Sender s ? s : null;
            long cpuStart = cpuNanos();
            try {
                return task.resume(ready);
            } catch (IOException e) {
                if (sender == null) throw e;
                sender.failed(e);                                          // reported at the end, with the others
                return Wait.DONE;
            } finally {
                if (sender != null) {
                    sender.cpu += cpuNanos() - cpuStart;
                    sender.resumesSinceTick++;
                    if (ready) sender.wakeups++;
                }
            }
        }

        void finish() throws IOException {
            endNanos = System.nanoTime();
            cpuNanos = cpuNanos() - cpuStart;
            selector.close();
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

    static class SenderMachinery {
        static final int TURN_BYTES = 8 * 1024 * 1024;
        final String name;
        final InetSocketAddress to;
        final ByteBuffer data;
        final Loop loop;
        SocketChannel sock;
        int localPort = -1;
        boolean finished, full, connected, gaveUp;
        IOException failure;
        ByteBuffer receipt;
        long writes, zeroWrites, wakeups, cpu, start, end, resumesSinceTick, turnCpuStart;

        SenderMachinery(String name, InetSocketAddress to, ByteBuffer data, Loop loop) {
            this.name = name; this.to = to; this.data = data; this.loop = loop;
        }

        long giveUpTime() {
            if (start == 0) start = System.nanoTime();
            return System.nanoTime() + loop.timeoutNanos;
        }

        IOException gaveUp() {
            gaveUp = true;
            return new IOException("no progress for " + loop.timeoutNanos / 1_000_000_000L + " s");
        }

        void connected() throws IOException {
            if (connected) return;
            connected = true;
            localPort = ((InetSocketAddress) sock.getLocalAddress()).getPort();
            line("connected to %s:%d from port %d", to.getHostString(), to.getPort(), localPort);
        }

        // Counts one write call: how many, how many returned 0, and which thread made it.
        void counted(int sent) {
            loop.socketThreads.add(Thread.currentThread());
            writes++;
            full = sent == 0;
            if (full && zeroWrites++ == 0) line("socket full after %,d bytes: waits until it is writable", data.position());
        }

        // Where the server's answer goes while the sender waits for its close (the step-1 server and
        // select-server send nothing): the time of the last write is kept, for wall_ms.
        ByteBuffer receipt() {
            if (receipt == null) {
                end = System.nanoTime();
                receipt = ByteBuffer.allocate(1024);
            }
            return receipt.clear();
        }

        Wait done() {
            if (receipt == null) end = System.nanoTime();
            finished = true;
            line("done: %,d bytes in %s, %,d of them returned 0", data.position(), plural(writes, "write"), zeroWrites);
            return Wait.DONE;
        }

        void failed(IOException e) {
            failure = e;
            finished = true;
            end = System.nanoTime();
            try { if (sock != null) sock.close(); } catch (IOException ignored) { }
        }

        // The real cause, in one line.
        String why(int timeoutSeconds) {
            String host = loop.host, where = (host.contains(":") ? "[" + host + "]" : host) + ":" + to.getPort();
            if (!connected) {
                if (gaveUp) return "no answer from " + where + " within " + timeoutSeconds + " s (see --timeout)";
                String hint = noIpv4Hint(to);
                if (!hint.isEmpty()) return "cannot connect to " + where + " (" + failure.getMessage() + ")" + hint;
                if (failure instanceof ConnectException && String.valueOf(failure.getMessage()).contains("refused")) {
                    return "nothing is listening on " + where + ": start `./jbang select-server` (or `./jbang server`) first";
                }
                return "cannot connect to " + where + " (" + failure.getMessage() + ")";
            }
            if (receipt != null) {                                          // every byte written, no close seen
                return (gaveUp ? "the server did not close the connection within " + timeoutSeconds + " s (see --timeout)"
                        : "the connection broke (" + failure.getMessage() + ")")
                        + String.format(" after the kernel had accepted all %,d bytes: delivery not confirmed", data.limit());
            }
            return (gaveUp ? "the server took no bytes for " + timeoutSeconds + " s (see --timeout)"
                    : "the connection broke (" + failure.getMessage() + ")")
                    + String.format(" after the kernel had accepted %,d of %,d bytes: transfer cut short", data.position(), data.limit());
        }

        void line(String format, Object... args) {
            System.out.println(stamp(System.nanoTime() - loop.startNanos, name).append(String.format(format, args)));
        }

        // The same summary and RESULT line as the other clients, one per sending task.
        void report(long loopStart) {
            int sent = data.position(), size = data.limit();
            CRC32 crc = new CRC32();
            crc.update(data.duplicate().flip());
            double wall = (end - start) / 1e6;
            System.out.printf("%s: %s: the kernel accepted %,d of %,d bytes (crc32=%08x): %s, %,d returned 0,"
                            + " %s, %.1f ms CPU in %.1f ms wall%n",
                    NAME, name, sent, size, crc.getValue(), plural(writes, "write call"), zeroWrites,
                    plural(wakeups, "selector wake-up"), cpu / 1e6, wall);
            System.out.printf(java.util.Locale.ROOT, "RESULT client=%s task=%s bytes=%d requested=%d writes=%d zero_writes=%d selects=%d"
                            + " wall_ms=%.1f cpu_ms=%.1f crc32=%08x assertion=%s port=%d local_port=%d start_ms=%.1f end_ms=%.1f%n",
                    NAME, name, sent, size, writes, zeroWrites, wakeups, wall, cpu / 1e6, crc.getValue(),
                    sent == size ? "held" : "failed", to.getPort(), localPort, (start - loopStart) / 1e6, (end - loopStart) / 1e6);
        }
    }

    static class TickerMachinery {
        final long periodNanos;
        final List<Sender> senders;
        final Loop loop;
        long next, ticks, whilePending, whileStalled, maxLateNanos;

        TickerMachinery(int periodMs, List<Sender> senders, Loop loop) {
            this.periodNanos = periodMs * 1_000_000L; this.senders = senders; this.loop = loop;
        }

        void tick(long now) {
            ticks++;
            maxLateNanos = Math.max(maxLateNanos, now - next);              // how long after its time this tick ran
            StringBuilder state = new StringBuilder();
            int pending = 0, stalled = 0;
            for (Sender s : senders) {
                if (state.length() > 0) state.append(", ");
                state.append(s.name).append(' ').append(100L * s.data.position() / s.data.limit()).append('%');
                if (!s.finished) {
                    pending++;
                    if (s.full) stalled++;
                    state.append(s.full ? " (buffer full, " : s.receipt != null ? " (all sent, waiting for the server to close, "
                            : " (sending, ").append(plural(s.resumesSinceTick, "turn")).append(')');
                } else {
                    state.append(s.failure != null ? " (failed)" : " (done)");
                }
                s.resumesSinceTick = 0;
            }
            if (pending > 0) whilePending++;
            if (stalled > 0) whileStalled++;
            System.out.println(stamp(now - loop.startNanos, "tick").append(ticks).append(": ").append(state));
        }
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

    static String plural(long n, String one) { return plural(n, one, one + "s"); }

    // The ticker and the senders print from the loop's thread, and while the JVM is still cold a
    // Formatter costs each tick about a millisecond of the loop's CPU: what they print every turn
    // is built by hand (a count under 1,000 has nothing to group).
    static String plural(long n, String one, String many) {
        if (Math.abs(n) < 1000) return new StringBuilder().append(n).append(' ').append(n == 1 ? one : many).toString();
        return String.format("%,d %s", n, n == 1 ? one : many);
    }

    // The start of a timeline line, "event-loop:   1.234 s  send-1  ": printf's "%s: %7.3f s  %-7s ".
    static StringBuilder stamp(long nanos, String who) {
        StringBuilder line = new StringBuilder(NAME).append(": ");
        long ms = (nanos + 500_000) / 1_000_000;
        for (int width = String.valueOf(ms / 1000).length() + 4; width < 7; width++) line.append(' ');
        line.append(ms / 1000).append('.').append(String.valueOf(1000 + ms % 1000), 1, 4).append(" s  ").append(who);
        for (int width = who.length(); width < 8; width++) line.append(' ');
        return line;
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
