package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad input gets one clear line and a non-zero exit, never a stack trace. */
@Timeout(120)
class BadInputTest {
    static final Duration RUN = Duration.ofSeconds(30);
    static final List<String> CLIENTS = List.of("BlockingClient", "NonBlockingClient", "RetryClient", "SelectClient");

    /** Runs a script and returns its single stderr line, checking the exit code and that nothing else was said. */
    static String oneLineError(int expectedExit, String script, String... args) {
        Scripts.Proc run = Scripts.start(script, args);
        assertEquals(expectedExit, run.waitFor(RUN), run.output());
        assertEquals(1, run.stderrLines().size(), "exactly one line on stderr:\n" + run.stderr());
        String line = run.stderrLines().get(0);
        assertFalse(line.contains("Exception") || line.contains("\tat "), line);
        return line;
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "70000", "-1"})
    void badPortIsRejected(String port) {
        String line = oneLineError(2, "Server", port);
        assertTrue(line.startsWith("server: bad port '" + port + "'") && line.contains("usage: server"), line);
        for (String client : CLIENTS) {
            line = oneLineError(2, client, "localhost", port);
            assertTrue(line.contains("bad port '" + port + "'") && line.contains("usage: "), line);
        }
    }

    @Test
    void badSizeAndUnknownOptionsAreRejected() {
        for (String client : CLIENTS) {
            assertTrue(oneLineError(2, client, "localhost", "1234", "lots").contains("bad size 'lots'"));
            assertTrue(oneLineError(2, client, "--frobnicate").contains("unknown option '--frobnicate'"));
        }
        assertTrue(oneLineError(2, "Server", "--frobnicate").contains("unknown option '--frobnicate'"));
        assertTrue(oneLineError(2, "Server", "0", "--read-rate", "fast").contains("bad --read-rate 'fast'"));
    }

    @Test
    void nobodyListeningIsSaidPlainly() throws Exception {
        int port;
        try (ServerSocketChannel probe = ServerSocketChannel.open()) { // a port that was free a moment ago
            probe.bind(new InetSocketAddress("localhost", 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        for (String client : CLIENTS) {
            String line = oneLineError(1, client, "localhost", String.valueOf(port));
            assertTrue(line.endsWith("nothing is listening on localhost:" + port + ": start `./jbang server` first"), line);
        }
    }

    @Test
    void hostThatDoesNotResolveIsSaidPlainly() {
        String line = oneLineError(1, "BlockingClient", "no-such-host.invalid", "1234");
        assertTrue(line.contains("cannot resolve host 'no-such-host.invalid'"), line);
    }

    @Test
    void portInUseIsSaidPlainly() throws Exception {
        try (ServerSocketChannel taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress("localhost", 0));
            int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
            String line = oneLineError(1, "Server", String.valueOf(port));
            assertTrue(line.contains("port " + port + " on localhost is already in use"), line);
        }
    }
}
