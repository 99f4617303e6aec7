package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client steps' promises under bad input and odd machines (issue 12's broken promises, reproduced). */
@Timeout(300)
class ClientFaultsTest {
    static final List<String> CLIENTS = List.of("BlockingClient", "NonBlockingClient", "RetryClient", "SelectClient");
    static final Duration RUN = Duration.ofSeconds(90);

    /** The one stderr line of a run that must fail (exit code checked, no stack trace): FaultsTest's check. */
    static String oneLine(Scripts.Proc run, int exit) {
        return FaultsTest.oneLineError(exit, run);
    }

    @Test
    void blockingTimeoutIsAStallDeadlineNotATotalOne() {
        // 1 MiB/s: about 10 s for 10 MB, far past a 2 s deadline, but the reader never stops taking bytes.
        try (Scripts.Server server = Scripts.serverUntimed("--read-rate", "1")) {
            // Its stall watchdog reads /proc/net/tcp6 every 100 ms while the write waits.
            Scripts.Proc client = Scripts.start("BlockingClient", "localhost", server.portArg(), "10000000", "--timeout", "2");
            assertEquals(0, client.waitFor(RUN), client.output());
            Map<String, String> result = client.last("RESULT");
            assertEquals("held", result.get("assertion"));
            assertTrue(Double.parseDouble(result.get("wall_ms")) > 2000, "the write outlived the deadline: " + result);
            assertEquals(result.get("crc32"), server.served(1, RUN).get("crc32"));
        }
    }

    /**
     * The blocking client's stall watchdog reads its send queue no more often than the deadline needs: every
     * max(100 ms, --timeout / 20) while the write waits (nbio.ClientDeadlines.sampleNanos), so every 200 ms with
     * --timeout 4. Seen from the kernel: strace's time of every open of /proc/net/tcp6 (or tcp). A sleep never ends
     * early, so however busy the machine, two readings are at least 200 ms apart (less 10 ms for strace's clock, which
     * stamps a call's entry) and a 4 s stall takes at most 4 s / 200 ms + 2 of them; the interval of 100 ms that shorter
     * deadlines get would show as gaps of ~100 ms and about 40 readings.
     */
    @Test
    void theWatchdogReadsTheSendQueueATwentiethOfTheDeadlineApart(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (ServerSocketChannel peer = ServerSocketChannel.open()) {   // accepts, never reads
            peer.bind(new InetSocketAddress("localhost", 0));
            Path trace = dir.resolve("openat.strace");
            Scripts.Proc client = Scripts.command(Strace.command(trace, "openat", Scripts.javaCommand(Scripts.javaHome(
                    Scripts.requiredJava("BlockingClient")), Scripts.UNTIMED, "BlockingClient", "localhost", portOf(peer),
                    FaultsTest.PAST_THE_QUEUES, "--timeout", "4")).toArray(String[]::new));
            try (java.nio.channels.SocketChannel accepted = peer.accept()) {
                assertTrue(oneLine(client, 1).contains("the server took no bytes for 4 s (see --timeout)"), client.output());
            }
            List<java.time.LocalTime> readings = Strace.read(trace).calls().stream()
                    .filter(call -> call.name().equals("openat") && call.args().matches(".*\"/proc/net/tcp6?\".*"))
                    .map(Strace.Call::time).toList();
            List<Long> gapsMs = java.util.stream.IntStream.range(1, readings.size())
                    .mapToObj(i -> Math.floorMod(Duration.between(readings.get(i - 1), readings.get(i)).toMillis(), 86_400_000L))
                    .toList();   // strace gives the time of day: a gap across midnight wraps
            assertTrue(readings.size() >= 2 && readings.size() <= 4000 / 200 + 2, readings.size() + " readings of the send queue"
                    + " in a 4 s stall, ms apart: " + gapsMs);
            assertTrue(gapsMs.stream().allMatch(gap -> gap >= 190), "readings of the send queue, ms apart: " + gapsMs);
        }
    }

    /**
     * A listening socket that never accepts: the handshake completes in its queue and its kernel takes
     * the bytes, but no program ever reads them. A client must not call that a success. (The four
     * clients run at once: each waits for its own deadline.)
     */
    @Test
    void bytesTheKernelTookButNoServerReadAreNotCalledDelivered() throws IOException {
        try (ServerSocketChannel neverAccepts = neverAccepts()) {
            String port = portOf(neverAccepts);
            // Each waits 2 s for the close, reading /proc/net/tcp6 every 100 ms.
            for (Scripts.Proc run : eachClient(client -> Scripts.start(client, "localhost", port, "100000", "--timeout", "2"))) {
                String line = oneLine(run, 1);
                assertTrue(line.endsWith(": the server neither took bytes nor closed the connection for 2 s (see --timeout)"
                        + " after the kernel had accepted all 100,000 bytes: delivery not confirmed"), line);
                assertFalse(run.stdout().contains("RESULT"), "no RESULT for bytes nobody read: " + run.stdout());
            }
        }
    }

