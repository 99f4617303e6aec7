package nbio;

import static nbio.RecordedRun.shown;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nbio.RecordedRun.Figure;
import nbio.RecordedRun.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * What benchmark/README.md says in words is the run recorded beside it. Each sentence that holds a
 * figure is written below with {} where its figures stand, and those figures are worked out from
 * benchmark/results.csv and results.json, rounded as the prose rounds them; what the run printed
 * (the README's code block) is read only for what only it holds: how long the bench took and how
 * it described each server. And each section's prose holds no number that no sentence here checks,
 * but for the few phrases listed as not this run's figures.
 */
@Timeout(60)
class BenchProseTest {
    static final Path README = Scripts.ROOT.resolve("benchmark/README.md");
    static final double MiB = 1 << 20;

    final RecordedRun run = RecordedRun.read(RecordedRun.NOW);
    final String readme = Files.readString(README);
    /** What the run printed at the end, as the README's code block quotes it. */
    final String printed;
    final String configuration = run.json("configuration");
    final int cores = Integer.parseInt(find(run.json("machine"), "(\\d+) cores", "results.json's machine"));

    BenchProseTest() throws IOException {
        Matcher block = Pattern.compile("(?s)\n```\n(.*?)\n```\n").matcher(readme);
        assertTrue(block.find(), "benchmark/README.md quotes what the run printed in a code block");
        printed = block.group(1);
    }

    // ---- The sections -------------------------------------------------------------------------

    @Test
    void whatItMeasuresIsWhatThisRunRan() {
        String s = "## What it measures";
        List<String> c = conns();
        String slowRate = find(configuration, "slow reader (\\S+) MiB/s", "the configuration");
        List<String> sizes = new ArrayList<>(), buffers = new ArrayList<>();
        for (String subject : run.subjects("ceiling")) {
            Matcher pair = Pattern.compile("pair: (.+?) reads/writes, (.+?) socket buffers").matcher(subject);
            if (!pair.matches()) continue;
            if (!sizes.contains(pair.group(1))) sizes.add(pair.group(1));
            if (!buffers.contains(pair.group(2))) buffers.add(pair.group(2));
        }
        List<String> oneLoopCs = run.targets().stream().map(Target::name)
                .filter(n -> n.matches("select-server MiB/s >= .*x netty-nio-1loop's at C=\\d+"))
                .map(n -> shown(Double.parseDouble(n.replaceAll(".*C=", "")), 0)).toList();
        String warmUps = find(configuration, "after (\\d+) warm-up", "the configuration");
        String runs = find(configuration, "(\\d+) measured runs", "the configuration");

        assertSays(s, List.of(
                says("Part {}: clients against the same reader.", find(printed, "Part (\\d+)\\. Clients against the same reader", "the run")),
                says("send the article's {} MiB to the step-1 server, once reading as fast as it can and once at a fixed {} MiB/s "
                        + "(a slow peer, about a {} Mbit/s link).",
                        same(mib(run.median("clients/retry-client/slow/bytes")), find(configuration, "part 1 sends (\\d+) MiB per client", "the configuration")),
                        slowRate, shown(Math.round(Double.parseDouble(slowRate) * MiB * 8 / 1e6 / 10) * 10, 0)),
                says("Part {}: servers under many clients.", find(printed, "Part (\\d+)\\. Servers under C concurrent connections", "the run")),
                says("opens C connections, C = {}, holds them all open, then has each send an equal share of {}, and waits",
                        and(c), find(configuration, "part 2 sends (.+?) per run", "the configuration")),
                says("and so that {} connections fit under the open-file limit of one process", c.get(c.size() - 1)),
                says("Part {}: the ceiling.", find(printed, "Part (\\d+)\\. The loopback ceiling", "the run")),
                says("with a sweep of buffer sizes ({} reads and writes, {} socket buffers); the best pair is the ceiling, "
                        + "and it is measured again in the same rounds as the servers at C = {}, so each",
                        and(sizes), String.join(" or ", buffers), find(printed, "in part 2's rounds at C=(\\d+)", "the run")),
                says("Every server gets {} warm-up run (discarded) and then {} measured runs;",
                        warmUps.equals("1") ? "a" : warmUps, same(runs, shown(run.figure("servers/select-server/1000/mib_s").runs(), 0))),
                says("each figure is the median, with the range in brackets, except peak RSS and the thread count: "
                        + "{} reading per server JVM at each C, after all its runs.", oneReading(run.keys("servers/.+/(rss_mib|threads)"))),
                says("Every run has a deadline ({} s);", find(configuration, "a (\\d+) s deadline", "the configuration")),
                says("because on a {}-core machine anything else running shows in every figure.", cores),
                says("at C = {}, select-server's MiB/s at least {}Netty-on-one-loop's and its server CPU per GiB at most {}Netty-on-one-loop's;",
                        and(oneLoopCs),
                        of(oneLoopCs.stream().map(x -> run.target("select-server MiB/s >= *x netty-nio-1loop's at C=" + plainC(x))).toList()),
                        of(oneLoopCs.stream().map(x -> run.target("select-server server CPU s per GiB <= *x netty-nio-1loop's at C=" + plainC(x))).toList())),
                says("its MiB/s at least {}Netty epoll's at C = 1,000 and at least {}Netty epoll's at C = 10,000 "
                        + "(stretch: at least {}Netty epoll's at C = 1,000 too);",
                        of(List.of(run.target("select-server MiB/s >= *x netty-epoll's at C=1000"))),
                        of(List.of(run.target("select-server MiB/s >= *x netty-epoll's at C=10000"))),
                        of(List.of(run.target("stretch: select-server MiB/s >= *x netty-epoll's at C=1000")))),
                says("its peak RSS at C = 10,000 at most {}Netty epoll's (stretch: at most {}Netty epoll's);",
                        of(List.of(run.target("select-server peak RSS <= *x netty-epoll's at C=10000"))),
                        of(List.of(run.target("stretch: select-server peak RSS <= *x netty-epoll's at C=10000")))),
                says("select-server at C = 1 at least {}% of the side-by-side ceiling;",
                        percent(run.target("select-server at C=1 >= *% of the loopback ceiling").threshold())),
                says("select-client using at least {} times less CPU than retry-client on the slow reader.",
                        shown(run.target("select-client uses >= *x less CPU than retry-client on the slow reader").threshold(), 0))),
                "steps 2, 4 and 5", // the lessons' step numbers
                "exit with code 1", // the bench's exit code, not a measurement
                "run 1 of every server, then run 2 of every server", // an example of the order of the runs
                "--quick (C = 1 and 5, 32 MiB per run, part 1 at 16 MiB to a 4 MiB/s reader)"); // another configuration than this run's

        // The table of designs: a row per server, each as the run described it.
        Map<String, String> designs = designs();
        List<List<String>> rows = RecordedRun.rows(RecordedRun.section(readme, s));
        assertEquals(List.copyOf(designs.keySet()), rows.stream().map(r -> r.get(0)).toList(), "benchmark/README.md, " + s + ": a row per server of the run");
        for (List<String> row : rows) {
            assertEquals(designs.get(row.get(0)), String.join(" | ", row.subList(1, row.size())).replace("`", ""),
                    "benchmark/README.md, " + s + ": the design of " + row.get(0) + " as the run printed it");
        }
    }

    @Test
    void theRunRecordedHereIsTheOneInThisFolder() throws IOException {
        String s = "## The run recorded here";
        assertTrue(Files.readString(RecordedRun.NOW.resolve("full-run.txt")).contains(printed),
                "benchmark/README.md's code block is what the run printed, word for word, as benchmark/full-run.txt has it");
        assertTrue(printed.startsWith("RESULTS (" + configuration + ")"), "the run printed the configuration results.json records: " + configuration);

        double before = run.median("machine/load average/before/loadavg_1min"), after = run.median("machine/load average/after/loadavg_1min");
        List<String> medians = run.keys("servers/[^/]+/(1000|10000)/(mib_s|cpu_s_per_gib)"), peaks = run.keys("servers/[^/]+/10000/rss_mib");
        assertSays(s, List.of(
                says("Command, from the project's root: ./jbang bench --out {}, the {} configuration ({} per part-2 run, warm-up {}). It took {} s.",
                        find(printed, "wrote (\\S+)/results\\.csv", "the run"), find(configuration, "^(\\S+) configuration", "the configuration"),
                        find(configuration, "part 2 sends (.+?) per run", "the configuration"), find(configuration, "\\(warm-up (.+?)\\)", "the configuration"),
                        find(printed, "took (\\d+) s", "the run")),
                says("Machine: {}. Load average (1 min) on {} cores: {} before the bench, that is {} one task running or waiting on average, "
                        + "and {} after it (its own load included).",
                        run.json("machine").replaceFirst("^machine: ", ""), cores, shown(before, 2), before < 1 ? "less than" : "no less than", shown(after, 2)),
                says("Summary (MiB/s and CPU per GiB: medians of {} runs; peak RSS: {} reading per server JVM, its high-water mark "
                        + "after the warm-up and the {} runs):",
                        same(medians.stream().map(k -> shown(run.figure(k).runs(), 0)).distinct().toArray(String[]::new)),
                        oneReading(peaks), find(configuration, "(\\d+) measured runs", "the configuration"))));

        // The summary table: a row per server, its figures the run's; a server that failed says how.
        List<List<String>> rows = RecordedRun.rows(RecordedRun.section(readme, s));
        assertEquals(run.subjects("servers"), rows.stream().map(r -> r.get(0).split(" ")[0]).toList(), "benchmark/README.md, the summary: a row per server");
        for (List<String> row : rows) run.assertSummaryRow(row, "benchmark/README.md, the summary");
        Map<String, String> step1 = stepOneFailure();
        Claim failed = says("step1-blocking (listen backlog {}: {} of {} connections {} at C = {}, not tried further)",
                find(designs().get("step1-blocking"), "listen backlog (\\d+)", "step1-blocking's design"),
                step1.get("errors"), step1.get("conns"), step1.get("what"), step1.get("C"));
        assertEquals(failed.expected(), rows.stream().map(r -> r.get(0)).filter(label -> label.startsWith("step1-blocking")).findFirst().orElse(null),
                "benchmark/README.md, the summary's row of step1-blocking: " + failed.sentence());
    }

    @Test
    void whatTheseNumbersSayIsWhatTheyAre() {
        assertSays("## What these numbers say, and what they do not", Stream.of(spinningAgainstWaiting(), selectServerAgainstNetty(), memory(),
                threadPerConnectionAndStepOne(), ceilingAndLoadGenerator(), beforeTheRewrite()).flatMap(List::stream).toList());
    }

    // ---- What these numbers say, bullet by bullet ---------------------------------------------

    List<Claim> spinningAgainstWaiting() {
        String retry = "clients/retry-client/slow/", select = "clients/select-client/slow/";
        // The retry client's median run: the run whose CPU time is the median (its write calls must be the median too).
        int m = run.runs(retry + "cpu_ms").indexOf(run.median(retry + "cpu_ms"));
        assertTrue(m >= 0, "a run of retry-client's on the slow reader took the median CPU time");
        double writes = run.runs(retry + "writes").get(m), zeros = run.runs(retry + "zero_writes").get(m);
        double cpu = run.runs(retry + "cpu_ms").get(m), wall = run.runs(retry + "wall_ms").get(m);
        double slowRatio = run.median(retry + "cpu_ms") / run.median(select + "cpu_ms");
        double fastRatio = run.median("clients/retry-client/fast/cpu_ms") / run.median("clients/select-client/fast/cpu_ms");
        Target fiftyTimes = run.target("select-client uses >= *x less CPU than retry-client on the slow reader");
        return List.of(
                says("Spinning against waiting (part 1). Against the reader held to {} MiB/s, both loops sent the same {} MiB in the same {} s.",
                        find(configuration, "slow reader (\\S+) MiB/s", "the configuration"),
                        same(mib(run.median(retry + "bytes_read")), mib(run.median(select + "bytes_read")), mib(run.median(retry + "bytes"))),
                        same(shown(run.median(retry + "wall_ms") / 1000, 0), shown(run.median(select + "wall_ms") / 1000, 0))),
                says("The retry client made {} write calls in its median run, all but {} of which returned 0, and burned {} s of CPU, "
                        + "{} of its {} s on the clock: a core, spinning.",
                        same(shown(writes, 0), shown(run.median(retry + "writes"), 0)), shown(writes - zeros, 0), shown(cpu / 1000, 1),
                        cpu >= 0.95 * wall ? "nearly all" : "only " + percent(cpu / wall) + "%", shown(wall / 1000, 1)),
                says("The select client made {} write calls, slept in select() {} times and used {} ms: {} times less (target: {} times; {}).",
                        shown(run.median(select + "writes"), 0), shown(run.median(select + "selects"), 0), shown(run.median(select + "cpu_ms"), 0),
                        shown(slowRatio, 0), shown(fiftyTimes.threshold(), 0), status(fiftyTimes, slowRatio)),
                says("Against the fast reader the gap is {} ({} times), because there is less to wait for.",
                        fastRatio < slowRatio ? "smaller" : "not smaller", shown(fastRatio, 0)));
    }

    List<Claim> selectServerAgainstNetty() {
        Target epoll1000 = run.target("select-server MiB/s >= *x netty-epoll's at C=1000");
        Target stretch1000 = run.target("stretch: select-server MiB/s >= *x netty-epoll's at C=1000");
        Target epoll10000 = run.target("select-server MiB/s >= *x netty-epoll's at C=10000");
        String perCore = find(designs().get("netty-epoll"), "default pool \\((\\d+) event-loop threads per core\\)", "netty-epoll's design");
        // The C at which select-server's range of runs overlaps that of every Netty.
        List<String> overlapping = conns().stream().filter(c -> Stream.of("netty-nio-1loop", "netty-nio", "netty-epoll")
                .allMatch(netty -> overlap("servers/select-server/" + plainC(c) + "/mib_s", "servers/" + netty + "/" + plainC(c) + "/mib_s"))).toList();
        return List.of(
                says("at C = 1,000 it moved {} times the bytes per second with {} times the server CPU per GiB; "
                        + "at C = 10,000, {} times the bytes with {} times the CPU per GiB.",
                        ratio("mib_s", "netty-nio-1loop", 1000), ratio("cpu_s_per_gib", "netty-nio-1loop", 1000),
                        ratio("mib_s", "netty-nio-1loop", 10000), ratio("cpu_s_per_gib", "netty-nio-1loop", 10000)),
                says("Against Netty's native epoll transport with its default pool ({} event-loop threads) it moved {} times the bytes at C = 1,000 "
                        + "(target {}: {}; stretch {}: {}) and {} times at C = 10,000 (target {}: {}).",
                        Integer.parseInt(perCore) * cores, ratio("mib_s", "netty-epoll", 1000),
                        shown(epoll1000.threshold(), 2), status(epoll1000, ratioOf("mib_s", "netty-epoll", 1000)),
                        shown(stretch1000.threshold(), 2), status(stretch1000, ratioOf("mib_s", "netty-epoll", 1000)),
                        ratio("mib_s", "netty-epoll", 10000), shown(epoll10000.threshold(), 2), status(epoll10000, ratioOf("mib_s", "netty-epoll", 10000))),
                says("At C = {} the range of select-server's {} runs overlaps that of each Netty: there, this run does not tell them apart.",
                        and(overlapping), same(overlapping.stream().map(c -> shown(run.figure("servers/select-server/" + plainC(c) + "/mib_s").runs(), 0))
                                .toArray(String[]::new))));
    }

    List<Claim> memory() {
        Target rss = run.target("select-server peak RSS <= *x netty-epoll's at C=10000");
        Target half = run.target("stretch: select-server peak RSS <= *x netty-epoll's at C=10000");
        double ofEpoll = ratioOf("rss_mib", "netty-epoll", 10000);
        return List.of(
                says("Memory at C = 10,000: select-server peaked at {} MiB: {} of Netty epoll's {} MiB (target: at most {}; stretch: at most {}; {} met), "
                        + "against {} MiB for Netty on one loop and {} MiB for its default NIO pool, all with the same JVM options ({}).",
                        rss("select-server"), ratio("rss_mib", "netty-epoll", 10000), rss("netty-epoll"), relative(rss), relative(half),
                        status(rss, ofEpoll).equals("met") && status(half, ofEpoll).equals("met") ? "both" : status(rss, ofEpoll) + " and " + status(half, ofEpoll),
                        rss("netty-nio-1loop"), rss("netty-nio"), find(configuration, "every server JVM runs with (.+)$", "the configuration")),
                says("Virtual threads held {} MiB, and thread per connection {} MiB with {} threads.",
                        rss("virtual-threads"), rss("thread-per-conn"), shown(run.median("servers/thread-per-conn/10000/threads"), 0)));
    }

    List<Claim> threadPerConnectionAndStepOne() {
        String tpc = "servers/thread-per-conn/10000/";
        boolean all = run.figure(tpc + "completed").min() == run.median(tpc + "conns") && run.figure(tpc + "errors").max() == 0
                && run.figure(tpc + "timed_out").max() == 0;
        Map<String, String> step1 = stepOneFailure();
        return List.of(
                says("Thread per connection at C = 10,000 {} every connection, at {} MiB/s and {} s of CPU per GiB.",
                        all ? "completed" : "did not complete", shown(run.median(tpc + "mib_s"), 0), shown(run.median(tpc + "cpu_s_per_gib"), 1)),
                says("The step-1 server ({}) {} {} of {} connections at C = {}, so it was {} at larger C.",
                        find(designs().get("step1-blocking"), "(listen backlog \\d+, \\d+ KiB reads)", "step1-blocking's design"),
                        step1.get("what"), step1.get("errors"), step1.get("conns"), step1.get("C"), step1.get("after")));
    }

    List<Claim> ceilingAndLoadGenerator() {
        String select = "servers/select-server/1/mib_s", generator = "ceiling/load generator/1 connection/mib_s";
        Target eighty = run.target("select-server at C=1 >= *% of the loopback ceiling");
        List<String> atOne = run.subjects("servers").stream().filter(server -> run.has("servers/" + server + "/1/mib_s")).toList();
        List<Double> faster = atOne.stream().map(server -> run.median("servers/" + server + "/1/mib_s"))
                .filter(mibs -> mibs > run.median(generator)).toList();
        return List.of(
                says("At C = 1 the select-server reached {}% of the side-by-side ceiling (target {}%; {}), inside a range of runs from {} to {} MiB/s.",
                        percent(ofCeiling(select)), percent(eighty.threshold()), status(eighty, ofCeiling(select)),
                        shown(run.figure(select).min(), 0), shown(run.figure(select).max(), 0)),
                says("The load generator, over one connection to the ceiling's reader, reached {}% of the side-by-side ceiling (runs from {} to {} MiB/s), "
                        + "yet {} of the {} servers went faster with it at C = 1 (up to {}% of the ceiling): {}% is not the generator's limit, "
                        + "and whether it sets the pace at C = 1 is more than this run can say.",
                        percent(ofCeiling(generator)), shown(run.figure(generator).min(), 0), shown(run.figure(generator).max(), 0),
                        faster.size(), atOne.size(), percent(faster.stream().mapToDouble(mibs -> mibs / ceiling()).max().orElse(Double.NaN)),
                        faster.isEmpty() ? "no server passed it, so its" : percent(ofCeiling(generator))));
    }

    List<Claim> beforeTheRewrite() {
        try {
            RecordedRun before = RecordedRun.read(RecordedRun.BEFORE);
            List<String> nettys = before.subjects("servers").stream().filter(server -> server.startsWith("netty")).toList();
            return List.of(says("[before/](before/full-run.txt) holds the {} run made before select-server was rewritten "
                            + "(then Netty ran only with its default NIO pool, named {}).",
                    find(Files.readString(RecordedRun.BEFORE.resolve("full-run.txt")), "RESULTS \\((\\S+) configuration", "the run before"),
                    nettys.size() == 1 ? nettys.get(0) : "more than one Netty: " + nettys));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- Figures worked out from the run ------------------------------------------------------

    /** Part 2's connection counts, as the prose shows them ("1,000"). */
    List<String> conns() {
        return Arrays.stream(find(configuration, "with C = ([\\d, ]+);", "the configuration").split(", "))
                .map(c -> shown(Double.parseDouble(c), 0)).toList();
    }

    /** select-server's median against a Netty's at the same C. */
    double ratioOf(String metric, String netty, int c) {
        return run.median("servers/select-server/" + c + "/" + metric) / run.median("servers/" + netty + "/" + c + "/" + metric);
    }

    /** The same, as the prose shows it. */
    String ratio(String metric, String netty, int c) {
        return shown(ratioOf(metric, netty, c), 2);
    }

    String rss(String server) {
        return shown(run.median("servers/" + server + "/10000/rss_mib"), 0);
    }

    double ceiling() {
        return run.median("ceiling/loopback/1 connection/mib_s");
    }

    double ofCeiling(String key) {
        return run.median(key) / ceiling();
    }

    boolean overlap(String a, String b) {
        Figure x = run.figure(a), y = run.figure(b);
        return x.min() <= y.max() && y.min() <= x.max();
    }

    /** "one" if each of these figures is a single reading rather than a median of runs. */
    String oneReading(List<String> keys) {
        List<String> more = keys.stream().filter(k -> run.figure(k).runs() != 1).toList();
        return keys.isEmpty() ? "no" : more.isEmpty() ? "one" : "more than one (" + more + ")";
    }

    /** How step1-blocking failed: at which C, how many of how many connections, how, and what became of larger C. */
    Map<String, String> stepOneFailure() {
        Map<String, String> failure = new LinkedHashMap<>();
        for (String c : conns()) {
            String row = "servers/step1-blocking/" + plainC(c), note = run.note(row);
            if (failure.isEmpty() && note.startsWith("failed")) {
                failure.put("C", c);
                failure.put("errors", shown(run.median(row + "/errors"), 0));
                failure.put("conns", shown(run.median(row + "/conns"), 0));
                failure.put("what", note.contains("Connection reset") ? "reset" : "lost (" + note + ")");
                failure.put("after", "not tried");
            } else if (!failure.isEmpty() && !note.startsWith("not run")) {
                failure.put("after", "tried (C = " + c + ": " + note + ")");
            }
        }
        assertTrue(!failure.isEmpty(), "step1-blocking failed at some C in " + run.dir);
        return failure;
    }

    /** How the run described each part-2 server: "select-server" -> "the pack's step 6: one thread, one Selector". */
    Map<String, String> designs() {
        Map<String, String> designs = new LinkedHashMap<>();
        for (String server : run.subjects("servers")) {
            designs.put(server, find(printed, "^  " + Pattern.quote(server) + " {2,}(\\D.*)$", "the run's description of " + server));
        }
        return designs;
    }

    static String mib(double bytes) {
        return shown(bytes / MiB, 0);
    }

    static String percent(double fraction) {
        return shown(100 * fraction, 0);
    }

    /** "1,000" -> "1000", as the CSV's keys have it. */
    static String plainC(String shown) {
        return shown.replace(",", "");
    }

    /** A threshold as the prose says it before "Netty epoll's": "" for its own figure, "half of ", or "0.75 of ". */
    static String of(List<Target> targets) {
        return same(targets.stream().map(t -> t.threshold() == 1 ? "" : t.threshold() == 0.5 ? "half of " : shown(t.threshold(), 2) + " of ")
                .distinct().toArray(String[]::new));
    }

    /** A threshold as the prose says it after "at most": "equal" or "half". */
    static String relative(Target t) {
        return t.threshold() == 1 ? "equal" : t.threshold() == 0.5 ? "half" : shown(t.threshold(), 2);
    }

    /**
     * A target's status as the prose says it, "met" or "missed": judged again on the figure worked
     * out from the run's medians, which must agree with the run's own judgement.
     */
    static String status(Target t, double value) {
        boolean met = t.direction().equals(">=") ? value >= t.threshold() : value <= t.threshold();
        String word = met ? "met" : "missed";
        return word.equals(t.status().toLowerCase(Locale.ROOT)) ? word
                : "the run judged '" + t.name() + "' " + t.status() + " on " + t.measured() + ", but its figures give " + value + ": " + word;
    }

    /** "1, 100 and 1,000". */
    static String and(List<String> items) {
        return items.size() < 2 ? String.join("", items)
                : String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    /** The one figure several must agree on, or a text that says they do not (and so matches no prose). */
    static String same(String... figures) {
        return Arrays.stream(figures).distinct().count() == 1 ? figures[0] : "not the same: " + String.join(" vs ", figures);
    }

    static String find(String text, String regex, String where) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        if (!m.find()) fail("no /" + regex + "/ in " + where);
        return m.group(1);
    }

    // ---- Sentences and the prose ----------------------------------------------------------------

    /** A sentence of the README, with {} where its figures stand, and those figures as the run gives them. */
    record Claim(String sentence, List<String> figures) {
        Claim {
            assertEquals(sentence.split("\\{}", -1).length - 1, figures.size(), "figures for: " + sentence);
            assertTrue(!sentence.endsWith("{}"), "a sentence ends with words, not a figure: " + sentence);
        }

        /** The sentence with any text where its figures stand, but the end of a sentence or clause. */
        Pattern pattern() {
            StringBuilder regex = new StringBuilder();
            String[] words = sentence.split("\\{}", -1);
            for (int i = 0; i < words.length; i++) regex.append(i == 0 ? "" : "((?:(?!\\. |; ).)*?)").append(Pattern.quote(words[i]));
            return Pattern.compile(regex.toString());
        }

        /** The sentence as the run says it should read. */
        String expected() {
            String text = sentence;
            for (String f : figures) text = text.replaceFirst("\\{}", Matcher.quoteReplacement(f));
            return text;
        }
    }

    static Claim says(String sentence, Object... figures) {
        return new Claim(sentence, Arrays.stream(figures).map(String::valueOf).toList());
    }

    /**
     * Each sentence is in the section, with the figures the run gives; and every number in the
     * section's prose (its tables and code block aside: they are checked cell by cell, or are the
     * run's own output) stands in one of these sentences or in one of the phrases not from the run.
     */
    void assertSays(String title, List<Claim> claims, String... notFromTheRun) {
        String prose = RecordedRun.plain(RecordedRun.section(readme, title).replaceAll("(?s)\n```\n.*?\n```\n", "\n").replaceAll("(?m)^\\|.*$", ""));
        String where = "benchmark/README.md, " + title;
        boolean[] checked = new boolean[prose.length()];
        List<Executable> checks = new ArrayList<>();
        for (Claim claim : claims) {
            Matcher m = claim.pattern().matcher(prose);
            if (!m.find()) {
                checks.add(() -> fail(where + ": no sentence like\n  \"" + claim.sentence() + "\"\n  which, from the recorded run, would read\n  \""
                        + claim.expected() + "\""));
                continue;
            }
            Arrays.fill(checked, m.start(), m.end(), true);
            for (int i = 0; i < claim.figures().size(); i++) {
                String expected = claim.figures().get(i), actual = m.group(i + 1);
                int n = i + 1;
                checks.add(() -> assertEquals(expected, actual, where + ", figure " + n + " of\n  \"" + claim.sentence()
                        + "\"\n  from the recorded run it reads\n  \"" + claim.expected() + "\"\n "));
            }
        }
        for (String phrase : notFromTheRun) {
            int at = prose.indexOf(phrase);
            checks.add(() -> assertTrue(at >= 0, where + ": a phrase this test leaves unchecked is gone, take it off the list: " + phrase));
            if (at >= 0) Arrays.fill(checked, at, at + phrase.length(), true);
        }
        Matcher number = Pattern.compile("(?<![\\w-])\\d+(?:[.,]\\d+)*(?!\\w)").matcher(prose);
        List<String> unchecked = new ArrayList<>();
        while (number.find()) {
            if (!checked[number.start()]) {
                unchecked.add("\"..." + prose.substring(Math.max(0, number.start() - 50), Math.min(prose.length(), number.end() + 30)) + "...\"");
            }
        }
        checks.add(() -> assertEquals(List.of(), unchecked, where + ": figures that no sentence of BenchProseTest checks"));
        assertAll(title, checks);
    }
}
