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

    /**
     * The tour on Java 17, started directly (a signal must reach it, not JBang): java, then {@code words}
     * (JVM options, the class, its arguments). Java 17's source launcher compiles one file only, so the
     * tour runs compiled, with nbio beside it, as JBang would run it.
     */
    static String[] tourOnJava17(String... options) {
        return tourOnJava17(List.of(), options);
    }

    static String[] tourOnJava17(List<String> jvmOptions, String... options) {
        Path jdk = Scripts.javaHomeExactly(17).orElse(Scripts.javaHome(17));
        // These tours are judged by their lines, never timed: the tour's JVM (which compiles the steps in-process)
        // runs without the optimising compiler, for less CPU. The steps it starts keep the JVM's defaults.
        List<String> command = new java.util.ArrayList<>(List.of(jdk.resolve("bin/java").toString(), "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", Scripts.classesOf("Tour", jdk).toString(), "Tour"));
        command.addAll(List.of(options));
        return command.toArray(String[]::new);
    }

    /** Ctrl-C in step 2: the tour stops there, says so, blames no step, and leaves no working folder behind. */
    @Test
    void ctrlCStopsTheTourWithoutAFalseAlarm(@TempDir Path tmp) throws IOException {
        // A server reading 1 MiB/s: step 2's one write of 70 MB takes over a minute, time enough to stop it.
        Scripts.Proc tour = Scripts.command(tourOnJava17(List.of("-Djava.io.tmpdir=" + tmp), "--read-rate", "1"));
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
        StringBuilder tourCommand = new StringBuilder();
        for (String word : tourOnJava17(List.of("-Djava.io.tmpdir=" + full), "--size", "1000")) {
            tourCommand.append(' ').append(Scripts.shellQuoted(word));
        }
        Scripts.Proc tour = Scripts.command("unshare", "--mount", "sh", "-c", "mkdir -p " + full + " && mount -t tmpfs -o size=16k tmpfs "
                + full + " && (dd if=/dev/zero of=" + full + "/fill bs=1k count=64 2>/dev/null; true) && XDG_CACHE_HOME=" + full
                + "/cache exec" + tourCommand);   // a cache folder of its own: the steps are compiled, their sources written
        assertEquals(1, tour.waitFor(RUN), tour.output());
        assertEquals(List.of("tour: cannot write the steps' sources and classes into " + full + " (No space left on device);"
                + " free some space there or point -Djava.io.tmpdir elsewhere"), tour.stderrLines());
    }

    /** The tour checks --size against what one write call can move (step 2 sends it in one). */
    @Test
    void aSizeOneWriteCannotMoveIsRefusedByTheTourItself() {
        Scripts.Proc tour = Scripts.command(tourOnJava17("--size", "2147479553"));
        assertEquals(2, tour.waitFor(RUN), tour.output());
        assertEquals(1, tour.stderrLines().size(), tour.output());
        assertTrue(tour.stderr().startsWith("tour: bad --size '2147479553' (expected 1 to 2147479552)"), tour.stderr());
    }

    /**
     * JAVA_HOME names a Java 25 without a compiler (a JRE): not a JDK for step 6c, which is compiled
     * there, so the tour looks further. When the JDK it picks fails to compile step 6c, or runs it and
     * it fails, the JDK's own lines are followed by one line of the tour's, not a stack trace.
     */
    @Test
    void aJreIsNotTakenForAJdkAndAFailingStep6cIsOneLine(@TempDir Path tmp) throws IOException {
        // Three tours, started at once: each has its own servers on ports of their own and its own working folder.
        Scripts.Proc jreTour = germanTourWithAJreAsJavaHome();
        Path failingCompiler = fakeJava(tmp.resolve("jdk-25"), "echo 'javac: gave up on purpose'; exit 1");
        Path realJavac = Scripts.javaHome(21).resolve("bin/javac");
        Path failing = fakeJava(tmp.resolve("jdk-25-failing"), "exec " + Scripts.shellQuoted(realJavac.toString()) + " -J-XX:TieredStopAtLevel=1 \"$@\"");
        Scripts.Proc failingCompilerTour = tourWithJavaHome(failingCompiler), failingTour = tourWithJavaHome(failing);

        assertEquals(0, jreTour.waitFor(RUN), jreTour.output());
        assertTrue(jreTour.stdout().contains("v-threads | RESULT client=virtual-threads "), jreTour.stdout());

        assertEquals(1, failingCompilerTour.waitFor(RUN), failingCompilerTour.output());
        assertTrue(failingCompilerTour.stdout().contains("v-threads | javac: gave up on purpose"), failingCompilerTour.stdout());
        assertEquals(List.of("tour: virtual-threads does not compile with " + failingCompiler + " (exit code 1, its lines above say why):"
                + " step 6c did not run"), failingCompilerTour.stderrLines());

        assertEquals(1, failingTour.waitFor(RUN), failingTour.output());
        assertTrue(failingTour.stdout().contains("v-threads | virtual-threads: gave up on purpose"), failingTour.stdout());
        assertEquals(List.of("tour: virtual-threads stopped with exit code 1 (its own line above says why): step 6c did not run"),
                failingTour.stderrLines());
    }

    static Scripts.Proc tourWithJavaHome(Path javaHome) {
        return tourWithEnv(Map.of("JAVA_HOME", javaHome.toString()));
    }

    static Scripts.Proc tourWithEnv(Map<String, String> env) {
        return Scripts.commandWithEnv(env, tourOnJava17("--size", "1000000", "--connections", "100"));
    }

    private static Scripts.Proc germanTour;

    /**
     * One full tour for two claims, started by whichever of this class and LocaleTest asks first (a tour is every step's
     * JVM and a compile of step 6c): JAVA_HOME names a Java 25 without a compiler (a JRE), which the tour must pass over
     * to run step 6c (this class), and the JVMs run in a German locale (LocaleTest.GERMAN), whose machine lines must keep
     * their format. Neither setting touches what the other checks: the locale is not read to pick a JDK, and any JDK that
     * runs step 6c prints its lines in that locale.
     */
    static synchronized Scripts.Proc germanTourWithAJreAsJavaHome() throws IOException {
        if (germanTour == null) {
            Path jre = fakeJava(Scripts.ROOT.resolve("tests/target/tour-jre-25"), null);
            Map<String, String> env = new java.util.HashMap<>(LocaleTest.GERMAN);
            env.put("JAVA_HOME", jre.toString());
            germanTour = tourWithEnv(env);
        }
        return germanTour;
    }

    // A Java 25 folder whose bin/java only says it failed (exit code 1); with a bin/javac running this shell
    // code, or without one.
    static Path fakeJava(Path home, String javac) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"25\"\n");
        Map<String, String> tools = javac == null ? Map.of("java", "echo 'virtual-threads: gave up on purpose'; exit 1")
                : Map.of("java", "echo 'virtual-threads: gave up on purpose'; exit 1", "javac", javac);
        for (Map.Entry<String, String> tool : tools.entrySet()) {
            Path script = home.resolve("bin").resolve(tool.getKey());
            Files.writeString(script, "#!/bin/sh\n" + tool.getValue() + "\n");
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
