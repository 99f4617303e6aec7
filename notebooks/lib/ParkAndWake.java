// Run by 06c-virtual-threads.ipynb on a JDK 21 or newer (java lib/ParkAndWake.java), with one carrier thread
// (-Djdk.virtualThreadScheduler.parallelism=1). Its two sending methods are the notebook's lesson cell, word for
// word (a test holds them equal). First step 2's client, unchanged, in a virtual thread; then sendAll in a virtual
// thread against a peer that does not read yet: it parks, its one carrier is free, the JDK's poller wakes it once
// the peer reads. Loopback only.
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

public class ParkAndWake {
    // --- the notebook's lesson cell, word for word ---
    /** Step 2's client, unchanged: connect, then ONE write of all the data; returns its result. */
    static int blockingSend(int port, ByteBuffer data) throws IOException {
        InetSocketAddress server = new InetSocketAddress("localhost", port);   // ('localhost', 1234)
        try (SocketChannel sock = SocketChannel.open(server)) {               // sock.connect(...)
            return sock.write(data);                                          // sock.send(data)
        }
    }

    /** Python 3's sock.sendall(data): write until all is sent (in a virtual thread, a wait parks). */
    static void sendAll(SocketChannel sock, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) sock.write(data);                         // sent = sock.send(data)
    }
    // --- end of the lesson cell ---

    interface Io { void run() throws IOException; }

    /** A Runnable for Thread.ofVirtual().start: the socket calls' IOException, unchecked. */
    static Runnable io(Io body) {
        return () -> {
            try {
                body.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    public static void main(String[] args) throws Exception {
        ByteBuffer data = ByteBuffer.allocateDirect(7 * 10 * 1024 * 1024);     // 'foobar\n' * 10 * 1024 * 1024
        while (data.hasRemaining()) data.put((byte) "foobar\n".charAt(data.position() % 7));
        CRC32 sent = new CRC32();
        sent.update(data.flip().duplicate());
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(loopback, 0), 5);
            int port = listener.socket().getLocalPort();

            // 1. Step 2's client, unchanged, in a virtual thread; the peer reads nothing.
            int[] returned = new int[1];
            Thread.ofVirtual().start(io(() -> returned[0] = blockingSend(port, data))).join();
            System.out.printf("1. step 2's client in a virtual thread: write() returned %,d of %,d bytes;%n"
                    + "   the article's assertion: %b%n", returned[0], data.limit(), returned[0] == data.limit());
            listener.accept().close();

            // 2. sendAll in a virtual thread, to a peer that reads nothing yet.
            try (SocketChannel sock = SocketChannel.open(new InetSocketAddress(loopback, port));
                 SocketChannel peer = listener.accept()) {
                data.rewind();
                Thread writer = Thread.ofVirtual().name("writer").start(io(() -> sendAll(sock, data)));
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (writer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) Thread.sleep(1);
                System.out.println("2. sendAll in a virtual thread: the writer is " + writer.getState()
                        + " inside write(), in:");
                Arrays.stream(writer.getStackTrace()).limit(14)
                        .filter(f -> f.getMethodName().contains("park") || f.getClassName().contains("Poller")
                                || f.getMethodName().equals("write") || f.getMethodName().equals("sendAll"))
                        .map(f -> f.getClassName() + "." + f.getMethodName()).distinct()
                        .forEach(frame -> System.out.println("     " + frame));
                System.out.println("3. " + pollers());
                long[] ticks = new long[1];
                Thread.ofVirtual().name("other").start(() -> { for (int i = 0; i < 1000; i++) ticks[0]++; }).join();
                System.out.println("4. meanwhile another virtual thread ran to its end on the only carrier thread: "
                        + ticks[0] + " steps;\n   the parked writer held no OS thread");
                long start = System.nanoTime(), got = 0;
                CRC32 crc = new CRC32();
                ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                while (got < data.limit()) {                                        // now the peer reads
                    int n = peer.read(chunk.clear());
                    if (n < 0) break;
                    crc.update(chunk.array(), 0, n);
                    got += n;
                }
                writer.join(30_000);
                System.out.printf("5. the peer read %,d bytes in %.0f ms (crc32 %s);%n   the poller woke the writer each"
                        + " time its socket had room, and sendAll returned:%n   the writer is now %s%n", got,
                        (System.nanoTime() - start) / 1e6, crc.getValue() == sent.getValue() ? "matches" : "DIFFERS",
                        writer.getState());
                if (got != data.limit() || crc.getValue() != sent.getValue() || writer.isAlive()) System.exit(1);
            }
        }
    }

    /**
     * Which threads held the parked writer's socket, as the JDK itself reports them: `jcmd PID Thread.vthread_pollers`
     * (JDK 22 and later) lists each poller, how many descriptors it has registered and the thread that runs it. On a
     * JDK without that command, the platform threads named like pollers (JDK 21: Read-Poller, Write-Poller).
     */
    static String pollers() throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> report = List.of();
        if (Files.isExecutable(jcmd)) {
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(ProcessHandle.current().pid()),
                    "Thread.vthread_pollers").redirectErrorStream(true).start();
            report = new String(p.getInputStream().readAllBytes()).lines().toList();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) report = List.of();
        }
        Pattern poller = Pattern.compile("registered = (\\d+), owner = (Virtual)?Thread\\[#\\d+,([^,\\]/]+)");
        String section = "", master = null, writePoller = null;
        for (String line : report) {
            if (line.endsWith("pollers:") || line.endsWith("poller:")) section = line;
            Matcher m = poller.matcher(line);
            if (!m.find()) continue;
            String who = m.group(3) + (m.group(2) != null ? ", a virtual thread" : ", a platform thread");
            if (section.startsWith("Master")) master = who;
            if (section.startsWith("Write") && Integer.parseInt(m.group(1)) > 0) writePoller = who;
        }
        if (writePoller == null) {
            List<String> named = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(n -> n.contains("Poller")).sorted().toList();
            return "the JDK's poller threads (platform threads, by name; no Thread.vthread_pollers report here):\n     "
                    + named;
        }
        // Each poller shown by its class's short name (sun.nio.ch.EPollPoller@1ef13280 becomes EPollPoller).
        StringBuilder out = new StringBuilder("the JDK's pollers, as jcmd PID Thread.vthread_pollers reported them"
                + " (class names shortened):\n");
        report.stream().filter(l -> !l.isBlank() && !l.matches("\\d+:"))
                .map(l -> l.replaceAll("(\\w+\\.)+(\\w*Poller)@\\p{XDigit}+", "$2"))
                .forEach(l -> out.append("     ").append(l).append('\n'));
        out.append("   the writer's socket was registered with the write poller run by ").append(writePoller);
        if (master != null) out.append(";\n   that poller's own epoll descriptor, with the other pollers',\n"
                + "   was registered with the master poller run by ").append(master);
        return out.toString();
    }
}
