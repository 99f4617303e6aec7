package benchmark;

import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import benchmark.Parts.Pair;

/** The bytes every sender sends, their CRC32, and the senders: part 2's load generator and the ceiling's blocking sender. */
final class LoadGenerator {
    private LoadGenerator() { }

    // ------------------------------------------------------------------ the data every client sends

    // 'foobar\n' over and over, as in the article; ~1 MiB, a whole number of patterns, so any stream of
    // it can be cut from this buffer at (bytes sent so far) modulo its length.
    static final int PATTERN_LENGTH = 7 * 149797;
    static final ByteBuffer PATTERN = pattern();

    static ByteBuffer pattern() {
        ByteBuffer b = ByteBuffer.allocateDirect(PATTERN_LENGTH);
        byte[] foobar = "foobar\n".getBytes(StandardCharsets.US_ASCII);
        while (b.hasRemaining()) b.put(foobar);
        return b.flip().asReadOnlyBuffer();
    }

    private static final Map<Long, Long> crcCache = new HashMap<>(); // a memo of a pure function, in this file only

    /** The CRC32 of the first {@code size} bytes of the stream every client sends. */
    static synchronized long expectedCrc(long size) {
        return crcCache.computeIfAbsent(size, s -> {
            CRC32 crc = new CRC32();
            ByteBuffer view = PATTERN.duplicate();
            for (long done = 0; done < s; ) {
                int n = (int) Math.min(PATTERN_LENGTH, s - done);
                view.clear().limit(n);
                crc.update(view);
                done += n;
            }
            return crc.getValue();
        });
    }

