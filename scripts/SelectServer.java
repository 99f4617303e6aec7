///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 6b of 6: a non-blocking server: one thread and one Selector serve every client side by side (OP_ACCEPT, OP_READ).

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

// Step 1's server turned inside out. There, accept() and read() each waited for one client,
// so a second client waited for the first to finish. Here nothing waits for any one client:
// every socket is non-blocking, and the only place the thread sleeps is select(), which
// wakes it when ANY socket has something: a new client to accept, bytes to read, an EOF.
public class SelectServer {

    // What the server keeps per client; select() hands it back with every event of that socket.
    // Small on purpose: no buffer of its own (see `buffer`) and no text until the client goes.
    static final class Client {
        final int number;
        final long start;
        final CRC32 crc = new CRC32();      // every server in the bench checksums what it reads
        long bytes, reads, lastRead, resumeAt;

        Client(int number, long start) { this.number = number; this.start = start; this.lastRead = start; }
    }

    // One thread, so ONE buffer serves every client: each read empties it before the next.
    // (A buffer per client would be 64 KiB x 10,000 clients = 640 MiB.) Direct, so the kernel
    // copies into it with no extra copy by the JDK.
    final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);

    void serve() throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel listener = ServerSocketChannel.open();
        bind(listener);                                          // sock.bind(...); sock.listen(...)
        listener.configureBlocking(false);                       // accept() returns null instead of waiting
        acceptKey = listener.register(selector, SelectionKey.OP_ACCEPT); // wake me when a client connects
        started(selector, listener);
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            // Sleeps until some socket is ready (or the next timer is due), then calls
            // ready() for each ready socket. This form fills no set of selected keys and
            // needs no iterator: nothing is allocated per event.
            selector.select(this::ready, millisToNextTimer());
            timers();                                            // idle clients, paced clients, progress
            acceptAgainIfAnyoneLeft();                           // after "Too many open files"
            flushLines();                                        // this turn's lines in one write
        }
        stop(selector, listener);
    }

    void ready(SelectionKey key) {
        if (key.isAcceptable()) acceptAll((ServerSocketChannel) key.channel(), key.selector());
        else if (key.isReadable()) read(key);
    }

    // OP_ACCEPT: take every client waiting in the queue, not just one, then go back to select().
    void acceptAll(ServerSocketChannel listener, Selector selector) {
        while (true) {
            SocketChannel conn;
            try {
                conn = listener.accept();                        // conn, addr = sock.accept()
            } catch (IOException e) {
                outOfDescriptors(e);                             // "Too many open files": see below
                return;
            }
            if (conn == null) return;                            // nobody else is waiting
            Client client = new Client(++clients, System.nanoTime());
            try {
                conn.configureBlocking(false);
                conn.register(selector, SelectionKey.OP_READ, client); // wake me when it sends (or closes)
            } catch (IOException e) {                            // gone before we got to it
                closeQuietly(conn);
                served(client, "reset", "unknown");
                continue;
            }
            maxOpen = Math.max(maxOpen, ++open);
            if (events) line("EVENT accept client=" + client.number + " peer=" + peerOf(conn) + " open=" + open);
        }
    }

    // OP_READ: read what this client has sent, up to READS_PER_TURN buffers, then move on to the
    // next ready socket, so a fast client cannot starve the others. A read that does not fill the
    // buffer means the socket is empty: stop there instead of paying for a read that returns 0.
    // Whatever is left, the next select() reports again.
    static final int READS_PER_TURN = 16;

    void read(SelectionKey key) {
        Client client = (Client) key.attachment();
        SocketChannel conn = (SocketChannel) key.channel();
        client.lastRead = System.nanoTime();                     // for --idle-timeout
        int size = readSize(client);
        for (int turn = 0; turn < READS_PER_TURN; turn++) {
            int n;
            try {
                buffer.clear().limit(size);
                n = conn.read(buffer);                           // data = conn.recv(...); never waits
            } catch (IOException e) {                            // the client reset the connection
                if (events) line("EVENT reset client=" + client.number + " (" + e.getMessage() + ")");
                finish(key, client, "reset");
                return;
            }
            if (n < 0) {                                         // EOF: the client closed its side
                if (events) line("EVENT eof client=" + client.number);
                finish(key, client, "eof");
                return;
            }
            if (n == 0) return;
            client.crc.update(buffer.flip());                    // checksum what came, straight from the buffer
            client.bytes += n;
            client.reads++;
            totalBytes += n;
            if (events) line("EVENT read client=" + client.number + " bytes=" + n + " total=" + client.bytes);
            if (readRate > 0 && paceOrGo(key, client)) return;  // --read-rate: this client waits a little
            if (n < size) return;                               // the socket is empty for now
        }
    }

    // A client is gone: cancel its key and close its socket, so nothing of it stays registered.
    void finish(SelectionKey key, Client client, String ended) {
        String peer = peerOf((SocketChannel) key.channel());     // before the close: it is cached, no system call
        key.cancel();
        closeQuietly(key.channel());                              // conn.close(); the next select() frees its descriptor
        open--;
        closedThisTurn++;
        served(client, ended, peer);
    }

    // ---- below: not the lesson ----

    // Reads the port and options, then runs serve() above.
    public static void main(String[] args) throws IOException {
        Settings settings = Settings.parse(args);
        if (settings != null) new SelectServer(settings).serve();
    }

    static final String NAME = "select-server";
    static final String USAGE = "usage: " + NAME + " [port] [--events] [--read-rate MiB/s] [--idle-timeout SECONDS]"
            + " [--host ADDRESS] [--no-progress] [--bind-all] (port 0 picks a free one; default 1234;"
            + " --events prints a line per accept, read and close; --read-rate reads each client at most that fast;"
            + " a client that sends nothing for --idle-timeout seconds is dropped, default 120, 0 never;"
            + " --host is a loopback address to listen on, default localhost, e.g. ::1)";
    static final long NANOS_PER_SECOND = 1_000_000_000L;

    // The settings, from the command line.
    record Settings(int port, boolean events, boolean progress, boolean bindAll, String host,
                    double readRate, int idleSeconds) {
        static Settings parse(String[] args) {
            int port = 1234, idleSeconds = 120;
            boolean events = false, progress = System.console() != null, bindAll = false;
            String host = "localhost";
            double readRate = 0;                                  // MiB/s per client; 0: as fast as it comes
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-h", "--help" -> { System.out.println(USAGE); return null; }
                    case "--events" -> events = true;
                    case "--no-progress" -> progress = false;
                    case "--bind-all" -> bindAll = true;
                    case "--host" -> host = loopbackHost(i + 1 < args.length ? args[++i] : "");
                    case "--read-rate" -> readRate = number(i + 1 < args.length ? args[++i] : "", "--read-rate", 1e-3, 1e6, "a number of MiB/s above 0");
                    case "--idle-timeout" -> idleSeconds = (int) number(i + 1 < args.length ? args[++i] : "", "--idle-timeout", 0, 86400, "0 to 86400 seconds");
                    default -> port = portNumber(args[i]);
                }
            }
            return new Settings(port, events, progress, bindAll, bindAll ? "0.0.0.0" : host, readRate, idleSeconds);
        }
    }

    final boolean events, progress;
    final double readRate;                                        // bytes per nanosecond, per client; 0: no pacing
    final long idleNanos;                                         // 0: never drop a silent client
    final Settings settings;
    final PrintStream out = System.out;
    final StringBuilder lines = new StringBuilder();             // this turn's output, written once per turn
    volatile boolean stopping;
    SelectionKey acceptKey;
    boolean acceptPaused, progressShown;
    int clients, open, maxOpen, closedThisTurn;
    long totalBytes, acceptPauses, dropped;
    long nextIdleCheck, lastShown;
    final List<SelectionKey> paused = new ArrayList<>();         // --read-rate: clients waiting for their time

    SelectServer(Settings settings) {
        this.settings = settings;
        this.events = settings.events();
        this.progress = settings.progress();
        this.readRate = settings.readRate() * 1024 * 1024 / 1e9;
        this.idleNanos = settings.idleSeconds() * NANOS_PER_SECOND;
    }

    // Bind to the address asked for; a failure says what really went wrong.
    void bind(ServerSocketChannel listener) {
        String host = settings.host();
        try {
            closeOnceAtStart();
            // A long accept queue: with one thread accepting as fast as clients come, the
            // article's listen(5) would make a burst of clients wait for the kernel to retry.
            listener.bind(new InetSocketAddress(host, settings.port()), 4096);
        } catch (BindException e) {
            String why = String.valueOf(e.getMessage());
            if (why.contains("in use")) {
                fail(1, "port " + settings.port() + " on " + host + " is already in use (is another server running?)");
            }
            if (why.contains("Cannot assign")) {                  // e.g. a host or container with IPv6 only
                fail(1, "cannot listen on " + host + " (" + addressOf(host) + "): no network interface here has that address ("
                        + why + ")" + (host.equals("localhost") && ipv6LoopbackWorks()
                        ? "; this host has IPv6's loopback only: `" + NAME + " " + settings.port() + " --host ::1` listens there,"
                        + " and clients connect to host ::1" : ""));
            }
            fail(1, "cannot listen on " + host + " port " + settings.port() + " (" + why + ")");
        } catch (IOException e) {
            fail(1, "cannot listen on " + host + " port " + settings.port() + ": " + e.getMessage());
        }
    }

    // A socket's close needs a JDK class that, the first time it loads, opens a descriptor of its own.
    // At the open-file limit that first close would fail (ExceptionInInitializerError on JDK 17) and
    // stop the server. So close one socket now, while descriptors are plentiful.
    static void closeOnceAtStart() throws IOException {
        SocketChannel.open().close();
    }

    void started(Selector selector, ServerSocketChannel listener) throws IOException {
        if (settings.bindAll()) System.err.println(NAME + ": warning: listening on every network interface: other machines can connect");
        int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        // Ctrl-C (or SIGTERM): wake select() and let the loop close everything and report.
        Thread mainThread = Thread.currentThread();
        onCtrlC = new Thread(() -> {
            stopping = true;
            selector.wakeup();
            try { mainThread.join(5000); } catch (InterruptedException ignored) { }
        });
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        // An interrupt (how a program that runs this in a thread stops it) also wakes select().
        // Announced only now, so that a Ctrl-C as soon as this line shows still ends with the totals.
        say(String.format("%s: listening on %s:%d, every client at once, one thread%s%s; Ctrl-C to stop", NAME, host, port,
                settings.readRate() > 0 ? ", reading each client at most " + settings.readRate() + " MiB/s on purpose" : "",
                idleNanos > 0 ? ", dropping a client silent for " + settings.idleSeconds() + " s" : ""));
        nextIdleCheck = System.nanoTime() + idleNanos;
    }

    Thread onCtrlC;

    // Out of file descriptors ("Too many open files"). The client stays in the kernel's queue and
    // the listener stays "acceptable", so select() would return at once, again and again: a busy
    // loop. Stop watching for new clients until one of the connected ones goes.
    //
    // A closed client's descriptor is freed by the next select() (before it waits), so the turn in
    // which anyone left, before or after the failed accept, is the one after which accepting works.
    void acceptAgainIfAnyoneLeft() {
        if (acceptPaused && closedThisTurn > 0 && !stopping) {
            acceptPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        closedThisTurn = 0;
    }

    void outOfDescriptors(IOException e) {
        acceptKey.interestOps(0);
        acceptPaused = true;
        if (acceptPauses++ == 0) {
            line(NAME + ": cannot accept more clients (" + e.getMessage() + ") with " + plural(open, "client")
                    + " open: new clients wait in the queue until one goes");
        }
    }

    // --read-rate: read this client no faster than the rate since it connected. Ahead of its
    // schedule, it stops being watched for OP_READ until its time comes; select() sleeps no
    // longer than that (millisToNextTimer), and timers() watches it again. The loop never waits.
    boolean paceOrGo(SelectionKey key, Client client) {
        long due = client.start + (long) (client.bytes / readRate);
        if (due <= System.nanoTime()) return false;
        client.resumeAt = due;
        key.interestOps(0);
        paused.add(key);
        return true;
    }

    // With --read-rate, each read takes about an eighth of a second's worth of bytes.
    int readSize(Client client) {
        if (readRate <= 0) return buffer.capacity();
        return (int) Math.max(1024, Math.min(buffer.capacity(), readRate * NANOS_PER_SECOND / 8));
    }

    // How long select() may sleep: until the nearest timer, or forever (0) if there is none.
    long millisToNextTimer() {
        long next = Long.MAX_VALUE;
        if (idleNanos > 0 && open > 0) next = nextIdleCheck;
        for (int i = 0; i < paused.size(); i++) next = Math.min(next, ((Client) paused.get(i).attachment()).resumeAt);
        if (progress) next = Math.min(next, lastShown + 250_000_000L);
        if (next == Long.MAX_VALUE) return 0;
        return Math.max(1, (next - System.nanoTime() + 999_999) / 1_000_000);
    }

    void timers() {
        long now = System.nanoTime();
        if (!paused.isEmpty()) {                                 // paced clients whose time has come
            for (int i = paused.size() - 1; i >= 0; i--) {
                SelectionKey key = paused.get(i);
                if (!key.isValid()) paused.remove(i);
                else if (((Client) key.attachment()).resumeAt <= now) {
                    key.interestOps(SelectionKey.OP_READ);
                    paused.remove(i);
                }
            }
        }
        if (idleNanos > 0 && now >= nextIdleCheck) nextIdleCheck = dropIdle(now);
        if (progress && now - lastShown >= 200_000_000L) {
            out.printf("\r  %,d clients open, %,d served, %,d bytes ", open, clients - open, totalBytes);
            progressShown = true;
            lastShown = now;
        }
    }

    // --idle-timeout: drop every client that has sent nothing for that long. A client that sends
    // anything, however little, stays: it holds a descriptor but delays nobody (unlike on step 1's
    // server). One sweep over the clients at most once a second; returns when to sweep next.
    long dropIdle(long now) {
        long next = now + idleNanos;
        for (SelectionKey key : new ArrayList<>(selectorKeys())) {
            if (!key.isValid() || !(key.attachment() instanceof Client client)) continue;
            long deadline = client.lastRead + idleNanos;
            if (deadline <= now) {
                dropped++;
                line(NAME + ": client " + grouped(client.number) + " sent nothing for " + settings.idleSeconds()
                        + " s: dropped after " + plural(client.bytes, "byte"));
                finish(key, client, "idle");
            } else {
                next = Math.min(next, deadline);
            }
        }
        return Math.max(next, now + NANOS_PER_SECOND);
    }

    java.util.Set<SelectionKey> selectorKeys() { return acceptKey.selector().keys(); }

    void stop(Selector selector, ServerSocketChannel listener) throws IOException {
        // First count the clients still registered: every client that went (EOF, reset, idle)
        // must have left the selector, so with nobody connected this is 0. Then close them.
        selector.selectNow();                                    // let the selector drop cancelled keys
        int registered = 0;
        for (SelectionKey key : selector.keys()) if (key.isValid() && key.channel() != listener) registered++;
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            if (key.isValid() && key.attachment() instanceof Client client) finish(key, client, "stopped");
        }
        listener.close();
        selector.close();
        line(NAME + ": stopped; served " + plural(clients, "client") + ", " + plural(totalBytes, "byte") + " in total, at most "
                + grouped(maxOpen) + " at once; " + grouped(registered) + " still connected at the stop");
        line("TOTAL clients=" + clients + " bytes=" + totalBytes + " max_open=" + maxOpen + " registered=" + registered
                + " accept_pauses=" + acceptPauses + " idle_dropped=" + dropped);
        flushLines();
        try { Runtime.getRuntime().removeShutdownHook(onCtrlC); } catch (IllegalStateException alreadyExiting) { }
    }

    // The two lines of a client that went: one for people, one for programs (SERVED, see the README).
    // Built by hand into the turn's output: String.format for every client costs more than the rest
    // of its bookkeeping.
    void served(Client client, String ended, String peer) {
        long nanos = System.nanoTime() - client.start;
        String crc = crc32(client.crc.getValue());
        if (progressShown) { lines.append('\n'); progressShown = false; }
        lines.append(NAME).append(": client ").append(grouped(client.number)).append(" done: ").append(plural(client.bytes, "byte"))
                .append(" in ").append(plural(client.reads, "read")).append(", ").append(nanos / 1_000_000_000L).append('.')
                .append(digits(nanos / 1_000_000 % 1000, 3)).append(" s, crc32=").append(crc)
                .append(switch (ended) {
                    case "eof", "idle" -> "";
                    case "reset" -> " (the client reset the connection)";
                    default -> " (cut off: the server is stopping)";
                }).append("; ").append(grouped(open)).append(" still open\n");
        lines.append("SERVED client=").append(client.number).append(" bytes=").append(client.bytes).append(" reads=").append(client.reads)
                .append(" ms=").append(nanos / 1_000_000).append('.').append(nanos / 100_000 % 10).append(" crc32=").append(crc)
                .append(" ended=").append(ended).append(" peer=").append(peer).append('\n');
    }

    void line(String text) {
        if (progressShown) { lines.append('\n'); progressShown = false; }
        lines.append(text).append('\n');
    }

    void say(String text) {
        line(text);
        flushLines();
    }

    // Everything this turn printed, in one write to the terminal (or pipe), not two per client.
    void flushLines() {
        if (lines.length() == 0) return;
        out.append(lines);
        out.flush();
        lines.setLength(0);
        if (lines.capacity() > 1 << 20) lines.trimToSize();
    }

    static String crc32(long value) {
        String hex = Long.toHexString(value);
        return "00000000".substring(hex.length()) + hex;
    }

    static String digits(long value, int width) {
        String text = Long.toString(value);
        return "000".substring(0, Math.max(0, width - text.length())) + text;
    }

    // 1234567 -> "1,234,567", as the other scripts print numbers for people.
    static String grouped(long value) {
        String text = Long.toString(Math.abs(value));
        StringBuilder sb = new StringBuilder(value < 0 ? "-" : "");
        for (int i = 0; i < text.length(); i++) {
            if (i > 0 && (text.length() - i) % 3 == 0) sb.append(',');
            sb.append(text.charAt(i));
        }
        return sb.toString();
    }

    // "1 client", "2 clients", "1,000 bytes".
    static String plural(long count, String noun) {
        return grouped(count) + " " + noun + (count == 1 ? "" : "s");
    }

    static String peerOf(SocketChannel conn) {
        try {
            InetSocketAddress peer = (InetSocketAddress) conn.getRemoteAddress();
            return peer.getAddress().getHostAddress() + ":" + peer.getPort();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static void closeQuietly(java.nio.channels.Channel channel) {
        try { channel.close(); } catch (IOException ignored) { }
    }

    static String addressOf(String host) {
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (IOException e) {
            return "unresolved";
        }
    }

    // Whether this machine can listen on ::1 (tried on a free port, closed at once).
    static boolean ipv6LoopbackWorks() {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(new InetSocketAddress("::1", 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    // --host takes a loopback address only (a name other than localhost could mean a lookup on the network).
    static String loopbackHost(String text) {
        boolean literal = text.matches("[0-9.]+") || text.contains(":");
        try {
            if ((literal || text.equals("localhost")) && InetAddress.getByName(text).isLoopbackAddress()) return text;
        } catch (IOException e) { }
        return fail(2, "bad --host '" + text + "' (expected a loopback address: localhost, 127.0.0.1 or ::1; --bind-all listens on every interface); " + USAGE) + "";
    }

    static int portNumber(String text) {
        if (text.startsWith("-") && !text.matches("-\\d+")) fail(2, "unknown option '" + text + "'; " + USAGE);
        return (int) number(text, "port", 0, 65535, "0 to 65535");
    }

    static double number(String text, String what, double min, double max, String expected) {
        try {
            double value = what.equals("port") ? Integer.parseInt(text) : Double.parseDouble(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) { }
        return fail(2, "bad " + what + " '" + text + "' (expected " + expected + "); " + USAGE);
    }

    static int fail(int exitCode, String message) {
        System.err.println(NAME + ": " + message);
        System.exit(exitCode);
        return 0;
    }
}
