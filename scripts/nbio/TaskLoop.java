package nbio;

//SOURCES ArticleData.java
//SOURCES CommandLine.java

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

/**
 * The event loop of the timer-on-time exercise (step 6a's, without its counts and lines): two sending
 * tasks the exercise writes and a timer that prints how far they got, on one thread. It waits in one
 * place only, select(), until a task's socket is ready or the timer is due.
 */
public final class TaskLoop {
    private TaskLoop() { }

    /** What a task waits for next: its socket and the readiness it needs, or a time; DONE when it has finished. */
    public record Wait(SocketChannel sock, int op, long deadline) {
        public static final Wait DONE = new Wait(null, 0, Long.MAX_VALUE);
        public static Wait on(SocketChannel sock, int op) { return new Wait(sock, op, Long.MAX_VALUE); }
        public static Wait until(long nanos) { return new Wait(null, 0, nanos); }
    }

    public interface Task {
        Wait resume(boolean ready) throws IOException;                     // ready: woken by its socket
    }

    /** Makes the sending task the exercise writes: where it sends, and its own view of the data. */
    public interface Senders {
        Task sender(InetSocketAddress to, ByteBuffer data);
    }

    /** [host] [port[,port]] [size] [--tick-ms MS]: runs two senders and the timer until both senders are done. */
    public static void run(String name, String[] args, Senders senders) throws IOException {
        CommandLine line = new CommandLine(name, "usage: " + name + " [host] [port[,port]] [size] [--tick-ms MS] (defaults:"
                + " localhost 1234 73400320, a tick every 100 ms; two senders, taking the ports in turn; ./jbang check " + name
                + " checks your answer)");
        String host = "localhost";
        List<Integer> ports = List.of(1234);
        int size = ArticleData.SIZE, tickMs = 100, positional = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-h") || args[i].equals("--help")) line.help();
            else if (args[i].equals("--tick-ms")) tickMs = line.whole(CommandLine.valueAfter(args, i++), "--tick-ms", 1, 60_000);
            else switch (positional++) {
                case 0 -> host = line.host(line.positional(args, i));
                case 1 -> {
                    ports = new ArrayList<>();
                    for (String port : line.positional(args, i).split(",", -1)) ports.add(line.port(port));
                }
                case 2 -> size = line.whole(line.positional(args, i), "size", 1, Integer.MAX_VALUE - 8);
                default -> line.wrong("too many arguments");
            }
        }
        ByteBuffer data = ArticleData.foobar(name, size);                  // 'foobar\n' * 10 * 1024 * 1024
        Ticker ticker = new Ticker(name, tickMs);
        Map<Task, Wait> waiting = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++) {
            String sender = "send-" + (i + 1);
            ByteBuffer view = data.duplicate();
            ticker.progress.put(sender, view);
            waiting.put(senders.sender(new InetSocketAddress(host, ports.get(i % ports.size())), view), Wait.until(System.nanoTime()));
        }
        waiting.put(ticker, Wait.until(System.nanoTime()));
        System.out.printf("%s: 2 senders of %,d bytes each to %s:%s, and a tick every %d ms%n", name, size, host,
                ports.toString().replaceAll("[\\[\\] ]", ""), tickMs);
        loop(waiting);
        ticker.progress.forEach((sender, view) -> System.out.printf("%s: %s sent %,d of %,d bytes%n", name, sender, view.position(), view.limit()));
        System.out.printf("%s: %d ticks in %.1f s%n", name, ticker.ticks, (System.nanoTime() - ticker.start) / 1e9);
    }

    /** The timer: prints how far each sender got, every period; it only ever waits for the time. */
    static final class Ticker implements Task {
        final String name;
        final long start = System.nanoTime(), period;
        final Map<String, ByteBuffer> progress = new LinkedHashMap<>();
        long next, ticks;

        Ticker(String name, int periodMs) { this.name = name; this.period = periodMs * 1_000_000L; }

        @Override public Wait resume(boolean ready) {
            long now = System.nanoTime();
            if (next != 0) {                                               // built by hand: a cold Formatter costs milliseconds
                StringBuilder line = new StringBuilder(name).append(": ").append((now - start) / 1_000_000).append(" ms  tick ").append(++ticks).append(':');
                progress.forEach((sender, data) -> line.append(' ').append(sender).append(' ').append(100L * data.position() / data.limit()).append('%'));
                System.out.println(line);
            }
            next = Math.max(next, now) + period;
            return Wait.until(next);
        }
    }

    /** Runs the tasks until only the timer is left. */
    static void loop(Map<Task, Wait> waiting) throws IOException {
        try (Selector selector = Selector.open()) {
            while (waiting.size() > 1) {
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
}
