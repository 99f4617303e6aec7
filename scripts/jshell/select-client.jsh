// Step 5, the article's client with select.select([], [sock], []), for jshell: after a write returns 0,
// sleep in a Selector until the socket can take more, instead of asking again and again.
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

var port = Integer.valueOf(System.getProperty("port", "1234"));              // -R-Dport=4000x stops here, not at 1234
var sock = SocketChannel.open();                                            // sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(new InetSocketAddress("localhost", port));                     // sock.connect(('localhost', 1234))
sock.configureBlocking(false);                                              // sock.setblocking(0)
// data = 'foobar\n' * 1024 * 1024 in the article here; 70 MB as before, in a direct buffer
var data = ByteBuffer.allocateDirect(7 * 10 * 1024 * 1024).put("foobar\n".repeat(10 * 1024 * 1024).getBytes()).flip();
var selector = Selector.open();
sock.register(selector, SelectionKey.OP_WRITE);                             // the [sock] in select([], [sock], [])
long totalSent = 0, zeroReturns = 0, wakeUps = 0;                           // total_sent = 0
while (data.hasRemaining()) {                                               // while len(data):
    int sent = sock.write(data);                                            //     sent = sock.send(data); data = data[sent:]
    totalSent += sent;                                                      //     total_sent += sent
    if (sent == 0) {                                                        //     except socket.error, e:  # EAGAIN: here a 0
        zeroReturns++;
        wakeUps += selector.select();                                       //         select.select([], [sock], [])  # blocks until writable
        selector.selectedKeys().clear();
    }
}
System.out.printf("sent %,d bytes; %,d write calls returned 0, each followed by a wait: %,d selector wake-ups%n", totalSent, zeroReturns, wakeUps);
if (totalSent != data.limit()) throw new AssertionError();                  // assert total_sent == data_size  # True
sock.close();
/exit totalSent == data.limit() ? 0 : 1
