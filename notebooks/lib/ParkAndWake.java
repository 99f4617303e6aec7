// Run by 06c-virtual-threads.ipynb on a JDK 21 or newer (java lib/ParkAndWake.java), with one carrier thread
// (-Djdk.virtualThreadScheduler.parallelism=1). A virtual thread does step 2's plain blocking write of the article's
// 70 MB to a peer that is not reading yet; this program watches the thread park, shows that its one carrier is free
// meanwhile, then lets the peer read and watches the JDK's poller wake the writer. Loopback only.
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.zip.CRC32;

public class ParkAndWake {
    public static void main(String[] args) throws Exception {
        byte[] data = "foobar\n".repeat(10 * 1024 * 1024).getBytes();       // 'foobar\n' * 10 * 1024 * 1024
        try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Socket sock = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket peer = listener.accept()) {                               // connected; nobody reads it yet
            Thread writer = Thread.ofVirtual().name("writer").start(() -> {
                try {
                    OutputStream out = sock.getOutputStream();
                    out.write(data);                                          // sock.sendall(data): plain blocking code
                    sock.shutdownOutput();                                    // then the end of the stream
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (writer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) Thread.sleep(1);
            System.out.println("1. the writer, a virtual thread, is " + writer.getState() + " inside its one write(), in:");
            Arrays.stream(writer.getStackTrace()).limit(12)
                    .filter(f -> f.getMethodName().contains("park") || f.getClassName().contains("Poller") || f.getMethodName().equals("write"))
                    .map(f -> f.getClassName() + "." + f.getMethodName()).distinct()
                    .forEach(frame -> System.out.println("     " + frame));
            String pollers = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.contains("Poller")).sorted().toList().toString();
            System.out.println("2. the JDK's poller threads (platform threads watching sockets for parked virtual threads): " + pollers);
            long[] ticks = new long[1];
            Thread other = Thread.ofVirtual().name("other").start(() -> { for (int i = 0; i < 1000; i++) ticks[0]++; });
            other.join();
            System.out.println("3. meanwhile another virtual thread ran to its end on the only carrier thread: " + ticks[0]
                    + " steps; the parked writer held no OS thread");
            long start = System.nanoTime();
            CRC32 crc = new CRC32();
            long got = 0;
            byte[] chunk = new byte[64 * 1024];
            try (InputStream in = peer.getInputStream()) {                   // now the peer reads
                for (int n; (n = in.read(chunk)) > 0; got += n) crc.update(chunk, 0, n);
            }
            writer.join(30_000);
            CRC32 sent = new CRC32();
            sent.update(data);
            System.out.printf("4. the peer read %,d bytes in %.0f ms (crc32 %s); the poller woke the writer each time its socket"
                    + " had room, and its write() returned: the writer is now %s%n", got, (System.nanoTime() - start) / 1e6,
                    crc.getValue() == sent.getValue() ? "matches" : "DIFFERS", writer.getState());
            if (got != data.length || crc.getValue() != sent.getValue() || writer.isAlive()) System.exit(1);
        }
    }
}
