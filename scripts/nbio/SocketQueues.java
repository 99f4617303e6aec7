package nbio;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the kernel says about a TCP connection's queues and buffers, read from {@code ss -tmi} (iproute2), or from
 * {@code /proc/net/tcp} and {@code tcp6} (the two queues only) where {@code ss} is missing. Used in-process by the
 * tests, and as a program by the notebooks, in a JVM of its own so that its sampling does not load the one it watches:
 * <pre>
 * java scripts/nbio/SocketQueues.java PORT [PORT...] [--every MS] [--for MS]
 * </pre>
 * prints a {@code SAMPLER} line (where it reads from), then a {@code QUEUE} line for each socket with one of those ports
 * every MS milliseconds (default 5; more when a reading takes longer), for --for milliseconds (default 60000) or until
 * stopped (Ctrl-C). Each line carries the time of its reading twice: ms since the start, and microseconds since the epoch
 * (epoch_us) to line it up with what another process did.
 * <p>
 * Send-Q is what the application wrote that the peer has not acknowledged yet (sent or not); Recv-Q what arrived that
 * the application has not read. {@code skmem} gives the memory the kernel counts against the buffers, overhead
 * included: {@code tb} is the send buffer, {@code w} what the send queue holds; {@code rb} the receive buffer,
 * {@code r} what the receive queue holds.
 * <p>
 * Why Java's {@code getOption(SO_SNDBUF)} is half of {@code tb}: on Linux the kernel doubles what {@code setsockopt}
 * is given (the extra half is for its own bookkeeping) and {@code getsockopt} reports the doubled value; the JDK's
 * {@code NET_GetSockOpt} (src/java.base/unix/native/libnet/net_util_md.c) divides the value by 2 before Java sees it,
 * so that Java reads back what it set. With the system's default sizes (autotuned by the kernel) Java shows half of
 * what the kernel uses.
 */
public final class SocketQueues {
    private SocketQueues() { }

    /** Unknown: the source did not tell (/proc/net/tcp has no skmem; ss leaves out unacked and notsent when 0 is meant). */
    public static final long UNKNOWN = -1;

