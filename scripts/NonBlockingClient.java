///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 3 of 6: the same client made non-blocking: one write takes only what fits in the socket buffers, and the assertion fails.
//SOURCES nbio/ClientRun.java

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import nbio.ClientRun;

// Step 3, the article's second Client.py: the same program after sock.setblocking(0).
// A non-blocking write never waits: it copies what fits into the kernel's socket buffers and returns.
// (What is not the lesson, arguments, deadlines, Ctrl-C and the report, is in nbio/ClientRun.java.)
public class NonBlockingClient {
    static void send(ClientRun run) throws IOException {
        try (SocketChannel sock = SocketChannel.open()) { // sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            run.connect(sock);                          // sock.connect(('localhost', 1234))
            sock.configureBlocking(false);              // sock.setblocking(0)
            ByteBuffer data = run.foobar();             // data = 'foobar\n' * 10 * 1024 * 1024  # 70 MB

            int sent = sock.write(data);                // sock.send(data): takes what fits, returns at once
            run.count(sent);
            run.report(sent == data.limit());           // assert sock.send(data) == len(data)  # AssertionError
            if (sent != data.limit()) {
                // Java's assert is off unless the JVM runs with -ea: throw the article's error ourselves.
                throw new AssertionError("one non-blocking write accepted " + sent + " of " + data.limit()
                        + " bytes");
            }
        }
    }

    public static void main(String[] args) {
        ClientRun.run("nonblocking-client", args, NonBlockingClient::send);
    }
}
