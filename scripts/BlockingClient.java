///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 2: a blocking client sends 70 MB in one write call, and that call returns all of it.

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.util.zip.CRC32;

// The article's first Client.py: connect, then send 70 MB in ONE call.
// A blocking write does not return until the kernel has taken every byte.
public class BlockingClient {
    static final String NAME = "blocking-client";
    static final String USAGE = "usage: " + NAME + " [host] [port] [size] (defaults: localhost 1234 73400320)";

    public static void main(String[] args) throws IOException {
        String host = "localhost";
        int port = 1234;
        int size = 7 * 10 * 1024 * 1024; // 'foobar\n' * 10 * 1024 * 1024: the article's "70 MB"
        int positional = 0;
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) { System.out.println(USAGE); return; }
            if (arg.startsWith("-") && !arg.matches("-\\d+")) fail(2, "unknown option '" + arg + "'; " + USAGE);
            switch (positional++) {
                case 0 -> host = arg;
                case 1 -> port = number(arg, "port", 0, 65535);
                case 2 -> size = number(arg, "size", 1, Integer.MAX_VALUE - 8);
                default -> fail(2, "too many arguments; " + USAGE);
            }
        }
        // A direct buffer lives outside the Java heap, so the kernel copies straight from it.
        // (Writing a heap buffer makes the JDK copy all that remains into a direct one first,
        // on every call: that copying, not the socket, would dominate the numbers.)
        ByteBuffer buffer = ByteBuffer.allocateDirect(size);
        byte[] foobar = "foobar\n".getBytes();
        while (buffer.hasRemaining()) buffer.put(foobar, 0, Math.min(foobar.length, buffer.remaining()));
        buffer.flip();
        System.out.printf("%s: sending %,d bytes to %s:%d%n", NAME, size, host, port);

        try (SocketChannel sock = connect(host, port)) {
            long cpuStart = cpuNanos(), start = System.nanoTime();

            int sent = sock.write(buffer);   // blocks until the kernel has taken all of it

            long wallNanos = System.nanoTime() - start, cpu = cpuNanos() - cpuStart;
            boolean held = sent == size;
            System.out.printf("%s: one write call returned %,d of %,d bytes in %.1f ms: assert sent == len(data) %s%n",
                    NAME, sent, size, wallNanos / 1e6, held ? "holds" : "FAILS");
            report(buffer, size, 1, 0, 0, wallNanos, cpu, held);
        } catch (IOException e) {
            fail(1, "the connection broke after " + buffer.position() + " bytes: " + e.getMessage());
        }
    }

    // The same summary and RESULT line end every client, so tools can compare them.
    static void report(ByteBuffer sentPart, long size, long writes, long zeroWrites, long selects,
                       long wallNanos, long cpuNanos, boolean held) {
        long sent = sentPart.position();
        CRC32 crc = new CRC32();
        crc.update(sentPart.flip());
        System.out.printf("%s: the kernel accepted %,d of %,d bytes (crc32=%08x): %,d write calls, %,d returned 0,"
                        + " %,d selector wake-ups, %.1f ms CPU in %.1f ms wall%n",
                NAME, sent, size, crc.getValue(), writes, zeroWrites, selects, cpuNanos / 1e6, wallNanos / 1e6);
        System.out.printf("RESULT client=%s bytes=%d requested=%d writes=%d zero_writes=%d selects=%d"
                        + " wall_ms=%.1f cpu_ms=%.1f crc32=%08x assertion=%s%n",
                NAME, sent, size, writes, zeroWrites, selects, wallNanos / 1e6, cpuNanos / 1e6,
                crc.getValue(), held ? "held" : "failed");
    }

    static SocketChannel connect(String host, int port) throws IOException {
        SocketChannel sock = SocketChannel.open();
        try {
            sock.socket().connect(new InetSocketAddress(host, port), 10_000);
            return sock;
        } catch (ConnectException e) {
            sock.close();
            return fail(1, "nothing is listening on " + host + ":" + port + ": start `./jbang server` first");
        } catch (SocketTimeoutException e) {
            sock.close();
            return fail(1, "no answer from " + host + ":" + port + " within 10 s");
        } catch (UnknownHostException | UnresolvedAddressException e) {
            sock.close();
            return fail(1, "cannot resolve host '" + host + "'");
        }
    }

    static long cpuNanos() { // CPU time of this thread only: what the sending loop burns
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    static int number(String text, String what, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) { }
        return fail(2, "bad " + what + " '" + text + "' (expected " + min + " to " + max + "); " + USAGE);
    }

    static <T> T fail(int exitCode, String message) {
        System.err.println(NAME + ": " + message);
        System.exit(exitCode);
        return null;
    }
}
