package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiled steps that kernel-view, the tour and the bench keep between runs (StepScripts.compiledOnce): a run
 * after another with the same sources and JDK compiles nothing, and classes compiled from other sources or by
 * another JDK are never run. Here with a step and a library of two lines each, compiled in this JVM.
 */
class StepScriptsCacheTest {
    static final List<String> STEPS = List.of("Step", "Absent");

    @Test
    void classesAreReusedOnlyForTheSameSourcesAndJdk(@TempDir Path tmp) throws Exception {
        Path from = scripts(tmp, "package nbio; public class Lib { String said = \"lib-one\"; }\n"), cache = tmp.resolve("cache/tool"),
                jdk = jdk(tmp);
        Files.writeString(from.resolve("Step.java"), "class Step { String said = \"said-one\"; Object lib = new nbio.Lib(); }\n");

        StepScripts.Compiled first = StepScripts.compiledOnce(cache, from, STEPS, jdk, true);
        assertFalse(first.reused());
        assertEquals(List.of("Step"), first.names(), "the steps that were there");
        assertTrue(says(first.classes().resolve("Step.class"), "said-one"));
        assertTrue(says(first.classes().resolve("nbio/Lib.class"), "lib-one"));

        StepScripts.Compiled again = StepScripts.compiledOnce(cache, from, STEPS, jdk, true);
        assertTrue(again.reused(), "same sources, same JDK: nothing compiled");
        assertEquals(first.classes(), again.classes());

        // A changed step, a changed library file, another JDK release, another JDK folder: compiled again, each.
        Files.writeString(from.resolve("Step.java"), "class Step { String said = \"said-two\"; Object lib = new nbio.Lib(); }\n");
        StepScripts.Compiled changedStep = StepScripts.compiledOnce(cache, from, STEPS, jdk, true);
        assertFalse(changedStep.reused());
        assertTrue(says(changedStep.classes().resolve("Step.class"), "said-two"), "the changed step runs, not the old classes");

        Files.writeString(from.resolve("nbio/Lib.java"), "package nbio; public class Lib { String said = \"lib-two\"; }\n");
        StepScripts.Compiled changedLib = StepScripts.compiledOnce(cache, from, STEPS, jdk, true);
        assertFalse(changedLib.reused());
        assertTrue(says(changedLib.classes().resolve("nbio/Lib.class"), "lib-two"));

        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"17.0.2\"\n");
        StepScripts.Compiled otherRelease = StepScripts.compiledOnce(cache, from, STEPS, jdk, true);
        assertFalse(otherRelease.reused(), "an updated JDK in the same folder");

        Path otherJdk = Files.createDirectories(tmp.resolve("jdk-other"));
        Files.copy(jdk.resolve("release"), otherJdk.resolve("release"));
        assertFalse(StepScripts.compiledOnce(cache, from, STEPS, otherJdk, true).reused(), "another JDK folder");
        assertEquals(5, folders(cache, "").size(), "one folder of classes per sources and JDK: " + folders(cache, ""));

        // What does not compile is said and never kept; nothing half-made is left.
        Files.writeString(from.resolve("Step.java"), "class Step { does not compile }\n");
        StepScripts.NotCompiled refused = assertThrows(StepScripts.NotCompiled.class,
                () -> StepScripts.compiledOnce(cache, from, STEPS, jdk, true));
        assertTrue(refused.getMessage().contains("Step.java"), refused.getMessage());
        assertEquals(5, folders(cache, "").size());
        assertEquals(List.of(), folders(cache, "compiling-"), "no half-made folder left");
    }

    /**
     * Each edit of a step makes a new folder; making one deletes the tool's folders unused for a week (with their lock
     * files, and half-made folders a day old), but never the three most recently used. A run that finds a folder marks
     * it used.
     */
    @Test
    void foldersUnusedForAWeekGoWhenANewOneIsMadeButNeverTheThreeLastUsed(@TempDir Path tmp) throws Exception {
        Path from = scripts(tmp, "package nbio; public class Lib { }\n"), cache = tmp.resolve("cache/tool"), jdk = jdk(tmp);
        // Five earlier edits, used 30, 20, 10, 9 and 8 days ago, each with its lock file; a half-made folder 2 days old.
        List<Integer> daysAgo = List.of(30, 20, 10, 9, 8);
        List<Path> made = new java.util.ArrayList<>();
        for (int edit = 0; edit < daysAgo.size(); edit++) made.add(compiled(from, cache, jdk, edit, false));
        for (int edit = 0; edit < daysAgo.size(); edit++) aged(made.get(edit), daysAgo.get(edit));
        aged(Files.createDirectories(cache.resolve("compiling-123")), 2);
        // The 20-day-old one is used again today: it is among the three most recently used now.
        assertEquals(made.get(1), compiled(from, cache, jdk, 1, true));

        // A new one: left are it, the one used today and the 8-day-old one (the third most recently used, older than a
        // week); gone are the 30-, 10- and 9-day-old ones with their lock files, and the half-made folder.
        Path newest = compiled(from, cache, jdk, 5, false);
        assertEquals(names(newest, made.get(1), made.get(4)), folders(cache, "tool-"));
        assertEquals(List.of(), folders(cache, "compiling-"));
        try (Stream<Path> files = Files.list(cache)) {
            assertEquals(names(newest, made.get(1), made.get(4)).stream().map(f -> f + ".lock").toList(), files
                    .map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".lock")).sorted().toList(), "a lock file goes with its folder");
        }

        // Used 2, 3 and 4 days ago, and one more made: all four are left, the fourth used within a week.
        aged(newest, 2);
        aged(made.get(1), 3);
        aged(made.get(4), 4);
        Path another = compiled(from, cache, jdk, 6, false);
        assertEquals(names(another, newest, made.get(1), made.get(4)), folders(cache, "tool-"));
    }

    // A scripts folder holding nbio/Lib.java with this text.
    static Path scripts(Path tmp, String lib) throws IOException {
        Path from = tmp.resolve("scripts");
        Files.createDirectories(from.resolve("nbio"));
        Files.writeString(from.resolve("nbio/Lib.java"), lib);
        return from;
    }

    // A JDK folder as the cache's key sees one: its release file.
    static Path jdk(Path tmp) throws IOException {
        Path jdk = Files.createDirectories(tmp.resolve("jdk"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"17.0.1\"\n");
        return jdk;
    }

    // The classes of a step that says which edit it is.
    static Path compiled(Path from, Path cache, Path jdk, int edit, boolean reused) throws Exception {
        Files.writeString(from.resolve("Step.java"), "class Step { int edit = " + edit + "; }\n");
        StepScripts.Compiled compiled = StepScripts.compiledOnce(cache, from, STEPS, jdk, true);
        assertEquals(reused, compiled.reused(), "edit " + edit);
        return compiled.classes();
    }

    static List<String> names(Path... folders) {
        return Stream.of(folders).map(f -> f.getFileName().toString()).sorted().toList();
    }

    // A folder and its lock file (where it has one), last used that many days ago.
    static void aged(Path folder, int days) throws IOException {
        java.nio.file.attribute.FileTime then = java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofDays(days)));
        Files.setLastModifiedTime(folder, then);
        Path lock = folder.resolveSibling(folder.getFileName() + ".lock");
        if (Files.exists(lock)) Files.setLastModifiedTime(lock, then);
    }

    // Whether a class file holds this string constant.
    static boolean says(Path classFile, String constant) throws IOException {
        return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains(constant);
    }

    static List<String> folders(Path cache, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(Files::isDirectory).map(f -> f.getFileName().toString()).filter(f -> f.startsWith(prefix)).sorted().toList();
        }
    }
}
