package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's options, refused in one line before the first run (the full bench reaches its end only
 * after many minutes): counts that are not whole numbers or are empty, an --out it cannot write to,
 * a JVM option the servers' JVM refuses.
 */
@Timeout(300)
class BenchOptionsTest {
    static final Duration RUN = Duration.ofSeconds(120);

    /**
     * The bench's JVM as JBang starts it (Java 17, its //JAVA line): a refusal, a stop and a full folder are the bench's
     * own doing, so each needs no start of JBang's JVM of its own (ReadmeTest runs the README's bench commands through
     * ./jbang).
     */
    static List<String> benchCommand() {
        return Scripts.asJBangStartsIt("bench", 17, "benchmark.Bench");
    }

    /** {@link #benchCommand} with a temporary folder of its own (-Djava.io.tmpdir), then the bench's arguments. */
    static List<String> benchCommandWithTmp(String tmp, String... args) {
        List<String> command = new java.util.ArrayList<>(benchCommand());
        command.add(1, "-Djava.io.tmpdir=" + tmp);
        command.addAll(List.of(args));
        return command;
    }

    static String refused(String... args) {
        List<String> command = new java.util.ArrayList<>(benchCommand());
        command.addAll(List.of(args));
        try (Scripts.Proc bench = Scripts.command(command.toArray(String[]::new))) {   // a bench that started stops here
            assertEquals(2, bench.waitFor(RUN), bench.output());
            List<String> said = bench.stderrLines().stream().filter(l -> !l.startsWith("[jbang]")).toList();
            assertEquals(1, said.size(), bench.output());
            assertTrue(!bench.stdout().contains("== Part"), "no part ran: " + bench.stdout());
            return said.get(0);
        }
    }

    @Test
    void countsMustBeWholeNumbersAndListsHaveNoEmptyItems() {
        assertEquals("bench: bad --conns '' (expected a whole number from 1 to 10000)", refused("--conns", ","));
        assertEquals("bench: bad --runs '1.5' (expected a whole number from 1 to 50)", refused("--runs", "1.5"));
        assertEquals("bench: bad --conns '1.9' (expected a whole number from 1 to 10000)", refused("--conns", "1.9"));
        assertEquals("bench: bad --parts '' (expected a whole number from 1 to 3)", refused("--parts", "1,,2"));
    }

    @Test
    void anOutFolderItCannotWriteIsRefusedBeforeTheFirstRun(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertEquals("bench: cannot write the results to --out " + file + " (a file, not a folder)", refused("--quick", "--out", file.toString()));
        String line = refused("--quick", "--out", "/proc/bench-results");
        assertTrue(line.startsWith("bench: cannot write the results to --out /proc/bench-results (") && !line.contains("Exception"), line);
    }

    /** A bench stopped mid-run (kill -TERM, as Ctrl-C) leaves no working folder behind. */
    @Test
    void aStoppedBenchLeavesNoWorkingFolder(@TempDir Path tmp, @TempDir Path out) throws IOException {
        Scripts.Proc bench = Scripts.command(benchCommandWithTmp(tmp.toString(), "--quick", "--parts", "1", "--out", out.toString())
                .toArray(String[]::new));
        bench.awaitLine(java.util.regex.Pattern.compile("^== Part 1"), RUN);
        bench.signal("TERM");
        bench.waitFor(RUN);
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("nbio-bench")).toList(), bench.output());
        }
    }

    /** A temporary folder on a full filesystem (a 16 KiB tmpfs, in a mount namespace of its own): one line, exit code 1. */
    @Test
    void aFullTemporaryFolderIsOneLine(@TempDir Path out) {
        String full = "/tmp/nbio-full-bench-tmp";
        Scripts.Proc bench = Scripts.command("unshare", "--mount", "sh", "-c", "mkdir -p " + full + " && mount -t tmpfs -o size=16k tmpfs "
                + full + " && (dd if=/dev/zero of=" + full + "/fill bs=1k count=64 2>/dev/null; true) && XDG_CACHE_HOME=" + full
                + "/cache exec "   // a cache folder of its own: the steps are compiled, their sources written
                + String.join(" ", benchCommandWithTmp(full, "--quick", "--parts", "1", "--out", out.toString()).stream()
                        .map(Scripts::shellQuoted).toList()));
        assertEquals(1, bench.waitFor(RUN), bench.output());
        assertEquals(List.of("bench: cannot write the steps' sources and classes into " + full + " (No space left on device);"
                + " free some space there or point -Djava.io.tmpdir elsewhere"),
                bench.stderrLines().stream().filter(l -> !l.startsWith("[jbang]")).toList(), bench.output());
    }

    @Test
    void aJvmOptionTheServersJvmRefusesIsSaidAtOnce(@TempDir Path tmp) {
        assertEquals("bench: the servers' JVM refuses --jvm-opt -Xbogus: Unrecognized option: -Xbogus",
                refused("--quick", "--jvm-opt", "-Xbogus", "--out", tmp.toString()));
    }
}
