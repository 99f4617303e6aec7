package nbio;

import static nbio.BenchTest.MiB;
import static nbio.BenchTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Parts 2 and 3 of the quick bench ({@code ./jbang bench --quick --parts 2,3}), beside other classes: what is judged here
 * is bytes, counts, CRC32s, threads and figures recomputed from the runs beside them, which no load changes (a busy
 * machine lowers the MiB/s, and no test bounds them but the one floor argued below). Part 1, whose target judges CPU,
 * runs alone in BenchTest, with the checks both share (BenchTest.Quick).
 */
@Timeout(600)
class BenchServersTest {
    static final List<String> SERVERS = List.of("step1-blocking", "thread-per-conn", "select-server", "virtual-threads",
            "netty-nio-1loop", "netty-nio", "netty-epoll");
    /**
     * The servers' JVMs (14 of them, Netty's the heaviest to start) without the optimising JIT and with the serial
     * collector, through the bench's own --jvm-opt (every server alike): nothing here judges their speed, and each Netty
     * server then uses about a quarter less CPU (1.2 -> 0.9 CPU-s, measured).
     */
    static final List<String> SERVER_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    static BenchTest.Quick quick;

    @BeforeAll
    static void runPartsTwoAndThree() throws IOException {
        quick = BenchTest.Quick.run("bench-quick-servers", "2,3", SERVER_JVM.stream().flatMap(o -> Stream.of("--jvm-opt", o))
                .toArray(String[]::new));
    }

    @Test
    void printsPartsTwoAndThreeAndEveryTargetAsMetMissedOrNotMeasured() {
        quick.assertPrintsItsPartsAndEveryTarget(List.of("Part 2. Servers under C concurrent connections", "Part 3. The loopback ceiling"),
                List.of("Part 1. Clients"));
        String options = String.join(" ", SERVER_JVM);
        assertTrue(quick.proc().stdout().contains("every server JVM runs with " + options), "the configuration line names the servers' options");
        assertTrue(quick.proc().stdout().contains("Every server JVM runs with " + options), "part 2's table says how its servers ran");
    }

    @Test
    void everyTargetsVerdictFollowsFromItsValueAndThreshold() {
        quick.assertEveryVerdictFollows();
        Map<String, String> clients = quick.rows("target").stream().filter(t -> t.get("subject").startsWith("select-client uses")).findFirst()
                .orElseThrow(() -> new AssertionError("the client target is printed even when part 1 did not run"));
        assertEquals("part 1 did not run", clients.get("note"), clients.toString());
    }

    @Test
    void everyRowsNoteIsAnExpectedOneAndNoByteWasLost() {
        quick.assertEveryNoteExpectedAndNoByteLost();
    }

