package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sampler's lines, SAMPLER and QUEUE, as README's "Machine-readable lines" documents them: run as the
 * notebooks run it, against a loopback connection whose buffers are full, every field it prints is documented,
 * every documented field is printed, and a field is missing from a line only where the README says it may be.
 */
@Timeout(120)
class QueueLinesTest {
    @Test
    void theSamplersLinesCarryTheFieldsTheReadmeDocuments() throws IOException {
        String section = WhatTheRunPrintedTest.section("`SAMPLER` and `QUEUE`", "## When things go wrong");
        String intro = section.substring(0, section.indexOf("| field |"));
        Set<String> samplerDoc = names(intro);
        Set<String> queueDoc = new TreeSet<>(), optional = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| (`[^|]+) \\| ([^|]+) \\|$").matcher(section);
        while (row.find()) {
            Set<String> fields = names(row.group(1));
            queueDoc.addAll(fields);
            if (row.group(2).contains("left out")) optional.addAll(fields);
        }
        assertTrue(queueDoc.size() >= 15, "the QUEUE table: " + queueDoc);

        assertEquals("ss", SocketQueues.source(), "ss (iproute2) is installed by tests/run: with it every field is printed");
        try (SocketQueuesTest.Pair pair = SocketQueuesTest.Pair.open(0, 0)) {
            // Both ends hold bytes: the client writes until its buffers are full, the peer reads some of it.
            pair.client().configureBlocking(false);
            ByteBuffer data = ByteBuffer.allocateDirect(64 * 1024);
            for (int i = 0; i < 10_000 && pair.client().write(data.clear()) > 0; i++) { }
            pair.peer().read(ByteBuffer.allocate(1024));
            int port = pair.peer().socket().getLocalPort();
            Scripts.Proc sampler = Scripts.Proc.start(List.of(Scripts.javaHome(17).resolve("bin/java").toString(),
                    "scripts/nbio/SocketQueues.java", String.valueOf(port), "--every", "5", "--for", "100"), Scripts.ROOT);
            assertEquals(0, sampler.waitFor(Duration.ofSeconds(90)), sampler.output());
            List<String> lines = sampler.stdoutLines();
            assertTrue(MachineLines.is("SAMPLER", lines.get(0)), sampler.output());
            assertEquals(samplerDoc, MachineLines.fields(lines.get(0)).keySet(), "the SAMPLER line's fields");

            Set<String> printed = new TreeSet<>();
            for (String line : lines.subList(1, lines.size())) {
                assertTrue(MachineLines.is("QUEUE", line), line);
                Set<String> fields = MachineLines.fields(line).keySet();
                for (String field : fields) assertTrue(queueDoc.contains(field), "QUEUE field '" + field + "' is not in the README: " + line);
                for (String field : queueDoc) {
                    assertTrue(fields.contains(field) || optional.contains(field), "QUEUE without " + field + ", which the README"
                            + " does not say may be left out: " + line);
                }
                printed.addAll(fields);
            }
            assertFalse(printed.isEmpty(), "no QUEUE line: " + sampler.output());
            assertEquals(queueDoc, printed, "the fields the README documents, all printed (both ends hold bytes)");
        }
    }

    /** The `field` names in a piece of the README (lower case; the kinds, in capitals, are not among them). */
    static Set<String> names(String text) {
        Set<String> names = new TreeSet<>();
        Matcher name = Pattern.compile("`([a-z][a-z0-9_]*)`").matcher(text);
        while (name.find()) names.add(name.group(1));
        return names;
    }
}
