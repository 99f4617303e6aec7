package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Step 6, event-loop, where nothing is timed: both connections open at select-server at once, every byte by checksum,
 * what Ctrl-C and bad input print. These run beside other classes; EventLoopTest, alone, judges the ticks and the CPU.
 */
@Timeout(300)
class EventLoopRunsTest {
    static final Duration RUN = EventLoopTest.RUN;
    static final int SIZE = EventLoopTest.SIZE;

    @Test
    void twoConnectionsToTheSelectServerAreServedSideBySide() {
        try (Scripts.Server server = Scripts.selectServerUntimed()) {
            int size = 73_400_320;                              // the default: the article's 'foobar\n' * 10 * 1024 * 1024
            Scripts.Proc loop = Scripts.start("EventLoop", "localhost", server.portArg());
            assertEquals(0, loop.waitFor(RUN), loop.output());
            List<Map<String, String>> results = EventLoopTest.results(loop);
            assertEquals(2, results.size(), loop.output());
            for (Map<String, String> result : results) {
                Map<String, String> served = Scripts.fields(server.proc().awaitLine(
                        Pattern.compile("^SERVED .* peer=127\\.0\\.0\\.1:" + result.get("local_port") + "$"), RUN).group());
                assertEquals(String.valueOf(size), served.get("bytes"));
                assertEquals(result.get("crc32"), served.get("crc32"));
            }
            server.proc().signal("TERM");
            server.proc().waitFor(RUN);
            Map<String, String> total = server.proc().last("TOTAL");
            assertEquals("2", total.get("max_open"), "both connections were open at the server at once");
            assertEquals("0", total.get("registered"));
        }
    }

    @Test
    void ctrlCSaysHowFarEachSenderGot() {
        try (Scripts.Server server = Scripts.serverUntimed("--read-rate", "1")) {
            Scripts.Proc loop = Scripts.start("EventLoop", "localhost", server.portArg(), String.valueOf(SIZE));
            loop.awaitLine(Pattern.compile("send-2 +socket full after "), RUN);
            loop.signal("INT");
            assertEquals(130, loop.waitFor(RUN), loop.output());
            List<String> err = loop.stderrLines();
            assertEquals(2, err.size(), loop.output());
            for (int n = 1; n <= 2; n++) {
                assertTrue(err.get(n - 1).matches("event-loop: send-" + n + ": stopped by a signal after the kernel had accepted \\d{1,3}(,\\d{3})* of "
                        + String.format("%,d", SIZE) + " bytes: transfer cut short"), err.get(n - 1));
            }
        }
    }

    @Test
    void nothingListeningAndBadArgumentsAreOneLine() {
        try (Scripts.Server server = Scripts.selectServerUntimed()) {
            server.proc().signal("TERM");
            server.proc().waitFor(RUN);                     // a port that was free a moment ago, now closed
            Scripts.Proc run = Scripts.start("EventLoop", "localhost", server.portArg(), "1000");
            assertEquals(1, run.waitFor(RUN), run.output());
            assertEquals(List.of("event-loop: nothing is listening on localhost:" + server.port()
                    + ": start `./jbang select-server` (or `./jbang server`) first"), run.stderrLines());
        }
        Scripts.Proc bad = Scripts.start("EventLoop", "localhost", "1234,abc");
        assertEquals(2, bad.waitFor(RUN), bad.output());
        assertEquals(1, bad.stderrLines().size(), bad.output());
        assertTrue(bad.stderr().startsWith("event-loop: bad port 'abc' (expected 0 to 65535); usage: event-loop"), bad.stderr());
    }
}
