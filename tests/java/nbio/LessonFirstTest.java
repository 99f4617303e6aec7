package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lesson first: every step script opens with its program (the article's lines beside the Java),
 * the machinery sits below one divider, the four clients share that machinery byte for byte, and
 * `diff` between consecutive client steps shows only the lesson.
 */
@Timeout(60)
class LessonFirstTest {
    static final String DIVIDER = "// ---- below: not the lesson ----";
    static final List<String> CLIENTS = List.of("BlockingClient", "NonBlockingClient", "RetryClient", "SelectClient");
    /** The call each client step adds to the one before it: its lesson. */
    static final Map<String, String> KEY_CALL = Map.of(
            "NonBlockingClient", "sock.configureBlocking(false);",
            "RetryClient", "while (data.hasRemaining()) {",
            "SelectClient", "selector.select(");
    /** Article lines (Python) that must stand beside the Java that re-tells them. */
    static final Map<String, List<String>> ARTICLE_LINES = Map.of(
            "Server", List.of("sock.bind(", "sock.listen(5)", "conn, info = sock.accept()", "conn.recv(1024)"),
            "BlockingClient", List.of("sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)", "sock.connect(('localhost', 1234))",
                    "data = 'foobar\\n' * 10 * 1024 * 1024", "assert sock.send(data) == len(data)  # True"),
            "NonBlockingClient", List.of("sock.setblocking(0)", "assert sock.send(data) == len(data)  # AssertionError"),
            "RetryClient", List.of("sock.setblocking(0)", "while len(data):", "sent = sock.send(data); data = data[sent:]",
                    "total_sent += sent", "print 'Sending data'", "print 'Blocking with', len(data), 'remaining'",
                    "assert total_sent == data_size  # True"),
            "SelectClient", List.of("sock.setblocking(0)", "while len(data):", "select.select([], [sock], [])",
                    "assert total_sent == data_size  # True"));

    static List<String> lines(String script) throws IOException {
        return Files.readAllLines(Scripts.SCRIPTS.resolve(script + ".java"));
    }

    /** The index of the divider line (indented or not); exactly one per script. */
    static int divider(String script, List<String> lines) {
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).strip().equals(DIVIDER)) at.add(i);
        assertEquals(1, at.size(), script + ": one line '" + DIVIDER + "'");
        return at.get(0);
    }

    /** The first line (1-based) that contains {@code call}, or a failure. */
    static int firstLineWith(String script, List<String> lines, String call) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(call) && !lines.get(i).strip().startsWith("//")) return i + 1;
        }
        throw new AssertionError(script + " never calls " + call);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Server", "BlockingClient", "NonBlockingClient", "RetryClient", "SelectClient"})
    void theArticlesProgramOpensTheScriptAndItsPythonStandsBesideIt(String script) throws IOException {
        List<String> lines = lines(script);
        String call = script.equals("Server") ? "read(" : "write(";
        int first = firstLineWith(script, lines, call);
        assertTrue(first <= 40, script + ": the first " + call + " is on line " + first + ", after line 40");
        assertTrue(first < divider(script, lines) + 1, script + ": the first " + call + " comes after the divider");
        List<String> lesson = lines.subList(0, divider(script, lines));
        for (String python : ARTICLE_LINES.get(script)) {
            assertTrue(lesson.stream().anyMatch(l -> l.matches(".*\\S.*//.*") && l.substring(l.indexOf("//")).contains(python)),
                    script + ": no Java line carries the article's `" + python + "` beside it");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"SelectServer", "EventLoop", "VirtualThreads"})
    void stepSixScriptsAlsoPutTheirProgramAboveTheDivider(String script) throws IOException {
        List<String> lines = lines(script);
        int at = divider(script, lines);
        assertTrue(lines.subList(at, lines.size()).stream().anyMatch(l -> l.contains("static void main(")),
                script + ": main (arguments, reporting) lives below the divider");
    }

    /**
     * Step 6 is its lesson too: event-loop and select-server at most 200 lines, virtual-threads at most 120, each
     * at least three quarters above the divider; the lesson's classes own their state (none extends another class).
     */
    @ParameterizedTest
    @CsvSource({"EventLoop, 200", "SelectServer, 200", "VirtualThreads, 120"})
    void aStepSixFileIsItsLesson(String script, int most) throws IOException {
        List<String> lines = lines(script);
        assertTrue(lines.size() <= most, script + " has " + lines.size() + " lines (at most " + most + ")");
        int lesson = divider(script, lines);
        assertTrue(4 * lesson >= 3 * lines.size(), script + ": " + lesson + " of its " + lines.size()
                + " lines are above the divider (at least three quarters)");
        for (String line : lines) {
            assertFalse(line.matches(".*\\bclass \\w+ extends .*"), script + ": " + line.strip() + " (composition, not a base class)");
        }
    }

    @Test
    void theFourClientsShareOneMachineryBlockByteForByte() throws IOException {
        List<String> reference = null;
        for (String client : CLIENTS) {
            List<String> lines = lines(client);
            List<String> machinery = lines.subList(divider(client, lines), lines.size());
            if (reference == null) {
                reference = machinery;
                assertTrue(reference.size() > 100, "the machinery block holds arguments, deadlines, Ctrl-C and the report");
            } else {
                assertEquals(String.join("\n", reference), String.join("\n", machinery),
                        client + "'s block below the divider drifted from " + CLIENTS.get(0) + "'s");
            }
        }
    }

    @Test
    void diffBetweenConsecutiveClientStepsIsTheLessonOnly() throws IOException {
        for (int i = 1; i < CLIENTS.size(); i++) {
            String before = CLIENTS.get(i - 1), after = CLIENTS.get(i);
            List<String> a = comparable(before), b = comparable(after);
            List<String> changed = changedLines(a, b);
            assertTrue(changed.size() <= 24, before + " -> " + after + " changes " + changed.size() + " lines (at most 24):\n"
                    + String.join("\n", changed));
            assertTrue(changed.stream().anyMatch(l -> l.contains(KEY_CALL.get(after))),
                    before + " -> " + after + ": the diff lacks the step's key call " + KEY_CALL.get(after));
            // Every changed line lies above the divider of its file: the lesson, not the machinery.
            int dividerA = divider(before, a), dividerB = divider(after, b);
            for (int[] edit : edits(a, b)) {
                assertTrue(edit[0] < 0 ? edit[1] < dividerB : edit[0] < dividerA,
                        before + " -> " + after + ": a change below the divider: "
                                + (edit[0] < 0 ? b.get(edit[1]) : a.get(edit[0])));
            }
        }
    }

    /** A client script without its three header lines, its class name made neutral. */
    static List<String> comparable(String script) throws IOException {
        List<String> lines = new ArrayList<>(lines(script).subList(3, lines(script).size()));
        lines.replaceAll(l -> l.replace("public class " + script + " {", "public class Step {"));
        return lines;
    }

    static List<String> changedLines(List<String> a, List<String> b) {
        List<String> changed = new ArrayList<>();
        for (int[] edit : edits(a, b)) changed.add(edit[0] < 0 ? "> " + b.get(edit[1]) : "< " + a.get(edit[0]));
        return changed;
    }

    /** The lines that a longest-common-subsequence diff removes from a ({x, -1}) or adds from b ({-1, y}). */
    static List<int[]> edits(List<String> a, List<String> b) {
        int[][] common = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                common[i][j] = a.get(i).equals(b.get(j)) ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<int[]> edits = new ArrayList<>();
        int i = 0, j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) { i++; j++; }
            else if (j == b.size() || (i < a.size() && common[i + 1][j] >= common[i][j + 1])) edits.add(new int[] {i++, -1});
            else edits.add(new int[] {-1, j++});
        }
        return edits;
    }
}
