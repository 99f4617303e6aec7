///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 2 of 6: a blocking client sends 70 MB in one write call, and that call returns all of it.
//SOURCES nbio/ClientRun.java

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import nbio.ClientRun;

// Step 2, the article's first Client.py: connect, then send 70 MB in ONE call.
// A blocking write does not return until the kernel has taken every byte.
// (What is not the lesson, arguments, deadlines, Ctrl-C and the report, is in nbio/ClientRun.java.)
public class BlockingClient {
    static void send(ClientRun run) throws IOException {
        try (SocketChannel sock = SocketChannel.open()) { // sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            run.connect(sock);                          // sock.connect(('localhost', 1234))
            ByteBuffer data = run.foobar();             // data = 'foobar\n' * 10 * 1024 * 1024  # 70 MB

            int sent = sock.write(data);                // sock.send(data): waits until the kernel took it all
            run.count(sent);
            run.report(sent == data.limit());           // assert sock.send(data) == len(data)  # True
            if (sent != data.limit()) {
                // A blocking write returns early only when the connection broke.
                throw new IOException("the write returned early");
            }
        }
    }

    public static void main(String[] args) {
        ClientRun.run("blocking-client", args, BlockingClient::send);
    }
}
