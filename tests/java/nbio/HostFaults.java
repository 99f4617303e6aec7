package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

/**
 * The host checks event-loop and virtual-threads share, run where no connect could reach past this
 * machine: a network namespace whose loopback has only ::1 (Scripts.startIpv6Only).
 */
final class HostFaults {
    static final Duration RUN = Duration.ofSeconds(120);

    private HostFaults() { }

    /**
     * A host of digits only is a port in the host's place, and an empty argument (JBang would drop it and
     * shift the rest): each refused in one line, exit code 2, before anything connects.
     */
    static void digitsOnlyHostAndEmptyArgumentAreRefused(String script, String alias, String size) {
        Scripts.Proc run = Scripts.startIpv6Only(script, "25099", "1234", size);
        assertEquals(2, run.waitFor(RUN), run.output());
        assertEquals(1, run.stderrLines().size(), run.output());
        assertTrue(run.stderr().startsWith(alias + ": host '25099' looks like a port: give the host first (" + alias + " localhost 25099);"
                + " usage: " + alias), run.stderr());
        assertEquals("", run.stdout());

        Scripts.Proc empty = Scripts.startIpv6Only(script, "", "localhost", "1234");
        assertEquals(2, empty.waitFor(RUN), empty.output());
        assertEquals(1, empty.stderrLines().size(), empty.output());
        assertTrue(empty.stderr().startsWith(alias + ": argument 1 is empty; usage: " + alias), empty.stderr());
    }

    /**
     * On an IPv6-only host, localhost is 127.0.0.1 with no IPv4 address to reach it: one line says so and
     * what to use; and ::1, the family that works there, reaches the (empty) IPv6 loopback, whose line
     * is {@code nothingListening}.
     */
    static void onAnIpv6OnlyHostTheRealCauseIsNamed(String script, String alias, String nothingListening, String... sizeAndOptions) {
        Scripts.Proc run = Scripts.startIpv6Only(script, args("localhost", sizeAndOptions));
        assertEquals(1, run.waitFor(RUN), run.output());
        assertEquals(List.of(alias + ": cannot connect to localhost:1234 (Network is unreachable): this machine has no IPv4"
                + " loopback address (127.0.0.1); use ::1 as the host, with a server listening there"), run.stderrLines());
        Scripts.Proc v6 = Scripts.startIpv6Only(script, args("::1", sizeAndOptions));
        assertEquals(1, v6.waitFor(RUN), v6.output());
        assertEquals(List.of(nothingListening), v6.stderrLines());
    }

    private static String[] args(String host, String... sizeAndOptions) {
        String[] args = new String[sizeAndOptions.length + 2];
        args[0] = host;
        args[1] = "1234";
        System.arraycopy(sizeAndOptions, 0, args, 2, sizeAndOptions.length);
        return args;
    }
}
