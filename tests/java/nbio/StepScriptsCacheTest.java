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
        Path from = tmp.resolve("scripts"), cache = tmp.resolve("cache/tool"), jdk = tmp.resolve("jdk");
        Files.createDirectories(from.resolve("nbio"));
        Files.createDirectories(jdk);
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"17.0.1\"\n");
        Files.writeString(from.resolve("Step.java"), "class Step { String said = \"said-one\"; Object lib = new nbio.Lib(); }\n");
        Files.writeString(from.resolve("nbio/Lib.java"), "package nbio; public class Lib { String said = \"lib-one\"; }\n");

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
