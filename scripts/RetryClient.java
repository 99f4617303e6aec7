///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 4 of 6: keep writing the rest in a loop; count how often write returns 0 (Python's EAGAIN) and the CPU that spinning burns.

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

// Step 4, the article's "Fixed This" client: keep writing what is left until all of it is sent.
// Where Python raises EAGAIN ("Resource temporarily unavailable"), Java's write returns 0,
// and this loop asks again at once: it spins.
public class RetryClient {
    static final String NAME = "retry-client";

    static void send(Run run) throws IOException {
        try (SocketChannel sock = SocketChannel.open()) {     // sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            run.connect(sock);                                // sock.connect(('localhost', 1234))
            sock.configureBlocking(false);                    // sock.setblocking(0)
            ByteBuffer data = run.foobar();                   // data = 'foobar\n' * 1024 * 1024  (70 MB here too)

            while (data.hasRemaining()) {                     // while len(data):
                int sent = sock.write(data);                  //     sent = sock.send(data); data = data[sent:]
                run.count(sent);                              //     total_sent += sent
                if (sent > 0) {
                    run.say("Sending data");                  //     print 'Sending data'
                } else {                                      //     except socket.error, e:  # EAGAIN
                    run.say("Blocking with " + data.remaining() + " remaining"); // print 'Blocking with', len(data), 'remaining'
                }
            }
            run.report(!data.hasRemaining());                 // assert total_sent == data_size  # True
        }
    }

    // ---- below: not the lesson ----
    // Arguments, deadlines, Ctrl-C and the report. This block is the same, byte for byte, in all four
    // client steps (a test keeps the copies identical), so `diff` between two steps shows only the lesson.

    public static void main(String[] args) {
        Run run = new Run(args);
        try {
            send(run);
        } catch (IOException e) {
            run.cutShort(e);
        }
    }

    static final String USAGE = "usage: " + NAME + " [host] [port] [size] [--timeout SECONDS] [--verbose]"
            + " (defaults: localhost 1234 73400320; gives up after 60 s without progress;"
            + " --verbose prints the article's 'Sending data' and 'Blocking with N remaining' in steps 4 and 5)";
    // The most Linux moves in one write call (INT_MAX rounded down to a 4 KiB page): one write of more
    // would return early however fast the server reads, so such sizes are refused up front.
    static final int MOST_ONE_WRITE_MOVES = 2_147_479_552;

    /** What one client run reports: the summary line for people and the RESULT line for programs. */
    record Result(String client, long bytes, long requested, long writes, long zeroWrites, long selects,
                  double wallMs, double cpuMs, long crc32, boolean held) {
        String line() {
            return String.format(java.util.Locale.ROOT, "RESULT client=%s bytes=%d requested=%d writes=%d zero_writes=%d"
                            + " selects=%d wall_ms=%.1f cpu_ms=%.1f crc32=%08x assertion=%s",
                    client, bytes, requested, writes, zeroWrites, selects, wallMs, cpuMs, crc32, held ? "held" : "failed");
        }
    }

    /** One run of this client: its arguments, its counts and clock, its deadlines, and its report. */
    static final class Run {
        final String host;
        final int port, size, timeoutSeconds;
        final boolean verbose;
        SocketChannel sock;
        ByteBuffer data;
        long writes, zeroWrites, selects, startNanos, startCpu, lastProgress;
        volatile boolean finished, timedOut, signalled, progressUnseen, awaitingClose;

