package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Step 1: the blocking server serves one client after another and closes cleanly on Ctrl-C. */
@Timeout(60)
class ServerStepTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void secondClientWaitsUntilTheFirstIsDone() throws Exception {
        try (Scripts.Server server = Scripts.serverUntimed("--show-data");
             SocketChannel first = Wire.connect(server.port())) {
            Wire.write(first, "first-part-one\n");
            server.proc().awaitLine(Pattern.compile("^first-part-one$"), WAIT);

            // The second client connects (the kernel completes it from the backlog), sends
            // everything and closes, all while the first is still connected.
            try (SocketChannel second = Wire.connect(server.port())) {
                Wire.write(second, "second-all\n");
            }
            Wire.write(first, "first-part-two\n");
            first.close();

            Map<String, String> secondServed = server.served(2, WAIT);
            assertEquals("11", secondServed.get("bytes"));
            List<String> lines = server.proc().stdoutLines();
            int firstPartTwo = lines.indexOf("first-part-two"), firstDone = Wire.indexOfPrefix(lines, "server: client 1 done");
            int secondConnected = Wire.indexOfPrefix(lines, "server: client 2 connected"), secondData = lines.indexOf("second-all");
            // Although the second client sent before the first one's last part, the server read
            // nothing from it until the first client was done.
            assertTrue(firstPartTwo >= 0 && firstPartTwo < firstDone && firstDone < secondConnected
                    && secondConnected < secondData, "order of events:\n" + String.join("\n", lines));
            assertEquals("30", server.served(1, WAIT).get("bytes"));
        }
    }

    @Test
    void ctrlCPrintsTheTotalsInWords() throws Exception {
        try (Scripts.Server server = Scripts.serverUntimed()) {
            try (SocketChannel client = Wire.connect(server.port())) {
                Wire.write(client, "x".repeat(5000));
            }
            server.served(1, WAIT);
            server.proc().signal("INT");
            int exit = server.proc().waitFor(WAIT);
            assertEquals(130, exit, "exit code after SIGINT");
            Map<String, String> total = server.proc().last("TOTAL");
            assertEquals("1", total.get("clients"));
            assertEquals("5000", total.get("bytes"));
            assertTrue(server.proc().stdoutLines().contains("server: stopped; served 1 client, 5,000 bytes in total"), server.proc().output());
        }
    }

    /**
     * Ctrl-C closes the listening socket itself, before the process ends (an exit would close it
     * too, so the check must happen while the server still runs). Nobody reads the server's
     * output here: with --show-data its pipe fills up and it waits to print, so after Ctrl-C it
     * stays alive, waiting to print its totals, until this test reads on.
     */
    @Test
    void ctrlCClosesTheListeningSocketWhileTheServerStillRuns() throws Exception {
        Path jdk = Scripts.javaHome(Scripts.requiredJava("Server"));
        Process server = new ProcessBuilder(jdk.resolve("bin/java").toString(), "-cp", Scripts.classesOf("Server", jdk).toString(),
                "Server", "0", "--show-data", "--no-progress")
                .directory(Scripts.ROOT.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            InputStream output = server.getInputStream();
            Matcher listening = Pattern.compile("listening on localhost:(\\d+)").matcher(firstLine(output));
            assertTrue(listening.find(), "the server's first line");
            int port = Integer.parseInt(listening.group(1));
            try (SocketChannel client = Wire.connect(port)) {
                Wire.write(client, "foobar\n".repeat(150_000)); // 1 MB: the kernel holds what the server does not read
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (output.available() < 60_000) { // the pipe (64 KiB) is full: the server waits to print
                    assertTrue(System.nanoTime() < deadline, "the server's output never filled the pipe: " + output.available());
                    Thread.sleep(5); // looked at now and then: a spin here held a core of the tests' JVM all the while
                }
                assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(server.pid())).start().waitFor());

                // The hook closes the listening socket, then the client's: once the client sees its
                // connection end, a new connection must be refused, while the process still runs.
                client.socket().setSoTimeout((int) WAIT.toMillis());
                try {
                    assertEquals(-1, client.socket().getInputStream().read(), "the server closed the connection");
                } catch (SocketException reset) {
                    // closed with unread data: a reset, which is just as closed
                }
                assertThrows(ConnectException.class, () -> Wire.connect(port).close(), "the listening socket is closed");
                assertTrue(server.isAlive(), "the server is still running (waiting to print its totals)");
            }
            String rest = new String(output.readAllBytes(), StandardCharsets.UTF_8); // lets it print, to the end
            assertTrue(server.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the server exits once its output is read");
            assertEquals(130, server.exitValue(), "exit code after SIGINT");
            assertTrue(rest.contains("server: client 1 was cut off by the server stopping after "), rest.lines().filter(l -> !l.equals("foobar")).toList().toString());
            assertTrue(rest.contains("\nTOTAL clients=1 bytes="), "totals printed");
        } finally {
            server.destroyForcibly();
        }
    }

    /** One line of a stream, read byte by byte so nothing after it is taken from the pipe. */
    static String firstLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) line.append((char) b);
        return line.toString();
    }

    @Test
    void printsTheDataLikeTheArticleWhenAskedAndASummaryOtherwise() throws Exception {
        try (Scripts.Server server = Scripts.serverUntimed()) {
            try (SocketChannel client = Wire.connect(server.port())) {
                Wire.write(client, "foobar\n".repeat(300));
            }
            Map<String, String> served = server.served(1, WAIT);
            assertEquals("2100", served.get("bytes"));
            // One write of 2,100 bytes crosses loopback as one segment, all there before the read returns: reads of
            // 1024 bytes take exactly three (1024, 1024, 52); smaller reads would take more, larger ones fewer.
            assertEquals("3", served.get("reads"), "reads of 1024 bytes: " + served);
            assertTrue(server.proc().stdoutLines().stream().noneMatch(line -> line.equals("foobar")), "no data by default");
        }
    }
}
