package nbio;

//SOURCES SocketQueues.java

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;

/**
 * A client's deadlines and Ctrl-C. The client gives up when the server takes nothing for --timeout seconds
 * (a stall), and on Ctrl-C it closes its socket, which ends a write or a select() in progress, so that it
 * can say how far it got.
 */
final class ClientDeadlines {
    final int timeoutSeconds;
    private final long timeoutNanos;
    private SocketChannel sock;
    volatile boolean finished, timedOut, signalled, progressUnseen;

    ClientDeadlines(int timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
        this.timeoutNanos = timeoutSeconds * 1_000_000_000L;
    }

    /** From now on Ctrl-C closes sock and interrupts the calling thread, then waits for it to report. */
    void onCtrlC(SocketChannel sock) {
        this.sock = sock;
        Thread sender = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (finished) return;
            signalled = true;
            closeQuietly();
            sender.interrupt();
            try { sender.join(5000); } catch (InterruptedException ignored) { }
        }));
    }

    boolean expired(long sinceNanos, long nowNanos) {
        return nowNanos - sinceNanos > timeoutNanos;
    }

    /**
     * How often the send queue is read while a stall is watched for: every 100 ms, or 20 times per --timeout when that
     * is longer (every 3 s for the default 60 s). A reading of /proc/net/tcp6 costs the kernel a walk of every socket
     * on the machine (milliseconds where a busy host holds thousands in TIME-WAIT), so it is not done more often than the
     * deadline needs: a stall is then said at most a twentieth of --timeout after it is due, never before.
     */
    final long sampleNanos() {
        return Math.max(100_000_000L, timeoutNanos / 20);
    }

    /** The exception that ends a stalled transfer; cutShort then says why. */
    IOException stalled() {
        timedOut = true;
        return new SocketTimeoutException();
    }

    // A blocking write has no deadline of its own. While one is in progress, a watchdog looks at the
    // socket's send queue (Linux shows it in /proc/net/tcp6): the server takes bytes, the queue moves.
    // When it has not moved for --timeout seconds, closing the socket ends the write.
    // Why reading it every sampleNanos() is enough: a write blocks only while the queue is full, and the
    // kernel wakes it only once the server has taken a third of the buffer, when it fills the queue again.
    // So between two readings the queue either stayed still (a stall, seen at most one reading late), or went
    // down by what the server took, and a reading shows the same count as the last only if the server took
    // a third of the buffer at once and then nothing until that reading. A server that takes bytes at any
    // steady pace, however slow, leaves the queue below its top for all but an instant of each refill, so
    // no run of readings spanning --timeout can all show the same count: it is not called a stall. (A
    // server that takes a third of the buffer in one go, then pauses in step with the readings, could be,
    // at 100 ms as at 3 s.)
    void watchBlockingWrites(BooleanSupplier writing) {
        Thread watchdog = new Thread(() -> {
            long seen = -2, since = System.nanoTime(), everyMs = sampleNanos() / 1_000_000;
            while (!finished) {
                try { Thread.sleep(everyMs); } catch (InterruptedException e) { return; }
                long now = System.nanoTime();
                if (!writing.getAsBoolean()) {   // no blocking write waits (the other steps' sockets never block)
                    seen = -2;
                    since = now;
                    continue;
                }
                long queued = SocketQueues.sendQueue(sock);
                if (queued == 0 || queued != seen) { // 0: nothing waits to go
                    seen = queued;
                    since = now;
                } else if (expired(since, now)) {
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

    /** Why the transfer broke, in words. */
    String why(boolean awaitingClose, IOException e) {
        return signalled ? "stopped by a signal"
                : timedOut && awaitingClose ? "the server neither took bytes nor closed the connection for " + timeoutSeconds
                        + " s (see --timeout)"
                : timedOut && progressUnseen ? "the write had not returned after " + timeoutSeconds + " s (see --timeout)"
                : timedOut ? "the server took no bytes for " + timeoutSeconds + " s (see --timeout)"
                : "the connection broke (" + e.getMessage() + ")";
    }

    void closeQuietly() {
        try { if (sock != null) sock.close(); } catch (IOException ignored) { }
    }
}
