package nbio;

//SOURCES ArticleData.java
//SOURCES ClientArgs.java
//SOURCES ClientDeadlines.java
//SOURCES ClientResult.java
//SOURCES Connect.java
//SOURCES CpuClock.java
//SOURCES SocketQueues.java

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.zip.CRC32;

/**
 * One run of a client step (steps 2 to 5): its arguments, its counts and clock, its deadlines and Ctrl-C, and its
 * report. The step's lesson calls connect, foobar, count (and countSelect), say and report; everything else is here.
 */
public final class ClientRun {
    /** A client step's lesson: the article's program, sending through this run. */
    public interface Lesson {
        void send(ClientRun run) throws IOException;
    }

    /** Runs a client step: reads its arguments, runs its lesson, and says in one line how far a broken run got. */
    public static void run(String program, String[] args, Lesson lesson) {
        ClientRun run = new ClientRun(ClientArgs.parse(program, args));
        try {
            lesson.send(run);
        } catch (IOException e) {
            run.cutShort(e);
        }
    }

    public final ClientArgs args;
    private final String name;
    private final ClientDeadlines deadlines;
    private SocketChannel sock;
    private ByteBuffer data;
    private long writes, zeroWrites, selects, startNanos, startCpu, startQueued, lastProgress;
    private volatile boolean awaitingClose;

    public ClientRun(ClientArgs args) {
        this.args = args;
        this.name = args.program();
        this.deadlines = new ClientDeadlines(args.timeoutSeconds());
    }

    /** sock.connect((host, port)), with a deadline and one plain line for each way it can fail. */
    public void connect(SocketChannel sock) {
        this.sock = sock;
        Connect.to(sock, name, args.host(), args.port(), args.timeoutSeconds());
        deadlines.onCtrlC(sock);
        deadlines.watchBlockingWrites(() -> data != null && sock.isBlocking());
    }

    /** data = 'foobar\n' * 10 * 1024 * 1024 (or the size asked for); the clock starts once it is filled. */
    public ByteBuffer foobar() {
        // Without the memory this thread ends the JVM, after connect: the Ctrl-C hook must not wait 5 s for it then.
        data = ArticleData.foobar(name, args.size(), () -> deadlines.finished = true);
        System.out.printf("%s: sending %,d bytes to %s:%d%n", name, args.size(), args.host(), args.port());
        startCpu = CpuClock.threadNanos();
        startQueued = CpuClock.threadQueuedNanos();
        startNanos = lastProgress = System.nanoTime();
        return data;
    }

    /** Counts a write call, and gives up when the server has taken nothing for --timeout seconds. */
    public void count(int sent) throws IOException {
        writes++;
        if (sock.isBlocking() && data.hasRemaining()) {
            // A blocking write returns early only when the connection broke (or --timeout or Ctrl-C
            // closed it): one more write gets the system's own word for it (Broken pipe, ...).
            if (!deadlines.timedOut && !deadlines.signalled) sock.write(data);
            throw new IOException("the write returned early");
        }
        long now = System.nanoTime();
        if (sent > 0) {
            lastProgress = now;
        } else {
            zeroWrites++;
            if (deadlines.expired(lastProgress, now)) throw deadlines.stalled();
        }
    }

    /** Counts a selector wake-up; select() returning nothing means the deadline passed. */
    public void countSelect(int ready) throws IOException {
        selects++;
        if (ready == 0 && !deadlines.signalled) throw deadlines.stalled();
    }

    /** How long a select() may wait: --timeout. */
    public long timeoutMillis() {
        return args.timeoutSeconds() * 1000L;
    }

    /** The article's print statements, shown with --verbose: print 'Blocking with', len(data), 'remaining'. */
    public void say(Object... words) {
        if (!args.verbose()) return;
        StringBuilder line = new StringBuilder();
        for (Object word : words) line.append(line.length() == 0 ? "" : " ").append(word);
        System.out.println(line);
    }

    /** The summary for people, then the RESULT line for programs (the README documents its fields). */
    public void report(boolean held) throws IOException {
        long wallNanos = System.nanoTime() - startNanos, cpu = CpuClock.threadNanos() - startCpu, queuedNow = CpuClock.threadQueuedNanos();
        double queuedMs = startQueued < 0 || queuedNow < 0 ? -1 : (queuedNow - startQueued) / 1e6;
        if (held) confirmDelivery();
        deadlines.finished = true;
        CRC32 crc = new CRC32();
        crc.update(data.duplicate().flip());
        new ClientResult(name, data.position(), args.size(), writes, zeroWrites, selects, wallNanos / 1e6, cpu / 1e6, queuedMs,
                crc.getValue(), held).print();
    }

    // "The kernel accepted it" is not "the server got it": bytes still in the kernels' buffers are lost
    // if the server never reads them (a connection left over in a full listen queue, a server that
    // dies). So after the last byte the client shuts down its side (the server reads EOF after the
    // data) and waits for the server's close, which comes once it has read everything. It gives up
    // when the server has neither taken bytes nor closed for --timeout seconds.
    private void confirmDelivery() throws IOException {
        awaitingClose = true;
        sock.shutdownOutput();
        sock.configureBlocking(false);
        // Looked at now and then, not waited for in a Selector of its own: the step's epoll waits
        // (which the kernel's view counts) stay those of its lesson. Polling for the close is one cheap
        // read call; the send queue costs a walk of the machine's sockets, so it is read every
        // sampleNanos(), first after one such wait (a server that has already read nearly everything
        // closes before then). After shutdownOutput nothing is added to the queue: it only goes down,
        // so two readings that show the same count prove that nothing moved in between.
        ByteBuffer answer = ByteBuffer.allocate(1024);
        long every = deadlines.sampleNanos(), nextSample = System.nanoTime() + every, queued = -2, since = 0, pauseMs = 1;
        while (sock.read(answer.clear()) >= 0) {                       // -1: the server closed
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {                          // Ctrl-C
                throw new InterruptedIOException();
            }
            pauseMs = Math.min(2 * pauseMs, 50);
            long now = System.nanoTime();
            if (now < nextSample) continue;
            nextSample = now + every;
            long nowQueued = SocketQueues.sendQueue(sock);
            if (nowQueued != queued) {                                  // the first reading counts as a move
                queued = nowQueued;
                since = now;
            } else if (deadlines.expired(since, now)) {
                throw deadlines.stalled();
            }
        }
    }

    // When the transfer breaks, say how far it got. "Accepted" is all a sender can know:
    // bytes the kernel took may still be lost if the peer is gone.
    void cutShort(IOException e) {
        deadlines.finished = true;
        String why = deadlines.why(awaitingClose, e);
        String message = awaitingClose
                ? String.format("%s after the kernel had accepted all %,d bytes: delivery not confirmed", why, args.size())
                : String.format("%s after the kernel had accepted %,d of %,d bytes: transfer cut short",
                        why, data == null ? 0 : data.position(), args.size());
        if (deadlines.signalled) System.err.println(name + ": " + message); // the JVM is already exiting
        else args.fail(1, message);
    }
}
