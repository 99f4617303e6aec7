///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DESCRIPTION Step 6c of 6: the modern answer: plain blocking code, one virtual thread per connection, 10,000 connections at once on a handful of OS threads (Java 21+).
//SOURCES nbio/VirtualThreadsArguments.java
//SOURCES nbio/VirtualThreadWatch.java

import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import nbio.VirtualThreadWatch;
import nbio.VirtualThreadsArguments;

// The event loop (event-loop, select-server) serves many sockets on one thread by cutting every
// task into pieces that never wait. Since Java 21 the JDK does that cutting for you: write the
// article's first, blocking client and run each copy on a virtual thread. When a call cannot go
// on, the JDK parks the virtual thread: it takes it off its OS thread (its carrier), hands the
// socket to its poller (JDK code waiting in epoll: a selector loop like ours), and runs another
// virtual thread there. When the socket is ready, the poller unparks the thread and it carries on
// where it stopped. (On Linux since JDK 22 the pollers are themselves virtual threads, under one
// platform "MasterPoller" thread that waits in epoll_wait for them all; JDK 21 uses platform threads.) Ten thousand waiting connections cost a few OS threads.
public class VirtualThreads {

    static void run(VirtualThreadsArguments o) throws Exception { // o: host, port, size, --connections (nbio/)
        byte[] data = o.data();                                   // data = 'foobar\n' * ...
        VirtualThreadWatch watch = new VirtualThreadWatch(o, data); // counts, and looks at the threads while they wait
        ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();   // Java 21
        for (int i = 0; i < o.connections; i++) {
            int n = i;
            virtualThreads.execute(() -> watch.run(n, () -> send(o, data, watch, n)));   // one virtual thread each
        }
        watch.untilDone(virtualThreads);
        watch.report();
    }

    // The article's blocking client. Every call here may wait, and on a virtual thread waiting
    // is parking: the OS thread goes on with other virtual threads meanwhile.
    static void send(VirtualThreadsArguments o, byte[] data, VirtualThreadWatch watch, int n) throws Exception {
        try (Socket sock = new Socket()) {                        // sock = socket.socket(AF_INET, SOCK_STREAM)
            watch.in(n, VirtualThreadWatch.CONNECT);
            sock.connect(o.server, o.timeoutMs());                // sock.connect(('localhost', 1234))
            watch.connected(n);                                   // (every connection opens before any sends)
            OutputStream out = sock.getOutputStream();
            watch.in(n, VirtualThreadWatch.WRITE);
            for (int off = 0; off < data.length; off += CHUNK) {
                int len = Math.min(CHUNK, data.length - off);
                out.write(data, off, len);                        // sock.send(data): parks while the socket buffer is full
                watch.sent(len);
            }
            sock.shutdownOutput();                                // that was all: the server reads to the end,
            watch.in(n, VirtualThreadWatch.EOF);
            sock.getInputStream().read();                         // and closes; this read parks until it has
            watch.in(n, VirtualThreadWatch.NONE);
        }
    }

    // The data goes out in pieces of 64 KiB, each one write call (the writes counted in the RESULT line).
    static final int CHUNK = 64 * 1024;

    // ---- below: not the lesson ----

    public static void main(String[] args) throws Exception {
        run(VirtualThreadsArguments.parse(args));
    }
}
