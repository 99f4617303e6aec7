package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sampler as a program (java scripts/nbio/SocketQueues.java): a QUEUE line for an idle connection, one line for bad
 * input. It waits for lines and times nothing, so it runs beside other classes; SocketQueuesTest, alone, samples
 * queues during transfers.
 */
@Timeout(120)
class SocketQueuesProgramTest {
    /** The launcher compiles the sampler in its own JVM: about 40% less CPU without the optimising compiler. */
    static final String BRIEF = "-XX:TieredStopAtLevel=1";

    @Test
    void theProgramPrintsAQueueLineForTheConnectionAndRefusesBadInput() throws Exception {
        try (SocketQueuesTest.Pair pair = SocketQueuesTest.Pair.open(0, 0)) {
            String port = String.valueOf(SocketQueuesTest.port(pair.peer(), true));
            try (Scripts.Proc sampler = Scripts.command("java", BRIEF, "scripts/nbio/SocketQueues.java", port, "--for", "60000")) {
                sampler.awaitLine(Pattern.compile("^SAMPLER source=ss every_ms=5 .*"), Duration.ofSeconds(60));
                String local = String.valueOf(SocketQueuesTest.port(pair.client(), true));
                sampler.awaitLine(Pattern.compile("^QUEUE t_ms=\\S+ local=" + local + " remote=" + port + " send_q=0 recv_q=0 .*tb=\\d+ .*"),
                        Duration.ofSeconds(30));
            }
        }
        try (Scripts.Proc bad = Scripts.command("java", BRIEF, "scripts/nbio/SocketQueues.java", "70000")) {
            assertEquals(2, bad.waitFor(Duration.ofSeconds(60)));
            assertEquals(List.of("usage: SocketQueues PORT [PORT...] [--every MS (>= 1)] [--for MS (>= 1)]"), bad.stderrLines());
        }
    }
}
