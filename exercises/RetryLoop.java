///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Your turn, step 4: finish the retry loop so every byte leaves a non-blocking socket (then: ./jbang check retry-loop).

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

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
    // Connects, makes the socket non-blocking, fills data with 'foobar\n' and calls sendAll.
    // The same in both client exercises, so `diff` shows only the lesson.

    public static void main(String[] args) throws IOException {
        String host = args.length > 0 ? args[0] : "localhost";
        if (host.equals("-h") || host.equals("--help")) {
            System.out.println("usage: " + NAME + " [host] [port] [size] (defaults: localhost 1234 73400320;"
                    + " start ./jbang server first; ./jbang check " + NAME + " checks your answer)");
            return;
        }
        int port = args.length > 1 ? number(args[1], "port", 0, 65535) : 1234;
        int size = args.length > 2 ? number(args[2], "size", 1, Integer.MAX_VALUE - 8) : 7 * 10 * 1024 * 1024;
        try (SocketChannel sock = SocketChannel.open()) {
            try {
                sock.connect(new InetSocketAddress(host, port));          // blocking, the lesson starts after it
            } catch (IOException e) {
                fail("cannot connect to " + host + ":" + port + " (" + e.getMessage() + "): start `./jbang server` first");
            }
            sock.configureBlocking(false);
            ByteBuffer data = ByteBuffer.allocateDirect(size);            // 'foobar\n' * 10 * 1024 * 1024
            byte[] foobar = "foobar\n".getBytes();
            while (data.hasRemaining()) data.put(foobar, 0, Math.min(foobar.length, data.remaining()));
            data.flip();
            sendAll(sock, data);
            System.out.printf("%s: sendAll returned after writing %,d of %,d bytes%n", NAME, data.position(), size);
        }
    }

    static int number(String text, String what, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) { }
        return fail("bad " + what + " '" + text + "' (expected " + min + " to " + max + ")");
    }

    static int fail(String message) {
        System.err.println(NAME + ": " + message);
        System.exit(1);
        return 0;
    }
}
