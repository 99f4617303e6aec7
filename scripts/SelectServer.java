///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Step 6b of 6: a non-blocking server: one thread and one Selector serve every client side by side (OP_ACCEPT, OP_READ).
//SOURCES nbio/SelectServerSettings.java
//SOURCES nbio/ServerUpkeep.java

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.zip.CRC32;
import nbio.SelectServerSettings;
import nbio.ServerUpkeep;

// Step 1's server turned inside out. There, accept() and read() each waited for one client,
// so a second client waited for the first to finish. Here nothing waits for any one client:
// every socket is non-blocking, and the only place the thread sleeps is select(), which
// wakes it when ANY socket has something: a new client to accept, bytes to read, an EOF.
// What is not the lesson (its settings, its counts and lines, Ctrl-C, and the chores between two
// select() calls) is in nbio/ServerUpkeep.java.
public class SelectServer {

    // What the server keeps per client; select() hands it back with every event of that socket.
    // Small on purpose: no buffer of its own (see `buffer`) and no text until the client goes.
    static final class Client {
        final int number;
        final long start;
        final CRC32 crc = new CRC32();      // every server in the bench checksums what it reads
        long bytes, reads, lastRead;

        Client(int number, long start) { this.number = number; this.start = start; this.lastRead = start; }
    }

    // One thread, so ONE buffer serves every client: each read empties it before the next.
    // (A buffer per client would be 64 KiB x 10,000 clients = 640 MiB.) Direct, so the kernel
    // copies into it with no extra copy by the JDK.
    final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    final int readSize;                                          // all of it; less with --read-rate
    final boolean events;                                        // --events: a line per accept, read, close
    final ServerUpkeep upkeep;                                   // counts, lines, Ctrl-C, chores

    SelectServer(SelectServerSettings settings) {
        readSize = settings.readSize(buffer.capacity());
        events = settings.events();
        // The upkeep drops a client silent too long, and ends every client at the stop, through finish().
        upkeep = new ServerUpkeep(settings, key -> ((Client) key.attachment()).lastRead, this::finish);
    }

    void serve() throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel listener = ServerSocketChannel.open();
        upkeep.bind(listener);                                   // sock.bind(...); sock.listen(...)
        listener.configureBlocking(false);                       // accept() returns null instead of waiting
        SelectionKey acceptKey = listener.register(selector, SelectionKey.OP_ACCEPT); // wake me when a client connects
        upkeep.started(acceptKey);                               // says so; Ctrl-C will wake select()
        while (!upkeep.stopping()) {
            // Sleeps until some socket is ready (or the next chore is due), then calls
            // ready() for each ready socket. This form fills no set of selected keys and
            // needs no iterator: nothing is allocated per event.
            selector.select(this::ready, upkeep.millisToNextChore());
            upkeep.afterSelect();                                // chores, then this turn's lines in one write
        }
        upkeep.stop(listener);                                   // ends every client, closes, says the totals
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
                upkeep.outOfDescriptors(e);                      // "Too many open files": accept again once one goes
                return;
            }
            if (conn == null) return;                            // nobody else is waiting
            Client client = new Client(upkeep.opened(conn), System.nanoTime());
            try {
                conn.configureBlocking(false);
                conn.register(selector, SelectionKey.OP_READ, client); // wake me when it sends (or closes)
            } catch (IOException e) {                            // gone before we got to it
                end(client, conn, "reset");
            }
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
        for (int turn = 0; turn < READS_PER_TURN; turn++) {
            int n;
            try {
                buffer.clear().limit(readSize);
                n = conn.read(buffer);                           // data = conn.recv(...); never waits
            } catch (IOException e) {                            // the client reset the connection
                if (events) upkeep.line("EVENT reset client=" + client.number + " (" + e.getMessage() + ")");
                finish(key, "reset");
                return;
            }
            if (n < 0) {                                         // EOF: the client closed its side
                if (events) upkeep.line("EVENT eof client=" + client.number);
                finish(key, "eof");
                return;
            }
            if (n == 0) return;
            client.crc.update(buffer.flip());                    // checksum what came, straight from the buffer
            client.bytes += n;
            client.reads++;
            upkeep.read(n);
            if (events) upkeep.line("EVENT read client=" + client.number + " bytes=" + n + " total=" + client.bytes);
            if (upkeep.paced(key, client.start, client.bytes)) return; // --read-rate: this client waits a little
            if (n < readSize) return;                            // the socket is empty for now
        }
    }

    // A client is gone: cancel its key and close its socket, so nothing of it stays registered.
    void finish(SelectionKey key, String ended) {
        key.cancel();
        end((Client) key.attachment(), (SocketChannel) key.channel(), ended);
    }

    void end(Client client, SocketChannel conn, String ended) {
        upkeep.served(conn, client.number, client.bytes, client.reads, client.start, client.crc.getValue(), ended);
        try { conn.close(); } catch (IOException ignored) { }    // conn.close(); the next select() frees its descriptor
    }

    // ---- below: not the lesson ----

    public static void main(String[] args) throws IOException {
        new SelectServer(SelectServerSettings.parse(args)).serve();
    }
}
