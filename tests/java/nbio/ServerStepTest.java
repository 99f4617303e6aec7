package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Step 1: the blocking server serves one client after another and closes cleanly on Ctrl-C. */
@Timeout(60)
class ServerStepTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void secondClientWaitsUntilTheFirstIsDone() throws Exception {
        try (Scripts.Server server = Scripts.server("--show-data");
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
    void ctrlCClosesTheListeningSocketAndPrintsTotals() throws Exception {
        try (Scripts.Server server = Scripts.server()) {
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
            assertTrue(server.proc().stdout().contains("server: stopped; served 1 clients, 5,000 bytes in total"));
            // The port is free again: the listening socket was closed.
            try (ServerSocketChannel again = ServerSocketChannel.open()) {
                again.bind(new InetSocketAddress("localhost", server.port()));
            }
        }
    }

    @Test
    void printsTheDataLikeTheArticleWhenAskedAndASummaryOtherwise() throws Exception {
        try (Scripts.Server server = Scripts.server()) {
            try (SocketChannel client = Wire.connect(server.port())) {
                Wire.write(client, "foobar\n".repeat(300));
            }
            Map<String, String> served = server.served(1, WAIT);
            assertEquals("2100", served.get("bytes"));
            assertTrue(Integer.parseInt(served.get("reads")) >= 3, "reads of at most 1024 bytes: " + served);
            assertTrue(server.proc().stdoutLines().stream().noneMatch(line -> line.equals("foobar")), "no data by default");
        }
    }
}
