package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Step 3: one non-blocking write of the article's 70 MB takes part, at once. (Step 2's one blocking write, and step 3
 * under the plain source launcher, are ClientStepsRunsTest's, beside other classes: nothing there is timed.)
 */
@Timeout(120)
@Isolated("a non-blocking write is timed")
class ClientStepsTest {
    static final long ARTICLE_BYTES = 73_400_320L; // 'foobar\n' * 10 * 1024 * 1024
    static final Duration RUN = Duration.ofSeconds(60);

    @Test
    void nonBlockingWriteAcceptsOnlyPartAndFailsLikeTheArticle() throws Exception {
        // A peer that does not read until the client is gone: one write can only fill the buffers.
        try (ServerSocketChannel peer = ServerSocketChannel.open()) {
            peer.bind(new InetSocketAddress("localhost", 0));
            int port = ((InetSocketAddress) peer.getLocalAddress()).getPort();
            Scripts.Proc client = Scripts.start("NonBlockingClient", "localhost", String.valueOf(port));
            try (SocketChannel accepted = peer.accept()) {
                int exit = client.waitFor(RUN);
                assertNotEquals(0, exit, "the article's assertion must fail the program");

                Map<String, String> result = client.last("RESULT");
                long sent = Long.parseLong(result.get("bytes"));
                // "Returns at once with a few MB": what the socket buffers hold, against a peer that never reads.
                assertTrue(sent >= 1_000_000 && sent <= 16_000_000, "a few MB (about 4 MB with Linux's defaults), was " + sent);
                // The peer reads only after the client has exited, so a write that waited for the reader would never
                // return: the client's exit above is the proof. Copying a few MB into the kernel takes milliseconds
                // (the README says "milliseconds"); 2 s leaves room for a JIT pause and a busy other core.
                double wallMs = Double.parseDouble(result.get("wall_ms"));
                assertTrue(wallMs < 2000, "the write returned at once, not after waiting for the reader: " + wallMs + " ms");
                assertEquals("1", result.get("writes"));
                assertEquals("failed", result.get("assertion"));
                assertTrue(client.stderr().contains("java.lang.AssertionError"), client.stderr());
                assertTrue(client.stderr().contains("one non-blocking write accepted " + sent + " of " + ARTICLE_BYTES + " bytes"), client.stderr());

                // What the kernel accepted is what arrives: read it all now.
                long[] received = Wire.drain(accepted);
                assertEquals(sent, received[0], "bytes the peer received");
                assertEquals(result.get("crc32"), String.format("%08x", received[1]));
            }
        }
    }

    static String crc32OfArticleData(long size) {
        byte[] foobar = "foobar\n".getBytes();
        CRC32 crc = new CRC32();
        byte[] block = new byte[7 * 1024];
        for (int i = 0; i < block.length; i++) block[i] = foobar[i % 7];
        for (long left = size; left > 0; left -= block.length) crc.update(block, 0, (int) Math.min(block.length, left));
        return String.format("%08x", crc.getValue());
    }
}
