///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Your turn, after step 6b: an echo server for clients that read slowly: OP_WRITE only while something is left, nothing lost (then: ./jbang check echo-server).

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

// Your turn, after step 6b: an echo server, for clients that read slowly.
// It sends back every byte a client sends. A client that reads slowly makes a write take only part
// of what you give it. Write ready(key), which runs when a client's socket is readable or writable:
// read into client.pending and write it back. What a write did not take stays in pending: watch for
// OP_WRITE only (read no more from that client) until all of it has gone, then for OP_READ again.
// Never leave OP_WRITE on with nothing to write: a socket is almost always writable, so select()
// would return at once, again and again. A read that returns -1: the client closed; close it too.
// Then: ./jbang check echo-server
public class EchoServer {
    static final String NAME = "echo-server";

    /** What the server keeps per client: what it read and has not written back yet (ready to be read into). */
    static final class Client {
        final ByteBuffer pending = ByteBuffer.allocate(64 * 1024);
    }

    static void ready(SelectionKey key) throws IOException {
        SocketChannel conn = (SocketChannel) key.channel();
        Client client = (Client) key.attachment();
        // your code here
    }

    // ---- below: not the lesson ----
    // Step 6b's loop: one thread accepts every client and hands every other ready key to ready().

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"))) {
            System.out.println("usage: " + NAME + " [port] (default 1234; 0 picks a free one; ./jbang check " + NAME
                    + " checks your answer)");
            return;
        }
        int port = args.length > 0 ? number(args[0]) : 1234;
        try (Selector selector = Selector.open(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("localhost", port));
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            System.out.println(NAME + ": listening on localhost:" + port + "; Ctrl-C to stop");
            while (true) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isValid() && key.isAcceptable()) {
                        SocketChannel conn = listener.accept();
                        if (conn == null) continue;
                        conn.configureBlocking(false);
                        conn.register(selector, SelectionKey.OP_READ, new Client());
                    } else if (key.isValid()) {
                        try {
                            ready(key);
                        } catch (IOException e) {                 // the client broke the connection: it goes
                            key.channel().close();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            System.err.println(NAME + ": cannot listen on localhost:" + port + " (" + e.getMessage() + ")");
            System.exit(1);
        }
    }

    static int number(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) return port;
        } catch (NumberFormatException e) { }
        System.err.println(NAME + ": bad port '" + text + "' (expected 0 to 65535)");
        System.exit(2);
        return 0;
    }
}
