///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 1 of 6: a blocking server on localhost that serves one client at a time, reading 1024-byte chunks until EOF.

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

// The article's Server.py: bind, listen(5), then accept one client at a time and read
// 1024 bytes at a time until the client closes. Every call here blocks.
public class Server {
    static void serve(Options options) throws IOException {
        ServerSocketChannel sock = ServerSocketChannel.open();          // sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(new InetSocketAddress(options.host, options.port), 5); // sock.bind(('localhost', port)); sock.listen(5)
        Totals totals = new Totals(sock, options);                       // (says where it listens; Ctrl-C closes sock)
        try {                                                            // try:
            while (true) {                                               //     while True:
                SocketChannel conn = sock.accept();                      //         conn, info = sock.accept()
                Client client = totals.next(conn);                       //         (counts, checksums, deadline: below)
                InputStream in = client.input();                         //         (conn's bytes; ends early on a reset)
                byte[] data = new byte[1024];
                int n = in.read(data);                                   //         data = conn.recv(1024)
                while (n != -1) {                                        //         while data:
                    client.print(data, n);                               //             print(data)
                    n = in.read(data);                                   //             data = conn.recv(1024)
                }
                client.done();                                           //         (closes conn; the SERVED line)
            }
        } catch (ClosedChannelException ctrlC) {                         // except KeyboardInterrupt:
            sock.close();                                                //     sock.close
        }
        totals.print();
    }

    // ---- below: not the lesson ----
    // Arguments, the deadline for silent or trickling clients, Ctrl-C, progress, and the
    // SERVED and TOTAL lines. The article's server has none of these.

    static final String USAGE = "usage: server [port] [--show-data] [--read-rate MiB/s] [--idle-timeout SECONDS]"
            + " [--no-progress] [--ipv6] [--bind-all] (port 0 picks a free one; default 1234;"
            + " a client that sends under 1,024 bytes in 120 s is dropped)";
    // A one-at-a-time server must not let one client hold it forever: every client must send at
    // least one full read (1,024 bytes) within every --idle-timeout seconds, or it is dropped.
    static final int DUE_PER_WINDOW = 1024;

    public static void main(String[] args) {
        Options options = Options.parse(args); // port = 1234 if len(sys.argv) == 1 else int(sys.argv[1])
        try {
            serve(options);
        } catch (BindException e) {
            fail(1, whyNotListening(options));
        } catch (IOException e) {
            fail(1, "stopped: " + e.getMessage());
        }
    }