    @Test
    void sizesOneWriteCannotMoveAreRefusedUpFront() throws IOException {
        String port = String.valueOf(freePort());
        for (Scripts.Proc run : eachClient(client -> Scripts.startBeforeAnyByte(client, "localhost", port, "2147479553"))) {
            String line = oneLine(run, 2);
            assertTrue(line.contains("bad size '2147479553' (expected 1 to 2,147,479,552: the most one write call moves)"), line);
        }
        // The largest size that one write can move passes the check (and then finds nobody listening).
        for (Scripts.Proc run : eachClient(client -> Scripts.startUntimed(client, "localhost", port, "2147479552"))) {
            String line = oneLine(run, 1);
            assertTrue(line.contains("nothing is listening on localhost:" + port), line);
        }
    }

    /** The client connects (a listening socket takes the connection; nothing needs to read), then finds no memory for its data. */
    @Test
    void aSizeThatDoesNotFitInMemoryIsOneLine() throws IOException {
        Path java17 = Scripts.javaHome(17);
        try (ServerSocketChannel listening = neverAccepts()) {
            String port = portOf(listening);
            for (Scripts.Proc run : eachClient(client -> Scripts.command(java17.resolve("bin/java").toString(), "-XX:MaxDirectMemorySize=16m",
                    "-cp", Scripts.classesOf(client, java17).toString(), client, "localhost", port, "100000000"))) {
                String line = oneLine(run, 1);
                assertTrue(line.contains("100,000,000 bytes do not fit in this JVM's direct memory")
                        && line.contains("-XX:MaxDirectMemorySize"), line);
            }
        }
    }

    /** Under an address-space limit (ulimit -v) the system refuses the memory: the JVM's direct-memory limit is not the cause. */
    @Test
    void aMemoryLimitOfTheProcessIsNamedAsSuch() throws IOException {
        Path java17 = Scripts.javaHome(17);
        try (ServerSocketChannel listening = neverAccepts()) {
            String port = portOf(listening);
            for (Scripts.Proc run : eachClient(client -> Scripts.command("sh", "-c", "ulimit -v 3500000 && exec " + java17.resolve("bin/java")
                    + " -Xmx64m -XX:MaxDirectMemorySize=3g -cp " + Scripts.classesOf(client, java17) + " " + client
                    + " localhost " + port + " 1500000000"))) {
                String line = oneLine(run, 1);
                assertTrue(line.contains("the system refused 1,500,000,000 bytes of memory (Unable to allocate 1500000000 bytes):"
                        + " send less, or raise this process's memory limit (ulimit -v)"), line);
                assertFalse(line.contains("MaxDirectMemorySize"), line);
            }
        }
    }

    @Test
    void onAnIpv6OnlyHostTheRealCauseIsSaid() {
        for (Scripts.Proc run : eachClient(client -> Scripts.startIpv6Only(client, "localhost", "1234"))) {
            String line = oneLine(run, 1);
            assertTrue(line.contains("cannot connect to localhost:1234") && line.contains("no IPv4 loopback address (127.0.0.1)")
                    && line.contains("use ::1 as the host"), line);
            assertFalse(line.contains("connection broke"), "it never connected: " + line);
        }
    }

    @Test
    void aHostThatIsOnlyDigitsIsRefusedAsAPortBeforeAnyConnect() {
        // In a network namespace of its own (only ::1, no route anywhere): were the check missing, the
        // client would try 0.0.98.11, and that attempt could not leave this machine.
        for (Scripts.Proc run : eachClient(client -> Scripts.startIpv6Only(client, "25099"))) {
            String line = oneLine(run, 2);
            assertTrue(line.contains("host '25099' looks like a port: give the host first"), line);
        }
    }

    @Test
    void anEmptyArgumentIsRefusedNotSkipped() throws IOException {
        String port = String.valueOf(freePort());
        for (Scripts.Proc run : eachClient(client -> Scripts.startBeforeAnyByte(client, "", "localhost", port))) {
            String line = oneLine(run, 2);
            assertTrue(line.contains("argument 1 is empty"), line);
        }
    }

    @Test
    void countsReadAsEnglish() {
        try (Scripts.Server server = Scripts.serverUntimed()) {
            Scripts.Proc client = Scripts.startUntimed("BlockingClient", "localhost", server.portArg(), "70");
            assertEquals(0, client.waitFor(RUN), client.output());
            assertTrue(client.stdout().contains("70 of 70 bytes (crc32=") && client.stdout().contains(": 1 write call, 0 returned 0, 0 selector wake-ups,"),
                    client.stdout());
        }
    }

    /** The four clients, started at once (their runs do not meet), in the order of CLIENTS. */
    static List<Scripts.Proc> eachClient(Function<String, Scripts.Proc> start) {
        return CLIENTS.stream().map(start).toList();
    }

    /** A listening socket on loopback that never accepts: its kernel completes the handshakes and takes bytes. */
    static ServerSocketChannel neverAccepts() throws IOException {
        ServerSocketChannel listening = ServerSocketChannel.open();
        listening.bind(new InetSocketAddress("localhost", 0), 5);
        return listening;
    }

    static String portOf(ServerSocketChannel listening) throws IOException {
        return String.valueOf(((InetSocketAddress) listening.getLocalAddress()).getPort());
    }

    static int freePort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) { // free a moment ago; nothing listens there now
            probe.bind(new InetSocketAddress("localhost", 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }
}
