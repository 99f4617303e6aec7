package benchmark;

import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A virtual thread per connection, each reading its connection to EOF as the thread-per-connection server does.
 * Java 21's API, called directly: the bench compiles this file with the JDK 21+ it found (Processes.java21Classes),
 * against its own classes, so the bench itself still compiles and runs on Java 17.
 */
final class VirtualThreadServer {
    private VirtualThreadServer() { }

    public static void main(String[] args) throws Exception {
        ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
        ServerSocketChannel listener = ServersUnderTest.listen(args, "virtual-thread server");
        while (true) {
            Socket s = listener.accept().socket();
            virtualThreads.execute(() -> ServersUnderTest.serveBlocking(s));
        }
    }
}
