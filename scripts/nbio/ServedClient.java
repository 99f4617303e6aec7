package nbio;

//SOURCES Counted.java
//SOURCES ServerArgs.java

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.zip.CRC32;

/**
 * One client of the step-1 server: its bytes (read until EOF, a reset, Ctrl-C or its deadline), its counts and
 * checksum, its progress, a slow --read-rate on purpose, and its two closing lines (for people, and SERVED).
 */
public final class ServedClient {
    // A one-at-a-time server must not let one client hold it forever: every client must send at
    // least one full read (1,024 bytes) within every --idle-timeout seconds, or it is dropped.
    static final int DUE_PER_WINDOW = 1024;

    final SocketChannel conn;
    private final ServerArgs args;
    private final long number;
    private final Socket socket;
    private final BooleanSupplier serverOpen;
    private final LongConsumer onDone;
    private final CRC32 crc = new CRC32();
    private final long start = System.nanoTime(), idleNanos;
    private long bytes, reads, lastShown = start, windowStart = start, windowBytes;
    private String ended = "eof", problem = "";

    /** Client number {@code number} on conn; onDone gets its byte count once it is done. */
    ServedClient(ServerArgs args, long number, SocketChannel conn, BooleanSupplier serverOpen, LongConsumer onDone) {
        this.args = args;
        this.number = number;
        this.conn = conn;
        this.socket = conn.socket();
        this.serverOpen = serverOpen;
        this.onDone = onDone;
        this.idleNanos = TimeUnit.SECONDS.toNanos(args.idleSeconds());
    }

    /**
     * The client's bytes. Each read waits at most until the current window's deadline; a reset, the
     * deadline or Ctrl-C end the client like an EOF, and done() says which.
     */
    public InputStream input() {
        return new InputStream() {
            InputStream stream;

            @Override public int read(byte[] b, int off, int len) {
                if (!ended.equals("eof")) return -1;
                try {
                    if (stream == null) stream = socket.getInputStream(); // fails if Ctrl-C closed it already
                    long left = windowStart + idleNanos - System.nanoTime();
                    if (left <= 0) throw new SocketTimeoutException();
                    socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    return stream.read(b, off, len);
                } catch (SocketTimeoutException e) {
                    ended = "idle";
                } catch (IOException e) {
                    ended = serverOpen.getAsBoolean() ? "reset" : "stopped";
                    problem = e.getMessage();
                }
                return -1;
            }

            @Override public int read() { throw new UnsupportedOperationException("read in chunks"); }
        };
    }

    /** print(data): counted and checksummed, shown with --show-data, paced by --read-rate. */
    public void print(byte[] data, int n) {
        reads++;
        bytes += n;
        windowBytes += n;
        crc.update(data, 0, n);
        if (args.showData()) System.out.print(new String(data, 0, n, StandardCharsets.UTF_8));
        long now = System.nanoTime();
        if (args.progress() && now - lastShown > 200_000_000L) {
            System.out.printf("\r  client %d: %s in %s ", number, Counted.of(bytes, "byte"), Counted.of(reads, "read"));
            lastShown = now;
        }
        if (args.readRate() > 0) { // a slow reader: wait until this many bytes are "due"
            long due = start + (long) (bytes / (args.readRate() * 1048576) * 1e9);
            if (due > now) LockSupport.parkNanos(due - now);
        }
        if (windowBytes >= DUE_PER_WINDOW) { // enough for this window: a new one starts now
            windowStart = System.nanoTime();
            windowBytes = 0;
        }
    }

    /** Closes conn and says how the client ended: a line for people, then the SERVED line. */
    public void done() {
        closeQuietly(conn);
        if (args.progress()) System.out.print(ended.equals("eof") ? "\r" : "\n");
        if (!ended.equals("eof")) {
            String why = switch (ended) {
                case "stopped" -> "was cut off by the server stopping";
                case "reset" -> "cut the connection (" + problem + ")";
                default -> (windowBytes == 0 ? "sent nothing for " + args.idleSeconds() + " s"
                        : "trickled " + Counted.of(windowBytes, "byte") + " in " + args.idleSeconds() + " s (under "
                        + String.format("%,d", DUE_PER_WINDOW) + " bytes; see --idle-timeout)") + ": dropped";
            };
            System.out.printf("server: client %d %s after %s%n", number, why, Counted.of(bytes, "byte"));
        }
        onDone.accept(bytes);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("server: client %d done: %s in %s, %.3f s, %.1f MB/s, crc32=%08x%n", number, Counted.of(bytes, "byte"),
                Counted.of(reads, "read"), seconds, bytes / 1e6 / Math.max(seconds, 1e-9), crc.getValue());
        System.out.printf(Locale.ROOT, "SERVED client=%d bytes=%d reads=%d ms=%.1f crc32=%08x ended=%s%n",
                number, bytes, reads, seconds * 1000, crc.getValue(), ended);
    }

    static void closeQuietly(java.nio.channels.Channel c) {
        try { if (c != null) c.close(); } catch (IOException ignored) { }
    }
}
