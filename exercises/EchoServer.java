///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Your turn, after step 6b: an echo server for clients that read slowly: OP_WRITE only while something is left, nothing lost (then: ./jbang check echo-server).
//SOURCES nbio/Exercise.java

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import nbio.Exercise;

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
    // Step 6b's loop (nbio/Exercise.java): one thread accepts every client and hands every other ready key to ready().

    public static void main(String[] args) {
        Exercise.server(NAME, args, listener -> Exercise.selectLoop(listener, Client::new, EchoServer::ready));
    }
}
