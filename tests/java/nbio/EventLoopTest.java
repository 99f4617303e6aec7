package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Step 6, event-loop: one thread drives two senders and a ticker; every byte arrives, the ticks come on time, and the
 * loop mostly sleeps. (What it does that no clock judges is EventLoopRunsTest's, beside other classes.)
 */
@Timeout(300)
@Isolated("the loop's CPU share of its wall time is judged")
class EventLoopTest {
    static final Duration RUN = Duration.ofSeconds(120);
    static final int SIZE = 32 * 1024 * 1024;
    static final String READ_RATE = "12"; // MiB/s per server: far below loopback speed, so both senders stall for ~3 s
    static final int TICK_MS = 20;
    static final Pattern TICK = Pattern.compile("^event-loop: +[\\d.]+ s +tick +(\\d+): (.*)$");

    @Test
    void twoSendersAndATickerShareOneThreadAgainstTwoSlowReaders() {
        try (Scripts.Server one = Scripts.server("--read-rate", READ_RATE);
             Scripts.Server two = Scripts.server("--read-rate", READ_RATE)) {
            Scripts.Proc loop = Scripts.start("EventLoop", "localhost", one.portArg() + "," + two.portArg(),
                    String.valueOf(SIZE), "--tick-ms", String.valueOf(TICK_MS));
            ThreadWatch watch = new ThreadWatch(loop);
            assertEquals(0, loop.waitFor(RUN), loop.output());
            Map<Long, ThreadWatch.Task> writers = watch.stop();

            // Every task finished with every byte, and each server got exactly those bytes.
            List<Map<String, String>> results = results(loop);
            assertEquals(2, results.size(), loop.output());
            for (Map<String, String> result : results) {
                assertEquals(String.valueOf(SIZE), result.get("bytes"), result.toString());
                assertEquals("held", result.get("assertion"));
                Scripts.Server server = result.get("port").equals(one.portArg()) ? one : two;
                Map<String, String> served = server.served(1, RUN);
                assertEquals(result.get("bytes"), served.get("bytes"), "bytes the server received");
                assertEquals(result.get("crc32"), served.get("crc32"), "crc32 of what the server received");
                assertEquals("eof", served.get("ended"));
            }
            assertTrue(!results.get(0).get("port").equals(results.get(1).get("port")), "one sender per server");

            // One thread did all the socket work, as the kernel counts it (bytes each thread passed to
            // write calls, from /proc), and the two transfers were in flight together.
            Map<String, String> summary = loop.last("LOOP");
            assertEquals("1", summary.get("socket_threads"), summary.toString());
            List<ThreadWatch.Task> big = writers.values().stream().filter(t -> t.bytes() > 1 << 20).toList();
            assertEquals(1, big.size(), "threads that wrote more than 1 MiB: " + writers.values());
            assertTrue(big.get(0).bytes() >= 2L * SIZE - 8 * 1024 * 1024, "that one thread wrote (nearly) both payloads: " + writers.values());
            double start1 = num(results.get(0), "start_ms"), end1 = num(results.get(0), "end_ms");
            double start2 = num(results.get(1), "start_ms"), end2 = num(results.get(1), "end_ms");
            assertTrue(start1 < end2 && start2 < end1, "the transfers overlapped: " + results);

            // The ticker kept ticking while both senders waited for room in full socket buffers.
            List<String> ticks = new ArrayList<>();
            int bothStalled = 0;
            for (String line : loop.stdoutLines()) {
                Matcher m = TICK.matcher(line);
                if (!m.matches()) continue;
                ticks.add(line);
                if (m.group(2).split("\\(buffer full, ", -1).length - 1 == 2) bothStalled++;
            }
            assertEquals(summary.get("ticks"), String.valueOf(ticks.size()), "tick lines");
            // ...and no task held the loop up: no tick came a second or more after its time. (On an idle
            // machine the latest is a few ms late; on a busy 2-core machine a few hundred. A task that
            // blocked, say a blocking write to one of these slow readers, would hold every tick for seconds.)
            double late = num(summary, "max_tick_late_ms");
            assertTrue(late < 1000, "the latest tick was " + late + " ms late: " + summary);
            assertTrue(bothStalled >= 3, "ticks while both senders were stalled: " + bothStalled + "\n" + String.join("\n", ticks));
            assertTrue(Long.parseLong(summary.get("ticks_while_stalled")) >= bothStalled, summary.toString());
            // The loop went back and forth between the tasks: every tick after a sender's turn was a switch
            // from that sender to the ticker. And every wait for room was a select().
            long ticksAfterATurn = ticks.stream().filter(t -> Pattern.compile(", [1-9][\\d,]* turns?\\)").matcher(t).find()).count();
            assertTrue(ticksAfterATurn >= 1, String.join("\n", ticks));
            assertTrue(Long.parseLong(summary.get("switches")) >= ticksAfterATurn, summary + " vs " + ticksAfterATurn + " ticks after a turn");
            for (Map<String, String> result : results) {
                long zeroWrites = Long.parseLong(result.get("zero_writes"));
                assertTrue(zeroWrites > 0, "the slow reader filled the buffers: " + result);
                assertTrue(Long.parseLong(result.get("selects")) >= zeroWrites, "a wake-up after each zero: " + result);
                assertTrue(Long.parseLong(summary.get("selects")) >= zeroWrites, summary + " vs " + result);
            }

            // The loop slept in select() while the readers were slow: its CPU time is a small part of its wall time.
            double cpu = num(summary, "cpu_ms"), wall = num(summary, "wall_ms");
            assertTrue(wall >= 200, "the slow readers made the transfer take a while: " + wall + " ms");
            // cpu_ms is the loop thread's own CPU time: a busy machine stretches the wall time, not that. Copying
            // 64 MiB into sockets costs tens of ms against seconds at the readers' pace (a few %): 0.2 is wide.
            assertTrue(cpu / wall < 0.2, "loop CPU " + cpu + " ms in " + wall + " ms wall: " + cpu / wall);
            double tasksCpu = num(results.get(0), "cpu_ms") + num(results.get(1), "cpu_ms");
            assertTrue(tasksCpu <= cpu + 1, "the tasks' CPU is part of the loop's: " + tasksCpu + " vs " + cpu);
        }
    }

    static List<Map<String, String>> results(Scripts.Proc proc) {
        List<Map<String, String>> results = new ArrayList<>();
        for (String line : proc.stdoutLines()) {
            if (line.startsWith("RESULT ")) {
                Map<String, String> f = Scripts.fields(line);
                assertEquals("event-loop", f.get("client"));
                for (String key : List.of("bytes", "requested", "writes", "zero_writes", "selects", "wall_ms", "cpu_ms", "crc32", "assertion")) {
                    assertTrue(f.containsKey(key), key + " in " + line);
                }
                results.add(f);
            }
        }
        return results;
    }

    static double num(Map<String, String> fields, String key) {
        return Double.parseDouble(fields.get(key));
    }
}
