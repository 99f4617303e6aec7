// Run by 06c-virtual-threads.ipynb on a JDK 21 or newer (java lib/ParkAndWake.java), with one carrier thread
// (-Djdk.virtualThreadScheduler.parallelism=1). A virtual thread does step 2's plain blocking write of the article's
// 70 MB to a peer that is not reading yet; this program watches the thread park, shows that its one carrier is free
// meanwhile, then lets the peer read and watches the JDK's poller wake the writer. Loopback only.
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

public class ParkAndWake {
    public static void main(String[] args) throws Exception {
        byte[] data = "foobar\n".repeat(10 * 1024 * 1024).getBytes();       // 'foobar\n' * 10 * 1024 * 1024
        try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Socket sock = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket peer = listener.accept()) {                               // connected; nobody reads it yet
            Thread writer = Thread.ofVirtual().name("writer").start(() -> {
                try {
                    OutputStream out = sock.getOutputStream();
                    out.write(data);                                          // sock.sendall(data): plain blocking code
                    sock.shutdownOutput();                                    // then the end of the stream
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (writer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) Thread.sleep(1);
            System.out.println("1. the writer, a virtual thread, is " + writer.getState() + " inside its one write(), in:");
            Arrays.stream(writer.getStackTrace()).limit(12)
                    .filter(f -> f.getMethodName().contains("park") || f.getClassName().contains("Poller") || f.getMethodName().equals("write"))
                    .map(f -> f.getClassName() + "." + f.getMethodName()).distinct()
                    .forEach(frame -> System.out.println("     " + frame));
            System.out.println("2. " + pollers());
            long[] ticks = new long[1];
            Thread other = Thread.ofVirtual().name("other").start(() -> { for (int i = 0; i < 1000; i++) ticks[0]++; });
            other.join();
            System.out.println("3. meanwhile another virtual thread ran to its end on the only carrier thread: " + ticks[0]
                    + " steps; the parked writer held no OS thread");
            long start = System.nanoTime();
            CRC32 crc = new CRC32();
            long got = 0;
            byte[] chunk = new byte[64 * 1024];
            try (InputStream in = peer.getInputStream()) {                   // now the peer reads
                for (int n; (n = in.read(chunk)) > 0; got += n) crc.update(chunk, 0, n);
            }
            writer.join(30_000);
            CRC32 sent = new CRC32();
            sent.update(data);
            System.out.printf("4. the peer read %,d bytes in %.0f ms (crc32 %s); the poller woke the writer each time its socket"
                    + " had room, and its write() returned: the writer is now %s%n", got, (System.nanoTime() - start) / 1e6,
                    crc.getValue() == sent.getValue() ? "matches" : "DIFFERS", writer.getState());
            if (got != data.length || crc.getValue() != sent.getValue() || writer.isAlive()) System.exit(1);
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
            return "the JDK's poller threads (platform threads, by name; no Thread.vthread_pollers report here): " + named;
        }
        StringBuilder out = new StringBuilder("the JDK's pollers, as jcmd PID Thread.vthread_pollers reported them:\n");
        report.stream().filter(l -> !l.isBlank() && !l.matches("\\d+:")).forEach(l -> out.append("     ").append(l).append('\n'));
        out.append("   the writer's socket was registered with the write poller run by ").append(writePoller);
        if (master != null) out.append(";\n   that poller's own epoll descriptor, with the other pollers', was registered with the master"
                + " poller run by ").append(master);
        return out.toString();
    }
}