    static final class Options {
        int port = 1234, idleSeconds = 120;
        boolean showData, progress = System.console() != null, bindAll, ipv6;
        double readRate; // MiB/s; 0 means as fast as possible
        String host = "localhost";

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-h", "--help" -> { System.out.println(USAGE); System.exit(0); }
                    case "--show-data" -> o.showData = true;
                    case "--no-progress" -> o.progress = false;
                    case "--bind-all" -> o.bindAll = true;
                    case "--ipv6" -> o.ipv6 = true;
                    case "--read-rate" -> o.readRate = number(i + 1 < args.length ? args[++i] : "", "--read-rate", 1e-3, 1e6);
                    case "--idle-timeout" -> o.idleSeconds = (int) number(i + 1 < args.length ? args[++i] : "", "--idle-timeout", 1, 86400);
                    default -> o.port = portNumber(args[i]);
                }
            }
            if (o.bindAll && o.ipv6) fail(2, "--bind-all and --ipv6 exclude each other; " + USAGE);
            o.host = o.bindAll ? "0.0.0.0" : o.ipv6 ? "::1" : "localhost";
            return o;
        }

        String where(int port) { return (ipv6 ? "[::1]" : host) + ":" + port; }
    }

    // The server's counts, and Ctrl-C: the hook closes the listening socket (the article wrote
    // `sock.close` and never called it) and the client's, which wakes a blocked accept() or read().
    static final class Totals {
        final ServerSocketChannel sock;
        final Options options;
        final Thread onCtrlC;
        volatile Client current;
        long clients, bytes;

        Totals(ServerSocketChannel sock, Options options) throws IOException {
            this.sock = sock;
            this.options = options;
            if (options.bindAll) System.err.println("server: warning: listening on every network interface: other machines can connect");
            int port = ((InetSocketAddress) sock.getLocalAddress()).getPort();
            System.out.printf("server: listening on %s, one client at a time%s; Ctrl-C to stop%n", options.where(port),
                    options.readRate > 0 ? ", reading at most " + options.readRate + " MiB/s on purpose" : "");
            Thread serving = Thread.currentThread();
            onCtrlC = new Thread(() -> {
                closeQuietly(sock);
                Client client = current;
                if (client != null) closeQuietly(client.conn);
                LockSupport.unpark(serving); // a slow --read-rate may be waiting
                // Give the serving thread time to print its totals (even when its output is held up).
                try { serving.join(5000); } catch (InterruptedException ignored) { }
            });
            Runtime.getRuntime().addShutdownHook(onCtrlC);
        }

        Client next(SocketChannel conn) throws IOException {
            clients++;
            System.out.printf("server: client %d connected from %s%n", clients, conn.socket().getRemoteSocketAddress());
            current = new Client(this, clients, conn);
            if (!sock.isOpen()) closeQuietly(conn); // Ctrl-C came just now
            return current;
        }

        void print() {
            System.out.printf("server: stopped; served %s, %s in total%n", count(clients, "client"), count(bytes, "byte"));
            System.out.printf(java.util.Locale.ROOT, "TOTAL clients=%d bytes=%d%n", clients, bytes);
            try { Runtime.getRuntime().removeShutdownHook(onCtrlC); } catch (IllegalStateException alreadyExiting) { }
        }
    }

    static final class Client {
        final Totals totals;
        final Options options;
        final long number;
        final SocketChannel conn;
        final Socket socket;
        final CRC32 crc = new CRC32();
        final long start = System.nanoTime(), idleNanos;
        long bytes, reads, lastShown = start, windowStart = start, windowBytes;
        String ended = "eof", problem = "";

        Client(Totals totals, long number, SocketChannel conn) {
            this.totals = totals;
            this.options = totals.options;
            this.number = number;
            this.conn = conn;
            this.socket = conn.socket();
            this.idleNanos = TimeUnit.SECONDS.toNanos(options.idleSeconds);
        }

        // The client's bytes. Each read waits at most until the current window's deadline; a
        // reset, the deadline or Ctrl-C end the client like an EOF, and done() says which.
        InputStream input() {
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
                        ended = totals.sock.isOpen() ? "reset" : "stopped";
                        problem = e.getMessage();
                    }
                    return -1;
                }

                @Override public int read() { throw new UnsupportedOperationException("read in chunks"); }
            };
        }

        void print(byte[] data, int n) {
            reads++;
            bytes += n;
            windowBytes += n;
            crc.update(data, 0, n);
            if (options.showData) System.out.print(new String(data, 0, n, StandardCharsets.UTF_8));
            long now = System.nanoTime();
            if (options.progress && now - lastShown > 200_000_000L) {
                System.out.printf("\r  client %d: %s in %s ", number, count(bytes, "byte"), count(reads, "read"));
                lastShown = now;
            }
            if (options.readRate > 0) { // a slow reader: wait until this many bytes are "due"
                long due = start + (long) (bytes / (options.readRate * 1048576) * 1e9);
                if (due > now) LockSupport.parkNanos(due - now);
            }
            if (windowBytes >= DUE_PER_WINDOW) { // enough for this window: a new one starts now
                windowStart = System.nanoTime();
                windowBytes = 0;
            }
        }

        void done() {
            closeQuietly(conn);
            if (options.progress) System.out.print(ended.equals("eof") ? "\r" : "\n");
            if (!ended.equals("eof")) {
                String why = switch (ended) {
                    case "stopped" -> "was cut off by the server stopping";
                    case "reset" -> "cut the connection (" + problem + ")";
                    default -> (windowBytes == 0 ? "sent nothing for " + options.idleSeconds + " s"
                            : "trickled " + count(windowBytes, "byte") + " in " + options.idleSeconds + " s (under "
                            + String.format("%,d", DUE_PER_WINDOW) + " bytes; see --idle-timeout)") + ": dropped";
                };
                System.out.printf("server: client %d %s after %s%n", number, why, count(bytes, "byte"));
            }
            totals.bytes += bytes;
            totals.current = null;
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("server: client %d done: %s in %s, %.3f s, %.1f MB/s, crc32=%08x%n", number, count(bytes, "byte"),
                    count(reads, "read"), seconds, bytes / 1e6 / Math.max(seconds, 1e-9), crc.getValue());
            System.out.printf(java.util.Locale.ROOT, "SERVED client=%d bytes=%d reads=%d ms=%.1f crc32=%08x ended=%s%n",
                    number, bytes, reads, seconds * 1000, crc.getValue(), ended);
        }
    }

    // A bind fails for two reasons: the port is taken, or no interface has the address (an
    // IPv6-only host, where `localhost` is still 127.0.0.1 but nothing answers there).
    static String whyNotListening(Options options) {
        try {
            InetAddress address = InetAddress.getByName(options.host);
            if (!address.isAnyLocalAddress() && NetworkInterface.getByInetAddress(address) == null) {
                String ipv6 = NetworkInterface.getByInetAddress(InetAddress.getByName("::1")) == null ? ""
                        : "; IPv6's loopback ::1 works here: ./jbang server" + (options.port == 1234 ? "" : " " + options.port)
                          + " --ipv6, then give clients the host ::1";
                return "cannot listen on " + options.where(options.port) + ": " + options.host + " is " + address.getHostAddress()
                        + " here and no network interface has that address" + (options.ipv6 ? "" : " (an IPv6-only host)") + ipv6;
            }
        } catch (IOException e) {
            return "cannot listen on " + options.where(options.port) + " (" + e.getMessage() + ")";
        }
        return "port " + options.port + " on " + options.host + " is already in use (is another server running?)";
    }

    // "1 byte", "5,000 bytes": numbers for people.
    static String count(long n, String unit) {
        return String.format("%,d %s%s", n, unit, n == 1 ? "" : "s");
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
