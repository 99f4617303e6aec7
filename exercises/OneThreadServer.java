///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Your turn, step 6b: one thread and one Selector read many clients at once (then: ./jbang check one-thread-server).
//SOURCES nbio/Exercise.java

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.zip.CRC32;
import nbio.Exercise;

// Your turn, step 6b: one thread, many clients.
// Step 1's server reads one client until it is done, so every other client waits for it. Write
// serve() so that one thread reads every client at once: make the listener non-blocking, open a
// Selector, register the listener for OP_ACCEPT, and loop: select(), then for each selected key
// accept the new client (non-blocking, registered for OP_READ with a new Client attached) or read
// what a client sent and hand it to client.received(buffer) (flip it first). At EOF (-1) call
// client.done(conn) and close the channel. Remove each key you handled from selectedKeys().
// Then: ./jbang check one-thread-server
public class OneThreadServer {
    static final String NAME = "one-thread-server";

    static void serve(ServerSocketChannel listener) throws IOException {
        // your code here
    }

    /** What the server keeps per client: a number, and a count and CRC32 of what it sent. */
    static final class Client {
        static int accepted;
        final int number = ++accepted;
        final CRC32 crc = new CRC32();
        long bytes;

        /** Counts and checksums the bytes between the buffer's position and its limit. */
        void received(ByteBuffer buffer) {
            bytes += buffer.remaining();
            crc.update(buffer);
        }

        /** The client closed: one SERVED line, as the step-1 server prints (call it before closing). */
        void done(SocketChannel conn) throws IOException {
            InetSocketAddress peer = (InetSocketAddress) conn.getRemoteAddress();
            System.out.printf("SERVED client=%d bytes=%d crc32=%08x ended=eof peer=%s:%d%n",
                    number, bytes, crc.getValue(), peer.getAddress().getHostAddress(), peer.getPort());
        }
    }

    // ---- below: not the lesson ----
    // [port]: binds a listener on localhost, says where, and calls serve() (nbio/Exercise.java).

    public static void main(String[] args) {
        Exercise.server(NAME, args, OneThreadServer::serve);
    }
}
