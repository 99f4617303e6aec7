///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 1: a blocking server on localhost that serves one client at a time, reading 1024-byte chunks until EOF.

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

// The article's Server.py: bind, listen(5), then accept one client at a time and
// read 1024 bytes at a time until the client closes. Every call here blocks.
public class Server {
    static final String USAGE = "usage: server [port] [--show-data] [--read-rate MiB/s] [--idle-timeout SECONDS]"
            + " [--no-progress] [--bind-all] (port 0 picks a free one; default 1234; idle clients dropped after 120 s)";

    public static void main(String[] args) throws IOException {
        int port = 1234, idleSeconds = 120;
        boolean showData = false, progress = System.console() != null, bindAll = false;
        double readRate = 0; // MiB/s; 0 means as fast as possible
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> { System.out.println(USAGE); return; }
                case "--show-data" -> showData = true;
                case "--no-progress" -> progress = false;
                case "--bind-all" -> bindAll = true;
                case "--read-rate" -> readRate = number(i + 1 < args.length ? args[++i] : "", "--read-rate", 1e-3, 1e6);
                case "--idle-timeout" -> idleSeconds = (int) number(i + 1 < args.length ? args[++i] : "", "--idle-timeout", 1, 86400);
                default -> port = portNumber(args[i]);
            }
        }

        ServerSocketChannel listener = ServerSocketChannel.open();
        String where = bindAll ? "0.0.0.0" : "localhost";
        try {
            listener.bind(new InetSocketAddress(where, port), 5);
        } catch (BindException e) {
            fail(1, "port " + port + " on " + where + " is already in use (is another server running?)");
        }
        if (bindAll) System.err.println("server: warning: listening on every network interface: other machines can connect");
        int boundPort = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        System.out.printf("server: listening on %s:%d, one client at a time%s; Ctrl-C to stop%n", where,
                boundPort, readRate > 0 ? ", reading at most " + readRate + " MiB/s on purpose" : "");

        // Ctrl-C runs this hook: close the socket (the article wrote `sock.close` and never
        // called it), which wakes the blocked accept() or read() below.
        Thread mainThread = Thread.currentThread();
        SocketChannel[] current = new SocketChannel[1];
        Thread onCtrlC = new Thread(() -> {
            closeQuietly(listener);
            synchronized (current) { closeQuietly(current[0]); }
            try { mainThread.join(2000); } catch (InterruptedException ignored) { }
        });
        Runtime.getRuntime().addShutdownHook(onCtrlC);

        long clients = 0, totalBytes = 0;
        byte[] chunk = new byte[1024];
        try {
            while (listener.isOpen()) {
                SocketChannel conn = listener.accept();          // blocks until a client connects
                synchronized (current) { current[0] = conn; }
                clients++;
                System.out.printf("server: client %d connected from %s%n", clients, conn.getRemoteAddress());
                long bytes = 0, reads = 0, start = System.nanoTime(), lastShown = start;
                CRC32 crc = new CRC32();
                String ended = "eof";
                try (conn) {
                    conn.socket().setSoTimeout(idleSeconds * 1000); // a client silent this long is dropped
                    InputStream in = conn.socket().getInputStream();
                    while (true) {
                        int n = in.read(chunk, 0, 1024);           // Python: conn.recv(1024); blocks
                        if (n < 0) break;                          // EOF: the client closed
                        reads++;
                        bytes += n;
                        crc.update(chunk, 0, n);
                        if (showData) System.out.print(new String(chunk, 0, n, StandardCharsets.UTF_8));
                        long now = System.nanoTime();
                        if (progress && now - lastShown > 200_000_000L) {
                            System.out.printf("\r  client %d: %,d bytes in %,d reads ", clients, bytes, reads);
                            lastShown = now;
                        }
                        if (readRate > 0) { // a slow reader: wait until this many bytes are "due"
                            long due = start + (long) (bytes / (readRate * 1048576) * 1e9);
                            if (due > now) LockSupport.parkNanos(due - now);
                        }
                    }
                } catch (IOException e) {
                    if (!listener.isOpen()) ended = "stopped";     // Ctrl-C closed it mid-transfer
                    else if (e instanceof SocketTimeoutException) ended = "idle";
                    else ended = "reset";
                    if (progress) System.out.println();
                    System.out.printf("server: client %d %s after %,d bytes%n", clients, switch (ended) {
                        case "stopped" -> "was cut off by the server stopping";
                        case "idle" -> "sent nothing for " + idleSeconds + " s: dropped";
                        default -> "cut the connection (" + e.getMessage() + ")";
                    }, bytes);
                }
                synchronized (current) { current[0] = null; }
                totalBytes += bytes;
                double seconds = (System.nanoTime() - start) / 1e9;
                if (progress) System.out.print("\r");
                System.out.printf("server: client %d done: %,d bytes in %,d reads, %.3f s, %.1f MB/s, crc32=%08x%n",
                        clients, bytes, reads, seconds, bytes / 1e6 / Math.max(seconds, 1e-9), crc.getValue());
                System.out.printf("SERVED client=%d bytes=%d reads=%d ms=%.1f crc32=%08x ended=%s%n",
                        clients, bytes, reads, seconds * 1000, crc.getValue(), ended);
            }
        } catch (IOException e) {
            // Ctrl-C (or an interrupt from the tour) closed the socket accept() was waiting on.
        } finally {
            closeQuietly(listener);
            System.out.printf("server: stopped; served %d clients, %,d bytes in total%n", clients, totalBytes);
            System.out.printf("TOTAL clients=%d bytes=%d%n", clients, totalBytes);
            try { Runtime.getRuntime().removeShutdownHook(onCtrlC); } catch (IllegalStateException alreadyExiting) { }
        }
    }

    static void closeQuietly(java.nio.channels.Channel c) {
        try { if (c != null) c.close(); } catch (IOException ignored) { }
    }

    static int portNumber(String text) {
        if (text.startsWith("-") && !text.matches("-\\d+")) fail(2, "unknown option '" + text + "'; " + USAGE);
        return (int) number(text, "port", 0, 65535);
    }

    static double number(String text, String what, double min, double max) {
        try {
            double value = what.equals("port") ? Integer.parseInt(text) : Double.parseDouble(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) { }
        return fail(2, "bad " + what + " '" + text + "' (expected " + (what.equals("port") ? "0 to 65535" : "a number above 0")
                + "); " + USAGE);
    }

    static int fail(int exitCode, String message) {
        System.err.println("server: " + message);
        System.exit(exitCode);
        return 0;
    }
}
