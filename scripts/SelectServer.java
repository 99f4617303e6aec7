///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 6: a non-blocking server: one thread and one Selector serve many clients side by side (OP_ACCEPT, OP_READ).

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.zip.CRC32;

// Step 1's server turned inside out. There, accept() and read() each waited for one client,
// so a second client waited for the first to finish. Here nothing waits for any one client:
// every socket is non-blocking, and the only place the thread sleeps is select(), which
// wakes it when ANY socket has something: a new client to accept, bytes to read, an EOF.
public class SelectServer {
    static final String NAME = "select-server";
    static final String USAGE = "usage: " + NAME + " [port] [--events] [--no-progress] [--bind-all]"
            + " (port 0 picks a free one; default 1234; --events prints a line per accept, read and close)";

    // What the server keeps per client: select() hands it back with every event of that socket.
    static final class Client {
        final int number;
        final String peer;
        final long start = System.nanoTime();
        final CRC32 crc = new CRC32();
        long bytes, reads;

        Client(int number, String peer) { this.number = number; this.peer = peer; }
    }

    static volatile boolean stopping;
    static SelectionKey acceptKey;
    static boolean acceptPaused;
    static long acceptPauses;
    static int clients, open, maxOpen;
    static long totalBytes;
    static boolean events;

    public static void main(String[] args) throws IOException {
        stopping = acceptPaused = events = progressShown = false; clients = open = maxOpen = 0; totalBytes = acceptPauses = 0; // fresh if run twice in one JVM
        int port = 1234;
        boolean progress = System.console() != null, bindAll = false;
        for (String arg : args) {
            switch (arg) {
                case "-h", "--help" -> { System.out.println(USAGE); return; }
                case "--events" -> events = true;
                case "--no-progress" -> progress = false;
                case "--bind-all" -> bindAll = true;
                default -> port = portNumber(arg);
            }
        }

        Selector selector = Selector.open();
        ServerSocketChannel listener = ServerSocketChannel.open();
        String where = bindAll ? "0.0.0.0" : "localhost";
        try {
            // A long accept queue: with one thread accepting as fast as clients come, the
            // article's listen(5) would make a burst of clients wait for the kernel to retry.
            listener.bind(new InetSocketAddress(where, port), 4096);
        } catch (BindException e) {
            fail(1, "port " + port + " on " + where + " is already in use (is another server running?)");
        }
        listener.configureBlocking(false);                       // accept() returns null instead of waiting
        acceptKey = listener.register(selector, SelectionKey.OP_ACCEPT); // wake me when a client connects
        if (bindAll) System.err.println(NAME + ": warning: listening on every network interface: other machines can connect");
        say("%s: listening on %s:%d, every client at once, one thread; Ctrl-C to stop%n", NAME, where,
                ((InetSocketAddress) listener.getLocalAddress()).getPort());

        // Ctrl-C (or SIGTERM): wake select() and let the loop below close everything and report.
        Thread mainThread = Thread.currentThread();
        Thread onCtrlC = new Thread(() -> {
            stopping = true;
            selector.wakeup();
            try { mainThread.join(5000); } catch (InterruptedException ignored) { }
        });
        Runtime.getRuntime().addShutdownHook(onCtrlC);

        // One thread, so one buffer serves every client: each read empties it before the next.
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        long lastShown = 0;
        // An interrupt (how a program that runs this in a thread stops it) also wakes select().
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            selector.select(progress ? 250 : 0);                 // sleeps until some socket is ready
            Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
            while (ready.hasNext()) {
                SelectionKey key = ready.next();
                ready.remove();                                  // handled now; select() adds it again if still ready
                if (key.isAcceptable()) {
                    acceptAll(listener, selector);
                } else if (key.isReadable()) {
                    readOnce(key, buffer);
                }
            }
            if (progress && System.nanoTime() - lastShown > 200_000_000L) {
                System.out.printf("\r  %,d clients open, %,d served, %,d bytes ", open, clients - open, totalBytes);
                progressShown = true;
                lastShown = System.nanoTime();
            }
        }

