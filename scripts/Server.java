///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 1 of 6: a blocking server on localhost that serves one client at a time, reading 1024-byte chunks until EOF.
//SOURCES nbio/ServerRun.java

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import nbio.ServedClient;
import nbio.ServerRun;

// Step 1, the article's Server.py: bind, listen(5), then accept one client at a time and read
// 1024 bytes at a time until the client closes. Every call here blocks.
// (What is not the lesson, arguments, deadlines, Ctrl-C, counts and the SERVED and TOTAL lines,
// is in nbio/ServerRun.java and nbio/ServedClient.java.)
public class Server {
    static void serve(ServerRun run) throws IOException {
        ServerSocketChannel sock = ServerSocketChannel.open(); // sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(run.address(), 5);                // sock.bind(('localhost', port)); sock.listen(5)
        run.listening(sock);                        // (says where; from now on Ctrl-C closes sock)
        try {                                       // try:
            while (true) {                          //     while True:
                SocketChannel conn = sock.accept(); //         conn, info = sock.accept()
                ServedClient client = run.next(conn);
                InputStream in = client.input();    //         (conn's bytes, with a deadline)
                byte[] data = new byte[1024];
                int n = in.read(data);              //         data = conn.recv(1024)
                while (n != -1) {                   //         while data:
                    client.print(data, n);          //             print(data)
                    n = in.read(data);              //             data = conn.recv(1024)
                }
                client.done();                      //         (closes conn; the SERVED line)
            }
        } catch (ClosedChannelException ctrlC) {    // except KeyboardInterrupt:
            sock.close();                           //     sock.close
        }
        run.printTotals();
    }

    public static void main(String[] args) {
        ServerRun.run(args, Server::serve);         // port = 1234 if len(sys.argv) == 1 else int(sys.argv[1])
    }
}
