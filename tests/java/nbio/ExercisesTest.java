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
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exercises and their checker (scripts/Check.java). Each exercise as shipped compiles, runs and
 * fails; the step scripts that solve one pass; and every answer kept in tests/fixtures/exercises/NAME/
 * (the learner's method only, put in place of the exercise's) is judged as its header says: an
 * answer without expectations passes, a kept mistake fails exactly the checks it names, each with
 * its hint. The checker judges by behaviour, so a file takes seconds; one checker run per exercise
 * judges all its files in turn (its JVM and its compiler start once, not once a file), and the runs of
 * the exercises go side by side (most of their time is waiting: a reader's pause, a stall, an idle
 * second measured).
 *
 * Every bound the checker sets holds with the other core busy (wanted CPU counts the run queue too, a
 * stall is 5 s), so this class runs beside others; the one exercise whose verdict rests on when its
 * timer's ticks arrive is run alone, by ExercisesTimerTest, with these same checks (its files that must keep
 * the timer on time; ExercisesTimerMistakesTest, beside others, the ones that must not).
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

    /** The step script that solves an exercise, where there is one (echo-server has none). */
    static final Map<String, String> STEPS = Map.of("retry-loop", "RetryClient", "wait-in-select", "SelectClient",
            "one-thread-server", "SelectServer", TIMED, "EventLoop");

    /**
     * One checker run per exercise judges all its files in turn, as a teacher checks a class's answers
     * (`check EXERCISE FILE...`): the exercise as shipped, the step script that solves it and every kept
     * answer; each file's verdicts, from its header line to the next, are then held to what that file should
     * get, as if it had been checked alone. (Retry-loop's step script is checked alone: the exit code of one file.)
     */
    @TestFactory
    Stream<DynamicContainer> everyFileOfAnExerciseIsJudgedInOneRun() {
        // Retry-loop's kept mistakes fail only if the socket buffers fill within its reader's 500 ms pause: at a load of 36,
        // beside four other checker runs, one of them passed "every byte arrived". So its run goes first, alone (judged to
        // the end here); then the others, and the step script judged alone, side by side.
        List<DynamicContainer> runs = new ArrayList<>(List.of(judgedInOneRun("retry-loop", true, false, fixture -> true, OneRun::check)));
        untimedExerciseNames().filter(name -> !name.equals("retry-loop"))
                .forEach(name -> runs.add(judgedInOneRun(name, true, true, fixture -> true, OneRun::start)));
        stepScriptAlone();
        return runs.stream();
    }

    private static Scripts.Proc stepScriptAlone;

    /** `check retry-loop scripts/RetryClient.java`, started once, beside the runs above. */
    static synchronized Scripts.Proc stepScriptAlone() {
        if (stepScriptAlone == null) stepScriptAlone = Scripts.start("Check", "retry-loop", "scripts/RetryClient.java");
        return stepScriptAlone;
    }

    /** A single file's exit code: 0 when every check passes (the batches above end in 1, a shipped file fails). */
    @Test
    void theStepScriptIsAnAnswerCheckedAlone() {
        Scripts.Proc check = stepScriptAlone();
        assertEquals(0, check.waitFor(RUN), check.output());
        assertTrue(check.stdoutLines().stream().anyMatch(l -> l.matches("check: retry-loop: all \\d+ checks passed")), check.output());
        assertFalse(check.output().contains("FAIL"), check.output());
        // Step 4's note, step 5's lesson: what the retry loop did while the reader paused, measured.
        assertTrue(check.stdoutLines().stream().anyMatch(l -> l.matches("note: while the reader paused, your loop wanted a CPU \\d+% of the"
                + " time and made [\\d,]+ write calls in all: step 5 fixes that .*")), check.output());
        assertNoStackTrace(check);
    }

    /** The files of an exercise, one checker run for all, a test for each: the shipped one, the step (withStep), the kept answers. */
    static DynamicContainer judgedInOneRun(String name, boolean withStep) {
        return judgedInOneRun(name, true, withStep, fixture -> true);
    }

    /** As above, of the exercise's files only the shipped one (withShipped), the step (withStep) and the kept answers chosen. */
    static DynamicContainer judgedInOneRun(String name, boolean withShipped, boolean withStep, java.util.function.Predicate<Path> chosen) {
        return judgedInOneRun(name, withShipped, withStep, chosen, run -> { });
    }

    /** The same; now is done to the run at once (start it, or run it to the end), else it starts when its first test runs. */
    static DynamicContainer judgedInOneRun(String name, boolean withShipped, boolean withStep, java.util.function.Predicate<Path> chosen,
                                           java.util.function.Consumer<OneRun> now) {
        try {
            Path shipped = exercises().get(name);
            String shippedFile = Scripts.ROOT.relativize(shipped).toString();
            String step = withStep && STEPS.containsKey(name) ? "scripts/" + STEPS.get(name) + ".java" : null;
            Map<Path, String> fixtures = new LinkedHashMap<>();               // kept answer -> the learner's file made of it
            for (Path fixture : allFixtures().filter(f -> exerciseOf(f).equals(name)).filter(chosen).toList()) {
                fixtures.put(fixture, spliced(shipped, fixture).toString());
            }
            List<String> files = new ArrayList<>(withShipped ? List.of(shippedFile) : List.of());
            if (step != null) files.add(step);
            files.addAll(fixtures.values());
            OneRun run = new OneRun(name, files);
            now.accept(run);
            List<DynamicTest> tests = new ArrayList<>();
            if (withShipped) {
                tests.add(DynamicTest.dynamicTest("as shipped it compiles, runs and fails", () -> shippedFails(shipped, run.file(shippedFile))));
            }
            if (step != null) tests.add(DynamicTest.dynamicTest("the step script is an answer: " + step, () -> isAnAnswer(run.file(step))));
            fixtures.forEach((fixture, file) -> tests.add(DynamicTest.dynamicTest("judged as its header says: " + fixture.getFileName(),
                    () -> judgedAsItsHeaderSays(fixture, run.file(file)))));
            tests.add(DynamicTest.dynamicTest("its last line names the files that failed, its exit code says whether any did",
                    run::failuresSummed));
            return DynamicContainer.dynamicContainer(name, tests);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One `check NAME FILE...` run, started at once or by the first test that asks for it, and read by the others. */
    static final class OneRun {
        final String name;
        final List<String> files;
        private Scripts.Proc check;
        private Integer exit;

        OneRun(String name, List<String> files) { this.name = name; this.files = List.copyOf(files); }

        synchronized void start() {
            if (check != null) return;
            List<String> args = new ArrayList<>(List.of(name));
            args.addAll(files);
            check = Scripts.start("Check", args.toArray(String[]::new));
        }

        /** The run, ended. */
        synchronized Scripts.Proc check() {
            start();
            if (exit == null) exit = check.waitFor(RUN.multipliedBy(files.size()));
            return check;
        }

        /** What the checker said about one file: its lines of standard output, from its header to the next file's. */
        Judged file(String file) {
            List<String> out = check().stdoutLines();
            String header = "check: " + name + " (";
            int at = -1;
            for (int i = 0; i < out.size() && at < 0; i++) if (out.get(i).startsWith(header) && out.get(i).contains("), " + file + ": ")) at = i;
            assertTrue(at >= 0, "no header line for " + file + ":\n" + check.output());
            int end = at + 1;
            while (end < out.size() && !out.get(end).startsWith(header) && !out.get(end).matches("check: " + Pattern.quote(name)
                    + ": (every check of all \\d+ files passed|\\d+ of \\d+ files failed: .*)")) end++;
            List<String> errors = check.stderrLines().stream().filter(l -> l.startsWith("check: " + file + " ")).toList();
            return new Judged(file, out.subList(at, end), errors, check);
        }

        /** The last line lists exactly the files whose summary was not "all N checks passed"; exit code 1 then, 0 if none. */
        void failuresSummed() {
            assertNoStackTrace(check());
            List<String> failed = files.stream().filter(f -> !file(f).passed()).toList();
            List<String> out = check.stdoutLines();
            String last = out.isEmpty() ? "" : out.get(out.size() - 1);
            assertEquals("check: " + name + ": " + (failed.isEmpty() ? "every check of all " + files.size() + " files passed"
                    : failed.size() + " of " + files.size() + " files failed: " + String.join(", ", failed)), last, check.output());
            assertEquals(failed.isEmpty() ? 0 : 1, exit, check.output());
        }
    }

    /** One file's part of a run: its lines of standard output and the lines of standard error that name it. */
    record Judged(String file, List<String> lines, List<String> errors, Scripts.Proc run) {
        boolean passed() { return lines.stream().anyMatch(l -> l.matches("check: [\\w-]+: all \\d+ checks passed")); }

        String text() { return String.join("\n", lines) + (errors.isEmpty() ? "" : "\nstderr: " + String.join("\n", errors)); }

        String what() { return file + ":\n" + text(); }
    }

    static void shippedFails(Path file, Judged judged) throws IOException {
        String source = Files.readString(file);
        assertEquals(1, source.split("// your code here", -1).length - 1, file + ": one place for the learner");
        assertFalse(judged.passed(), judged.what());
        assertTrue(judged.lines().stream().anyMatch(l -> l.startsWith("FAIL ")), judged.what());
        assertFalse(judged.text().contains("does not compile"), judged.what());
        assertNoStackTrace(judged.run());
    }

    static void isAnAnswer(Judged judged) {
        assertTrue(judged.passed(), judged.what());
        assertFalse(judged.text().contains("FAIL"), judged.what());
        assertTrue(judged.errors().isEmpty(), judged.what());
    }

    /** A kept mistake: its header names the checks it fails (expect:) or what the checker says of it (says:); an answer names none. */
    static boolean isKeptMistake(Path fixture) {
        try {
            return Files.readAllLines(fixture).stream().takeWhile(l -> l.startsWith("//"))
                    .anyMatch(l -> l.startsWith("// expect: ") || l.startsWith("// says: "));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void judgedAsItsHeaderSays(Path fixture, Judged judged) throws IOException {
        List<String> header = Files.readAllLines(fixture).stream().takeWhile(l -> l.startsWith("//")).toList();
        List<String> failures = new ArrayList<>(), says = new ArrayList<>();
        for (String line : header) {
            if (line.startsWith("// expect: ")) failures.add(line.substring("// expect: ".length()));
            if (line.startsWith("// says: ")) says.add(line.substring("// says: ".length()));
        }
        String what = fixture + ":\n" + judged.text();
        assertNoStackTrace(judged.run());
        if (failures.isEmpty() && says.isEmpty()) {                      // an answer: every check passes
            isAnAnswer(judged);
            return;
        }
        assertFalse(judged.passed(), what);
        for (String text : says) assertTrue(judged.text().contains(text), "says '" + text + "': " + what);
        // Exactly the checks named fail, each followed by its hint.
        List<String> lines = judged.lines();
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
        Scripts.Proc unknown = Scripts.start("Check", "no-such-exercise"), missing = Scripts.start("Check", "retry-loop", "no/such/File.java");
        assertEquals(2, unknown.waitFor(RUN), unknown.output());
        assertEquals(List.of("check: no exercise 'no-such-exercise' (./jbang check --list shows them); " + usage()), unknown.stderrLines());
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
