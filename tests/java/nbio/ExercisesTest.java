package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exercises and their checker (scripts/Check.java). Each exercise as shipped compiles, runs and
 * fails; the step scripts that solve one pass; and every answer kept in tests/fixtures/exercises/NAME/
 * (the learner's method only, put in place of the exercise's) is judged as its header says: an
 * answer without expectations passes, a kept mistake fails exactly the checks it names, each with
 * its hint. The checker judges by behaviour, so these runs take seconds each.
 *
 * Every bound the checker sets holds with the other core busy (wanted CPU counts the run queue too, a
 * stall is 10 s), so this class runs beside others; the one exercise whose verdict rests on when its
 * timer's ticks arrive is run alone, by ExercisesTimerTest, with these same checks.
 */
@Timeout(1800)
class ExercisesTest {
    static final Duration RUN = Duration.ofSeconds(180);
    static final Path FIXTURES = Scripts.ROOT.resolve("tests/fixtures/exercises");
    static final Path WORK = Scripts.ROOT.resolve("tests/target/exercises");
    /** The exercise judged by how late its timer's ticks come: ExercisesTimerTest runs it, alone. */
    static final String TIMED = "timer-on-time";
    private static Map<String, Path> listed;

    /** name -> file, as `check --list` prints them (one a line, the name first); asked once per test run. */
    static synchronized Map<String, Path> exercises() {
        if (listed != null) return listed;
        Scripts.Proc list = Scripts.start("Check", "--list");
        assertEquals(0, list.waitFor(RUN), list.output());
        Map<String, Path> exercises = new LinkedHashMap<>();
        for (String line : list.stdoutLines()) {
            String[] words = line.trim().split("\\s+");
            Path file = Scripts.ROOT.resolve(words[1]);
            assertTrue(Files.isRegularFile(file), line);
            exercises.put(words[0], file);
        }
        return listed = java.util.Collections.unmodifiableMap(exercises);
    }

    static Stream<String> exerciseNames() { return exercises().keySet().stream(); }

    /** The exercises whose checker runs are here (the timed one's are ExercisesTimerTest's). */
    static Stream<String> untimedExerciseNames() { return exerciseNames().filter(name -> !name.equals(TIMED)); }

    static Stream<Path> fixtures() throws IOException {
        return allFixtures().filter(f -> !exerciseOf(f).equals(TIMED));
    }

    static Stream<Path> allFixtures() throws IOException {
        try (Stream<Path> files = Files.walk(FIXTURES)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList().stream();
        }
    }

    static String exerciseOf(Path fixture) { return fixture.getParent().getFileName().toString(); }

    @Test
    void theListNamesEveryExerciseAndEveryExerciseHasKeptAnswers() throws IOException {
        Map<String, Path> exercises = exercises();
        assertTrue(exercises.keySet().containsAll(List.of("retry-loop", "wait-in-select", "timer-on-time", "one-thread-server", "echo-server")),
                exercises.toString());
        Set<String> withFixtures = new TreeSet<>();
        for (Path fixture : allFixtures().toList()) withFixtures.add(exerciseOf(fixture));
        assertEquals(new TreeSet<>(exercises.keySet()), withFixtures, "a folder of kept answers per exercise");
    }

    @ParameterizedTest
    @MethodSource("untimedExerciseNames")
    void theExerciseAsShippedCompilesRunsAndFails(String name) throws IOException {
        shippedFails(name);
    }

    static void shippedFails(String name) throws IOException {
        Path file = exercises().get(name);
        String source = Files.readString(file);
        assertEquals(1, source.split("// your code here", -1).length - 1, file + ": one place for the learner");
        Scripts.Proc check = Scripts.start("Check", name);
        assertEquals(1, check.waitFor(RUN), check.output());
        assertTrue(check.stdoutLines().stream().anyMatch(l -> l.startsWith("FAIL ")), check.output());
        assertFalse(check.output().contains("does not compile"), check.output());
        assertNoStackTrace(check);
    }

    @ParameterizedTest
    @CsvSource({"retry-loop, RetryClient", "wait-in-select, SelectClient", "one-thread-server, SelectServer"})
    void theStepScriptIsAnAnswer(String name, String script) {
        stepIsAnAnswer(name, script);
    }

