package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sampler of the kernel's socket queues (scripts/nbio/SocketQueues.java), against real loopback connections:
 * what it reads must add up with what Java did on the same sockets. Nothing here is timed: each reading that a check
 * needs is waited for (the queue full before the reader starts, empty after it is done, every packet acknowledged), so
 * it runs beside other classes, as does the program itself, which prints the samples (SocketQueuesProgramTest).
 */
@Timeout(120)
class SocketQueuesTest {
    static final int SIZE = 7 * 10 * 1024 * 1024;

    /** A connected loopback pair, the client's SO_SNDBUF and the peer's SO_RCVBUF set first unless 0. */
    record Pair(SocketChannel client, SocketChannel peer) implements AutoCloseable {
        static Pair open(int sndbuf, int rcvbuf) throws IOException {
            try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                if (rcvbuf > 0) listener.setOption(StandardSocketOptions.SO_RCVBUF, rcvbuf);
                listener.bind(new InetSocketAddress("localhost", 0));
                SocketChannel client = SocketChannel.open();
                if (sndbuf > 0) client.setOption(StandardSocketOptions.SO_SNDBUF, sndbuf);
                client.connect(listener.getLocalAddress());
                return new Pair(client, listener.accept());
            }
        }

        @Override public void close() throws IOException { client.close(); peer.close(); }
    }

    @Test
    void readsBothEndsOfAConnectionThroughSs() throws Exception {
        assertEquals("ss", SocketQueues.source(), "ss (iproute2) is installed by tests/run");
        try (Pair pair = Pair.open(0, 0)) {
            SocketQueues.Sample sample = SocketQueues.read(pair.client());
            assertNotNull(sample.local(), "the client's socket");
            assertNotNull(sample.remote(), "the peer's socket");
            assertEquals(port(pair.peer(), false), sample.remote().remotePort());
            assertEquals(0, sample.local().sendQ());
            assertTrue(sample.local().tb() > 0 && sample.remote().rb() > 0, sample.toString());
        }
    }

    /** The JDK halves what Linux's getsockopt says (NET_GetSockOpt); the kernel doubles what setsockopt was given. */
    @Test
    void javaReportsHalfOfTheBuffersTheKernelUses() throws Exception {
        for (int asked : new int[] {0, 64 * 1024, 1024 * 1024}) {
            try (Pair pair = Pair.open(asked, asked)) {
                SocketQueues.Buffers client = SocketQueues.buffers(pair.client()), peer = SocketQueues.buffers(pair.peer());
                assertEquals(2L * client.javaSndBuf(), client.kernelSndBuf(), "asked " + asked + ": " + client);
                assertEquals(2L * client.javaRcvBuf(), client.kernelRcvBuf(), "asked " + asked + ": " + client);
                assertEquals(2L * peer.javaRcvBuf(), peer.kernelRcvBuf(), "asked " + asked + ": " + peer);
                if (asked > 0) {
                    assertEquals(asked, client.javaSndBuf(), "Java reads back what it set");
                    assertEquals(2L * asked, client.kernelSndBuf(), "the kernel uses twice what it was given");
                    assertEquals(2L * asked, peer.kernelRcvBuf(), "the accepted socket inherits the listener's SO_RCVBUF");
                }
            }
        }
    }

    /**
     * Every byte a write took is, at any later moment, either still in the sender's Send-Q (not acknowledged yet) or
     * acknowledged by the peer (bytes_acked counts them); a peer that never reads holds the acknowledged ones in its
     * Recv-Q, so once nothing is in flight Send-Q + the peer's Recv-Q is exactly what the write took.
     */
    @Test
    void whatOneWriteTookIsTheSendQueuePlusWhatThePeerAcknowledged() throws Exception {
        for (int size : new int[] {0, 64 * 1024}) {
            try (Pair pair = Pair.open(size, size)) {
                long ackedBefore = SocketQueues.read(pair.client()).local().bytesAcked();
                pair.client().configureBlocking(false);
                int took = pair.client().write(ByteBuffer.allocateDirect(SIZE));
                assertTrue(took > 0 && took < SIZE, "the write took part: " + took);
                SocketQueues.Sample after = SocketQueues.read(pair.client());
                SocketQueues.Queue sender = after.local(), peer = after.remote();
                assertEquals(took, sender.sendQ() + sender.bytesAcked() - ackedBefore, "sender " + sender);
                assertTrue(peer.recvQ() <= peer.rb(), "the peer holds no more than its buffer: " + peer);
                assertTrue(sender.sendQ() <= sender.w(), "the queue's memory counts its bytes and more: " + sender);
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (sender.unacked() > 0 && System.nanoTime() < deadline) {   // delayed acknowledgements come in ms
                    LockSupport.parkNanos(5_000_000);
                    after = SocketQueues.read(pair.client());
                    sender = after.local();
                    peer = after.remote();
                }
                assertEquals(0, sender.unacked(), "every packet sent was acknowledged within 30 s: " + sender);
                assertEquals(took, sender.sendQ() + peer.recvQ(), "sender " + sender + ", peer " + peer);
            }
        }
    }

    /**
     * A writer fills the send queue while the peer does not read yet; the reader starts only once the recording has
     * seen the queue filled, and the recording stops only once it has seen it empty: nothing depends on how fast the
     * readings come on a busy machine.
     */
    @Test
    void recordsTheSendQueueFillingAndDrainingAgainstASlowReader() throws Exception {
        try (Pair pair = Pair.open(256 * 1024, 256 * 1024)) {
            long tb = SocketQueues.read(pair.client()).local().tb();
            SocketQueues.Recording recording = SocketQueues.record(pair.client(), Duration.ofMillis(5), Duration.ofSeconds(90));
            Thread writer = new Thread(() -> {                       // blocking: returns once the kernel took it all
                try {
                    ByteBuffer data = ByteBuffer.allocateDirect(8_000_000);
                    while (data.hasRemaining()) pair.client().write(data);
                    pair.client().shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            awaitSample(recording, s -> s.local() != null && s.local().sendQ() > tb / 4, "the send queue filled");
            AtomicLong read = new AtomicLong();
            Thread reader = new Thread(() -> {                       // reads at about 20 MB/s
                ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
                long start = System.nanoTime();
                try {
                    for (int n; (n = pair.peer().read(chunk.clear())) >= 0; ) {
                        long due = start + read.addAndGet(n) * 50 - System.nanoTime();   // 50 ns a byte
                        if (due > 0) LockSupport.parkNanos(due);
                    }
                } catch (IOException closed) { }
            });
            reader.start();
            writer.join(60_000);
            reader.join(60_000);
            assertEquals(8_000_000, read.get());
            // Empty readings from before the writer began do not count: wait for one after the full queue.
            awaitReadings(recording, samples -> emptyAfterFull(samples, tb), "the send queue drained after it filled");
            List<SocketQueues.Sample> samples = recording.stop();
            long previous = -1, fullest = 0;
            for (SocketQueues.Sample s : samples) {
                assertTrue(s.nanos() > previous, "in order of time");
                previous = s.nanos();
                if (s.local() != null) fullest = Math.max(fullest, s.local().sendQ());
            }
            assertTrue(fullest > tb / 4, "the send queue held a good part of its " + tb + "-byte buffer: " + fullest);
            // The kernel adds to a send queue only while its memory is below tb, at most a 64 KiB packet at a time.
            assertTrue(fullest <= tb + 64 * 1024, "never more than the buffer and one packet's worth: " + fullest + " vs " + tb);
            assertTrue(emptyAfterFull(samples, tb), "a reading after the full queue shows it empty");
        }
    }

    /** Whether some reading after the first that shows the send queue over a quarter of tb shows it empty. */
    static boolean emptyAfterFull(List<SocketQueues.Sample> samples, long tb) {
        int full = 0;
        while (full < samples.size() && (samples.get(full).local() == null || samples.get(full).local().sendQ() <= tb / 4)) full++;
        return samples.subList(full, samples.size()).stream().anyMatch(s -> s.local() != null && s.local().sendQ() == 0);
    }

    static void awaitSample(SocketQueues.Recording recording, java.util.function.Predicate<SocketQueues.Sample> seen, String what) {
        awaitReadings(recording, samples -> samples.stream().anyMatch(seen), what);
    }

    static void awaitReadings(SocketQueues.Recording recording, java.util.function.Predicate<List<SocketQueues.Sample>> seen, String what) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!seen.test(recording.soFar())) {
            assertTrue(System.nanoTime() < deadline, what + ": no such reading within 60 s: " + recording.soFar());
            LockSupport.parkNanos(2_000_000);
        }
    }

    @Test
    void procNetTcpShowsTheSameQueuesAsSs() throws Exception {
        try (Pair pair = Pair.open(64 * 1024, 64 * 1024)) {
            pair.client().configureBlocking(false);
            pair.client().write(ByteBuffer.allocateDirect(SIZE));
            int local = port(pair.client(), true), remote = port(pair.client(), false);
            SocketQueues.Queue viaSs = SocketQueues.read(remote, local), viaProc = null;
            for (SocketQueues.Queue q : SocketQueues.fromProc(local, remote)) {
                if (q.localPort() == remote && q.remotePort() == local) viaProc = q;
            }
            assertNotNull(viaProc, "the peer's socket in /proc/net/tcp6 or tcp");
            assertTrue(viaSs.recvQ() > 0, "the peer has unread bytes: " + viaSs);
            assertEquals(viaSs.recvQ(), viaProc.recvQ(), "a peer that does not read keeps what it got");
            // The client's Send-Q stops moving once every packet sent is acknowledged (the peer's buffer is full).
            SocketQueues.Queue sender = SocketQueues.read(local, remote);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (sender.unacked() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(5_000_000);
                sender = SocketQueues.read(local, remote);
            }
            assertTrue(sender.sendQ() > 0, "bytes wait in the client's queue: " + sender);
            assertEquals(sender.sendQ(), SocketQueues.sendQueue(pair.client()), "sendQueue, read from /proc: " + sender);
            pair.client().close();
            assertEquals(-1, SocketQueues.sendQueue(pair.client()), "a closed socket has no queue to show");
        }
    }

    /** Lines as Linux writes them; slot numbers are wider from 10,000 sockets on; a 200-byte buffer splits lines. */
    static final String PROC_TCP6 = "  sl  local_address                         remote_address                        st"
            + " tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
            + "   0: 0000000000000000FFFF00000100007F:04D2 00000000000000000000000000000000:0000 0A 00000000:00000000"
            + " 00:00000000 00000000  1000        0 15328412 1 000000003a9ca481 100 0 0 10 0\n"
            + "10000: 0000000000000000FFFF00000100007F:9E4B 0000000000000000FFFF00000100007F:04D2 06 00000000:00000000"
            + " 03:00000D3D 00000000     0        0 0 3 0000000000000000\n"
            + "10001: 0000000000000000FFFF00000100007F:9E4B 0000000000000000FFFF00000100007F:04D2 01 003B5A1F:00000000"
            + " 01:00000014 00000000  1000        0 15330101 2 00000000d1e4c2b7 20 4 1 10 -1\n"
            + "10002: 0000000000000000FFFF00000100007F:04D2 0000000000000000FFFF00000100007F:9E4B 01 00000000:0001F3A5"
            + " 00:00000000 00000000  1000        0 15330102 1 0000000070a3c1e2 20 4 30 10 -1\n";
    static final String PROC_TCP = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout"
            + " inode\n   3: 0100007F:9E4C 0100007F:04D2 01 00000010:00000020 00:00000000 00000000  1000        0 1170 1"
            + " 00000000b794f70f 20 4 30 10 -1\n";

    @Test
    void readsProcNetTcpLinesOfEitherFamily() throws IOException {
        List<SocketQueues.Queue> all = new java.util.ArrayList<>();
        assertTrue(SocketQueues.scanProc(stream(PROC_TCP6), new int[] {0x04D2}, false, all, 200));
        assertEquals(List.of("40523>1234 0:0", "40523>1234 3889695:0", "1234>40523 0:127909"),
                all.stream().map(SocketQueuesTest::brief).toList(), "every socket of the port but the listening one");
        all.clear();
        assertTrue(SocketQueues.scanProc(stream(PROC_TCP), new int[] {0x04D2}, false, all, 200));
        assertEquals(List.of("40524>1234 16:32"), all.stream().map(SocketQueuesTest::brief).toList());
        all.clear();
        assertFalse(SocketQueues.scanProc(stream(PROC_TCP), new int[] {0x04D3}, false, all, 200));
        assertEquals(List.of(), all);
    }

    /** One connection's queue: the live socket, not an old one between the same ports in TIME-WAIT; no line after it is read. */
    @Test
    void readsOneConnectionUpToItsLineOnly() throws IOException {
        String untilIt = PROC_TCP6.substring(0, PROC_TCP6.indexOf("10002:"));
        java.io.InputStream thenFails = new java.io.SequenceInputStream(stream(untilIt), new java.io.InputStream() {
            @Override public int read() throws IOException { throw new IOException("read past the connection's line"); }
        });
        List<SocketQueues.Queue> found = new java.util.ArrayList<>();
        assertTrue(SocketQueues.scanProc(thenFails, new int[] {0x9E4B, 0x04D2}, true, found, 200));
        assertEquals(List.of("40523>1234 3889695:0"), found.stream().map(SocketQueuesTest::brief).toList());
        found.clear();
        assertFalse(SocketQueues.scanProc(stream(PROC_TCP6), new int[] {0x04D2, 0x9E4C}, true, found, 200));
        assertEquals(List.of(), found);
    }

    static java.io.InputStream stream(String text) {
        return new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    static String brief(SocketQueues.Queue q) {
        return q.localPort() + ">" + q.remotePort() + " " + q.sendQ() + ":" + q.recvQ();
    }

    @Test
    void parsesSsWithDetailsOnTheirOwnLineOrTheSame() {
        String twoLines = "ESTAB 0      3886726 [::ffff:127.0.0.1]:34182 [::ffff:127.0.0.1]:37781\n"
                + "\t skmem:(r0,rb131072,t0,tb3939840,f0,w3957446,o0,bl0,d0) cubic wscale:7,7 cwnd:11 unacked:3 "
                + "bytes_acked:32742 notsent:3791494\n";
        String oneLine = "ESTAB 127973 0 127.0.0.1:37781 127.0.0.1:34182 skmem:(r130469,rb131072,t0,tb3939840,f0,w0,o0,bl0,d2)"
                + " cubic bytes_received:127973 cwnd:10\n";
        List<SocketQueues.Queue> queues = SocketQueues.parseSs(twoLines + oneLine);
        assertEquals(new SocketQueues.Queue(34182, 37781, 3886726, 0, 0, 131072, 0, 3939840, 3957446, 0, 11, 3, 3791494,
                32742, SocketQueues.UNKNOWN), queues.get(0));
        assertEquals(new SocketQueues.Queue(37781, 34182, 0, 127973, 130469, 131072, 0, 3939840, 0, 2, 10, 0, 0,
                SocketQueues.UNKNOWN, 127973), queues.get(1));
    }

    static int port(SocketChannel channel, boolean local) throws IOException {
        return ((InetSocketAddress) (local ? channel.getLocalAddress() : channel.getRemoteAddress())).getPort();
    }
}
