package nbio;

//SOURCES SelectServerSettings.java
//SOURCES ServerLines.java
//SOURCES ServerListen.java

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;

/**
 * Everything select-server does that is not serving: its counts and lines, Ctrl-C, and the chores
 * that run between two select() calls, none of which ever waits: clients paced by --read-rate
 * watched again when their time comes, clients silent for --idle-timeout dropped, accepting
 * resumed after "Too many open files" once a client went, and the progress line.
 */
public final class ServerUpkeep {
    static final String NAME = SelectServerSettings.NAME;
    static final long NANOS_PER_SECOND = 1_000_000_000L;
    final SelectServerSettings settings;
    final ServerLines lines = new ServerLines();
    final ToLongFunction<SelectionKey> lastRead;
    final BiConsumer<SelectionKey, String> finish;
    final double readRate;                                        // bytes per nanosecond, per client; 0: no pacing
    final long idleNanos;                                         // 0: never drop a silent client
    SelectionKey acceptKey;
    Thread onCtrlC;
    volatile boolean stopping;
    boolean acceptPaused;
    int clients, open, maxOpen, closedThisTurn, pausedCount;
    long totalBytes, acceptPauses, dropped, nextIdleCheck, lastShown;
    SelectionKey[] paused = new SelectionKey[16];                 // --read-rate: clients waiting for their time...
    long[] resumeAt = new long[16];                               // ...and when it comes

    /**
     * lastRead: when a client (its key) last sent anything; finish: how a client is ended (an idle
     * one, or each one still connected at the stop).
     */
    public ServerUpkeep(SelectServerSettings settings, ToLongFunction<SelectionKey> lastRead, BiConsumer<SelectionKey, String> finish) {
        this.settings = settings;
        this.lastRead = lastRead;
        this.finish = finish;
        this.readRate = settings.readRate() * 1024 * 1024 / 1e9;
        this.idleNanos = settings.idleSeconds() * NANOS_PER_SECOND;
    }

    /** sock.bind(...); sock.listen(...), or one line saying why not (exit 1). */
    public void bind(ServerSocketChannel listener) {
        ServerListen.bind(listener, settings);
    }

    /** Listening: say so; from now on Ctrl-C (or SIGTERM) wakes select() and the loop closes everything and reports. */
    public void started(SelectionKey acceptKey) throws IOException {
        this.acceptKey = acceptKey;
        if (settings.bindAll()) System.err.println(NAME + ": warning: listening on every network interface: other machines can connect");
        int port = ((InetSocketAddress) ((ServerSocketChannel) acceptKey.channel()).getLocalAddress()).getPort();
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        Selector selector = acceptKey.selector();
        Thread mainThread = Thread.currentThread();
        onCtrlC = new Thread(() -> {
            stopping = true;
            selector.wakeup();
            try { mainThread.join(5000); } catch (InterruptedException ignored) { }
        });
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        // Announced only now, so that a Ctrl-C as soon as this line shows still ends with the totals.
        lines.say(String.format("%s: listening on %s:%d, every client at once, one thread%s%s; Ctrl-C to stop", NAME, host, port,
                settings.readRate() > 0 ? ", reading each client at most " + settings.readRate() + " MiB/s on purpose" : "",
                idleNanos > 0 ? ", dropping a client silent for " + settings.idleSeconds() + " s" : ""));
        nextIdleCheck = System.nanoTime() + idleNanos;
    }

    /** Ctrl-C came, or an interrupt (how a program that runs the server in a thread stops it; it wakes select() too). */
    public boolean stopping() {
        return stopping || Thread.currentThread().isInterrupted();
    }

    /** How long select() may sleep: until the nearest chore, or forever (0) if there is none. */
    public long millisToNextChore() {
        long next = Long.MAX_VALUE;
        if (idleNanos > 0 && open > 0) next = nextIdleCheck;
        for (int i = 0; i < pausedCount; i++) next = Math.min(next, resumeAt[i]);
        if (settings.progress()) next = Math.min(next, lastShown + 250_000_000L);
        if (next == Long.MAX_VALUE) return 0;
        return Math.max(1, (next - System.nanoTime() + 999_999) / 1_000_000);
    }

    /** After each select(): the chores that are due, then this turn's lines in one write. */
    public void afterSelect() {
        long now = System.nanoTime();
        for (int i = pausedCount - 1; i >= 0; i--) {             // paced clients whose time has come
            SelectionKey key = paused[i];
            if (!key.isValid() || resumeAt[i] <= now) {
                if (key.isValid()) key.interestOps(SelectionKey.OP_READ);
                pausedCount--;
                paused[i] = paused[pausedCount];
                resumeAt[i] = resumeAt[pausedCount];
                paused[pausedCount] = null;
            }
        }
        if (idleNanos > 0 && now >= nextIdleCheck) nextIdleCheck = dropIdle(now);
        if (settings.progress() && now - lastShown >= 200_000_000L) {
            lines.progress(open, clients - open, totalBytes);
            lastShown = now;
        }
        acceptAgainIfAnyoneLeft();
        lines.flush();
    }

