///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 5 of 6: the same loop, but when write returns 0 wait in a Selector for OP_WRITE instead of spinning.
//SOURCES nbio/ClientRun.java

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import nbio.ClientRun;

// Step 5, the article's client with select.select([], [sock], []): when a write returns 0, ask the
// kernel to wake us when the socket can take more, instead of asking again and again.
// (What is not the lesson, arguments, deadlines, Ctrl-C and the report, is in nbio/ClientRun.java.)
public class SelectClient {
    static void send(ClientRun run) throws IOException {
        try (SocketChannel sock = SocketChannel.open(); // sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
             Selector selector = Selector.open()) {
            run.connect(sock);                          // sock.connect(('localhost', 1234))
            sock.configureBlocking(false);              // sock.setblocking(0)
            sock.register(selector, SelectionKey.OP_WRITE); // the [sock] in select([], [sock], []): wait to write
            ByteBuffer data = run.foobar();             // data = 'foobar\n' * 1024 * 1024  (70 MB here too)

            while (data.hasRemaining()) {               // while len(data):
                int sent = sock.write(data);            //     sent = sock.send(data); data = data[sent:]
                run.count(sent);                        //     total_sent += sent
                if (sent > 0) {
                    run.say("Sending data");            //     print 'Sending data'
                } else {                                //     except socket.error, e:  # EAGAIN
                    run.say("Blocking with", data.remaining(), "remaining"); // print 'Blocking with', len(data), 'remaining'
                    run.countSelect(selector.select(run.timeoutMillis())); // select.select([], [sock], [])
                    selector.selectedKeys().clear();    // (a Selector keeps what was ready until we clear it)
                }
            }
            run.report(!data.hasRemaining());           // assert total_sent == data_size  # True
        }
    }

    public static void main(String[] args) {
        ClientRun.run("select-client", args, SelectClient::send);
    }
}
