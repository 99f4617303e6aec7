// Step 1, the article's Server.py, for jshell: a blocking server on localhost:1234 that serves one
// client at a time and reads 1024 bytes per call until the client closes. Every call here blocks.
// Run: jshell scripts/jshell/server.jsh (jshell -R-Dport=4000 ... for another port; Ctrl-C stops it).
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.zip.CRC32;

var port = Integer.valueOf(System.getProperty("port", "1234"));              // port = 1234 if len(sys.argv) == 1 else int(sys.argv[1])
var sock = ServerSocketChannel.open();                                     // sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.bind(new InetSocketAddress("localhost", port), 5);                    // sock.bind(('localhost', port)); sock.listen(5)
System.out.println("listening on " + sock.getLocalAddress());
// jshell runs these lines in a JVM of its own; when jshell is stopped (kill, a closed terminal), stop serving too
ProcessHandle.current().parent().ifPresent(jshell -> jshell.onExit().thenRun(() -> System.exit(0)));
var data = ByteBuffer.allocate(1024);
while (true) {                                                             // while True:
    var conn = sock.accept();                                              //     conn, info = sock.accept()
    long received = 0;
    var crc = new CRC32();                                                 //     (a checksum, to compare with the client's)
    while (conn.read(data.clear()) > 0) {                                  //     data = conn.recv(1024); while data:
        received += data.position();
        crc.update(data.flip());                                           //         print(data): here counted, not printed (70 MB)
    }
    conn.close();
    System.out.printf("client done: %,d bytes, crc32=%08x%n", received, crc.getValue());
}
