package nbio;

//SOURCES Connect.java
//SOURCES CpuClock.java
//SOURCES EventLoopArguments.java
//SOURCES Timeline.java

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * What one of event-loop's sending tasks did: its write calls and their zeros, its turns, wake-ups
 * and CPU, its deadline, the lines it prints on the timeline, why it failed, and its RESULT line.
 */
public final class SenderLog {
    static final String NAME = EventLoopArguments.NAME;
    final String name;
    final InetSocketAddress to;
    final ByteBuffer data;
    final long timeoutNanos;
    final Timeline timeline;
    final Set<Thread> socketThreads;
    int localPort = -1;
    boolean finished, full, connected, gaveUp;
    IOException failure;
    ByteBuffer receipt;
    long writes, zeroWrites, wakeups, cpu, start, end, turnsSinceTick, turnCpuStart;

    SenderLog(String name, InetSocketAddress to, ByteBuffer data, int timeoutSeconds, Timeline timeline, Set<Thread> socketThreads) {
        this.name = name;
        this.to = to;
        this.data = data;
        this.timeoutNanos = timeoutSeconds * 1_000_000_000L;
        this.timeline = timeline;
        this.socketThreads = socketThreads;
    }

    /** A turn starts: counted, and its CPU clock started; ready: the task's socket woke it. */
    public void turn(boolean ready) {
        turnsSinceTick++;
        if (ready) wakeups++;
        turnCpuStart = CpuClock.threadNanos();
    }

    /** The turn ends: its CPU is this sender's. */
    public void turnEnded() {
        cpu += CpuClock.threadNanos() - turnCpuStart;
    }

    /** When to give up waiting: --timeout seconds from now (the first call also starts this sender's clock). */
    public long giveUpTime() {
        if (start == 0) start = System.nanoTime();
        return System.nanoTime() + timeoutNanos;
    }

    /** The deadline came before the socket was ready. */
    public IOException gaveUp() {
        gaveUp = true;
        return new IOException("no progress for " + timeoutNanos / 1_000_000_000L + " s");
    }

    /** Connected: said once. */
    public void connected(SocketChannel sock) throws IOException {
        if (connected) return;
        connected = true;
        localPort = ((InetSocketAddress) sock.getLocalAddress()).getPort();
        line("connected to %s:%d from port %d", to.getHostString(), to.getPort(), localPort);
    }

    /** One write call: how many, how many returned 0, and which thread made it. */
    public void wrote(int sent) {
        socketThreads.add(Thread.currentThread());
        writes++;
        full = sent == 0;
        if (full && zeroWrites++ == 0) line("socket full after %,d bytes: waits until it is writable", data.position());
    }

    /**
     * Where the server's answer goes while the sender waits for its close (the step-1 server and
     * select-server send nothing): the time of the last write is kept, for wall_ms.
     */
    public ByteBuffer receipt() {
        if (receipt == null) {
            end = System.nanoTime();
            receipt = ByteBuffer.allocate(1024);
        }
        return receipt.clear();
    }

    /** Every byte taken and the server's close seen. */
    public void done() {
        if (receipt == null) end = System.nanoTime();
        finished = true;
        line("done: %,d bytes in %s, %,d of them returned 0", data.position(), Timeline.plural(writes, "write"), zeroWrites);
    }

    /** The task ended with this failure: said at the end, with the others. */
    public void failed(IOException e) {
        failure = e;
        finished = true;
        end = System.nanoTime();
    }

    public boolean ok() { return failure == null; }

    void line(String format, Object... args) {
        timeline.say(name, String.format(format, args));
    }

    /** How far it got, as a tick shows it: "send-1 42% (buffer full, 3 turns)". */
    void progress(StringBuilder state) {
        state.append(name).append(' ').append(100L * data.position() / data.limit()).append('%');
        if (!finished) {
            state.append(full ? " (buffer full, " : receipt != null ? " (all sent, waiting for the server to close, "
                    : " (sending, ").append(Timeline.plural(turnsSinceTick, "turn")).append(')');
        } else {
            state.append(failure != null ? " (failed)" : " (done)");
        }
        turnsSinceTick = 0;
    }

    /** Ctrl-C: how far it got, on stderr (nothing if it had finished). */
    void stopped() {
        if (!finished) System.err.printf("%s: %s: stopped by a signal after the kernel had accepted %,d of %,d bytes: %s%n",
                NAME, name, data.position(), data.limit(), receipt != null ? "delivery not confirmed" : "transfer cut short");
    }

    /** The real cause of the failure, in one line. */
    String why(String host, int timeoutSeconds) {
        String where = (host.contains(":") ? "[" + host + "]" : host) + ":" + to.getPort();
        if (!connected) {
            if (gaveUp) return "no answer from " + where + " within " + timeoutSeconds + " s (see --timeout)";
            String hint = Connect.noIpv4Hint(to);
            if (!hint.isEmpty()) return "cannot connect to " + where + " (" + failure.getMessage() + ")" + hint;
            if (failure instanceof ConnectException && String.valueOf(failure.getMessage()).contains("refused")) {
                return "nothing is listening on " + where + ": start `./jbang select-server` (or `./jbang server`) first";
            }
            return "cannot connect to " + where + " (" + failure.getMessage() + ")";
        }
        if (receipt != null) {                                          // every byte written, no close seen
            return (gaveUp ? "the server did not close the connection within " + timeoutSeconds + " s (see --timeout)"
                    : "the connection broke (" + failure.getMessage() + ")")
                    + String.format(" after the kernel had accepted all %,d bytes: delivery not confirmed", data.limit());
        }
        return (gaveUp ? "the server took no bytes for " + timeoutSeconds + " s (see --timeout)"
                : "the connection broke (" + failure.getMessage() + ")")
                + String.format(" after the kernel had accepted %,d of %,d bytes: transfer cut short", data.position(), data.limit());
    }

    /** The same summary and RESULT line as the other clients, one per sending task. */
    void report(long loopStart) {
        int sent = data.position(), size = data.limit();
        CRC32 crc = new CRC32();
        crc.update(data.duplicate().flip());
        double wall = (end - start) / 1e6;
        System.out.printf("%s: %s: the kernel accepted %,d of %,d bytes (crc32=%08x): %s, %,d returned 0,"
                        + " %s, %.1f ms CPU in %.1f ms wall%n",
                NAME, name, sent, size, crc.getValue(), Timeline.plural(writes, "write call"), zeroWrites,
                Timeline.plural(wakeups, "selector wake-up"), cpu / 1e6, wall);
        System.out.printf(Locale.ROOT, "RESULT client=%s task=%s bytes=%d requested=%d writes=%d zero_writes=%d selects=%d"
                        + " wall_ms=%.1f cpu_ms=%.1f crc32=%08x assertion=%s port=%d local_port=%d start_ms=%.1f end_ms=%.1f%n",
                NAME, name, sent, size, writes, zeroWrites, wakeups, wall, cpu / 1e6, crc.getValue(),
                sent == size ? "held" : "failed", to.getPort(), localPort, (start - loopStart) / 1e6, (end - loopStart) / 1e6);
    }
}
