package nbio;

//SOURCES ArticleData.java
//SOURCES CommandLine.java
//SOURCES Connect.java
//SOURCES Failure.java

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;

/**
 * What an exercise (exercises/*.java) does besides its lesson: its arguments, its connection or its
 * listening socket, and its lines. The exercise's main hands its method to one of these.
 */
public final class Exercise {
    private Exercise() { }

    /** The method a client exercise writes: every byte of data out of the non-blocking sock. */
    public interface SendAll {
        void sendAll(SocketChannel sock, ByteBuffer data) throws IOException;
    }

    /** The method a server exercise writes: serve clients on the bound listener until stopped. */
    public interface Serve {
        void serve(ServerSocketChannel listener) throws IOException;
    }

    /** The method an exercise's select loop calls for every ready client key. */
    public interface Ready {
        void ready(SelectionKey key) throws IOException;
    }

    /** [host] [port] [size]: connects (blocking), makes the socket non-blocking, and hands it 'foobar\n' * ... */
    public static void client(String name, String[] args, SendAll lesson) throws IOException {
        CommandLine line = new CommandLine(name, "usage: " + name + " [host] [port] [size] (defaults: localhost 1234 73400320;"
                + " start ./jbang server first; ./jbang check " + name + " checks your answer)");
        String host = "localhost";
        int port = 1234, size = ArticleData.SIZE;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-h") || args[i].equals("--help")) line.help();
            String arg = line.positional(args, i);
            switch (i) {
                case 0 -> host = line.host(arg);
                case 1 -> port = line.port(arg);
                case 2 -> size = line.whole(arg, "size", 1, Integer.MAX_VALUE - 8);
                default -> line.wrong("too many arguments");
            }
        }
        try (SocketChannel sock = SocketChannel.open()) {
            Connect.to(sock, name, host, port, 60);                        // blocking: the lesson starts after it
            sock.configureBlocking(false);
            ByteBuffer data = ArticleData.foobar(name, size);
            lesson.sendAll(sock, data);
            System.out.printf("%s: sendAll returned after writing %,d of %,d bytes%n", name, data.position(), size);
        }
    }

    /** [port]: binds a listener on localhost, says where, and hands it to the lesson. */
    public static void server(String name, String[] args, Serve lesson) {
        CommandLine line = new CommandLine(name, "usage: " + name + " [port] (default 1234; 0 picks a free one; ./jbang check "
                + name + " checks your answer)");
        int port = 1234;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-h") || args[i].equals("--help")) line.help();
            if (i > 0) line.wrong("too many arguments");
            port = line.port(line.positional(args, i));
        }
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            try {
                listener.bind(new InetSocketAddress("localhost", port));
            } catch (IOException e) {
                Failure.exit(name, 1, "cannot listen on localhost:" + port + " (" + e.getMessage() + ")");
            }
            port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            System.out.println(name + ": listening on localhost:" + port + "; Ctrl-C to stop");
            lesson.serve(listener);
        } catch (IOException e) {                                          // the lesson's, or the server's: one line
            Failure.exit(name, 1, e.getMessage());
        }
    }

    /**
     * Step 6b's loop: one thread accepts every client (non-blocking, registered for OP_READ with a new
     * attachment) and hands every other ready key to the lesson; a client that breaks the connection goes.
     */
    public static void selectLoop(ServerSocketChannel listener, Supplier<Object> attachment, Ready lesson) throws IOException {
        try (Selector selector = Selector.open()) {
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            while (true) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isValid() && key.isAcceptable()) {
                        SocketChannel conn = listener.accept();
                        if (conn == null) continue;
                        conn.configureBlocking(false);
                        conn.register(selector, SelectionKey.OP_READ, attachment.get());
                    } else if (key.isValid()) {
                        try {
                            lesson.ready(key);
                        } catch (IOException e) {
                            key.channel().close();
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        }
    }
}
