// Scaffolding shared by the step notebooks (loaded with `%load lib/nbio.jsh`; in jshell, `/open lib/nbio.jsh`).
// Nothing here is a step's lesson: the data, a checksum, a CPU clock, and the article's server in a background
// thread of the notebook, so that each notebook can show both sides of a connection without a second terminal.
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

/** printf that returns nothing, so that jshell has no PrintStream to echo. */
void printf(String format, Object... args) { System.out.print(String.format(format, args)); }

/** The article's data: 'foobar\n' repeated, in a direct buffer (a heap buffer would be copied on every write). */
ByteBuffer foobar(int size) {
    ByteBuffer data = ByteBuffer.allocateDirect(size);
    byte[] word = "foobar\n".getBytes();
    while (data.hasRemaining()) data.put(word, 0, Math.min(word.length, data.remaining()));
    return data.flip();
}

long crc32(ByteBuffer data, int from, int to) {
    CRC32 crc = new CRC32();
    crc.update(data.duplicate().position(from).limit(to));
    return crc.getValue();
}

/** CPU time used so far by the calling thread only: what its loop burns. */
long cpuNanos() { return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }

/**
 * What Linux counts for the calling thread (/proc/thread-self): nanoseconds it spent ready to run but
 * waiting for a core (schedstat's run_delay), and how many times it went to sleep of its own accord
 * (voluntary_ctxt_switches: a wait for I/O, a lock, a timer). Null where there is no such file.
 */
record Sched(long waitingNanos, long sleeps) {
    Sched minus(Sched before) { return new Sched(waitingNanos - before.waitingNanos, sleeps - before.sleeps); }
}

Sched sched() {
    try {
        java.nio.file.Path self = java.nio.file.Path.of("/proc/thread-self");
        String[] schedstat = java.nio.file.Files.readString(self.resolve("schedstat")).trim().split(" ");
        long sleeps = java.nio.file.Files.readAllLines(self.resolve("status")).stream()
                .filter(l -> l.startsWith("voluntary_ctxt_switches:"))
                .mapToLong(l -> Long.parseLong(l.split("\\s+")[1])).sum();
        return new Sched(Long.parseLong(schedstat[1]), sleeps);
    } catch (IOException | RuntimeException notLinux) {
        return null;
    }
}

/** What Linux counted for the calling thread since before (null where it counts nothing). */
Sched schedSince(Sched before) {
    Sched now = sched();
    return now == null || before == null ? null : now.minus(before);
}

int SIZE = 7 * 10 * 1024 * 1024;   // 'foobar\n' * 10 * 1024 * 1024: the article's "70 MB"

/** What the server saw from one client: bytes, reads, when it started and stopped reading, a checksum. */
record Served(int client, long bytes, long reads, long startNanos, long endNanos, long crc32) {
    double ms() { return (endNanos - startNanos) / 1e6; }
}

/** The article's Server.py in a background thread: one client at a time, 1024-byte reads until EOF. */
class BlockingServer implements AutoCloseable {
    final ServerSocketChannel listener;
    final BlockingQueue<Served> reports = new LinkedBlockingQueue<>();
    final Thread thread;
    volatile double readMBps;           // 0: read as fast as possible; more: never read faster than this
    volatile CountDownLatch holdReads;  // if set: accept a client, then wait for this before reading it

    BlockingServer() throws IOException {
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("localhost", 0), 5);   // port 0: any free port; backlog 5 as in the article
        thread = new Thread(this::serve, "blocking-server");
        thread.setDaemon(true);
        thread.start();
    }

    int port() throws IOException { return ((InetSocketAddress) listener.getLocalAddress()).getPort(); }

    void serve() {
        ByteBuffer chunk = ByteBuffer.allocate(1024);
        int clients = 0;
        while (listener.isOpen()) {
            try (SocketChannel conn = listener.accept()) {          // conn, info = sock.accept()
                clients++;
                CountDownLatch hold = holdReads;
                if (hold != null) hold.await();
                double rate = readMBps;
                long start = System.nanoTime(), bytes = 0, reads = 0;
                CRC32 crc = new CRC32();
                for (int n; (n = conn.read(chunk.clear())) >= 0; ) {   // data = conn.recv(1024); while data:
                    reads++;
                    bytes += n;
                    crc.update(chunk.array(), 0, n);
                    if (rate > 0) {                                     // a slow reader: wait until these bytes are "due"
                        long wait = start + (long) (bytes / (rate * 1e6) * 1e9) - System.nanoTime();
                        if (wait > 0) LockSupport.parkNanos(wait);
                    }
                }
                reports.add(new Served(clients, bytes, reads, start, System.nanoTime(), crc.getValue()));
            } catch (IOException | InterruptedException e) {
                if (listener.isOpen()) reports.add(new Served(clients, -1, -1, 0, 0, 0)); // a broken connection
            }
        }
    }

    /** The report on the next client the server has finished with (waits for it). */
    Served next() throws InterruptedException {
        Served served = reports.poll(60, TimeUnit.SECONDS);
        if (served == null) throw new AssertionError("the server reported no client within 60 s");
        if (served.bytes() < 0) throw new AssertionError("client " + served.client() + ": the connection broke");
        return served;
    }

    @Override public void close() throws InterruptedException, IOException {
        listener.close();                                               // wakes the blocked accept()
        thread.join(5000);
    }
}