    // A closed client's descriptor is freed by the next select() (before it waits), so the turn in
    // which anyone left, before or after the failed accept, is the one after which accepting works.
    void acceptAgainIfAnyoneLeft() {
        if (acceptPaused && closedThisTurn > 0 && !stopping) {
            acceptPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        closedThisTurn = 0;
    }

    /**
     * Out of file descriptors ("Too many open files"). The client stays in the kernel's queue and
     * the listener stays "acceptable", so select() would return at once, again and again: a busy
     * loop. Stop watching for new clients until one of the connected ones goes.
     */
    public void outOfDescriptors(IOException e) {
        acceptKey.interestOps(0);
        acceptPaused = true;
        if (acceptPauses++ == 0) {
            lines.line(NAME + ": cannot accept more clients (" + e.getMessage() + ") with " + ServerLines.plural(open, "client")
                    + " open: new clients wait in the queue until one goes");
        }
    }

    /** A client was accepted: counted open; returns its number. */
    public int opened(SocketChannel conn) {
        maxOpen = Math.max(maxOpen, ++open);
        if (settings.events()) lines.line("EVENT accept client=" + (clients + 1) + " peer=" + peerOf(conn) + " open=" + open);
        return ++clients;
    }

    /** n bytes read, from any client. */
    public void read(int n) {
        totalBytes += n;
    }

    /**
     * --read-rate: read this client no faster than the rate since it connected. Ahead of its
     * schedule, it stops being watched for OP_READ until its time comes (returns true); select()
     * sleeps no longer than that, and afterSelect() watches it again. The loop never waits.
     */
    public boolean paced(SelectionKey key, long start, long bytes) {
        if (readRate <= 0) return false;
        long due = start + (long) (bytes / readRate);
        if (due <= System.nanoTime()) return false;
        key.interestOps(0);
        if (pausedCount == paused.length) {
            paused = Arrays.copyOf(paused, 2 * pausedCount);
            resumeAt = Arrays.copyOf(resumeAt, 2 * pausedCount);
        }
        paused[pausedCount] = key;
        resumeAt[pausedCount++] = due;
        return true;
    }

    /** A line of this turn's output (--events). */
    public void line(String text) {
        lines.line(text);
    }

    /** A client went (call it before closing conn: its peer is read from there): its two lines. */
    public void served(SocketChannel conn, int number, long bytes, long reads, long start, long crc32, String ended) {
        String peer = peerOf(conn);                               // cached in the channel: no system call
        open--;
        closedThisTurn++;
        if (ended.equals("idle")) {
            dropped++;
            lines.line(NAME + ": client " + ServerLines.grouped(number) + " sent nothing for " + settings.idleSeconds()
                    + " s: dropped after " + ServerLines.plural(bytes, "byte"));
        }
        lines.served(number, bytes, reads, start, crc32, ended, peer, open);
    }

    // --idle-timeout: drop every client that has sent nothing for that long. A client that sends
    // anything, however little, stays: it holds a descriptor but delays nobody (unlike on step 1's
    // server). One sweep over the clients at most once a second; returns when to sweep next.
    long dropIdle(long now) {
        long next = now + idleNanos;
        for (SelectionKey key : new ArrayList<>(acceptKey.selector().keys())) {
            if (!key.isValid() || key == acceptKey) continue;
            long deadline = lastRead.applyAsLong(key) + idleNanos;
            if (deadline <= now) finish.accept(key, "idle");
            else next = Math.min(next, deadline);
        }
        return Math.max(next, now + NANOS_PER_SECOND);
    }

    /** The stop: every client still connected is ended, the sockets closed, and the totals said (TOTAL, see the README). */
    public void stop(ServerSocketChannel listener) throws IOException {
        // First count the clients still registered: every client that went (EOF, reset, idle)
        // must have left the selector, so with nobody connected this is 0. Then close them.
        Selector selector = acceptKey.selector();
        selector.selectNow();                                    // let the selector drop cancelled keys
        int registered = 0;
        for (SelectionKey key : selector.keys()) if (key.isValid() && key.channel() != listener) registered++;
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            if (key.isValid() && key != acceptKey) finish.accept(key, "stopped");
        }
        listener.close();
        selector.close();
        lines.line(NAME + ": stopped; served " + ServerLines.plural(clients, "client") + ", " + ServerLines.plural(totalBytes, "byte")
                + " in total, at most " + ServerLines.grouped(maxOpen) + " at once; " + ServerLines.grouped(registered)
                + " still connected at the stop");
        lines.line("TOTAL clients=" + clients + " bytes=" + totalBytes + " max_open=" + maxOpen + " registered=" + registered
                + " accept_pauses=" + acceptPauses + " idle_dropped=" + dropped);
        lines.flush();
        try { Runtime.getRuntime().removeShutdownHook(onCtrlC); } catch (IllegalStateException alreadyExiting) { }
    }

    static String peerOf(SocketChannel conn) {
        try {
            InetSocketAddress peer = (InetSocketAddress) conn.getRemoteAddress();
            return peer.getAddress().getHostAddress() + ":" + peer.getPort();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
