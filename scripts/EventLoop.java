///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 6a of 6: an event loop: one thread and one Selector drive two senders and a ticking timer at once, each task resumed when what it waits for is ready.
//SOURCES nbio/EventLoopArguments.java
//SOURCES nbio/LoopLog.java
//SOURCES nbio/SenderLog.java

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
import nbio.EventLoopArguments;
import nbio.LoopLog;
import nbio.SenderLog;

// Where the article stops: "we are going to make use of generators ... Consider this example."
// (The example is only a link.) As Python generators, a sender would send until the socket
// is full, then `yield sock`; a loop would call select() on the yielded sockets and resume
// whichever can go on.
// Java has no generators, so a task here is an object with resume(): it does what it can without
// waiting and returns what it waits for next (a writable socket, a time, or nothing: done).
// What is not the lesson (counting, the timeline's lines, the report) is in the logs, nbio/*Log.java.
public class EventLoop {

    static void run(EventLoopArguments o) throws IOException {             // o: host, ports, size... (nbio/)
        ByteBuffer data = o.data();                                        // data = 'foobar\n' * 10 * 1024 * 1024
        LoopLog log = new LoopLog(o);                                      // what the loop and each task did
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < o.senders; i++) {                              // two sending tasks...
            tasks.add(new Sender("send-" + (i + 1), o.address(i), data.duplicate(), log));
        }
        tasks.add(new Ticker(o.tickMs, log));                              // ...and the "other task": a timer
        new Loop(log).run(tasks);                                          // one thread runs them all
        log.report();                                                      // what each task did
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
    static final class Loop {
        final LoopLog log;                                                 // selects, switches, CPU; Ctrl-C wakes select()
        final Selector selector;

        Loop(LoopLog log) throws IOException {
            this.log = log;
            selector = log.watch(Selector.open());
        }

        void run(List<Task> tasks) throws IOException {
            Map<Task, Wait> waiting = new LinkedHashMap<>();
            for (Task task : tasks) waiting.put(task, Wait.until(System.nanoTime()));   // all start at once
            while (waiting.keySet().stream().anyMatch(t -> !t.background()) && !log.stopped()) {
                // Sleep in select() until a socket is ready or the nearest deadline comes. Never a
                // select with timeout 0 in a loop (a busy poll), never a sleep inside a task.
                // (Every waiting task has a deadline: a sender's give-up time, the timer's next tick.)
                long nearest = waiting.values().stream().mapToLong(Wait::deadline).min().getAsLong();
                long ms = (nearest - System.nanoTime() + 999_999) / 1_000_000;
                if (ms > 0) { selector.select(ms); log.selected(); }       // select.select([], socks, [], timeout)
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
            log.finished();
            selector.close();
        }

        // Run one task until it would wait, and file it under what it waits for.
        void resume(Task task, boolean ready, Map<Task, Wait> waiting) throws IOException {
            log.switchTo(task);
            Wait next = task.resume(ready);                                // next(generator)
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
    static final class Sender implements Task {
        static final int TURN_BYTES = 8 * 1024 * 1024;
        final InetSocketAddress to;
        final ByteBuffer data;                                             // its own view of the data
        final SenderLog log;                                               // its counts, its lines, its RESULT line
        SocketChannel sock;

        Sender(String name, InetSocketAddress to, ByteBuffer data, LoopLog loop) {
            this.to = to;
            this.data = data;
            this.log = loop.sender(name, to, data);
        }

        @Override public Wait resume(boolean ready) throws IOException {
            log.turn(ready);                                               // counts the turn, times its CPU
            try {
                return send(ready);
            } catch (IOException e) {                                      // a failure ends this task only:
                if (sock != null) sock.close();                            // its socket leaves the selector,
                log.failed(e);                                             // its line comes at the end
                return Wait.DONE;
            } finally {
                log.turnEnded();
            }
        }

        Wait send(boolean ready) throws IOException {
            if (sock == null) {                                            // first turn: start connecting
                sock = SocketChannel.open();                               // sock = socket.socket(...)
                sock.configureBlocking(false);                             // sock.setblocking(0)
                if (!sock.connect(to)) return new Wait(sock, SelectionKey.OP_CONNECT, log.giveUpTime());
            } else if (!ready) {
                throw log.gaveUp();                                        // its deadline came, not its socket
            } else if (sock.isConnectionPending() && !sock.finishConnect()) { // throws if nobody is listening
                return new Wait(sock, SelectionKey.OP_CONNECT, log.giveUpTime());
            }
            log.connected(sock);                                           // (says so once)
            int turn = 0;
            while (data.hasRemaining()) {                                  // while len(data):
                int sent = sock.write(data);                               //     sent = sock.send(data)
                log.wrote(sent);
                if (sent == 0) return new Wait(sock, SelectionKey.OP_WRITE, log.giveUpTime()); // EAGAIN: yield sock
                // A fast reader may never fill the socket: after 8 MiB, let the other tasks have a turn.
                if ((turn += sent) >= TURN_BYTES) return new Wait(sock, SelectionKey.OP_WRITE, log.giveUpTime());
            }
            // The kernel took every byte; that is not yet the server's having them. Say we are done
            // (a FIN after the last byte) and wait for the server's close: it closes once it has read all.
            if (!sock.socket().isOutputShutdown()) sock.shutdownOutput();  // sock.shutdown(socket.SHUT_WR)
            if (sock.read(log.receipt()) >= 0) return new Wait(sock, SelectionKey.OP_READ, log.giveUpTime()); // not closed yet
            sock.close();                                                  // done: closing also leaves the selector
            log.done();
            return Wait.DONE;
        }
    }

    // The unrelated task: it only wants the time. It keeps its beat while the senders are
    // stalled, because nothing in the loop ever waits for one socket alone.
    static final class Ticker implements Task {
        final long periodNanos;
        final LoopLog log;
        long next;

        Ticker(int periodMs, LoopLog log) { this.periodNanos = periodMs * 1_000_000L; this.log = log; }

        @Override public boolean background() { return true; }

        @Override public Wait resume(boolean ready) {
            long now = System.nanoTime();
            if (next != 0) log.tick(now, next);                            // print how far every sender got
            else next = now;                                               // the first tick comes one period from now
            do next += periodNanos; while (next <= now);                   // a late tick is not repeated to catch up
            return Wait.until(next);
        }
    }

    // ---- below: not the lesson ----

    public static void main(String[] args) throws IOException {
        run(EventLoopArguments.parse(args));
    }
}
