package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The tour when things go wrong: stopped, a full disk, a failing or unusable JDK for step 6c, a size too big. */
@Timeout(300)
class TourFaultsTest {
    static final Duration RUN = Duration.ofSeconds(240);

    static String java17() {
        return Scripts.javaHomeExactly(17).orElse(Scripts.javaHome(17)).resolve("bin/java").toString();
    }

    /** Ctrl-C in step 2: the tour stops there, says so, blames no step, and leaves no working folder behind. */
    @Test
    void ctrlCStopsTheTourWithoutAFalseAlarm(@TempDir Path tmp) throws IOException {
        // A server reading 1 MiB/s: step 2's one write of 70 MB takes over a minute, time enough to stop it.
        Scripts.Proc tour = Scripts.command(java17(), "-Djava.io.tmpdir=" + tmp, "scripts/Tour.java", "--read-rate", "1");
        tour.awaitLine(Pattern.compile("blocking-client: sending "), RUN);
        tour.signal("INT");
        assertEquals(130, tour.waitFor(RUN), tour.output());
        String out = tour.output();
        assertTrue(out.contains("tour: stopped by a signal during Step 2 (blocking-client); the steps after it did not run"), out);
        assertFalse(out.contains("NOT what the client sent") || out.contains("Step 3.") || out.contains("cannot connect")
                || out.contains("Exception"), out);
        assertEquals(List.of(), list(tmp), "the tour's working folder is gone");
    }

    /** A temporary folder on a full filesystem (a 16 KiB tmpfs, in a mount namespace of its own): one line. */
    @Test
    void aFullTemporaryFolderIsOneLine() {
        String full = "/tmp/nbio-full-tmp";
        Scripts.Proc tour = Scripts.command("unshare", "--mount", "sh", "-c", "mkdir -p " + full + " && mount -t tmpfs -o size=16k tmpfs "
                + full + " && (dd if=/dev/zero of=" + full + "/fill bs=1k count=64 2>/dev/null; true) && exec "
                + Scripts.shellQuoted(java17()) + " -Djava.io.tmpdir=" + full + " scripts/Tour.java --size 1000");
        assertEquals(1, tour.waitFor(RUN), tour.output());
        assertEquals(List.of("tour: cannot write the steps' sources and classes into " + full + " (No space left on device);"
                + " free some space there or point -Djava.io.tmpdir elsewhere"), tour.stderrLines());
    }

    /** The tour checks --size against what one write call can move (step 2 sends it in one). */
    @Test
    void aSizeOneWriteCannotMoveIsRefusedByTheTourItself() {
        Scripts.Proc tour = Scripts.command(java17(), "scripts/Tour.java", "--size", "2147479553");
        assertEquals(2, tour.waitFor(RUN), tour.output());
        assertEquals(1, tour.stderrLines().size(), tour.output());
        assertTrue(tour.stderr().startsWith("tour: bad --size '2147479553' (expected 1 to 2147479552)"), tour.stderr());
    }

    /**
     * JAVA_HOME names a Java 25 without a compiler (a JRE): not a JDK for step 6c, which runs a source
     * file, so the tour looks further. And when the JDK it picks fails, the child's own line is
     * followed by one line of the tour's, not a stack trace.
     */
    @Test
    void aJreIsNotTakenForAJdkAndAFailingStep6cIsOneLine(@TempDir Path tmp) throws IOException {
        Path jre = fakeJava(tmp.resolve("jre-25"), false);
        Scripts.Proc tour = Scripts.commandWithEnv(Map.of("JAVA_HOME", jre.toString()), java17(), "scripts/Tour.java",
                "--size", "1000000", "--connections", "100");
        assertEquals(0, tour.waitFor(RUN), tour.output());
        assertTrue(tour.stdout().contains("v-threads | RESULT client=virtual-threads "), tour.stdout());

        Path failing = fakeJava(tmp.resolve("jdk-25"), true);
        tour = Scripts.commandWithEnv(Map.of("JAVA_HOME", failing.toString()), java17(), "scripts/Tour.java",
                "--size", "1000000", "--connections", "100");
        assertEquals(1, tour.waitFor(RUN), tour.output());
        assertTrue(tour.stdout().contains("v-threads | virtual-threads: gave up on purpose"), tour.stdout());
        assertEquals(List.of("tour: virtual-threads stopped with exit code 1 (its own line above says why): step 6c did not run"),
                tour.stderrLines());
    }

    // A Java 25 folder whose bin/java only says it failed (exit code 1); with or without a bin/javac.
    static Path fakeJava(Path home, boolean withCompiler) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"25\"\n");
        for (String tool : withCompiler ? List.of("java", "javac") : List.of("java")) {
            Path script = home.resolve("bin").resolve(tool);
            Files.writeString(script, "#!/bin/sh\necho 'virtual-threads: gave up on purpose'\nexit 1\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return home;
    }

    static List<Path> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.toList();
        }
    }
}