        Run(String[] args) {
            String host = "localhost";
            int port = 1234, size = 7 * 10 * 1024 * 1024, timeoutSeconds = 60, positional = 0; // 'foobar\n' * 10 * 1024 * 1024
            boolean verbose = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.isEmpty()) fail(2, "argument " + (i + 1) + " is empty; " + USAGE);
                else if (arg.equals("-h") || arg.equals("--help")) { System.out.println(USAGE); System.exit(0); }
                else if (arg.equals("--verbose")) verbose = true;
                else if (arg.equals("--timeout")) timeoutSeconds = number(i + 1 < args.length ? args[++i] : "", "--timeout", 1, 86400);
                else if (arg.startsWith("-") && !arg.matches("-\\d+")) fail(2, "unknown option '" + arg + "'; " + USAGE);
                else if (positional == 0 && arg.matches("\\d+")) {
                    fail(2, "host '" + arg + "' looks like a port: give the host first (" + NAME + " localhost " + arg + "); " + USAGE);
                } else switch (positional++) {
                    case 0 -> host = arg;
                    case 1 -> port = number(arg, "port", 0, 65535);
                    case 2 -> size = number(arg, "size", 1, MOST_ONE_WRITE_MOVES);
                    default -> fail(2, "too many arguments; " + USAGE);
                }
            }
            this.host = host;
            this.port = port;
            this.size = size;
            this.timeoutSeconds = timeoutSeconds;
            this.verbose = verbose;
        }

        /** sock.connect((host, port)), with a deadline and one plain line for each way it can fail. */
        void connect(SocketChannel sock) throws IOException {
            this.sock = sock;
            InetSocketAddress address = new InetSocketAddress(host, port);
            try {
                sock.socket().connect(address, timeoutSeconds * 1000);
            } catch (ConnectException e) {
                fail(1, "nothing is listening on " + host + ":" + port + ": start `./jbang server` first");
            } catch (SocketTimeoutException e) {
                fail(1, "no answer from " + host + ":" + port + " within " + timeoutSeconds + " s");
            } catch (UnknownHostException | UnresolvedAddressException e) {
                fail(1, "cannot resolve host '" + host + "'");
            } catch (IOException e) {
                fail(1, "cannot connect to " + host + ":" + port + " (" + e.getMessage() + ")" + noIpv4Hint(address));
            }
            onCtrlC();
            watchBlockingWrites();
        }

        /** data = 'foobar\n' * 10 * 1024 * 1024, in a direct buffer; the clock starts once it is filled. */
        ByteBuffer foobar() {
            // A direct buffer lives outside the Java heap, so the kernel copies straight from it.
            // (Writing a heap buffer makes the JDK copy all that remains into a direct one first,
            // on every call: that copying, not the socket, would dominate the numbers.)
            try {
                data = ByteBuffer.allocateDirect(size);
            } catch (OutOfMemoryError e) {
                fail(1, outOfMemory(size, e));
            }
            byte[] foobar = "foobar\n".getBytes();
            while (data.hasRemaining()) data.put(foobar, 0, Math.min(foobar.length, data.remaining()));
            data.flip();
            System.out.printf("%s: sending %,d bytes to %s:%d%n", NAME, size, host, port);
            startCpu = cpuNanos();
            startNanos = lastProgress = System.nanoTime();
            return data;
        }

        /** Counts a write call, and gives up when the server has taken nothing for --timeout seconds. */
        void count(int sent) throws IOException {
            writes++;
            if (sock.isBlocking() && data.hasRemaining()) {
                // A blocking write returns early only when the connection broke (or --timeout or Ctrl-C
                // closed it): one more write gets the system's own word for it (Broken pipe, ...).
                if (!timedOut && !signalled) sock.write(data);
                throw new IOException("the write returned early");
            }
            long now = System.nanoTime();
            if (sent > 0) {
                lastProgress = now;
            } else {
                zeroWrites++;
                if (now - lastProgress > timeoutSeconds * 1_000_000_000L) throw stalled();
            }
        }

        /** Counts a selector wake-up; select() returning nothing means the deadline passed. */
        void countSelect(int ready) throws IOException {
            selects++;
            if (ready == 0 && !signalled) throw stalled();
        }

        long timeoutMillis() {
            return timeoutSeconds * 1000L;
        }

        /** The article's print lines, shown with --verbose. */
        void say(String line) {
            if (verbose) System.out.println(line);
        }

        /** The summary for people, then the RESULT line for programs (the README documents its fields). */
        void report(boolean held) throws IOException {
            long wallNanos = System.nanoTime() - startNanos, cpu = cpuNanos() - startCpu;
            if (held) confirmDelivery();
            finished = true;
            long sent = data.position();
            CRC32 crc = new CRC32();
            crc.update(data.duplicate().flip());
            if (selects > 0) {
                System.out.printf("%s: %s sent all %,d bytes; after each of the %,d that returned 0 it slept in select()%n",
                        NAME, plural(writes, "write call"), sent, zeroWrites);
            } else if (writes > 1) {
                System.out.printf("%s: %s sent all %,d bytes; %,d of them (%.1f%%) returned 0 and were tried again at once%n",
                        NAME, plural(writes, "write call"), sent, zeroWrites, 100.0 * zeroWrites / writes);
            } else {
                System.out.printf("%s: one write call returned %,d of %,d bytes in %.1f ms: assert sent == len(data) %s%n",
                        NAME, sent, size, wallNanos / 1e6, held ? "holds" : "FAILS");
            }
            Result result = new Result(NAME, sent, size, writes, zeroWrites, selects, wallNanos / 1e6, cpu / 1e6, crc.getValue(), held);
            System.out.printf("%s: the kernel accepted %,d of %,d bytes (crc32=%08x): %s, %,d returned 0, %s, %.1f ms CPU in %.1f ms wall%n",
                    NAME, result.bytes(), result.requested(), result.crc32(), plural(result.writes(), "write call"),
                    result.zeroWrites(), plural(result.selects(), "selector wake-up"), result.cpuMs(), result.wallMs());
            System.out.println(result.line());
        }

        // "The kernel accepted it" is not "the server got it": bytes still in the kernels' buffers are lost
        // if the server never reads them (a connection left over in a full listen queue, a server that
        // dies). So after the last byte the client shuts down its side (the server reads EOF after the
        // data) and waits for the server's close, which comes once it has read everything. It gives up
        // when the server has neither taken bytes nor closed for --timeout seconds.
        void confirmDelivery() throws IOException {
            awaitingClose = true;
            sock.shutdownOutput();
            sock.configureBlocking(false);
            // Looked at now and then, not waited for in a Selector of its own: the step's epoll waits
            // (which the kernel's view counts) stay those of its lesson.
            ByteBuffer answer = ByteBuffer.allocate(1024);
            long queued = sendQueue(), since = System.nanoTime(), pauseMs = 1;
            while (sock.read(answer.clear()) >= 0) {                       // -1: the server closed
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException e) {                          // Ctrl-C
                    throw new java.io.InterruptedIOException();
                }
                pauseMs = Math.min(2 * pauseMs, 50);
                long now = System.nanoTime(), nowQueued = sendQueue();
                if (nowQueued != queued) {
                    queued = nowQueued;
                    since = now;
                } else if (now - since > timeoutSeconds * 1_000_000_000L) {
                    throw stalled();
                }
            }
        }

        // When the transfer breaks, say how far it got. "Accepted" is all a sender can know:
        // bytes the kernel took may still be lost if the peer is gone.
        void cutShort(IOException e) {
            finished = true;
            String why = signalled ? "stopped by a signal"
                    : timedOut && awaitingClose ? "the server neither took bytes nor closed the connection for " + timeoutSeconds + " s (see --timeout)"
                    : timedOut && progressUnseen ? "the write had not returned after " + timeoutSeconds + " s (see --timeout)"
                    : timedOut ? "the server took no bytes for " + timeoutSeconds + " s (see --timeout)"
                    : "the connection broke (" + e.getMessage() + ")";
            String message = awaitingClose
                    ? String.format("%s after the kernel had accepted all %,d bytes: delivery not confirmed", why, size)
                    : String.format("%s after the kernel had accepted %,d of %,d bytes: transfer cut short",
                            why, data == null ? 0 : data.position(), size);
            if (signalled) System.err.println(NAME + ": " + message); // the JVM is already exiting
            else fail(1, message);
        }

        IOException stalled() {
            timedOut = true;
            return new SocketTimeoutException();
        }

        // Ctrl-C: close the socket and interrupt the sender, which ends a write or a select() in
        // progress, and let it report how far it got.
        void onCtrlC() {
            Thread sender = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (finished) return;
                signalled = true;
                closeQuietly();
                sender.interrupt();
                try { sender.join(5000); } catch (InterruptedException ignored) { }
            }));
        }

        // A blocking write has no deadline of its own. While one is in progress, a watchdog looks at the
        // socket's send queue (Linux shows it in /proc/net/tcp): the server takes bytes, the queue moves.
        // When it has not moved for --timeout seconds, closing the socket ends the write.
        void watchBlockingWrites() {
            Thread watchdog = new Thread(() -> {
                long seen = -2, since = System.nanoTime();
                while (!finished) {
                    try { Thread.sleep(100); } catch (InterruptedException e) { return; }
                    long now = System.nanoTime(), queued = sendQueue();
                    if (data == null || !sock.isBlocking() || queued == 0 || queued != seen) { // 0: nothing waits to go
                        seen = queued;
                        since = now;
                    } else if (now - since > timeoutSeconds * 1_000_000_000L) {
                        progressUnseen = queued < 0;  // no /proc: all we know is that the write has not returned
                        timedOut = true;
                        closeQuietly();
                        return;
                    }
                }
            }, "watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }

        /** Bytes in this socket's send queue, from /proc/net/tcp or tcp6; -1 where Linux does not show it. */
        long sendQueue() {
            try {
                String local = String.format(":%04X ", ((InetSocketAddress) sock.getLocalAddress()).getPort());
                String remote = String.format(":%04X ", ((InetSocketAddress) sock.getRemoteAddress()).getPort());
                for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
                    for (String row : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
                        String[] f = row.trim().split("\\s+");
                        if (f.length > 4 && (f[1] + " ").endsWith(local) && (f[2] + " ").endsWith(remote)) {
                            return Long.parseLong(f[4].substring(0, f[4].indexOf(':')), 16);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or the socket is already closed
            }
            return -1;
        }

        void closeQuietly() {
            try { if (sock != null) sock.close(); } catch (IOException ignored) { }
        }
    }

    // An IPv6-only host: localhost resolves to 127.0.0.1 (from /etc/hosts) but no interface has it.
    static String noIpv4Hint(InetSocketAddress address) {
        try {
            if (address.getAddress() instanceof java.net.Inet4Address && address.getAddress().isLoopbackAddress()
                    && java.net.NetworkInterface.getByInetAddress(address.getAddress()) == null) {
                return ": this machine has no IPv4 loopback address (" + address.getAddress().getHostAddress()
                        + "); use ::1 as the host, with a server listening there";
            }
        } catch (IOException ignored) { }
        return "";
    }

    // The JVM's own limit on direct memory ("Cannot reserve ..."), or the system refusing the memory
    // ("Unable to allocate ...": an address-space limit, ulimit -v, or a machine out of memory).
    static String outOfMemory(long size, OutOfMemoryError e) {
        return String.valueOf(e.getMessage()).startsWith("Cannot reserve")
                ? String.format("%,d bytes do not fit in this JVM's direct memory (%s): send less, or allow more with"
                        + " -XX:MaxDirectMemorySize", size, e.getMessage())
                : String.format("the system refused %,d bytes of memory (%s): send less, or raise this process's memory"
                        + " limit (ulimit -v)", size, e.getMessage());
    }

    static String plural(long n, String thing) {
        return String.format("%,d %s%s", n, thing, n == 1 ? "" : "s");
    }

    static long cpuNanos() { // CPU time of this thread only: what the sending loop burns
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    static int number(String text, String what, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) { }
        return fail(2, "bad " + what + " '" + text + "' (expected " + (what.equals("size")
                ? String.format("%,d to %,d: the most one write call moves", min, max) : min + " to " + max) + "); " + USAGE);
    }

    static int fail(int exitCode, String message) {
        System.err.println(NAME + ": " + message);
        System.exit(exitCode);
        return 0;
    }
}