    @Test
    void partTwoEveryServerThatRanServedEveryConnectionAndEveryByteIntact() {
        int ran = 0;
        for (String server : SERVERS) {
            for (String c : List.of("1", "5")) {
                String where = server + " at C=" + c;
                Optional<Map<String, String>> mibs = quick.find("figure", "servers", server, c, "mib_s");
                if (mibs.isEmpty()) {
                    // Only a missing piece may keep a server from running, and the table says so.
                    String note = quick.find("figure", "servers", server, c, "conns").or(() -> quick.find("figure", "servers", server, c, "none"))
                            .map(r -> r.get("note")).orElse("");
                    assertTrue(note.startsWith("missing") || note.startsWith("skipped"), where + " did not run: '" + note + "'");
                    assertEquals("virtual-threads", server, where + " must run");
                    assertTrue(Jdks.atLeast(21).isEmpty(), where + " must run: this machine has a JDK 21+ (" + note + ")");
                    continue;
                }
                ran++;
                int conns = Integer.parseInt(c);
                assertEquals("", mibs.get().get("note"), where + " failed");
                assertEquals(2, Integer.parseInt(mibs.get().get("runs")), where + ": two measured runs");
                assertEquals(conns, quick.figure("servers", server, c, "completed"), where);
                assertEquals(0, quick.figure("servers", server, c, "errors"), where);
                assertEquals(0, quick.figure("servers", server, c, "timed_out"), where);
                assertEquals(conns, quick.figure("servers", server, c, "intact"), where + ": every connection's CRC32 matched");
                assertEquals(conns, quick.figure("servers", server, c, "open_at_once"), where + ": all C were open at once");
                List<Double> planned = quick.runs("servers", server, c, "bytes_planned"), sent = quick.runs("servers", server, c, "bytes_sent"),
                        served = quick.runs("servers", server, c, "bytes_served"), wall = quick.runs("servers", server, c, "wall_ms"),
                        rate = quick.runs("servers", server, c, "mib_s"), cpu = quick.runs("servers", server, c, "server_cpu_s"),
                        perGib = quick.runs("servers", server, c, "cpu_s_per_gib");
                for (int i = 0; i < planned.size(); i++) {
                    assertEquals(32 * MiB, planned.get(i), where);
                    assertEquals(planned.get(i), sent.get(i), where + ": the load generator sent it all");
                    assertEquals(planned.get(i), served.get(i), where + ": the server reported reading it all");
                    assertClose(sent.get(i) / MiB / (wall.get(i) / 1000), rate.get(i), where + " MiB/s of run " + (i + 1));
                    assertTrue(cpu.get(i) >= 0 && cpu.get(i) < 60, where + " CPU " + cpu.get(i));
                    assertClose(cpu.get(i) / (served.get(i) / (1024.0 * MiB)), perGib.get(i), where + " CPU per GiB of run " + (i + 1));
                }
                double rss = quick.figure("servers", server, c, "rss_mib"), threads = quick.figure("servers", server, c, "threads");
                assertTrue(rss > 10 && rss < 4096, where + " RSS " + rss);
                assertTrue(threads >= 1 && threads < 1000, where + " threads " + threads);
                quick.assertMediansMatchRuns("servers", server, c);
            }
        }
        assertTrue(ran >= 10, "at least five servers ran at both C");
        // Thread-per-connection holds a thread for every open connection; step 1 holds one in all.
        assertTrue(quick.figure("servers", "thread-per-conn", "5", "threads") >= quick.figure("servers", "step1-blocking", "5", "threads") + 2);
    }

    @Test
    void partThreeTheCeilingGotEveryByte() {
        for (String what : List.of("loopback", "load generator")) {
            List<Double> sent = quick.runs("ceiling", what, "1 connection", "bytes_sent"), read = quick.runs("ceiling", what, "1 connection", "bytes_read");
            assertEquals(2, sent.size(), what);
            for (int i = 0; i < sent.size(); i++) {
                assertEquals(32 * MiB, sent.get(i), what);
                assertEquals(sent.get(i), read.get(i), what);
            }
            // A floor that says the figure is a transfer's, not a bound on speed: 32 MiB through loopback costs each side
            // tens of ms of CPU, so under 10 MiB/s (over 3 s a run) means a side got about 1% of a core for seconds; with
            // the load average near 30 here the slowest measured run was 60 MiB/s.
            assertTrue(quick.figure("ceiling", what, "1 connection", "mib_s") > 10, what);
        }
    }

    @Test
    void everyRatioIsTheQuotientOfTheMediansItNames() {
        quick.assertEveryRatioIsTheQuotientOfItsMedians(2 + 2 * 4 * 3);
        for (String peer : List.of("netty-nio-1loop", "netty-nio", "netty-epoll")) {
            assertTrue(quick.rows("ratio").stream().anyMatch(r -> r.get("subject").equals("mib_s vs " + peer) && r.get("condition").equals("select-server C=5")),
                    "select-server against " + peer);
        }
    }

    @Test
    void writesJsonAndAChart() throws IOException {
        quick.assertWritesJson();
        BufferedImage chart = ImageIO.read(quick.out().resolve("chart.png").toFile());
        assertNotNull(chart, "chart.png is a PNG");
        assertTrue(chart.getWidth() >= 800 && chart.getHeight() >= 400);
    }
}
