package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Steps 2 and 3 where nothing is timed: step 2's one blocking write returns all 70 MB and the server gets them by
 * checksum; step 3's assertion fails under the plain source launcher without -ea. These run beside other classes;
 * ClientStepsTest, alone, judges how soon a non-blocking write returns.
 */
@Timeout(120)
class ClientStepsRunsTest {
    static final long ARTICLE_BYTES = ClientStepsTest.ARTICLE_BYTES;
    static final Duration RUN = ClientStepsTest.RUN;

    @Test
    void blockingClientSendsAllSeventyMegabytesInOneWrite() {
        try (Scripts.Server server = Scripts.server()) {
            Scripts.Proc client = Scripts.start("BlockingClient", "localhost", server.portArg());
            assertEquals(0, client.waitFor(RUN), client.output());

            Map<String, String> result = client.last("RESULT");
            assertEquals("blocking-client", result.get("client"));
            assertEquals(String.valueOf(ARTICLE_BYTES), result.get("requested"));
            assertEquals(String.valueOf(ARTICLE_BYTES), result.get("bytes"), "the one write returned everything");
            assertEquals("1", result.get("writes"));
            assertEquals("held", result.get("assertion"));
            assertTrue(client.stdout().contains("returned 73,400,320 of 73,400,320 bytes"), client.stdout());

            Map<String, String> served = server.served(1, RUN);
            assertEquals(result.get("bytes"), served.get("bytes"));
            assertEquals(result.get("crc32"), served.get("crc32"));
            assertEquals(ClientStepsTest.crc32OfArticleData(ARTICLE_BYTES), result.get("crc32"), "the client checksums what it sent");
        }
    }

    @Test
    void assertionFailsWithoutDashEaUnderTheSourceLauncherToo() throws Exception {
        try (ServerSocketChannel peer = ServerSocketChannel.open()) {
            peer.bind(new InetSocketAddress("localhost", 0));
            String port = String.valueOf(((InetSocketAddress) peer.getLocalAddress()).getPort());
            // The source launcher that runs a step with its library beside it: Java 22's and later (JEP 458). It compiles
            // the step in its own JVM: about 40% less CPU without the optimising compiler, and nothing here is timed.
            String java = Scripts.javaHome(22).resolve("bin/java").toString();
            Scripts.Proc client = Scripts.command(java, "-XX:TieredStopAtLevel=1", "-da", "scripts/NonBlockingClient.java", "localhost", port, "20000000");
            try (SocketChannel accepted = peer.accept()) {
                assertNotEquals(0, client.waitFor(RUN));
                assertTrue(client.stderr().contains("java.lang.AssertionError"), client.stderr());
            }
        }
    }
}
