///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Your turn, step 4: finish the retry loop so every byte leaves a non-blocking socket (then: ./jbang check retry-loop).
//SOURCES nbio/Exercise.java

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import nbio.Exercise;

// Your turn, step 4: the retry loop.
// The socket is non-blocking, so a write takes only what fits in the socket buffers, returns how
// many bytes that was, and returns 0 when they are full (where Python raises EAGAIN).
// Write sendAll so that every byte of data goes out. Then: ./jbang check retry-loop
public class RetryLoop {
    static final String NAME = "retry-loop";

    static void sendAll(SocketChannel sock, ByteBuffer data) throws IOException {
        // your code here
    }

    // ---- below: not the lesson ----
    // Connects, makes the socket non-blocking, fills data with 'foobar\n' and calls sendAll (nbio/Exercise.java).

    public static void main(String[] args) throws IOException {
        Exercise.client(NAME, args, RetryLoop::sendAll);
    }
}
