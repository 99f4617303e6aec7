///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Your turn, step 5: make the send loop wait in a Selector for OP_WRITE instead of spinning (then: ./jbang check wait-in-select).
//SOURCES nbio/Exercise.java

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import nbio.Exercise;

// Your turn, step 5: wait in a Selector.
// Your retry loop asks again at once when write returns 0: it spins, burning a core while the
// reader is slow. Make sendAll sleep instead: register the socket with a Selector for OP_WRITE
// and, after a write returns 0, wait in select() until it can take more (clear the selected keys).
// Every byte must still go out. Then: ./jbang check wait-in-select
public class WaitInSelect {
    static final String NAME = "wait-in-select";

    static void sendAll(SocketChannel sock, ByteBuffer data) throws IOException {
        // your code here
    }

    // ---- below: not the lesson ----
    // Connects, makes the socket non-blocking, fills data with 'foobar\n' and calls sendAll (nbio/Exercise.java).

    public static void main(String[] args) throws IOException {
        Exercise.client(NAME, args, WaitInSelect::sendAll);
    }
}
