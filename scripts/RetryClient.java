///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 4 of 6: keep writing the rest in a loop; count how often write returns 0 (Python's EAGAIN) and the CPU that spinning burns.
//SOURCES nbio/ClientRun.java

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import nbio.ClientRun;

// Step 4, the article's "Fixed This" client: keep writing what is left until all of it is sent.
// Where Python raises EAGAIN ("Resource temporarily unavailable"), Java's write returns 0,
// and this loop asks again at once: it spins.
// (What is not the lesson, arguments, deadlines, Ctrl-C and the report, is in nbio/ClientRun.java.)
public class RetryClient {
    static void send(ClientRun run) throws IOException {
        try (SocketChannel sock = SocketChannel.open()) { // sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            run.connect(sock);                          // sock.connect(('localhost', 1234))
            sock.configureBlocking(false);              // sock.setblocking(0)
            ByteBuffer data = run.foobar();             // data = 'foobar\n' * 1024 * 1024  (70 MB here too)

            while (data.hasRemaining()) {               // while len(data):
                int sent = sock.write(data);            //     sent = sock.send(data); data = data[sent:]
                run.count(sent);                        //     total_sent += sent
                if (sent > 0) {
                    run.say("Sending data");            //     print 'Sending data'
                } else {                                //     except socket.error, e:  # EAGAIN
                    run.say("Blocking with", data.remaining(), "remaining"); // print 'Blocking with', len(data), 'remaining'
                }
            }
            run.report(!data.hasRemaining());           // assert total_sent == data_size  # True
        }
    }

    public static void main(String[] args) {
        ClientRun.run("retry-client", args, RetryClient::send);
    }
}