    static void stepIsAnAnswer(String name, String script) {
        Scripts.Proc check = Scripts.start("Check", name, "scripts/" + script + ".java");
        assertEquals(0, check.waitFor(RUN), check.output());
        assertTrue(check.stdoutLines().stream().anyMatch(l -> l.matches("check: " + name + ": all \\d+ checks passed")), check.output());
        assertFalse(check.output().contains("FAIL"), check.output());
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void eachKeptAnswerIsJudgedAsItsHeaderSays(Path fixture) throws IOException {
        judgedAsItsHeaderSays(fixture);
    }

    static void judgedAsItsHeaderSays(Path fixture) throws IOException {
        String name = exerciseOf(fixture);
        Path learnerFile = spliced(exercises().get(name), fixture);
        List<String> header = Files.readAllLines(fixture).stream().takeWhile(l -> l.startsWith("//")).toList();
        List<String> failures = new ArrayList<>(), says = new ArrayList<>();
        for (String line : header) {
            if (line.startsWith("// expect: ")) failures.add(line.substring("// expect: ".length()));
            if (line.startsWith("// says: ")) says.add(line.substring("// says: ".length()));
        }
        Scripts.Proc check = Scripts.start("Check", name, learnerFile.toString());
        int exit = check.waitFor(RUN);
        String what = fixture + ":\n" + check.output();
        assertNoStackTrace(check);
        if (failures.isEmpty() && says.isEmpty()) {                      // an answer: every check passes
            assertEquals(0, exit, what);
            assertFalse(check.output().contains("FAIL"), what);
            return;
        }
        assertEquals(1, exit, what);
        for (String text : says) assertTrue(check.output().contains(text), "says '" + text + "': " + what);
        // Exactly the checks named fail, each followed by its hint.
        List<String> lines = check.stdoutLines();
        Set<String> failed = new TreeSet<>();
        for (String line : lines) if (line.startsWith("FAIL ")) failed.add(line.substring(5, line.indexOf(':')));
        Set<String> expected = new TreeSet<>();
        for (String failure : failures) {
            String checkName = failure.substring("FAIL ".length(), failure.indexOf("; hint: "));
            String hint = failure.substring(failure.indexOf("; hint: ") + "; hint: ".length());
            expected.add(checkName);
            int at = Wire.indexOfPrefix(lines, "FAIL " + checkName + ":");
            assertTrue(at >= 0 && at + 1 < lines.size(), "FAIL " + checkName + ": " + what);
            assertTrue(lines.get(at + 1).trim().startsWith("hint: ") && lines.get(at + 1).contains(hint),
                    "the hint of " + checkName + " says '" + hint + "': " + what);
        }
        assertEquals(expected, failed, "the checks that failed: " + what);
    }

    @Test
    void badArgumentsGetOneLineAndExitCode2() {
        Scripts.Proc unknown = Scripts.start("Check", "no-such-exercise");
        assertEquals(2, unknown.waitFor(RUN), unknown.output());
        assertEquals(List.of("check: no exercise 'no-such-exercise' (./jbang check --list shows them); " + usage()), unknown.stderrLines());
        Scripts.Proc missing = Scripts.start("Check", "retry-loop", "no/such/File.java");
        assertEquals(2, missing.waitFor(RUN), missing.output());
        assertEquals(List.of("check: no file no/such/File.java"), missing.stderrLines());
    }

    static String usage() {
        Scripts.Proc help = Scripts.start("Check", "--help");
        assertEquals(0, help.waitFor(RUN), help.output());
        return help.stdout();
    }

    /** The two client exercises share everything but the lesson, so `diff` between them shows only that. */
    @Test
    void theClientExercisesDifferByTheLessonOnly() throws IOException {
        List<String> retry = Files.readAllLines(Scripts.ROOT.resolve("exercises/RetryLoop.java"));
        List<String> select = Files.readAllLines(Scripts.ROOT.resolve("exercises/WaitInSelect.java")).stream()
                .map(l -> l.replace("WaitInSelect::", "RetryLoop::")).toList();
        String divider = "    // ---- below: not the lesson ----";
        assertEquals(retry.subList(retry.indexOf(divider), retry.size()), select.subList(select.indexOf(divider), select.size()));
    }

    /** An exercise is its lesson and a short main that hands it to nbio/ (arguments, sockets and lines live there once). */
    @ParameterizedTest
    @MethodSource("exerciseNames")
    void anExerciseIsItsLessonAndAShortMain(String name) throws IOException {
        List<String> lines = Files.readAllLines(exercises().get(name));
        int divider = lines.indexOf("    // ---- below: not the lesson ----");
        assertTrue(divider > 0, name);
        List<String> below = lines.subList(divider, lines.size());
        assertTrue(below.size() <= 8, name + ": " + below.size() + " lines below the divider");
        assertTrue(below.stream().anyMatch(l -> l.contains("public static void main(")), name);
        assertTrue(lines.stream().anyMatch(l -> l.matches("//SOURCES nbio/\\w+\\.java")), name + " takes the rest from nbio/");
    }

    /** The exercise with the learner's method replaced by the fixture's, in a folder of its own, under the exercise's name. */
    static Path spliced(Path exercise, Path fixture) throws IOException {
        List<String> answer = new ArrayList<>(Files.readAllLines(fixture).stream().dropWhile(l -> l.startsWith("//")).toList());
        while (!answer.isEmpty() && answer.get(answer.size() - 1).isBlank()) answer.remove(answer.size() - 1);
        List<String> lines = Files.readAllLines(exercise);
        String signature = answer.get(0);
        int start = lines.indexOf(signature);
        assertTrue(start >= 0, fixture + ": the exercise has no method `" + signature.trim() + "`");
        String closing = signature.substring(0, signature.indexOf(signature.trim())) + "}";
        int end = start + 1;
        while (!lines.get(end).equals(closing)) end++;
        List<String> result = new ArrayList<>(lines.subList(0, start));
        result.addAll(answer);
        result.addAll(lines.subList(end + 1, lines.size()));
        String fixtureName = fixture.getFileName().toString().replace(".java", "");
        Path out = WORK.resolve(fixture.getParent().getFileName().toString()).resolve(fixtureName).resolve(exercise.getFileName());
        Files.createDirectories(out.getParent());
        Files.write(out, result);
        return out;
    }

    static void assertNoStackTrace(Scripts.Proc check) {
        assertFalse(check.output().lines().anyMatch(l -> l.startsWith("\tat ") || l.startsWith("Exception in thread")), check.output());
    }
}
