package nbio;

//SOURCES Counted.java
//SOURCES Failure.java
//SOURCES ServedClient.java
//SOURCES ServerArgs.java

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * One run of the step-1 server: its arguments, where it listens, Ctrl-C, a ServedClient for each client it
 * accepts, and its totals (a line for people, then TOTAL). The step's lesson calls address, listening, next
 * and printTotals; everything else is here.
 */
public final class ServerRun {
    /** The server step's lesson: the article's program, serving through this run. */
    public interface Lesson {
        void serve(ServerRun run) throws IOException;
    }

    /** Runs the server step: reads its arguments, runs its lesson, and says in one line why it could not. */
    public static void run(String[] args, Lesson lesson) {
        ServerRun run = new ServerRun(ServerArgs.parse(args));
        try {
            lesson.serve(run);
        } catch (BindException e) {
            Failure.exit("server", 1, run.whyNotListening());
        } catch (IOException e) {
            Failure.exit("server", 1, "stopped: " + e.getMessage());
        }
    }

    public final ServerArgs args;
    private ServerSocketChannel sock;
    private Thread onCtrlC;
    private volatile ServedClient current;
    private long clients, bytes;

    public ServerRun(ServerArgs args) {
        this.args = args;
    }

    /** ('localhost', port): where to bind (::1 with --ipv6, every interface with --bind-all). */
    public InetSocketAddress address() {
        return new InetSocketAddress(args.host(), args.port());
    }

    // Says where it listens. From now on Ctrl-C closes the listening socket (the article wrote
    // `sock.close` and never called it) and the client's, which wakes a blocked accept() or read().
    public void listening(ServerSocketChannel sock) throws IOException {
        this.sock = sock;
        if (args.bindAll()) System.err.println("server: warning: listening on every network interface: other machines can connect");
        int port = ((InetSocketAddress) sock.getLocalAddress()).getPort();
        System.out.printf("server: listening on %s, one client at a time%s; Ctrl-C to stop%n", args.where(port),
                args.readRate() > 0 ? ", reading at most " + args.readRate() + " MiB/s on purpose" : "");
        Thread serving = Thread.currentThread();
        onCtrlC = new Thread(() -> {
            ServedClient.closeQuietly(sock);
            ServedClient client = current;
            if (client != null) ServedClient.closeQuietly(client.conn);
            LockSupport.unpark(serving); // a slow --read-rate may be waiting
            // Give the serving thread time to print its totals (even when its output is held up).
            try { serving.join(5000); } catch (InterruptedException ignored) { }
        });
        Runtime.getRuntime().addShutdownHook(onCtrlC);
    }

    /** The client just accepted on conn, counted and announced. */
    public ServedClient next(SocketChannel conn) {
        clients++;
        System.out.printf("server: client %d connected from %s%n", clients, conn.socket().getRemoteSocketAddress());
        current = new ServedClient(args, clients, conn, sock::isOpen, served -> {
            bytes += served;
            current = null;
        });
        if (!sock.isOpen()) ServedClient.closeQuietly(conn); // Ctrl-C came just now
        return current;
    }

    /** The server's totals: a line for people, then the TOTAL line. */
    public void printTotals() {
        System.out.printf("server: stopped; served %s, %s in total%n", Counted.of(clients, "client"), Counted.of(bytes, "byte"));
        System.out.printf(Locale.ROOT, "TOTAL clients=%d bytes=%d%n", clients, bytes);
        try { Runtime.getRuntime().removeShutdownHook(onCtrlC); } catch (IllegalStateException alreadyExiting) { }
    }

    // A bind fails for two reasons: the port is taken, or no interface has the address (an
    // IPv6-only host, where `localhost` is still 127.0.0.1 but nothing answers there).
    String whyNotListening() {
        String where = args.where(args.port());
        try {
            InetAddress address = InetAddress.getByName(args.host());
            if (!address.isAnyLocalAddress() && NetworkInterface.getByInetAddress(address) == null) {
                String ipv6 = NetworkInterface.getByInetAddress(InetAddress.getByName("::1")) == null ? ""
                        : "; IPv6's loopback ::1 works here: ./jbang server" + (args.port() == 1234 ? "" : " " + args.port())
                          + " --ipv6, then give clients the host ::1";
                return "cannot listen on " + where + ": " + args.host() + " is " + address.getHostAddress()
                        + " here and no network interface has that address" + (args.ipv6() ? "" : " (an IPv6-only host)") + ipv6;
            }
        } catch (IOException e) {
            return "cannot listen on " + where + " (" + e.getMessage() + ")";
        }
        return "port " + args.port() + " on " + args.host() + " is already in use (is another server running?)";
    }
}
