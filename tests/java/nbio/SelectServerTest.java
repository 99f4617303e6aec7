package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Step 6, select-server: one thread serves many clients side by side; step 1 serves them one after the other. */
@Timeout(120)
class SelectServerTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Pattern SERVED = Pattern.compile("^SERVED .*");

    @Test
    void aThousandConcurrentClientsWithDistinctPayloadsAreEachReceivedExactly() throws Exception {
        int clients = 1000;
        try (Scripts.Server server = Scripts.selectServerUntimed()) {
            List<SocketChannel> socks = new ArrayList<>();
            Map<String, byte[]> payloadByPeer = new HashMap<>();
            try {
                // All 1,000 connected at once, before anyone sends.
                for (int i = 0; i < clients; i++) {
                    SocketChannel sock = SocketChannel.open(new InetSocketAddress("localhost", server.port()));
                    socks.add(sock);
                    payloadByPeer.put("127.0.0.1:" + ((InetSocketAddress) sock.getLocalAddress()).getPort(), payload(i));
                }
                // Everyone sends a first half, then everyone a second half, then everyone closes:
                // the server has all 1,000 open with half a message each.
                for (int i = 0; i < clients; i++) Wire.write(socks.get(i), payload(i), 0, payload(i).length / 2);
                for (int i = 0; i < clients; i++) Wire.write(socks.get(i), payload(i), payload(i).length / 2, payload(i).length);
            } finally {
                for (SocketChannel sock : socks) sock.close();
            }

            long expectedTotal = 0;
            for (byte[] p : payloadByPeer.values()) expectedTotal += p.length;
            int from = 0;
            for (int n = 0; n < clients; n++) {               // one SERVED line per client, in any order
                Scripts.Proc.Found found = server.proc().awaitLineFrom(from, SERVED, WAIT);
                from = found.index() + 1;
                Map<String, String> served = Scripts.fields(found.matcher().group());
                byte[] sent = payloadByPeer.remove(served.get("peer"));
                assertTrue(sent != null, "a SERVED line for an unknown or repeated peer: " + served);
                assertEquals(String.valueOf(sent.length), served.get("bytes"), "bytes of " + served);
                assertEquals(Wire.crc(sent), served.get("crc32"), "crc32 of " + served);
                assertEquals("eof", served.get("ended"));
            }
            assertTrue(payloadByPeer.isEmpty(), payloadByPeer.size() + " clients without a SERVED line");

            server.proc().signal("TERM");
            server.proc().waitFor(WAIT);
            Map<String, String> total = server.proc().last("TOTAL");
            assertEquals(String.valueOf(clients), total.get("clients"));
            assertEquals(String.valueOf(expectedTotal), total.get("bytes"));
            assertEquals(String.valueOf(clients), total.get("max_open"), "all 1,000 were open at the same time");
            assertEquals("0", total.get("registered"), "every client that went left the selector");
        }
    }

    @Test
    void selectServerReadsTheSecondClientWhileTheFirstIsStillSending() throws Exception {
        try (Scripts.Server server = Scripts.selectServerUntimed("--events");
             SocketChannel first = Wire.connect(server.port());
             SocketChannel second = Wire.connect(server.port())) {
            String a = clientNumber(server, first), b = clientNumber(server, second);

            Wire.write(first, "first-part-one\n");
            int readA1 = server.proc().awaitLineFrom(0, Pattern.compile("^EVENT read client=" + a + " "), WAIT).index();
            // The first client is still connected and has more to send. The second sends
            // everything and closes; the server reads it and finishes it now, not later.
            Wire.write(second, "second-all\n");
            second.close();
            int servedB = server.proc().awaitLineFrom(0, Pattern.compile("^SERVED client=" + b + " "), WAIT).index();
            assertTrue(first.isOpen());
            Wire.write(first, "first-part-two\n");
            first.close();
            Scripts.Proc.Found servedA = server.proc().awaitLineFrom(0, Pattern.compile("^SERVED client=" + a + " .*"), WAIT);

            List<String> lines = server.proc().stdoutLines();
            int readB = Wire.indexOfPrefix(lines, "EVENT read client=" + b + " ");
            int readA2 = Wire.indexOfPrefix(lines, "EVENT read client=" + a + " bytes=15 total=30");
            // Event order: A's first part, all of B (to its EOF), A's second part, A's EOF.
            assertTrue(readA1 < readB && readB < servedB && servedB < readA2 && readA2 < servedA.index(),
                    "order of events:\n" + String.join("\n", lines));
            assertEquals("30", Scripts.fields(servedA.matcher().group()).get("bytes"));
            assertEquals("11", server.served(Integer.parseInt(b), WAIT).get("bytes"));
        }
    }

    // The blocking server's side of the same story (it reads all of the first client before any
    // byte of the second) is ServerStepTest.secondClientWaitsUntilTheFirstIsDone.

    @Test
    void aResetIsHandledAndOnlyConnectedClientsStayRegistered() throws Exception {
        try (Scripts.Server server = Scripts.selectServerUntimed("--events");
             SocketChannel stays = Wire.connect(server.port())) {
            String s = clientNumber(server, stays);
            SocketChannel resets = Wire.connect(server.port());
            String r = clientNumber(server, resets);
            Wire.write(resets, "some bytes, then a reset\n");
            server.proc().awaitLine(Pattern.compile("^EVENT read client=" + r + " "), WAIT);
            resets.setOption(StandardSocketOptions.SO_LINGER, 0); // close() now sends RST, not FIN
            resets.close();
            Map<String, String> reset = server.served(Integer.parseInt(r), WAIT);
            assertEquals("reset", reset.get("ended"));
            assertEquals("25", reset.get("bytes"));

            // A clean client after the reset is served normally.
            try (SocketChannel after = Wire.connect(server.port())) {
                Wire.write(after, "after\n");
            }
            assertEquals("eof", server.served(3, WAIT).get("ended"));

            server.proc().signal("INT");                       // Ctrl-C
            assertEquals(130, server.proc().waitFor(WAIT), "exit code after SIGINT");
            Map<String, String> total = server.proc().last("TOTAL");
            assertEquals("1", total.get("registered"), "only the client still connected: " + total);
            assertEquals("stopped", server.served(Integer.parseInt(s), WAIT).get("ended"));
            assertFalse(server.proc().output().contains("Exception"), server.proc().output());
        }
    }

    @Test
    void atItsOpenFileLimitItStopsAcceptingUntilAClientGoes() throws Exception {
        // A server process allowed only 64 open files (the JVM itself holds a few dozen).
        Path jdk = Scripts.javaHome(Scripts.requiredJava("SelectServer"));
        Scripts.Proc proc = Scripts.command("bash", "-c", "ulimit -n 64 && exec " + Scripts.shellQuoted(jdk.resolve("bin/java").toString())
                + " -cp " + Scripts.shellQuoted(Scripts.classesOf("SelectServer", jdk).toString()) + " SelectServer 0 --no-progress");
        int port = Integer.parseInt(proc.awaitLine(Pattern.compile("listening on localhost:(\\d+)"), WAIT).group(1));
        try (Scripts.Server server = new Scripts.Server(proc, port)) {
            int clients = 100;
            List<SocketChannel> socks = new ArrayList<>();
            Map<String, byte[]> payloadByPeer = new HashMap<>();
            try {
                for (int i = 0; i < clients; i++) {                // the kernel completes all 100 connections
                    SocketChannel sock = Wire.connect(port);
                    socks.add(sock);
                    payloadByPeer.put("127.0.0.1:" + ((InetSocketAddress) sock.getLocalAddress()).getPort(), payload(i));
                    Wire.write(sock, payload(i), 0, payload(i).length);
                }
                proc.awaitLine(Pattern.compile("^select-server: cannot accept more clients \\(Too many open files\\) with [\\d,]+ clients? open"), WAIT);
            } finally {
                for (SocketChannel sock : socks) sock.close();   // as clients go, the waiting ones get in
            }
            int from = 0;
            for (int n = 0; n < clients; n++) {
                Scripts.Proc.Found found = proc.awaitLineFrom(from, SERVED, WAIT);
                from = found.index() + 1;
                Map<String, String> served = Scripts.fields(found.matcher().group());
                byte[] sent = payloadByPeer.remove(served.get("peer"));
                assertTrue(sent != null, "unknown or repeated peer: " + served);
                assertEquals(String.valueOf(sent.length), served.get("bytes"));
                assertEquals(Wire.crc(sent), served.get("crc32"));
            }
            proc.signal("TERM");
            proc.waitFor(WAIT);
            Map<String, String> total = proc.last("TOTAL");
            assertEquals(String.valueOf(clients), total.get("clients"));
            assertTrue(Long.parseLong(total.get("accept_pauses")) >= 1, total.toString());
            assertTrue(Integer.parseInt(total.get("max_open")) < clients, "it never held all 100 at once: " + total);
            assertFalse(proc.output().contains("Exception"), proc.output());
        }
    }

    @Test
    void badPortIsOneLineAndExitCode2() {
        Scripts.Proc run = Scripts.startUntimed("SelectServer", "abc");
        assertEquals(2, run.waitFor(WAIT));
        assertEquals(1, run.stderrLines().size(), run.output());
        assertTrue(run.stderr().startsWith("select-server: bad port 'abc' (expected 0 to 65535); usage: select-server"), run.stderr());
    }

    // The server prints "EVENT accept client=N peer=IP:PORT": find N for this socket.
    static String clientNumber(Scripts.Server server, SocketChannel sock) throws IOException {
        int port = ((InetSocketAddress) sock.getLocalAddress()).getPort();
        return server.proc().awaitLine(Pattern.compile("^EVENT accept client=(\\d+) peer=127\\.0\\.0\\.1:" + port + " "), WAIT).group(1);
    }

    static byte[] payload(int i) {
        String head = "client " + i + "\n";
        int size = head.length() + 100 + (i * 7919) % 30_000;
        byte[] bytes = new byte[size];
        byte[] h = head.getBytes(StandardCharsets.US_ASCII), foobar = "foobar\n".getBytes(StandardCharsets.US_ASCII);
        for (int k = 0; k < size; k++) bytes[k] = k < h.length ? h[k] : foobar[(k + i) % foobar.length];
        return bytes;
    }
}
