package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        HostFaults.digitsOnlyHostAndEmptyArgumentAreRefused("VirtualThreads", "virtual-threads", "100");
    }

    /** On an IPv6-only host, localhost is 127.0.0.1 with no IPv4 address to reach it: say that, and what to use. */
    @Test
    void onAnIpv6OnlyHostTheRealCauseIsNamed() {
        HostFaults.onAnIpv6OnlyHostTheRealCauseIsNamed("VirtualThreads", "virtual-threads",
                "virtual-threads: nothing is listening on [::1]:1234: start `./jbang select-server` first", "100", "--connections", "10");
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

    /** A size the heap cannot hold: one line, exit 1, no stack trace. (Compiled once, run on C1: nothing here is timed.) */
    @Test
    void aSizeThatDoesNotFitInTheHeapIsOneLine() {
        Path jdk = Scripts.javaHome(Scripts.requiredJava("VirtualThreads"));
        Scripts.Proc run = Scripts.command(jdk.resolve("bin/java").toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-cp", Scripts.classesOf("VirtualThreads", jdk).toString(), "VirtualThreads", "localhost", "1234", "1073741824");
        assertEquals(1, run.waitFor(RUN), run.output());
        List<String> err = run.stderrLines();
        assertEquals(List.of("virtual-threads: 1,073,741,824 bytes do not fit in this JVM's heap (Java heap space): send less,"
                + " or give the JVM more heap with -Xmx"), err, run.output());
        assertEquals("", run.stdout());
    }
}
