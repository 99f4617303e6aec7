package nbio;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

/** What the tests themselves do on the wire, as a peer of the scripts: connect, write, drain, checksum. */
public final class Wire {
    private Wire() { }

    public static SocketChannel connect(int port) throws IOException {
        return SocketChannel.open(new InetSocketAddress("localhost", port));
    }

    public static void write(SocketChannel channel, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(channel, bytes, 0, bytes.length);
    }

    public static void write(SocketChannel channel, byte[] bytes) throws IOException {
        write(channel, bytes, 0, bytes.length);
    }

    /** Writes bytes[from, to) completely (blocking channel). */
    public static void write(SocketChannel channel, byte[] bytes, int from, int to) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, from, to - from);
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    /** Reads until EOF; returns {bytes, crc32}. */
    public static long[] drain(SocketChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        CRC32 crc = new CRC32();
        long total = 0;
        for (int n; (n = channel.read(buffer.clear())) >= 0; ) {
            crc.update(buffer.flip());
            total += n;
        }
        return new long[]{total, crc.getValue()};
    }

    /** The CRC32 of bytes[0, length) as the scripts print it. */
    public static String crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return String.format("%08x", crc.getValue());
    }

    public static String crc(byte[] bytes) { return crc(bytes, bytes.length); }

    /** Index of the first line starting with {@code prefix}, or -1. */
    public static int indexOfPrefix(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(prefix)) return i;
        return -1;
    }
}