/**
 * What one sending loop did; accepts = {ns since start, bytes} of every write that took something; zerosOnCore =
 * {zero-returns so far, ns on a core so far} at the start and at every 1,024th zero-return (the thread's CPU clock).
 * waitingMs and sleeps: Linux's count for the loop's thread (Sched), -1 where there is none.
 */
record Run(String name, long bytes, long writes, long zeroWrites, long selects, double cpuMs, double wallMs,
           List<long[]> accepts, int[] zerosPer10ms, List<long[]> zerosOnCore, double waitingMs, long sleeps) {
    /** The rest of the wall-clock time: neither on a core nor waiting for one (never below 0). */
    double asleepMs() { return Math.max(0, wallMs - cpuMs - waitingMs); }
}

/** Counts what a sending loop does: every write call, the zeros, the selects, and when bytes were taken. */
class Tally {
    final Sched sched0 = sched();
    final long t0 = System.nanoTime(), cpu0 = cpuNanos();
    final List<long[]> accepts = new ArrayList<>();    // {ns since start, bytes} of every write that took something
    final int[] zerosPer10ms = new int[6000];          // zero-returns per 10 ms, for up to 60 s
    // {zero-returns, CPU ns} every 1,024 zero-returns: a clock read that costs about one more call per thousand
    final List<long[]> zerosOnCore = new ArrayList<>(List.of(new long[] {0, 0}));
    long writes, zeroWrites, selects, bytes;
    double cpuMs, wallMs;

    void wrote(int n) {
        long t = System.nanoTime() - t0;
        writes++;
        if (n == 0) {
            zeroWrites++;
            zerosPer10ms[(int) Math.min(zerosPer10ms.length - 1, t / 10_000_000)]++;
            if (zeroWrites % 1024 == 0) zerosOnCore.add(new long[] {zeroWrites, cpuNanos() - cpu0});
        }
        else { bytes += n; accepts.add(new long[] {t, n}); }
    }

    void selected() { selects++; }

    Run done(String name) {
        cpuMs = (cpuNanos() - cpu0) / 1e6;
        wallMs = (System.nanoTime() - t0) / 1e6;
        Sched used = schedSince(sched0);
        if (used == null) used = new Sched(-1_000_000, -1);
        return new Run(name, bytes, writes, zeroWrites, selects, cpuMs, wallMs, accepts, zerosPer10ms, zerosOnCore,
                used.waitingNanos() / 1e6, used.sleeps());
    }
}

/**
 * The article's print statements, for a loop that prints hundreds of thousands of lines: a line equal to the one
 * before is counted instead of kept, so what is shown is each stretch of equal lines once, with how many there were.
 */
class Printed {
    private final List<String> lines = new ArrayList<>();
    private final List<Long> times = new ArrayList<>();
    private long printed;

    void print(String line) {
        printed++;
        int last = lines.size() - 1;
        if (last >= 0 && lines.get(last).equals(line)) times.set(last, times.get(last) + 1);
        else { lines.add(line); times.add(1L); }
    }

    /** The first stretches of equal lines, one a line with its count, then how many stretches and lines there were. */
    void show(int stretches) {
        int shown = Math.min(stretches, lines.size());
        for (int i = 0; i < shown; i++) {
            System.out.printf("%-34s %,9d time%s%n", lines.get(i), times.get(i), times.get(i) == 1 ? "" : "s");
        }
        if (shown < lines.size()) {
            System.out.printf("... and %,d more stretches like these: %,d lines printed in all%n",
                    lines.size() - shown, printed);
        }
    }
}