    static long blockingSend(int port, long bytes, Pair pair, long deadlineNanos) throws IOException {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open()) {
            if (pair.socketBuffer() > 0) ch.setOption(StandardSocketOptions.SO_SNDBUF, pair.socketBuffer());
            ch.connect(new InetSocketAddress("localhost", port));
            ByteBuffer view = PATTERN.duplicate();
            long sent = 0;
            int pos = 0;
            while (sent < bytes && System.nanoTime() < deadlineNanos) {
                if (pos + pair.chunk() > PATTERN_LENGTH) pos = 0;
                view.clear().position(pos).limit(pos + (int) Math.min(pair.chunk(), bytes - sent));
                while (view.hasRemaining()) sent += ch.write(view);
                pos += pair.chunk();
            }
            return sent;
        }
    }

    record LoadResult(int completed, int errors, int timedOut, long sent, long wallNanos, long connectNanos, int connectedAtStart,
                      String firstError) { }

    /**
     * The load generator: one thread, one Selector. It opens {@code conns} non-blocking connections (at most 256 still
     * connecting at once) and holds them all open; when all are connected (or connecting has stalled for 3.5 s, as it
     * does against a server that accepts one client at a time) every connection sends its equal share of {@code total}.
     * A connection that has sent everything shuts its output and waits for the server to close: then the server has read
     * it all. Everything stops at the deadline.
     */
    static final class LoadGen {
        static final int MAX_CONNECTING = 256;
        static final long STALL_NANOS = 3_500_000_000L; // past two SYN retransmissions (1 s, then 2 s more)

        static final class Conn {
            java.nio.channels.SocketChannel ch;
            long size, sent;
            boolean connecting;
        }

        static LoadResult run(int port, int conns, long total, long deadlineNanos) throws IOException {
            return run(port, conns, total, deadlineNanos, () -> { });
        }

        /** {@code allOpen} runs when every connection is open, just before they start sending. */
        static LoadResult run(int port, int conns, long total, long deadlineNanos, Runnable allOpen) throws IOException {
            InetSocketAddress address = new InetSocketAddress("localhost", port);
            long base = total / conns, extra = total % conns;
            int opened = 0, connecting = 0, connected = 0, completed = 0, errors = 0, connectedAtStart = 0;
            long sent = 0;
            String firstError = null;
            ByteBuffer view = PATTERN.duplicate(), sink = ByteBuffer.allocate(256);
            List<SelectionKey> waiting = new ArrayList<>();
            boolean sending = false;
            long start = System.nanoTime(), end = start, connectEnd = start, lastConnect = start;
            try (Selector selector = Selector.open()) {
                while (completed + errors < conns) {
                    long now = System.nanoTime();
                    if (now >= deadlineNanos) break;
                    while (opened < conns && connecting < MAX_CONNECTING) {
                        Conn c = new Conn();
                        c.size = base + (opened < extra ? 1 : 0);
                        opened++;
                        try {
                            c.ch = java.nio.channels.SocketChannel.open();
                            c.ch.configureBlocking(false);
                            c.connecting = true;
                            connecting++;
                            SelectionKey key = c.ch.register(selector, SelectionKey.OP_CONNECT, c);
                            if (c.ch.connect(address)) { // connected at once (OP_CONNECT would never fire then)
                                c.connecting = false;
                                connecting--;
                                connected++;
                                lastConnect = now;
                                if (sending) key.interestOps(SelectionKey.OP_WRITE);
                                else { key.interestOps(0); waiting.add(key); }
                            }
                        } catch (IOException e) {
                            errors++;
                            if (c.connecting) connecting--;
                            if (firstError == null) firstError = "connect: " + e.getMessage();
                            closeQuietly(c.ch);
                        }
                    }
                    if (!sending && (connected + errors == conns || (connected > 0 && now - lastConnect > STALL_NANOS))) {
                        sending = true;  // all C are open at once: now every one of them sends
                        connectEnd = now;
                        connectedAtStart = connected;
                        allOpen.run();
                        for (SelectionKey k : waiting) if (k.isValid()) k.interestOps(SelectionKey.OP_WRITE);
                        waiting.clear();
                    }
                    selector.select(Math.max(1, Math.min(100, (deadlineNanos - now) / 1_000_000)));
                    for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey key = it.next();
                        it.remove();
                        Conn c = (Conn) key.attachment();
                        try {
                            if (c.connecting) {
                                if (!c.ch.finishConnect()) continue;
                                c.connecting = false;
                                connecting--;
                                connected++;
                                lastConnect = System.nanoTime();
                                if (sending) key.interestOps(SelectionKey.OP_WRITE);
                                else { key.interestOps(0); waiting.add(key); }
                            } else if (c.sent < c.size && key.isWritable()) {
                                while (c.sent < c.size) {
                                    int pos = (int) (c.sent % PATTERN_LENGTH);
                                    view.clear().position(pos).limit((int) Math.min(PATTERN_LENGTH, pos + (c.size - c.sent)));
                                    int n = c.ch.write(view);
                                    if (n == 0) break;
                                    c.sent += n;
                                    sent += n;
                                }
                                if (c.sent == c.size) {
                                    c.ch.shutdownOutput();
                                    key.interestOps(SelectionKey.OP_READ);
                                }
                            } else if (key.isReadable()) {
                                if (c.ch.read(sink.clear()) < 0) { // the server read to our EOF and closed
                                    completed++;
                                    end = System.nanoTime();
                                    key.cancel();
                                    c.ch.setOption(StandardSocketOptions.SO_LINGER, 0); // no TIME_WAIT left behind
                                    c.ch.close();
                                }
                            }
                        } catch (IOException e) {
                            errors++;
                            if (c.connecting) connecting--;
                            if (firstError == null) firstError = e.getMessage();
                            key.cancel();
                            closeQuietly(c.ch);
                        }
                    }
                }
                int timedOut = conns - completed - errors;
                if (timedOut > 0) end = System.nanoTime();
                if (!sending) connectEnd = end;
                for (SelectionKey key : selector.keys()) {
                    java.nio.channels.SocketChannel ch = (java.nio.channels.SocketChannel) key.channel();
                    try { ch.setOption(StandardSocketOptions.SO_LINGER, 0); } catch (IOException ignored) { }
                    closeQuietly(ch);
                }
                return new LoadResult(completed, errors, timedOut, sent, Math.max(1, end - start), connectEnd - start, connectedAtStart, firstError);
            }
        }
    }

    static void closeQuietly(java.nio.channels.Channel c) {
        try { if (c != null) c.close(); } catch (IOException ignored) { }
    }

}
