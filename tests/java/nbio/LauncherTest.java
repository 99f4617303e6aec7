package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ./jbang, the launcher: odd PATHs, another current folder, a JAVA_HOME that names nothing. */
@Timeout(300)
class LauncherTest {
    static final Duration RUN = Duration.ofSeconds(90);
    static final String SERVER_USAGE = "usage: server [port]";

    /** An empty PATH entry or '.' reaches the launcher itself as `jbang`: it must not hand over to itself forever. */
    @Test
    void aPathThatReachesTheLauncherItselfDoesNotLoop() {
        for (String path : List.of(".:" + System.getenv("PATH"), System.getenv("PATH") + ":")) {
            Scripts.Proc run = Scripts.commandWithEnv(Map.of("PATH", path), "./jbang", "server", "--help");
            assertEquals(0, run.waitFor(RUN), run.output());
            assertTrue(run.stdout().startsWith(SERVER_USAGE), run.output());
        }
    }

    /**
     * First runs of one script at once, with nothing in JBang's cache yet (two tests, two terminals): each builds and
     * runs the script. Unguarded, JBang builds the jar in one folder for all of them, and some fail or get a jar
     * without the script's own class.
     */
    @Test
    void firstRunsOfOneScriptAtOnceAllWork() throws java.io.IOException {
        String cache = java.nio.file.Files.createTempDirectory("jbang-dir").toString();
        List<Scripts.Proc> runs = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) runs.add(Scripts.commandWithEnv(Map.of("JBANG_DIR", cache), "./jbang", "blocking-client", "--help"));
        for (Scripts.Proc run : runs) {
            assertEquals(0, run.waitFor(RUN), run.output());
            assertTrue(run.stdout().startsWith("usage: blocking-client"), run.output());
        }
    }

    /** Called by its full path from another folder, it still finds its own catalog's aliases. */
    @Test
    void itFindsItsCatalogFromAnotherFolder() {
        Scripts.Proc run = Scripts.command("sh", "-c", "cd /tmp && exec " + Scripts.shellQuoted(Scripts.ROOT.resolve("jbang").toString())
                + " server --help");
        assertEquals(0, run.waitFor(RUN), run.output());
        assertTrue(run.stdout().startsWith(SERVER_USAGE), run.output());
    }

    @Test
    void aJavaHomeWithoutJavaIsOneLineNamingIt() {
        Scripts.Proc run = Scripts.commandWithEnv(Map.of("JAVA_HOME", "/nonexistent"), "./jbang", "server", "--help");
        assertEquals(1, run.waitFor(RUN), run.output());
        assertEquals(List.of("jbang: JAVA_HOME is '/nonexistent', which has no bin/java: point it at a JDK 17+"
                + " (or unset it to use the java on PATH)"), run.stderrLines());
    }
}
