///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Your turn, step 6a: an event loop keeps a timer on time while two sends stall; write the sending task, which never waits (then: ./jbang check timer-on-time).

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

// Your turn, step 6a: a task that never waits.
// One thread runs two senders and a timer that ticks every 100 ms; the loop and the timer are done
// (below). The loop calls a task's resume(ready); the task does what it can without waiting and
// returns what it waits for next: Wait.on(sock, op) or Wait.DONE. Write Sender.resume: on its first
// turn open the socket, make it non-blocking and connect (connect returns false: wait for
// OP_CONNECT, then finishConnect()); then write until a write returns 0 (wait for OP_WRITE) or
// nothing is left (close the socket: DONE). Whatever blocks or spins here stops the timer too.
// Then: ./jbang check timer-on-time
public class TimerOnTime {
    static final String NAME = "timer-on-time";

    /** What a task waits for next: its socket and the readiness it needs, or a time; DONE when it has finished. */
    record Wait(SocketChannel sock, int op, long deadline) {
        static final Wait DONE = new Wait(null, 0, Long.MAX_VALUE);
        static Wait on(SocketChannel sock, int op) { return new Wait(sock, op, Long.MAX_VALUE); }
        static Wait until(long nanos) { return new Wait(null, 0, nanos); }
    }

    interface Task {
        Wait resume(boolean ready) throws IOException;                 // ready: woken by its socket
    }

    /** Sends data to one server: the article's non-blocking send loop, cut wherever it would wait. */
    static final class Sender implements Task {
        final String name;
        final InetSocketAddress to;
        final ByteBuffer data;
        SocketChannel sock;

        Sender(String name, InetSocketAddress to, ByteBuffer data) { this.name = name; this.to = to; this.data = data; }

        @Override public Wait resume(boolean ready) throws IOException {
            // your code here
            return Wait.DONE;
        }
    }

    // ---- below: not the lesson ----

    /** The timer: prints how far each sender got, every period; it only ever waits for the time. */
    static final class Ticker implements Task {
        final long start = System.nanoTime(), period;
        final List<Sender> senders;
        long next, ticks;

        Ticker(int periodMs, List<Sender> senders) { this.period = periodMs * 1_000_000L; this.senders = senders; }

        @Override public Wait resume(boolean ready) {
            long now = System.nanoTime();
            if (next != 0) {                                               // built by hand: a cold Formatter costs milliseconds
                StringBuilder line = new StringBuilder(NAME).append(": ").append((now - start) / 1_000_000).append(" ms  tick ").append(++ticks).append(':');
                for (Sender s : senders) line.append(' ').append(s.name).append(' ').append(100L * s.data.position() / s.data.limit()).append('%');
                System.out.println(line);
            }
            next = Math.max(next, now) + period;
            return Wait.until(next);
        }
    }

    /** The event loop: the one place anything waits, in select(), until a socket is ready or the timer is due. */
    static void run(List<Sender> senders, Ticker ticker) throws IOException {
        try (Selector selector = Selector.open()) {
            Map<Task, Wait> waiting = new LinkedHashMap<>();
            for (Task task : senders) waiting.put(task, Wait.until(System.nanoTime()));
            waiting.put(ticker, Wait.until(System.nanoTime()));
            while (waiting.size() > 1) {                                   // until only the timer is left
                long nearest = waiting.values().stream().mapToLong(Wait::deadline).min().getAsLong();
                long ms = (nearest - System.nanoTime() + 999_999) / 1_000_000;
                if (ms > 0) selector.select(ms); else selector.selectNow();
                for (SelectionKey key : selector.selectedKeys()) {         // tasks whose socket is ready...
                    Task task = (Task) key.attachment();
                    if (waiting.remove(task) != null) resume(selector, task, true, waiting);
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();                              // ...then those whose time has come
                for (Task task : List.copyOf(waiting.keySet())) {
                    if (waiting.get(task).deadline() <= now) {
                        waiting.remove(task);
                        resume(selector, task, false, waiting);
                    }
                }
            }
        }
    }

    static void resume(Selector selector, Task task, boolean ready, Map<Task, Wait> waiting) throws IOException {
        Wait next = task.resume(ready);
        if (next == Wait.DONE) return;
        if (next.sock() != null) {                                         // watch its socket for what it needs
            SelectionKey key = next.sock().keyFor(selector);
            if (key == null) next.sock().register(selector, next.op(), task);
            else key.interestOps(next.op());
        }
        waiting.put(task, next);
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"))) {
            System.out.println("usage: " + NAME + " [host] [port[,port]] [size] [--tick-ms MS] (defaults: localhost 1234 73400320,"
                    + " a tick every 100 ms; two senders, taking the ports in turn; ./jbang check " + NAME + " checks your answer)");
            return;
        }
        List<String> positional = new ArrayList<>();
        int tickMs = 100;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--tick-ms") && i + 1 < args.length) tickMs = Integer.parseInt(args[++i]);
            else positional.add(args[i]);
        }
        String host = positional.size() > 0 ? positional.get(0) : "localhost";
        String[] ports = (positional.size() > 1 ? positional.get(1) : "1234").split(",");
        int size = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : 7 * 10 * 1024 * 1024;
        ByteBuffer data = ByteBuffer.allocateDirect(size);                 // 'foobar\n' * 10 * 1024 * 1024
        byte[] foobar = "foobar\n".getBytes();
        while (data.hasRemaining()) data.put(foobar, 0, Math.min(foobar.length, data.remaining()));
        data.flip();
        List<Sender> senders = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            int port = Integer.parseInt(ports[i % ports.length]);
            senders.add(new Sender("send-" + (i + 1), new InetSocketAddress(host, port), data.duplicate()));
        }
        System.out.printf("%s: 2 senders of %,d bytes each to %s:%s, and a tick every %d ms%n", NAME, size, host, String.join(",", ports), tickMs);
        Ticker ticker = new Ticker(tickMs, senders);
        run(senders, ticker);
        for (Sender s : senders) System.out.printf("%s: %s sent %,d of %,d bytes%n", NAME, s.name, s.data.position(), size);
        System.out.printf("%s: %d ticks in %.1f s%n", NAME, ticker.ticks, (System.nanoTime() - ticker.start) / 1e9);
    }
}
