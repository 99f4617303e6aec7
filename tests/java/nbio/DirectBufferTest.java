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
// Beside other classes: what is compared is this thread's own CPU time (getCurrentThreadCpuTime), which a busy machine
// does not stretch (it stretches the wall time). Seen with both cores kept busy by others (load average 19-23): 4.2-4.3
// ms of CPU per heap write against 7-8 µs per direct one, 518-624x, where 1 ms and 50x are asked.
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
                ByteBuffer filler = ByteBuffer.allocateDirect(1 << 20);
                long directCpu = cpuOfZeroWrites(sock, direct, filler), heapCpu = cpuOfZeroWrites(sock, heap, filler);
                double heapMsPerCall = heapCpu / 1e6 / CALLS;
                System.out.printf("DIRECT heap_ms_per_call=%.2f direct_ms_per_call=%.4f ratio=%.0f%n", heapMsPerCall,
                        directCpu / 1e6 / CALLS, heapCpu / (double) Math.max(1, directCpu));
                // Copying 64 MiB takes milliseconds; a write that takes nothing from a direct buffer, microseconds.
                assertTrue(heapMsPerCall >= 1, "each heap write copied 64 MiB: " + heapMsPerCall + " ms CPU per call");
                assertTrue(heapCpu >= 50 * directCpu, "heap " + heapCpu / 1e6 + " ms vs direct " + directCpu / 1e6
                        + " ms of CPU for " + CALLS + " writes that each returned 0");
            }
        }
    }

    /**
     * CPU time of this thread for CALLS writes of the whole buffer that each returned 0. A socket that took
     * nothing can take a little later (acknowledgements free send-buffer space), so the socket is topped up
     * from the filler until a write takes nothing, and a measured write that took something is not counted.
     */
    static long cpuOfZeroWrites(SocketChannel sock, ByteBuffer buffer, ByteBuffer filler) throws Exception {
        var threads = ManagementFactory.getThreadMXBean();
        fill(sock, filler);
        sock.write(buffer.clear()); // the first call allocates the JDK's temporary buffer: not what is measured
        long cpu = 0;
        int zeroWrites = 0;
        for (int attempt = 0; attempt < 10 * CALLS && zeroWrites < CALLS; attempt++) {
            fill(sock, filler);
            buffer.clear();
            long start = threads.getCurrentThreadCpuTime();
            int taken = sock.write(buffer);
            long used = threads.getCurrentThreadCpuTime() - start;
            if (taken == 0) { cpu += used; zeroWrites++; }
        }
        assertEquals(CALLS, zeroWrites, "writes to a full socket that returned 0");
        return cpu;
    }

    /** Writes from the filler until the socket takes nothing. */
    static void fill(SocketChannel sock, ByteBuffer filler) throws Exception {
        do { if (!filler.hasRemaining()) filler.clear(); } while (sock.write(filler) > 0);
    }
}