        // Stopping. First count the clients still registered: every client that went (EOF or
        // reset) must have left the selector, so with nobody connected this is 0. Then close them.
        selector.selectNow();                                    // let the selector drop cancelled keys
        int registered = 0;
        for (SelectionKey key : selector.keys()) if (key.isValid() && key.channel() != listener) registered++;
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            if (key.isValid() && key.attachment() instanceof Client client) finish(key, client, "stopped");
        }
        listener.close();
        selector.close();
        say("%s: stopped; served %d clients, %,d bytes in total, at most %,d at once; %d still connected at the stop%n",
                NAME, clients, totalBytes, maxOpen, registered);
        say("TOTAL clients=%d bytes=%d max_open=%d registered=%d accept_pauses=%d%n",
                clients, totalBytes, maxOpen, registered, acceptPauses);
        try { Runtime.getRuntime().removeShutdownHook(onCtrlC); } catch (IllegalStateException alreadyExiting) { }
    }

    // OP_ACCEPT: take every client waiting in the queue, not just one, then go back to select().
    static void acceptAll(ServerSocketChannel listener, Selector selector) throws IOException {
        while (true) {
            SocketChannel conn;
            try {
                conn = listener.accept();
            } catch (IOException e) {
                // Out of file descriptors ("Too many open files"). The client stays in the queue and
                // the listener stays "acceptable", so select() would return at once, again and again:
                // a busy loop. Stop watching for new clients until one of the connected ones goes.
                acceptKey.interestOps(0);
                acceptPaused = true;
                if (acceptPauses++ == 0) {
                    say("%s: cannot accept more clients (%s) with %,d open: new clients wait in the"
                            + " queue until one goes%n", NAME, e.getMessage(), open);
                }
                return;
            }
            if (conn == null) return;                                    // nobody else is waiting
            Client client = new Client(++clients, peerOf(conn));
            try {
                conn.configureBlocking(false);
                conn.register(selector, SelectionKey.OP_READ, client);   // wake me when it sends (or closes)
            } catch (IOException e) {                                    // gone before we got to it
                conn.close();
                say("SERVED client=%d bytes=0 reads=0 ms=0.0 crc32=00000000 ended=reset peer=%s%n", client.number, client.peer);
                continue;
            }
            maxOpen = Math.max(maxOpen, ++open);
            if (events) say("EVENT accept client=%d peer=%s open=%d%n", client.number, client.peer, open);
        }
    }

    // OP_READ: exactly one read, so a fast client cannot starve the others. If more is waiting,
    // the socket is still readable and the next select() reports it again.
    static void readOnce(SelectionKey key, ByteBuffer buffer) {
        Client client = (Client) key.attachment();
        SocketChannel conn = (SocketChannel) key.channel();
        int n;
        try {
            buffer.clear();
            n = conn.read(buffer);                  // never waits: there is something, or an EOF
        } catch (IOException e) {                   // the client reset the connection
            if (events) say("EVENT reset client=%d (%s)%n", client.number, e.getMessage());
            finish(key, client, "reset");
            return;
        }
        if (n < 0) {                                // EOF: the client closed its side
            if (events) say("EVENT eof client=%d%n", client.number);
            finish(key, client, "eof");
            return;
        }
        client.reads++;
        client.bytes += n;
        totalBytes += n;
        client.crc.update(buffer.flip());
        if (events) say("EVENT read client=%d bytes=%d total=%d%n", client.number, n, client.bytes);
    }

    // A client is gone: cancel its key and close its socket, so nothing of it stays registered.
    static void finish(SelectionKey key, Client client, String ended) {
        key.cancel();
        try { key.channel().close(); } catch (IOException ignored) { }
        open--;
        if (acceptPaused && !stopping) {                            // a descriptor is free again: accept again
            acceptPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        double seconds = (System.nanoTime() - client.start) / 1e9;
        say("%s: client %d done: %,d bytes in %,d reads, %.3f s, crc32=%08x%s; %,d still open%n",
                NAME, client.number, client.bytes, client.reads, seconds, client.crc.getValue(),
                ended.equals("eof") ? "" : " (" + (ended.equals("reset") ? "the client reset the connection" : "cut off: the server is stopping") + ")",
                open);
        say("SERVED client=%d bytes=%d reads=%d ms=%.1f crc32=%08x ended=%s peer=%s%n",
                client.number, client.bytes, client.reads, seconds * 1000, client.crc.getValue(), ended, client.peer);
    }

    // Every line goes through here: if the progress line is showing, start a fresh line first.
    static boolean progressShown;

    static void say(String format, Object... args) {
        if (progressShown) System.out.println();
        progressShown = false;
        System.out.printf(format, args);
    }

    static String peerOf(SocketChannel conn) {
        try {
            InetSocketAddress peer = (InetSocketAddress) conn.getRemoteAddress();
            return peer.getAddress().getHostAddress() + ":" + peer.getPort();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static int portNumber(String text) {
        if (text.startsWith("-") && !text.matches("-\\d+")) fail(2, "unknown option '" + text + "'; " + USAGE);
        try {
            int value = Integer.parseInt(text);
            if (value >= 0 && value <= 65535) return value;
        } catch (NumberFormatException e) { }
        return fail(2, "bad port '" + text + "' (expected 0 to 65535); " + USAGE);
    }

    static int fail(int exitCode, String message) {
        System.err.println(NAME + ": " + message);
        System.exit(exitCode);
        return 0;
    }
}