    /**
     * One socket as the kernel reported it: its ports, Send-Q and Recv-Q (bytes), skmem's r, rb, t, tb, w and d
     * (bytes; d counts packets dropped), and from {@code ss -i} the congestion window and unacknowledged packets,
     * the bytes written but not sent yet, and the byte counters. UNKNOWN where the source did not say.
     */
    public record Queue(int localPort, int remotePort, long sendQ, long recvQ, long r, long rb, long t, long tb, long w,
                        long drops, long cwnd, long unacked, long notsent, long bytesAcked, long bytesReceived) {
        /** The line the program prints: QUEUE t_ms=... local=... (UNKNOWN fields left out). */
        public String line(double atMs) {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "QUEUE t_ms=%.1f local=%d remote=%d", atMs,
                    localPort, remotePort));
            String[] names = {"send_q", "recv_q", "r", "rb", "t", "tb", "w", "d", "cwnd", "unacked", "notsent",
                              "bytes_acked", "bytes_received"};
            long[] values = {sendQ, recvQ, r, rb, t, tb, w, drops, cwnd, unacked, notsent, bytesAcked, bytesReceived};
            for (int i = 0; i < names.length; i++) if (values[i] != UNKNOWN) out.append(' ').append(names[i]).append('=').append(values[i]);
            return out.toString();
        }
    }

    /** One reading of one connection: when (ns since the recording started) and both of its ends, either null if not seen. */
    public record Sample(long nanos, Queue local, Queue remote) { }

    /** A socket's buffer sizes as Java reports them (getOption) beside what the kernel uses (skmem tb and rb). */
    public record Buffers(int javaSndBuf, int javaRcvBuf, long kernelSndBuf, long kernelRcvBuf) { }

    /** Where the readings come from: "ss", "/proc/net/tcp" or "none". */
    public static String source() {
        return Ss.WORKS ? "ss" : Files.isReadable(Path.of("/proc/net/tcp")) ? "/proc/net/tcp" : "none";
    }

    /** Every socket whose local or remote port is one of ports (both ends, on loopback), as the kernel reports it now. */
    public static List<Queue> readAll(int... ports) {
        return Ss.WORKS ? fromSs(ports) : fromProc(ports);
    }

    /** The socket with this local and remote port now, or null if the kernel shows none. */
    public static Queue read(int localPort, int remotePort) {
        for (Queue q : readAll(localPort, remotePort)) if (q.localPort() == localPort && q.remotePort() == remotePort) return q;
        return null;
    }

    /**
     * This connected socket's Send-Q from /proc/net/tcp6 or tcp (no process started, so cheap enough to poll),
     * or -1 where Linux does not show it or the socket is closed.
     */
    public static long sendQueue(SocketChannel channel) {
        int local, remote;
        try {
            local = port(channel, true);
            remote = port(channel, false);
        } catch (RuntimeException closed) {
            return -1;
        }
        // Java's sockets are IPv6 sockets wherever the system has IPv6 (an IPv4 peer shows as ::ffff:127.0.0.1),
        // so tcp6 first unless told to use IPv4's; the reading stops at the socket, and the kernel writes out no
        // line after it (nor walks the rest of its table, which costs it the most where thousands are in TIME-WAIT).
        List<Queue> found = new ArrayList<>(1);
        boolean ipv4 = Boolean.getBoolean("java.net.preferIPv4Stack");
        for (String file : ipv4 ? List.of("/proc/net/tcp", "/proc/net/tcp6") : List.of("/proc/net/tcp6", "/proc/net/tcp")) {
            if (scanProc(file, new int[] {local, remote}, true, found)) return found.get(0).sendQ();
        }
        return -1;
    }

    /** Both ends of a connected channel (the remote end only if it is on this machine). */
    public static Sample read(SocketChannel channel) {
        return both(port(channel, true), port(channel, false), 0);
    }

    /** Both ends of the connection from local to remote (port numbers) in one reading, stamped with nanos. */
    static Sample both(int local, int remote, long nanos) {
        Queue mine = null, theirs = null;
        for (Queue q : readAll(local, remote)) {
            if (q.localPort() == local && q.remotePort() == remote) mine = q;
            if (q.localPort() == remote && q.remotePort() == local) theirs = q;
        }
        return new Sample(nanos, mine, theirs);
    }

    /** Java's SO_SNDBUF/SO_RCVBUF of a connected channel beside the kernel's tb/rb for the same socket (needs ss). */
    public static Buffers buffers(SocketChannel channel) throws IOException {
        Queue q = read(channel).local();
        if (q == null || q.tb() == UNKNOWN) throw new IllegalStateException("the kernel's buffer sizes need ss (iproute2)");
        return new Buffers(option(channel, StandardSocketOptions.SO_SNDBUF), option(channel, StandardSocketOptions.SO_RCVBUF),
                q.tb(), q.rb());
    }

    private static int option(NetworkChannel channel, SocketOption<Integer> option) throws IOException {
        return channel.getOption(option);
    }

    /** Samples the connection of channel (both ends) on a thread of its own every {@code every}, for at most {@code atMost}. */
    public static Recording record(SocketChannel channel, Duration every, Duration atMost) {
        return new Recording(port(channel, true), port(channel, false), every, atMost);
    }

    /** A recording under way: stop() ends it and returns what it saw, in order. */
    public static final class Recording implements AutoCloseable {
        private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private final long start = System.nanoTime();
        private volatile boolean stopped;

        Recording(int local, int remote, Duration every, Duration atMost) {
            long everyNanos = every.toNanos(), end = start + atMost.toNanos();
            thread = new Thread(() -> {
                for (long next = start; !stopped && System.nanoTime() < end; next += everyNanos) {
                    long before = System.nanoTime();
                    Sample sample = both(local, remote, 0);
                    long at = (before + System.nanoTime()) / 2 - start;   // the middle of the reading
                    samples.add(new Sample(at, sample.local(), sample.remote()));
                    long wait = Math.max(next + everyNanos, System.nanoTime()) - System.nanoTime();
                    if (wait > 0) LockSupport.parkNanos(wait);    // the pace of sampling, not a synchronisation
                }
            }, "socket-queues");
            thread.setDaemon(true);
            thread.start();
        }

        /** The samples taken so far, oldest first, while the recording goes on. */
        public List<Sample> soFar() {
            synchronized (samples) { return List.copyOf(samples); }
        }

        /** Ends the recording (waits for the reading under way) and returns every sample, oldest first. */
        public List<Sample> stop() throws InterruptedException {
            stopped = true;
            thread.join();
            synchronized (samples) { return List.copyOf(samples); }
        }

        @Override public void close() {
            try {
                stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- reading ss ----

    // Asked on first use, not when the class loads: a client polling /proc alone starts no process.
    private static final class Ss { static final boolean WORKS = ssWorks(); }
    private static final Pattern SKMEM = Pattern.compile("skmem:\\(([^)]*)\\)");
    private static final Pattern FIELD = Pattern.compile("(?<![\\w_])(cwnd|unacked|notsent|bytes_acked|bytes_received):(\\d+)");

    private static boolean ssWorks() {
        try {
            return run(List.of("ss", "-tnH", "sport = :1")).exitCode == 0;
        } catch (IOException notThere) {
            return false;
        }
    }

    private static List<Queue> fromSs(int... ports) {
        StringBuilder filter = new StringBuilder();
        for (int port : ports) {
            if (filter.length() > 0) filter.append(" or ");
            filter.append("sport = :").append(port).append(" or dport = :").append(port);
        }
        List<String> command = List.of("ss", "-tnmiH", "state", "connected", "( " + filter + " )");
        Output output;
        try {
            output = run(command);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (output.exitCode != 0) throw new IllegalStateException("ss failed: " + output.text.strip());
        return parseSs(output.text);
    }

    /** Parses ss -tnmiH output: a line per socket (State Recv-Q Send-Q Local Peer), its details on lines that follow, indented. */
    static List<Queue> parseSs(String text) {
        List<String> sockets = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            if (Character.isWhitespace(line.charAt(0)) && !sockets.isEmpty()) sockets.set(sockets.size() - 1, sockets.get(sockets.size() - 1) + " " + line.strip());
            else sockets.add(line.strip());
        }
        List<Queue> queues = new ArrayList<>();
        for (String socket : sockets) {
            String[] cols = socket.split("\\s+");
            if (cols.length < 5) continue;
            long recvQ = Long.parseLong(cols[1]), sendQ = Long.parseLong(cols[2]);
            int local = portOf(cols[3]), remote = portOf(cols[4]);
            long[] mem = new long[9];
            java.util.Arrays.fill(mem, UNKNOWN);
            Matcher skmem = SKMEM.matcher(socket);
            if (skmem.find()) {
                String[] keys = {"r", "rb", "t", "tb", "f", "w", "o", "bl", "d"};
                for (String part : skmem.group(1).split(",")) {
                    String key = part.replaceAll("\\d+$", "");
                    int i = java.util.Arrays.asList(keys).indexOf(key);
                    if (i >= 0) mem[i] = Long.parseLong(part.substring(key.length()));
                }
            }
            long cwnd = UNKNOWN, unacked = 0, notsent = 0, acked = UNKNOWN, received = UNKNOWN;
            Matcher m = FIELD.matcher(socket);
            while (m.find()) {
                long value = Long.parseLong(m.group(2));
                switch (m.group(1)) {
                    case "cwnd": cwnd = value; break;
                    case "unacked": unacked = value; break;
                    case "notsent": notsent = value; break;
                    case "bytes_acked": acked = value; break;
                    default: received = value;
                }
            }
            queues.add(new Queue(local, remote, sendQ, recvQ, mem[0], mem[1], mem[2], mem[3], mem[5], mem[8], cwnd,
                    unacked, notsent, acked, received));
        }
        return queues;
    }

    private static int portOf(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    // ---- reading /proc/net/tcp{,6}: "sl: local_address rem_address st tx_queue:rx_queue ...", addresses in hex ----

    private static final int TIME_WAIT = 0x06, LISTEN = 0x0A;

    static List<Queue> fromProc(int... ports) {
        List<Queue> queues = new ArrayList<>();
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) scanProc(file, ports, false, queues);
        return queues;
    }

    /**
     * Adds to into every socket in file (one of /proc/net/tcp{,6}) with one of ports at either end, listening ones left
     * out; with onePair, only the first socket from ports[0] to ports[1] that is not in TIME-WAIT (an old connection
     * between the same ports may linger there), and the reading stops there. True if it added any.
     * A machine may hold tens of thousands of sockets (a server's closed connections stay in TIME-WAIT for 60 s), and
     * a client polls this while it waits: so the lines are looked at as bytes, only the ports and the state parsed
     * before a line is skipped, with no String or regex made for it.
     */
    static boolean scanProc(String file, int[] ports, boolean onePair, List<Queue> into) {
        try (InputStream in = new FileInputStream(file)) {
            return scanProc(in, ports, onePair, into, 64 * 1024);
        } catch (IOException absent) {
            return false;
        }
    }

    static boolean scanProc(InputStream in, int[] ports, boolean onePair, List<Queue> into, int bufferSize) throws IOException {
        byte[] buffer = new byte[bufferSize];
        int filled = 0;
        boolean header = true, found = false;
        for (int n; (n = in.read(buffer, filled, buffer.length - filled)) > 0; ) {
            filled += n;
            int start = 0;
            for (int end; (end = indexOf(buffer, (byte) '\n', start, filled)) >= 0; start = end + 1) {
                if (header) {
                    header = false;
                } else if (procLine(buffer, start, end, ports, onePair, into)) {
                    if (onePair) return true;
                    found = true;
                }
            }
            System.arraycopy(buffer, start, buffer, 0, filled - start);   // the line not read to its end yet
            filled -= start;
        }
        return found;
    }

    // A line: "%4d: LOCAL:PORT REMOTE:PORT ST TX_QUEUE:RX_QUEUE ...", the slot number at least 4 wide (wider from
    // 10,000 sockets on), each address 8 hex digits in tcp and 32 in tcp6, each port 4, the state 2, the queues 8.
    private static boolean procLine(byte[] b, int start, int end, int[] ports, boolean onePair, List<Queue> into) {
        int slotColon = indexOf(b, (byte) ':', start, end);
        if (slotColon < 0) return false;
        int localColon = indexOf(b, (byte) ':', slotColon + 1, end);
        if (localColon < 0) return false;
        int width = localColon - (slotColon + 2), remoteColon = localColon + 6 + width, state = remoteColon + 6;
        int tx = state + 3, rx = tx + 9;
        if (rx + 8 > end || b[remoteColon] != ':' || b[rx - 1] != ':') return false;
        int local = (int) hex(b, localColon + 1, 4), remote = (int) hex(b, remoteColon + 1, 4), st = (int) hex(b, state, 2);
        if (st == LISTEN || (onePair && st == TIME_WAIT)) return false;
        boolean wanted = false;
        if (onePair) wanted = local == ports[0] && remote == ports[1];
        else for (int port : ports) wanted |= port == local || port == remote;
        if (!wanted) return false;
        long sendQ = hex(b, tx, 8), recvQ = hex(b, rx, 8);
        if (local < 0 || remote < 0 || sendQ < 0 || recvQ < 0) return false;
        into.add(new Queue(local, remote, sendQ, recvQ, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN,
                UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN));
        return true;
    }

    private static int indexOf(byte[] b, byte wanted, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] == wanted) return i;
        return -1;
    }

    /** The value of the count hex digits at from, or -1 if one of them is not a hex digit. */
    private static long hex(byte[] b, int from, int count) {
        long value = 0;
        for (int i = from; i < from + count; i++) {
            int digit = Character.digit(b[i], 16);
            if (digit < 0) return -1;
            value = value << 4 | digit;
        }
        return value;
    }

    // ---- helpers ----

    private static int port(SocketChannel channel, boolean local) {
        try {
            return ((InetSocketAddress) (local ? channel.getLocalAddress() : channel.getRemoteAddress())).getPort();
        } catch (IOException | NullPointerException e) {
            throw new IllegalArgumentException("not a connected socket: " + channel, e);
        }
    }

    private static final class Output {
        final int exitCode;
        final String text;
        Output(int exitCode, String text) { this.exitCode = exitCode; this.text = text; }
    }

    private static Output run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish in 10 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + command.get(0) + " ran", e);
        }
        return new Output(process.exitValue(), text);
    }

    // ---- the program ----

    public static void main(String[] args) throws Exception {
        List<Integer> ports = new ArrayList<>();
        long everyMs = 5, forMs = 60_000;
        try {
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--every") && i + 1 < args.length) everyMs = Long.parseLong(args[++i]);
                else if (args[i].equals("--for") && i + 1 < args.length) forMs = Long.parseLong(args[++i]);
                else ports.add(Integer.parseInt(args[i]));
            }
            for (int port : ports) if (port < 1 || port > 65535) throw new NumberFormatException("port " + port);
            if (ports.isEmpty() || everyMs < 1 || forMs < 1) throw new NumberFormatException("usage");
        } catch (NumberFormatException e) {
            System.err.println("usage: SocketQueues PORT [PORT...] [--every MS (>= 1)] [--for MS (>= 1)]");
            System.exit(2);
        }
        if (source().equals("none")) {
            System.err.println("SocketQueues: neither ss nor /proc/net/tcp is available here: nothing to read the queues from");
            System.exit(1);
        }
        int[] watched = ports.stream().mapToInt(Integer::intValue).toArray();
        long start = System.nanoTime(), end = start + forMs * 1_000_000;
        System.out.printf("SAMPLER source=%s every_ms=%d for_ms=%d%n", source(), everyMs, forMs);
        long next = start;
        do {                                                     // at least one reading, however short --for is
            long before = System.nanoTime();
            List<Queue> queues = readAll(watched);
            long after = System.nanoTime();
            Instant at = Instant.now().minusNanos((after - before) / 2);
            long epochMicros = at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
            StringBuilder lines = new StringBuilder();
            for (Queue q : queues) {
                lines.append(q.line(((before + after) / 2 - start) / 1e6)).append(" epoch_us=").append(epochMicros)
                        .append(System.lineSeparator());
            }
            System.out.print(lines);
            System.out.flush();
            long wait = Math.max(next + everyMs * 1_000_000, System.nanoTime()) - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            next += everyMs * 1_000_000;
        } while (System.nanoTime() < end);
    }
}