/** A server for many clients at once: a thread per connection, each read paced to readMBps; reports per client. */
class PacedServer implements AutoCloseable {
    final ServerSocketChannel listener;
    final BlockingQueue<Served> reports = new LinkedBlockingQueue<>();
    final double readMBps;
    final Thread acceptor;

    PacedServer(double readMBps) throws IOException {
        this.readMBps = readMBps;
        listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("localhost", 0));
        acceptor = new Thread(() -> {
            int clients = 0;
            while (listener.isOpen()) {
                try {
                    SocketChannel conn = listener.accept();
                    int client = ++clients;
                    Thread reader = new Thread(() -> read(client, conn), "paced-reader-" + client);
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

    void read(int client, SocketChannel conn) {
        ByteBuffer chunk = ByteBuffer.allocate(1024);
        CRC32 crc = new CRC32();
        long bytes = 0, reads = 0, start = System.nanoTime();
        try (conn) {
            for (int n; (n = conn.read(chunk.clear())) >= 0; ) {
                bytes += n;
                reads++;
                crc.update(chunk.array(), 0, n);
                long wait = start + (long) (bytes / (readMBps * 1e6) * 1e9) - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
            }
            reports.add(new Served(client, bytes, reads, start, System.nanoTime(), crc.getValue()));
        } catch (IOException e) {
            reports.add(new Served(client, -1, -1, 0, 0, 0));
        }
    }

    Served next() throws InterruptedException {
        Served served = reports.poll(60, TimeUnit.SECONDS);
        if (served == null || served.bytes() < 0) throw new AssertionError("a reader reported no result or a broken connection");
        return served;
    }

    @Override public void close() throws Exception { listener.close(); acceptor.join(5000); }
}

/** A sending loop, as the step notebooks write them: send all of data on sock, telling tally about every call. */
interface SendLoop { void send(SocketChannel sock, ByteBuffer data, Tally tally) throws IOException; }

/** Connects to localhost:port and runs one sending loop on the whole of data, counting what it does. */
Run measure(String name, int port, ByteBuffer data, SendLoop loop) throws IOException {
    data.rewind();
    try (SocketChannel sock = SocketChannel.open(new InetSocketAddress("localhost", port))) {
        Tally tally = new Tally();
        loop.send(sock, data, tally);
        return tally.done(name);
    }
}

/** A connected pair on loopback: the client's SO_SNDBUF and the peer's SO_RCVBUF set before connecting (0: the system's default). */
record Pair(SocketChannel client, SocketChannel peer) implements AutoCloseable {
    public void close() throws IOException { client.close(); peer.close(); }
}

Pair connectedPair(int sndbuf, int rcvbuf) throws IOException {
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
        if (rcvbuf > 0) listener.setOption(StandardSocketOptions.SO_RCVBUF, rcvbuf);   // accepted sockets inherit it
        listener.bind(new InetSocketAddress("localhost", 0));
        SocketChannel client = SocketChannel.open();
        if (sndbuf > 0) client.setOption(StandardSocketOptions.SO_SNDBUF, sndbuf);
        client.connect(listener.getLocalAddress());
        return new Pair(client, listener.accept());
    }
}

/**
 * Reads peer until the end of the stream in a thread of its own, at most readMBps (0: as fast as it can), counting
 * bytes. Returns once the reader is running: it has read the one byte `client` sends it first.
 */
Thread drain(SocketChannel client, SocketChannel peer, double readMBps, AtomicLong count) throws IOException, InterruptedException {
    CountDownLatch reading = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
        ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024);
        long start = System.nanoTime();
        try {
            for (int n; (n = peer.read(chunk.clear())) >= 0; ) {
                if (reading.getCount() > 0) { reading.countDown(); n--; }   // the hello byte is not data
                long sum = count.addAndGet(n);
                if (readMBps > 0) {
                    long wait = start + (long) (sum / (readMBps * 1e6) * 1e9) - System.nanoTime();
                    if (wait > 0) LockSupport.parkNanos(wait);
                }
            }
        } catch (IOException closed) { }
    }, "drain");
    reader.setDaemon(true);
    reader.start();
    client.write(ByteBuffer.wrap(new byte[] {1}));                             // one byte, so we know it reads
    if (!reading.await(30, TimeUnit.SECONDS)) throw new AssertionError("the reader did not start");
    return reader;
}
