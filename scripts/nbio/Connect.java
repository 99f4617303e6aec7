package nbio;

//SOURCES Failure.java

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;

/** sock.connect((host, port)) for a client step: with a deadline, and one plain line for each way it can fail. */
public final class Connect {
    private Connect() { }

    /** Connects sock (blocking) within timeoutSeconds, or stops the program with one line on stderr (exit 1). */
    public static void to(SocketChannel sock, String program, String host, int port, int timeoutSeconds) {
        InetSocketAddress address = new InetSocketAddress(host, port);
        try {
            sock.socket().connect(address, timeoutSeconds * 1000);
        } catch (ConnectException e) {
            Failure.exit(program, 1, "nothing is listening on " + host + ":" + port + ": start `./jbang server` first");
        } catch (SocketTimeoutException e) {
            Failure.exit(program, 1, "no answer from " + host + ":" + port + " within " + timeoutSeconds + " s");
        } catch (UnknownHostException | UnresolvedAddressException e) {
            Failure.exit(program, 1, "cannot resolve host '" + host + "'");
        } catch (IOException e) {
            Failure.exit(program, 1, "cannot connect to " + host + ":" + port + " (" + e.getMessage() + ")" + noIpv4Hint(address));
        }
    }

    /** On an IPv6-only host localhost resolves to 127.0.0.1 (from /etc/hosts) but no interface has it: say so. */
    public static String noIpv4Hint(InetSocketAddress address) {
        try {
            if (address.getAddress() instanceof Inet4Address && address.getAddress().isLoopbackAddress()
                    && NetworkInterface.getByInetAddress(address.getAddress()) == null) {
                return ": this machine has no IPv4 loopback address (" + address.getAddress().getHostAddress()
                        + "); use ::1 as the host, with a server listening there";
            }
        } catch (IOException ignored) { }
        return "";
    }
}
