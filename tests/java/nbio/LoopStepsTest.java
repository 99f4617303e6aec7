package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Steps 4 and 5 against the same deliberately slow reader: spinning versus waiting in select(). */
@Timeout(120)
class LoopStepsTest {
    static final String SIZE = String.valueOf(24 * 1024 * 1024);
    static final String READ_RATE = "64"; // MiB/s: far below loopback speed, so the writer must wait
    static final Duration RUN = Duration.ofSeconds(60);

    @Test
    void retryLoopDeliversEverythingAndSpinsOnZeroReturns() {
        try (Scripts.Server server = Scripts.server("--read-rate", READ_RATE)) {
            Map<String, String> retry = send(server, 1, "RetryClient");
            assertTrue(Long.parseLong(retry.get("zero_writes")) > 0, "write returned 0 at least once: " + retry);
            assertEquals("0", retry.get("selects"));
        }
    }

    @Test
    void selectLoopMakesFarFewerWritesAndBurnsFarLessCpuThanTheRetryLoop() {
        try (Scripts.Server server = Scripts.server("--read-rate", READ_RATE)) {
            Map<String, String> retry = send(server, 1, "RetryClient");
            Map<String, String> select = send(server, 2, "SelectClient");

            long retryWrites = Long.parseLong(retry.get("writes")), selectWrites = Long.parseLong(select.get("writes"));
            double retryCpu = Double.parseDouble(retry.get("cpu_ms")), selectCpu = Double.parseDouble(select.get("cpu_ms"));
            assertTrue(Long.parseLong(select.get("selects")) > 0, "the selector loop had to wait: " + select);
            assertEquals(select.get("zero_writes"), select.get("selects"), "one wait per zero-return");
            assertTrue(retryWrites >= 50 * selectWrites, "write calls, retry " + retryWrites + " vs select " + selectWrites);
            assertTrue(retryCpu >= 3 * selectCpu, "CPU ms, retry " + retryCpu + " vs select " + selectCpu);
        }
    }

    /** Runs a client step against the server and checks that every byte arrived intact. */
    static Map<String, String> send(Scripts.Server server, int clientNumber, String script) {
        Scripts.Proc client = Scripts.start(script, "localhost", server.portArg(), SIZE);
        assertEquals(0, client.waitFor(RUN), client.output());
        Map<String, String> result = client.last("RESULT");
        assertEquals(SIZE, result.get("bytes"));
        assertEquals("held", result.get("assertion"));
        Map<String, String> served = server.served(clientNumber, RUN);
        assertEquals(SIZE, served.get("bytes"), "bytes the server received");
        assertEquals(result.get("crc32"), served.get("crc32"), "crc32 of what the server received");
        assertEquals("eof", served.get("ended"));
        return result;
    }
}
