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

    /** The exception that ends a stalled transfer; cutShort then says why. */
    IOException stalled() {
        timedOut = true;
        return new SocketTimeoutException();
    }

    // A blocking write has no deadline of its own. While one is in progress, a watchdog looks at the
    // socket's send queue (Linux shows it in /proc/net/tcp): the server takes bytes, the queue moves.
    // When it has not moved for --timeout seconds, closing the socket ends the write.
    void watchBlockingWrites(BooleanSupplier writing) {
        Thread watchdog = new Thread(() -> {
            long seen = -2, since = System.nanoTime();
            while (!finished) {
                try { Thread.sleep(100); } catch (InterruptedException e) { return; }
                long now = System.nanoTime(), queued = SocketQueues.sendQueue(sock);
                if (!writing.getAsBoolean() || queued == 0 || queued != seen) { // 0: nothing waits to go
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
