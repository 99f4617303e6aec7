package nbio;

//SOURCES Failure.java

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** select-server's sock.bind(...) and sock.listen(...); when that fails, one line that says what really went wrong. */
final class ServerListen {
    static final String NAME = SelectServerSettings.NAME;

    private ServerListen() { }

    static void bind(ServerSocketChannel listener, SelectServerSettings settings) {
        String host = settings.host();
        try {
            closeOnceAtStart();
            // A long accept queue: with one thread accepting as fast as clients come, the
            // article's listen(5) would make a burst of clients wait for the kernel to retry.
            listener.bind(new InetSocketAddress(host, settings.port()), 4096);
        } catch (BindException e) {
            String why = String.valueOf(e.getMessage());
            if (why.contains("in use")) {
                Failure.exit(NAME, 1, "port " + settings.port() + " on " + host + " is already in use (is another server running?)");
            }
            if (why.contains("Cannot assign")) {                  // e.g. a host or container with IPv6 only
                Failure.exit(NAME, 1, "cannot listen on " + host + " (" + addressOf(host) + "): no network interface here has that"
                        + " address (" + why + ")" + (host.equals("localhost") && ipv6LoopbackWorks()
                        ? "; this host has IPv6's loopback only: `" + NAME + " " + settings.port() + " --host ::1` listens there,"
                        + " and clients connect to host ::1" : ""));
            }
            Failure.exit(NAME, 1, "cannot listen on " + host + " port " + settings.port() + " (" + why + ")");
        } catch (IOException e) {
            Failure.exit(NAME, 1, "cannot listen on " + host + " port " + settings.port() + ": " + e.getMessage());
        }
    }

    // A socket's close needs a JDK class that, the first time it loads, opens a descriptor of its own.
    // At the open-file limit that first close would fail (ExceptionInInitializerError on JDK 17) and
    // stop the server. So close one socket now, while descriptors are plentiful.
    static void closeOnceAtStart() throws IOException {
        SocketChannel.open().close();
    }

    static String addressOf(String host) {
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (IOException e) {
            return "unresolved";
        }
    }

    // Whether this machine can listen on ::1 (tried on a free port, closed at once).
    static boolean ipv6LoopbackWorks() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
