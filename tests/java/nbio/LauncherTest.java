package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ./jbang, the launcher: odd PATHs, another current folder, a JAVA_HOME that names nothing. */
@Timeout(300)
class LauncherTest {
    static final Duration RUN = Duration.ofSeconds(90);
    static final String SERVER_USAGE = "usage: server [port]";
    static final String JBANG_VERSION = "0.132.1";

    @Test
    void aJavaHomeWithoutJavaIsOneLineNamingIt() {
        Scripts.Proc run = Scripts.commandWithEnv(Map.of("JAVA_HOME", "/nonexistent"), "./jbang", "server", "--help");
        assertEquals(1, run.waitFor(RUN), run.output());
        assertEquals(List.of("jbang: JAVA_HOME is '/nonexistent', which has no bin/java: point it at a JDK 17+"
                + " (or unset it to use the java on PATH)"), run.stderrLines());
    }

    /**
     * First runs at once (two tests, two terminals) in a clone of its own (the launcher, the catalog and the scripts;
     * JBang's jar linked in) with nothing in JBang's cache yet: each builds and runs the script. Unguarded, JBang builds
     * the jar in one folder for all of them, and some fail or get a jar without the script's own class.
     * <p>
     * JBang's own JVM starts from a class-data archive that the launcher makes once beside JBang's jar: those first runs
     * leave one whole archive, which JBang's JVM then takes (-Xshare:on fails on an archive it cannot use); another Java
     * gets an archive of its own; a clone that cannot be written to goes without one, and says nothing of it.
     */
    @Test
    void firstRunsAtOnceAllWorkAndLeaveOneWholeClassDataArchive(@TempDir Path clone) throws IOException {
        Path jars = clone.resolve(".jbang-cli");   // its archives (10 to 20 MB each) go with the folder
        Files.copy(Scripts.ROOT.resolve("jbang"), clone.resolve("jbang"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(Scripts.ROOT.resolve("jbang-catalog.json"), clone.resolve("jbang-catalog.json"));
        for (String folder : List.of("scripts", "exercises")) Files.createSymbolicLink(clone.resolve(folder), Scripts.ROOT.resolve(folder));
        Files.createDirectories(jars);
        Path jar = Files.createSymbolicLink(jars.resolve("jbang-cli-0.132.1-all.jar"), Scripts.ROOT.resolve(".jbang-cli/jbang-cli-0.132.1-all.jar"));

        String cache = Files.createDirectory(clone.resolve("jbang-dir")).toString();
        List<Scripts.Proc> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {   // two at once make the race; each more is one more JBang JVM that dumps an archive
            runs.add(Scripts.Proc.start(List.of("./jbang", "blocking-client", "--help"), clone, Map.of("NBIO_USE_JAR", "1", "JBANG_DIR", cache)));
        }
        for (Scripts.Proc run : runs) {
            assertEquals(0, run.waitFor(RUN), run.output());
            assertTrue(run.stdout().startsWith("usage: blocking-client"), run.output());
            assertFalse(run.output().contains("warning"), run.output());
        }
        assertEquals(1, archives(jars).size(), "one archive, no pieces left: " + list(jars));
        Path java17 = Scripts.javaHome(17).resolve("bin/java");
        Scripts.Proc takes = Scripts.command(java17.toString(), "-Xshare:on", "-XX:SharedArchiveFile=" + archives(jars).get(0),
                "-cp", jar.toString(), "-version");
        assertEquals(0, takes.waitFor(RUN), "JBang's JVM takes the archive: " + takes.output());

        Path other = Scripts.javaHomeExactly(25).orElse(Scripts.javaHome(21));
        Scripts.Proc onOther = Scripts.Proc.start(List.of("./jbang", "server", "--help"), clone, Map.of("NBIO_USE_JAR", "1",
                "JAVA_HOME", other.toString()));
        assertEquals(0, onOther.waitFor(RUN), onOther.output());
        assertEquals(List.of(), onOther.stderrLines());
        assertTrue(onOther.stdout().startsWith(SERVER_USAGE), onOther.output());
        assertEquals(2, archives(jars).size(), "another Java, another archive: " + list(jars));

        // Read-only: the clone mounted so in a mount namespace of its own, without its archives.
        for (Path archive : archives(jars)) Files.delete(archive);
        // Its PATH ends in an empty entry, the current folder: `jbang` there is this launcher, which must not hand over
        // to itself (forever); '.' is the other such PATH, in the next test.
        Scripts.Proc readOnly = Scripts.Proc.start(List.of("unshare", "--mount", "sh", "-c", "mount --bind . . && mount -o remount,bind,ro . ."
                + " && exec ./jbang version"), clone, Map.of("PATH", System.getenv("PATH") + ":"));
        assertEquals(0, readOnly.waitFor(RUN), readOnly.output());
        assertEquals(List.of(), readOnly.stderrLines());
        assertEquals(List.of(JBANG_VERSION), readOnly.stdoutLines(), readOnly.output());
        assertEquals(List.of(), list(jars).stream().filter(f -> !f.equals(jar.getFileName().toString())).toList());
    }

    /**
     * JBang's runs of one script take turns (a first run builds its jar, see above); a run of another script does not
     * wait for them. Here blocking-client's turn is held from outside while both scripts are asked for their usage.
     * <p>
     * The other script's run calls the launcher by its full path from another folder: it still finds its own
     * catalog's aliases, and it hands JBang the alias's script, so JBang reads no catalog (looking the script-ref up as
     * an alias too, JBang would read its built-in catalog and fetch the one that imports from the network, on every
     * start).
     */
    @Test
    void runsOfOneScriptTakeTurnsAndRunsOfAnotherGoOn() {
        String jbangDir = System.getenv().getOrDefault("JBANG_DIR", System.getProperty("user.home") + "/.jbang");
        Path lock = Path.of(jbangDir, "nbio-build-BlockingClient.java.lock");
        try (Scripts.Proc turn = Scripts.command("flock", lock.toString(), "sh", "-c", "echo held; exec cat")) {
            turn.awaitLine(java.util.regex.Pattern.compile("^held$"), RUN);
            // '.' first in its PATH: `jbang` is this launcher, which must not hand over to itself (forever).
            Scripts.Proc waits = Scripts.commandWithEnv(Map.of("PATH", ".:" + System.getenv("PATH")), "./jbang", "blocking-client", "--help");
            Scripts.Proc goesOn = Scripts.command("sh", "-c", "cd /tmp && exec "
                    + Scripts.shellQuoted(Scripts.ROOT.resolve("jbang").toString()) + " --verbose server --help");
            assertEquals(0, goesOn.waitFor(RUN), goesOn.output());
            assertTrue(goesOn.stdout().startsWith(SERVER_USAGE), goesOn.output());
            assertTrue(goesOn.stderr().contains("Resolving resource ref: " + Scripts.ROOT.resolve("scripts/Server.java")), goesOn.output());
            assertFalse(goesOn.stderr().contains("Reading catalog"), goesOn.output());
            assertFalse(goesOn.stderr().contains("HTTP"), goesOn.output());
            assertTrue(ProcessHandle.of(waits.pid()).map(ProcessHandle::isAlive).orElse(false) && waits.output().isEmpty(),
                    "blocking-client's run waits for its turn: " + waits.output());
            turn.close();
            assertEquals(0, waits.waitFor(RUN), waits.output());
            assertTrue(waits.stdout().startsWith("usage: blocking-client"), waits.output());
        }
    }

    static List<Path> archives(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> !f.getFileName().toString().endsWith(".jar")).toList();
        }
    }

    static List<String> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
