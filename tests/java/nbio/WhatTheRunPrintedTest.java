package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * What the README says the scripts print, checked against every line the other test classes saw
 * printed in this run: each message of "When things go wrong" was printed, and the machine-readable
 * lines carry exactly the fields "Machine-readable lines" documents. It runs last: JUnit runs the
 * isolated classes after all others, in class-name order (tests/pom.xml), and no other class name sorts after this one.
 */
@Timeout(60)
@Isolated("it reads what every other class saw printed, so it runs after them all")
class WhatTheRunPrintedTest {
    static String section(String title, String next) throws IOException {
        String readme = Files.readString(Scripts.ROOT.resolve("README.md"));
        int start = readme.indexOf(title);
        assertTrue(start >= 0, "the README has a section " + title);
        return readme.substring(start, readme.indexOf(next, start));
    }

    @Test
    void noOtherTestClassRunsAfterThisOne() throws IOException {
        try (var files = Files.list(Scripts.ROOT.resolve("tests/java/nbio"))) {
            List<String> classes = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith("Test.java")).sorted().toList();
            assertEquals(getClass().getSimpleName() + ".java", classes.get(classes.size() - 1),
                    "the isolated classes run last, by name: this one must sort last to see what the others printed");
            assertNotNull(getClass().getAnnotation(Isolated.class), "isolated, so that it runs after every class that is not");
        }
    }

    @Test
    void everyMessageTheReadmeListsWasPrinted() throws IOException {
        String section = section("## When things go wrong", "## Tests");
        Set<String> printed = Scripts.printedSoFar();
        Matcher row = Pattern.compile("(?m)^\\| `(.+?)` \\| ").matcher(section);
        int messages = 0;
        while (row.find()) {
            messages++;
            StringBuilder regex = new StringBuilder();
            for (String piece : row.group(1).split("\\.\\.\\.", -1)) regex.append(regex.length() > 0 ? ".+?" : "").append(Pattern.quote(piece));
            Pattern message = Pattern.compile(regex.toString());
            assertTrue(printed.stream().anyMatch(line -> message.matcher(line).find()), "no script printed: " + row.group(1));
        }
        assertTrue(messages >= 10, "messages in the README table: " + messages);
    }

    @Test
    void machineReadableLinesCarryTheFieldsTheReadmeDocuments() throws IOException {
        String section = section("## Machine-readable lines", "## When things go wrong");
        // Every `field` the section names, in its tables and its prose.
        Set<String> documented = new TreeSet<>();
        Matcher name = Pattern.compile("`([a-z][a-z0-9_]*)`").matcher(section);
        while (name.find()) documented.add(name.group(1));
        Set<String> printedFields = new TreeSet<>();
        for (String kind : List.of("RESULT", "SERVED", "TOTAL", "LOOP", "SYSCALLS", "SAMPLER", "QUEUE")) { // QUEUE: QueueLinesTest
            Set<String> seen = new LinkedHashSet<>();
            int lines = 0;
            for (String line : Scripts.printedSoFar()) {
                if (!MachineLines.is(kind, line)) continue;
                lines++;
                seen.addAll(MachineLines.fields(line).keySet());
            }
            assertTrue(lines > 0, "no " + kind + " line was printed in this run");
            for (String field : seen) assertTrue(documented.contains(field), kind + " field '" + field + "' is not in the README");
            printedFields.addAll(seen);
        }
        // The other way round: every field the section documents was printed. The section's other `words` are values
        // and names, not fields; each must still be in the section, so that this list cannot go stale.
        Set<String> notFields = Set.of("size", "assert", "held", "failed", "eof", "idle", "reset", "stopped", "poll");
        for (String word : notFields) assertTrue(documented.contains(word), "`" + word + "` is no longer in the section: drop it here");
        for (String field : documented) {
            if (!notFields.contains(field)) assertTrue(printedFields.contains(field), "the README documents `" + field + "`, never printed in this run");
        }
        // The base fields every RESULT line has, and the client names the README lists.
        Set<String> clients = new TreeSet<>();
        for (String line : Scripts.printedSoFar()) {
            if (!MachineLines.is("RESULT", line)) continue;
            Map<String, String> fields = MachineLines.fields(line);
            for (String field : List.of("client", "bytes", "requested", "writes", "zero_writes", "selects", "wall_ms", "cpu_ms", "crc32", "assertion")) {
                assertTrue(fields.containsKey(field), "RESULT without " + field + ": " + line);
            }
            clients.add(fields.get("client"));
            // Steps 2 to 5 also say how long their sending thread waited for a CPU (Linux's schedstat; this is Linux).
            if (List.of("blocking-client", "nonblocking-client", "retry-client", "select-client").contains(fields.get("client"))) {
                assertTrue(fields.containsKey("queued_ms"), "RESULT of a client step without queued_ms: " + line);
            }
        }
        for (String client : clients) assertTrue(section.contains("`" + client + "`"), "RESULT client=" + client + " is not in the README");
        assertEquals(Set.of("blocking-client", "nonblocking-client", "retry-client", "select-client", "event-loop", "virtual-threads"),
                clients, "every client printed its RESULT line in this run");
    }
}
