///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 1: a blocking server on localhost that serves one client at a time, reading 1024-byte chunks until EOF.

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

// The article's Server.py: bind, listen(5), then accept one client at a time and
// read 1024 bytes at a time until the client closes. Every call here blocks.
public class Server {
    static final String USAGE = "usage: server [port] [--show-data] [--read-rate MiB/s] [--no-progress]"
            + " (port 0 picks a free one; default 1234)";

    public static void main(String[] args) throws IOException {
        int port = 1234;
        boolean showData = false, progress = System.console() != null;
        double readRate = 0; // MiB/s; 0 means as fast as possible
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> { System.out.println(USAGE); return; }
                case "--show-data" -> showData = true;
                case "--no-progress" -> progress = false;
                case "--read-rate" -> readRate = positiveNumber(i + 1 < args.length ? args[++i] : "");
                default -> port = portNumber(args[i]);
            }
        }

        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.bind(new InetSocketAddress("localhost", port), 5);
        } catch (BindException e) {
            fail(1, "port " + port + " on localhost is already in use (is another server running?)");
        }
        int boundPort = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        System.out.printf("server: listening on localhost:%d, one client at a time%s; Ctrl-C to stop%n",
                boundPort, readRate > 0 ? ", reading at most " + readRate + " MiB/s on purpose" : "");

        // Ctrl-C runs this hook: close the socket (the article wrote `sock.close` and never
        // called it), which wakes the blocked accept() or read() below.
        Thread mainThread = Thread.currentThread();
        Connection current = new Connection();
        Thread onCtrlC = new Thread(() -> {
            closeQuietly(listener);
            closeQuietly(current.channel);
            try { mainThread.join(2000); } catch (InterruptedException ignored) { }
        });
        Runtime.getRuntime().addShutdownHook(onCtrlC);

        long clients = 0, totalBytes = 0;
        boolean stopping = false;
        ByteBuffer chunk = ByteBuffer.allocate(1024);
        try {
            while (!stopping) {
                SocketChannel conn = listener.accept();          // blocks until a client connects
                current.channel = conn;
                clients++;
                System.out.printf("server: client %d connected from %s%n", clients, conn.getRemoteAddress());
                long bytes = 0, reads = 0, start = System.nanoTime(), lastShown = start;
                CRC32 crc = new CRC32();
                String ended = "eof";
                try (conn) {
                    while (true) {
                        chunk.clear();
                        int n = conn.read(chunk);                // blocks until data or EOF
                        if (n < 0) break;                         // EOF: the client closed
                        reads++;
                        bytes += n;
                        crc.update(chunk.array(), 0, n);
                        if (showData) System.out.print(new String(chunk.array(), 0, n, StandardCharsets.UTF_8));
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
                } catch (ClosedChannelException e) {
                    ended = "stopped";                            // Ctrl-C closed it mid-transfer
                    stopping = true;
                } catch (IOException e) {
                    ended = "reset";
                    System.out.printf("%nserver: client %d cut the connection (%s) after %,d bytes%n",
                            clients, e.getMessage(), bytes);
                }
                current.channel = null;
                totalBytes += bytes;
                double seconds = (System.nanoTime() - start) / 1e9;
                if (progress) System.out.print("\r");
                System.out.printf("server: client %d done: %,d bytes in %,d reads, %.3f s, %.1f MB/s, crc32=%08x%n",
                        clients, bytes, reads, seconds, bytes / 1e6 / Math.max(seconds, 1e-9), crc.getValue());
                System.out.printf("SERVED client=%d bytes=%d reads=%d ms=%.1f crc32=%08x ended=%s%n",
                        clients, bytes, reads, seconds * 1000, crc.getValue(), ended);
            }
        } catch (ClosedChannelException e) {
            // Ctrl-C (or an interrupt from the tour) closed the socket we were blocked on.
        } finally {
            closeQuietly(listener);
            System.out.printf("%nserver: stopped; served %d clients, %,d bytes in total%n", clients, totalBytes);
            System.out.printf("TOTAL clients=%d bytes=%d%n", clients, totalBytes);
            try { Runtime.getRuntime().removeShutdownHook(onCtrlC); } catch (IllegalStateException alreadyExiting) { }
        }
    }

    static class Connection { volatile SocketChannel channel; }

    static void closeQuietly(java.nio.channels.Channel c) {
        try { if (c != null) c.close(); } catch (IOException ignored) { }
    }

    static int portNumber(String text) {
        if (text.startsWith("-") && !text.matches("-\\d+")) fail(2, "unknown option '" + text + "'; " + USAGE);
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) return port;
        } catch (NumberFormatException e) { }
        return fail(2, "bad port '" + text + "' (expected 0 to 65535); " + USAGE);
    }

    static double positiveNumber(String text) {
        try {
            double value = Double.parseDouble(text);
            if (value > 0) return value;
        } catch (NumberFormatException e) { }
        return fail(2, "bad --read-rate '" + text + "' (expected MiB/s above 0); " + USAGE);
    }

    static int fail(int exitCode, String message) {
        System.err.println("server: " + message);
        System.exit(exitCode);
        return 0;
    }
}
