// Step 2, the article's first Client.py, for jshell: one blocking write of 70 MB returns all of it.
// Run against a server on localhost:1234 (./jbang server, or server.jsh): jshell scripts/jshell/blocking-client.jsh
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

var port = Integer.valueOf(System.getProperty("port", "1234"));              // -R-Dport=4000x stops here, not at 1234
var sock = SocketChannel.open();                                            // sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect(new InetSocketAddress("localhost", port));                     // sock.connect(('localhost', 1234))
// data = 'foobar\n' * 10 * 1024 * 1024  # 70 MB of data (in a direct buffer, which the kernel copies from as it is)
var data = ByteBuffer.allocateDirect(7 * 10 * 1024 * 1024).put("foobar\n".repeat(10 * 1024 * 1024).getBytes()).flip();
var sent = sock.write(data);                                                // sock.send(data): waits until all is taken
System.out.printf("one write call sent %,d of %,d bytes%n", sent, data.limit());
if (sent != data.limit()) throw new AssertionError(sent + " != " + data.limit()); // assert sock.send(data) == len(data)  # True
sock.close();
/exit sent == data.limit() ? 0 : 1
