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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The catalog ties every script to an alias, and every script starts three ways. */
@Timeout(600)
class CatalogTest {
    static final Duration START = Duration.ofSeconds(180);
    /** The article's steps: standalone, JDK only. */
    static final List<String> STEPS = List.of("server", "blocking-client", "nonblocking-client", "retry-client", "select-client", "tour");

    static Map<String, String> aliases;      // alias -> script-ref
    static Map<String, String> descriptions; // alias -> description

    @BeforeAll
    static void readCatalog() throws IOException {
        String json = Files.readString(Scripts.ROOT.resolve("jbang-catalog.json"));
        aliases = new LinkedHashMap<>();
        descriptions = new LinkedHashMap<>();
        String string = "\"((?:[^\"\\\\]|\\\\.)*)\""; // a JSON string, escapes included
        Matcher m = Pattern.compile("\"([\\w-]+)\"\\s*:\\s*\\{\\s*\"script-ref\"\\s*:\\s*" + string
                + "\\s*,\\s*\"description\"\\s*:\\s*" + string).matcher(json);
        while (m.find()) {
            aliases.put(m.group(1), m.group(2));
            descriptions.put(m.group(1), m.group(3).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        assertTrue(aliases.keySet().containsAll(STEPS), "aliases: " + aliases.keySet());
    }

    @Test
    void everyAliasHasAScriptAndEveryScriptAnAlias() throws IOException {
        for (String ref : aliases.values()) assertTrue(Files.isRegularFile(Scripts.ROOT.resolve(ref)), "missing " + ref);
        Set<String> scripts = new TreeSet<>();
        for (String folder : List.of("scripts", "exercises")) {                   // the steps and the exercises
            try (Stream<Path> files = Files.list(Scripts.ROOT.resolve(folder))) {
                files.filter(f -> f.toString().endsWith(".java")).map(f -> folder + "/" + f.getFileName()).forEach(scripts::add);
            }
        }
        assertEquals(scripts, new TreeSet<>(aliases.values()), "scripts and aliases");
    }

    @Test
    void stepScriptsAreStandaloneJbangScripts() throws IOException {
        for (String alias : STEPS) {
            List<String> lines = Files.readAllLines(Scripts.ROOT.resolve(aliases.get(alias)));
            assertEquals("///usr/bin/env jbang \"$0\" \"$@\" ; exit $?", lines.get(0), alias);
            assertEquals("//JAVA 17+", lines.get(1), alias);
            assertTrue(lines.get(2).startsWith("//DESCRIPTION "), alias);
            assertFalse(lines.stream().anyMatch(l -> l.startsWith("//DEPS")), alias + " must need the JDK only");
            // The lesson in the step's file, what is not the lesson from the pack's library beside it (JDK only too).
            for (String sources : lines.stream().filter(l -> l.startsWith("//SOURCES")).toList()) {
                assertTrue(sources.matches("//SOURCES nbio/\\w+\\.java"), alias + ": " + sources + " (only scripts/nbio)");
                List<String> library = Files.readAllLines(Scripts.SCRIPTS.resolve(sources.substring("//SOURCES ".length())));
                assertFalse(library.stream().anyMatch(l -> l.startsWith("//DEPS")), sources + " must need the JDK only");
            }
            assertFalse(descriptions.get(alias).isBlank());
        }
    }

    @Test
    void aliasListShowsEveryAliasWithItsDescription() throws IOException {
        Scripts.Proc list = Scripts.command("./jbang", "alias", "list");
        assertEquals(0, list.waitFor(START), list.output());
        for (Map.Entry<String, String> alias : descriptions.entrySet()) {
            assertTrue(list.stdoutLines().contains(alias.getKey()), alias.getKey() + " in:\n" + list.stdout());
            assertTrue(list.stdout().contains(alias.getValue()), alias.getValue());
        }
        // JBang lists aliases sorted by name (as the README says), so the step numbers live in the descriptions.
        List<String> names = list.stdoutLines().stream().filter(aliases::containsKey).toList();
        assertEquals(names.stream().sorted().toList(), names);
        Map<String, String> numbering = new LinkedHashMap<>();
        for (int step = 1; step < STEPS.size(); step++) numbering.put(STEPS.get(step - 1), "Step " + step + " of 6: ");
        numbering.put("event-loop", "Step 6a of 6: ");
        numbering.put("select-server", "Step 6b of 6: ");
        numbering.put("virtual-threads", "Step 6c of 6: ");
        for (Map.Entry<String, String> step : numbering.entrySet()) {
            assertTrue(descriptions.get(step.getKey()).startsWith(step.getValue()), step.getKey() + ": " + descriptions.get(step.getKey()));
            // The script's own //DESCRIPTION (what `jbang info` shows) carries the same number.
            String header = Files.readAllLines(Scripts.ROOT.resolve(aliases.get(step.getKey()))).get(2);
            assertTrue(header.startsWith("//DESCRIPTION " + step.getValue()), step.getKey() + ": " + header);
        }
    }

    /**
     * Aliases that another test already starts through ./jbang (the real command, not just --help), with a check that
     * fails when the start does: every README `./jbang ALIAS ...` command that ReadmeTest runs as written, and
     * virtual-threads on a JDK 21+ (VirtualThreadsTest.jbangRunsTheAliasOnTheJdkInJavaHome). Each JBang start costs
     * about a second of CPU: those aliases are not started a second time here. Not the tour: its one start is in TourTest,
     * which runs alone after the classes run side by side, and a first start builds the script (several seconds on a
     * fresh clone); started here first, that build is paid while other classes run, and TourTest's start finds it built.
     */
    static Set<String> startedThroughTheLauncherElsewhere() throws IOException {
        Set<String> elsewhere = new TreeSet<>(Set.of("virtual-threads"));
        for (List<String> command : ReadmeTest.commands()) {
            ReadmeTest.Check check = command.size() > 1 && command.get(0).equals("./jbang") ? ReadmeTest.checkOf(command) : null;
            if (check != null && check != ReadmeTest.Check.ELSEWHERE) elsewhere.add(command.get(1));
        }
        return elsewhere;
    }

    @Test
    void everyAliasStartsThroughTheLauncher() throws IOException {
        Set<String> elsewhere = startedThroughTheLauncherElsewhere();
        assertTrue(elsewhere.containsAll(List.of("server", "blocking-client")) && !elsewhere.contains("tour"), "started elsewhere: " + elsewhere);
        List<String> here = aliases.keySet().stream().filter(alias -> !elsewhere.contains(alias)).toList();
        assertTrue(here.size() >= 5, "the exercises at least start here: " + here);
        // Two at a time (each its own script, so JBang's runs of them do not take turns): half the wall, the same CPU.
        for (int i = 0; i < here.size(); i += 2) {
            Map<String, Scripts.Proc> runs = new LinkedHashMap<>();
            for (String alias : here.subList(i, Math.min(i + 2, here.size()))) {
                Map<String, String> env = isExercise(alias) ? Map.of() : Scripts.jbangEnv(scriptName(alias)); // a JDK 21+ for //JAVA 21+ scripts
                runs.put(alias, Scripts.commandWithEnv(env, "./jbang", alias, "--help"));
            }
            for (Map.Entry<String, Scripts.Proc> run : runs.entrySet()) {
                Scripts.Proc help = run.getValue();
                assertEquals(0, help.waitFor(START), run.getKey() + ":\n" + help.output());
                assertTrue(help.stdout().startsWith("usage: "), run.getKey() + ":\n" + help.output());
            }
        }
    }

    /**
     * Scripts another test already starts with the plain source launcher, with a check that fails when that start does:
     * the README's `java scripts/X.java --help` commands (ReadmeTest runs each as written, on Java 22+) and the tour
     * (TourSourceLauncherTest runs it whole). The launcher compiles the script in its own JVM, about two seconds of CPU:
     * those are not compiled a second time here.
     */
    static Set<String> startedWithTheSourceLauncherElsewhere() throws IOException {
        Set<String> elsewhere = new TreeSet<>(Set.of("scripts/Tour.java"));
        for (List<String> command : ReadmeTest.commands()) {
            if (command.size() > 2 && command.get(0).equals("java") && command.get(2).equals("--help")
                    && ReadmeTest.checkOf(command) == ReadmeTest.Check.SOURCE_LAUNCHER) elsewhere.add(command.get(1));
        }
        return elsewhere;
    }

    @Test
    void everyScriptWithoutDependenciesStartsWithThePlainSourceLauncher() throws IOException {
        Set<String> elsewhere = startedWithTheSourceLauncherElsewhere();
        assertTrue(elsewhere.contains("scripts/BlockingClient.java"), "started elsewhere: " + elsewhere);
        List<List<String>> commands = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Path> folders = new ArrayList<>();
        int jdkOnly = 0;
        for (String alias : aliases.keySet()) {
            String source = Files.readString(Scripts.ROOT.resolve(aliases.get(alias)));
            if (source.contains("\n//DEPS ")) continue; // needs JBang
            jdkOnly++;
            if (elsewhere.contains(aliases.get(alias))) continue;
            // Java 17's launcher compiles one file; a script that imports nbio/ needs Java 22's (JEP 458), which
            // finds the library beside the script from any folder (the tour and the checker compile what they
            // need themselves, on Java 17 too).
            int java = isExercise(alias) ? 17 : Scripts.requiredJava(scriptName(alias));
            boolean importsNbio = source.contains("\nimport nbio.") || source.contains("\nimport static nbio.");
            if (importsNbio) java = Math.max(java, 22);
            folders.add(importsNbio ? Files.createTempDirectory("catalog-elsewhere") : Scripts.ROOT);
            // The launcher compiles the script in its own JVM, seconds of CPU: Scripts.sourceLauncher makes that cheaper;
            // what it compiles and runs is the same.
            List<String> command = new ArrayList<>(Scripts.sourceLauncher(Scripts.javaHome(java)));
            command.addAll(List.of(Scripts.ROOT.resolve(aliases.get(alias)).toString(), "--help"));
            commands.add(command);
            names.add(alias);
        }
        assertTrue(jdkOnly >= STEPS.size() + 3, "steps 1-5, the tour and step 6 run without JBang: " + jdkOnly);
        // Two at a time: half the wall, the same CPU.
        for (int i = 0; i < commands.size(); i += 2) {
            List<Scripts.Proc> runs = new ArrayList<>();
            for (int j = i; j < Math.min(i + 2, commands.size()); j++) runs.add(Scripts.Proc.start(commands.get(j), folders.get(j)));
            for (int j = 0; j < runs.size(); j++) {
                Scripts.Proc help = runs.get(j);
                String alias = names.get(i + j);
                assertEquals(0, help.waitFor(START), alias + ":\n" + help.output());
                assertTrue(help.stdout().startsWith("usage: " + alias), alias + ":\n" + help.output());
            }
        }
    }

    /** The exercises (exercises/*.java) run on Java 17, as their //JAVA line says. */
    static boolean isExercise(String alias) throws IOException {
        if (!aliases.get(alias).startsWith("exercises/")) return false;
        assertEquals("//JAVA 17+", Files.readAllLines(Scripts.ROOT.resolve(aliases.get(alias))).get(1), alias);
        return true;
    }

    static String scriptName(String alias) {
        return Path.of(aliases.get(alias)).getFileName().toString().replace(".java", "");
    }
}
