package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Why the clients send from a direct buffer (README, "Direct buffers"): a non-blocking write of a heap
 * buffer makes the JDK copy everything that remains into a temporary direct buffer first, on every
 * call, even when the call then takes nothing. Against a full socket each call returns 0 either way.
 */
@Timeout(120)
class DirectBufferTest {
    static final int SIZE = 64 * 1024 * 1024;
    static final int CALLS = 20;

    @Test
    void aHeapBufferIsCopiedWholeOnEveryWriteEvenOneThatReturnsZero() throws Exception {
        try (ServerSocketChannel peer = ServerSocketChannel.open()) { // accepts, never reads
            peer.bind(new InetSocketAddress("localhost", 0));
            try (SocketChannel sock = SocketChannel.open(peer.getLocalAddress()); SocketChannel accepted = peer.accept()) {
                sock.configureBlocking(false);
                ByteBuffer direct = ByteBuffer.allocateDirect(SIZE), heap = ByteBuffer.allocate(SIZE);
                while (sock.write(direct) > 0) { } // fill the socket buffers: from now on every write returns 0
                direct.clear();

                long directCpu = cpuOfZeroWrites(sock, direct), heapCpu = cpuOfZeroWrites(sock, heap);
                double heapMsPerCall = heapCpu / 1e6 / CALLS;
                // Copying 64 MiB takes milliseconds; a write that takes nothing from a direct buffer, microseconds.
                assertTrue(heapMsPerCall >= 1, "each heap write copied 64 MiB: " + heapMsPerCall + " ms CPU per call");
                assertTrue(heapCpu >= 50 * directCpu, "heap " + heapCpu / 1e6 + " ms vs direct " + directCpu / 1e6
                        + " ms of CPU for " + CALLS + " writes that each returned 0");
            }
        }
    }

    /** CPU time of this thread for CALLS writes of the buffer, each of which must return 0. */
    static long cpuOfZeroWrites(SocketChannel sock, ByteBuffer buffer) throws Exception {
        sock.write(buffer); // the first call allocates the JDK's temporary buffer: not what is measured
        long start = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        for (int i = 0; i < CALLS; i++) assertEquals(0, sock.write(buffer), "the socket stays full");
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - start;
    }
}
