package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Step 6c, virtual-threads, when things go wrong: one line naming the real cause, never a stack trace. */
@Timeout(300)
class VirtualThreadsFaultsTest {
    static final Duration RUN = Duration.ofSeconds(120);

    /**
     * A host of digits only is a port in the host's place: refused before anything connects. Run where
     * no connect could succeed (a network namespace whose loopback has only ::1), so only the refusal
     * can produce this line.
     */
    @Test
    void aHostOfDigitsOnlyIsRefusedAsLookingLikeAPort() {
        Scripts.Proc run = Scripts.startIpv6Only("VirtualThreads", "25099", "1234", "100");
        assertEquals(2, run.waitFor(RUN), run.output());
        assertEquals(1, run.stderrLines().size(), run.output());
        assertTrue(run.stderr().startsWith("virtual-threads: host '25099' looks like a port: give the host first (virtual-threads localhost 25099);"
                + " usage: virtual-threads"), run.stderr());
        assertEquals("", run.stdout());

        Scripts.Proc empty = Scripts.startIpv6Only("VirtualThreads", "", "localhost", "1234");
        assertEquals(2, empty.waitFor(RUN), empty.output());
        assertEquals(1, empty.stderrLines().size(), empty.output());
        assertTrue(empty.stderr().startsWith("virtual-threads: argument 1 is empty; usage: virtual-threads"), empty.stderr());
    }

    /** On an IPv6-only host, localhost is 127.0.0.1 with no IPv4 address to reach it: say that, and what to use. */
    @Test
    void onAnIpv6OnlyHostTheRealCauseIsNamed() {
        Scripts.Proc run = Scripts.startIpv6Only("VirtualThreads", "localhost", "1234", "100", "--connections", "10");
        assertEquals(1, run.waitFor(RUN), run.output());
        assertEquals(List.of("virtual-threads: cannot connect to localhost:1234 (Network is unreachable): this machine has no IPv4"
                + " loopback address (127.0.0.1); use ::1 as the host, with a server listening there"), run.stderrLines());
        Scripts.Proc v6 = Scripts.startIpv6Only("VirtualThreads", "::1", "1234", "100", "--connections", "10");
        assertEquals(1, v6.waitFor(RUN), v6.output());
        assertEquals(List.of("virtual-threads: nothing is listening on [::1]:1234: start `./jbang select-server` first"), v6.stderrLines());
    }

    /** A peer that takes the connection and never reads: after --timeout seconds without progress, one line says so. */
    @Test
    void aPeerThatNeverReadsIsGivenUpOnAfterTheTimeout() throws IOException {
        try (ServerSocketChannel peer = ServerSocketChannel.open()) {
            peer.bind(new InetSocketAddress("localhost", 0), 16);          // the kernel completes the connection; nobody reads
            int port = ((InetSocketAddress) peer.getLocalAddress()).getPort();
            Scripts.Proc run = Scripts.startWith(Scripts.javaHome(21), "VirtualThreads", "localhost", String.valueOf(port), "8000000",
                    "--connections", "1", "--timeout", "2");
            assertEquals(1, run.waitFor(RUN), run.output());
            assertEquals(1, run.stderrLines().size(), run.output());
            assertTrue(run.stderr().matches("virtual-threads: gave up \\(no progress for 2 s \\(see --timeout\\)\\); 1 open at once,"
                    + " 0 sent everything, the kernel accepted \\d{1,3}(,\\d{3})* of 8,000,000 bytes"), run.stderr());
        }
    }

    /** A size the heap cannot hold: one line, exit 1, no stack trace. */
    @Test
    void aSizeThatDoesNotFitInTheHeapIsOneLine() {
        Scripts.Proc run = Scripts.commandWithEnv(Map.of("JAVA_TOOL_OPTIONS", "-Xmx64m"),
                Scripts.javaHome(21).resolve("bin/java").toString(), "scripts/VirtualThreads.java", "localhost", "1234", "1073741824");
        assertEquals(1, run.waitFor(RUN), run.output());
        List<String> err = new ArrayList<>(run.stderrLines());
        err.removeIf(line -> line.startsWith("Picked up JAVA_TOOL_OPTIONS:"));   // the JVM's own notice
        assertEquals(List.of("virtual-threads: 1,073,741,824 bytes do not fit in this JVM's heap (Java heap space): send less,"
                + " or give the JVM more heap with -Xmx"), err, run.output());
        assertEquals("", run.stdout());
    }
}
