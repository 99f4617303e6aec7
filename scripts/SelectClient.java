///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 5: the same loop, but when write returns 0 wait in a Selector for OP_WRITE instead of spinning.

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.util.zip.CRC32;

// The article's client with select.select([], [sock], []): when a write returns 0, ask the
// kernel to wake us when the socket can take more, instead of asking again and again.
public class SelectClient {
    static final String NAME = "select-client";
    static final String USAGE = "usage: " + NAME + " [host] [port] [size] [--verbose] [--timeout SECONDS]"
            + " (defaults: localhost 1234 73400320; --verbose prints a line per write, as the article does;"
            + " give up after 60 s without progress)";

    public static void main(String[] args) throws IOException {
        String host = "localhost";
        int port = 1234;
        int size = 7 * 10 * 1024 * 1024; // 'foobar\n' * 10 * 1024 * 1024: the article's "70 MB"
        boolean verbose = false;
        int timeoutSeconds = 60;
        int positional = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) { System.out.println(USAGE); return; }
            if (arg.equals("--timeout")) { timeoutSeconds = number(i + 1 < args.length ? args[++i] : "", "--timeout", 1, 86400); continue; }
            if (arg.equals("--verbose")) { verbose = true; continue; }
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

        try (SocketChannel sock = connect(host, port, timeoutSeconds); Selector selector = Selector.open()) {
            sock.configureBlocking(false);   // Python: sock.setblocking(0)
            onCtrlC(sock, selector);
            SelectionKey key = sock.register(selector, SelectionKey.OP_WRITE); // watch for "writable"
            long cpuStart = cpuNanos(), start = System.nanoTime();

            long writes = 0, zeroWrites = 0, selects = 0;
            while (buffer.hasRemaining()) {
                int sent = sock.write(buffer);   // returns at once with what fitted, maybe 0
                writes++;
                if (sent == 0) {                 // Python: except socket.error, e: EAGAIN
                    zeroWrites++;
                    if (verbose) System.out.println("Blocking with " + buffer.remaining() + " remaining");
                    int ready = selector.select(timeoutSeconds * 1000L); // sleeps until the socket can take more
                    selects++;
                    if (ready == 0) {            // the deadline passed and it still could not
                        timedOut = true;
                        throw new SocketTimeoutException();
                    }
                    selector.selectedKeys().clear();
                } else if (verbose) {
                    System.out.println("Sending data");
                }
            }
            key.cancel();                        // done: stop watching this socket

            long wallNanos = System.nanoTime() - start, cpu = cpuNanos() - cpuStart;
            int sent = buffer.position();
            boolean held = sent == size;
            System.out.printf("%s: %,d write calls sent all %,d bytes; after each of the %,d that returned 0 it slept in select()%n",
                    NAME, writes, sent, zeroWrites);
            report(buffer, size, writes, zeroWrites, selects, wallNanos, cpu, held);
        } catch (IOException e) {
            cutShort(buffer, size, timeoutSeconds, e);
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
        finished = true;
    }

    // When the transfer breaks, say how far it got. "Accepted" is all a sender can know:
    // bytes the kernel took may still be lost if the peer is gone.
    static void cutShort(ByteBuffer buffer, long size, int timeoutSeconds, IOException e) {
        finished = true;
        String why = signalled ? "stopped by a signal"
                : timedOut ? "the server took no bytes for " + timeoutSeconds + " s (see --timeout)"
                : "the connection broke (" + e.getMessage() + ")";
        String message = why + " after the kernel had accepted " + buffer.position() + " of " + size + " bytes: transfer cut short";
        if (signalled) System.err.println(NAME + ": " + message); // the JVM is already exiting
        else fail(1, message);
    }

    static volatile boolean finished, timedOut, signalled;

    // Ctrl-C: close the socket, which ends any write in progress, wake a select() in progress,
    // and let main report how far it got.
    static void onCtrlC(SocketChannel sock, Selector selector) {
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (finished) return;
            signalled = true;
            closeQuietly(sock);
            selector.wakeup();
            try { main.join(5000); } catch (InterruptedException ignored) { }
        }));
    }

    static void closeQuietly(SocketChannel sock) {
        try { sock.close(); } catch (IOException ignored) { }
    }

    static SocketChannel connect(String host, int port, int timeoutSeconds) throws IOException {
        SocketChannel sock = SocketChannel.open();
        try {
            sock.socket().connect(new InetSocketAddress(host, port), timeoutSeconds * 1000);
            return sock;
        } catch (ConnectException e) {
            sock.close();
            return fail(1, "nothing is listening on " + host + ":" + port + ": start `./jbang server` first");
        } catch (SocketTimeoutException e) {
            sock.close();
            return fail(1, "no answer from " + host + ":" + port + " within " + timeoutSeconds + " s");
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
