package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every step file is its lesson: it opens with the article's program (the article's lines beside the Java),
 * what is not the lesson lives once in scripts/nbio and a step's main hands the program to it, the files stay
 * small, nothing but the lesson repeats between them, and `diff` between consecutive client steps shows only
 * the lesson.
 */
@Timeout(60)
class LessonFirstTest {
    static final String DIVIDER = "// ---- below: not the lesson ----";
    static final List<String> CLIENTS = List.of("BlockingClient", "NonBlockingClient", "RetryClient", "SelectClient");
    static final Map<String, String> ALIASES = Map.of("BlockingClient", "blocking-client",
            "NonBlockingClient", "nonblocking-client", "RetryClient", "retry-client", "SelectClient", "select-client");
    /** The most lines a client step may have, header and imports included (the issue's bound). */
    static final int CLIENT_LINES = 60;
    /** The most lines the step-1 server may have. */
    static final int SERVER_LINES = 90;
    /** The widest line in a step's lesson: the Java and the article's Python beside it must fit a wide editor. */
    static final int WIDEST = 125;
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
            "NonBlockingClient", List.of("sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)", "sock.setblocking(0)",
                    "assert sock.send(data) == len(data)  # AssertionError"),
            "RetryClient", List.of("sock.setblocking(0)", "while len(data):", "sent = sock.send(data); data = data[sent:]",
                    "total_sent += sent", "print 'Sending data'", "print 'Blocking with', len(data), 'remaining'",
                    "assert total_sent == data_size  # True"),
            "SelectClient", List.of("sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)", "sock.setblocking(0)",
                    "while len(data):", "select.select([], [sock], [])", "assert total_sent == data_size  # True"));

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

    /**
     * The lines (0-based) of a step file that are not its lesson: the //SOURCES lines and imports that name the
     * library, and the main method that hands the program to it. Everything else is the article's program: its
     * header, its imports, its comments and its code.
     */
    static Set<Integer> notTheLesson(String script, List<String> lines) {
        Set<Integer> not = new TreeSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("//SOURCES ") || line.startsWith("import nbio.") || line.startsWith("import static nbio.")) not.add(i);
        }
        int main = firstLineWith(script, lines, "public static void main(") - 1;
        String indent = lines.get(main).substring(0, lines.get(main).indexOf("public"));
        int end = main;
        while (!lines.get(end).equals(indent + "}")) end++;
        for (int i = main; i <= end; i++) not.add(i);
        return not;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Server", "BlockingClient", "NonBlockingClient", "RetryClient", "SelectClient"})
    void theArticlesProgramOpensTheScriptAndItsPythonStandsBesideIt(String script) throws IOException {
        List<String> lines = lines(script);
        String call = script.equals("Server") ? "read(" : "write(";
        int first = firstLineWith(script, lines, call);
        assertTrue(first <= 40, script + ": the first " + call + " is on line " + first + ", after line 40");
        for (String python : ARTICLE_LINES.get(script)) {
            assertTrue(lines.stream().anyMatch(l -> l.matches(".*\\S.*//.*") && l.substring(l.indexOf("//")).contains(python)),
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

    /**
     * A client step is its lesson: at most 60 lines all told, at least three quarters of them the article's
     * program, two methods (send, the lesson; main, one call that hands it to nbio/ClientRun), no line too wide.
     */
    @ParameterizedTest
    @ValueSource(strings = {"BlockingClient", "NonBlockingClient", "RetryClient", "SelectClient"})
    void aClientStepIsItsLesson(String script) throws IOException {
        List<String> lines = lines(script);
        assertTrue(lines.size() <= CLIENT_LINES, script + " has " + lines.size() + " lines (at most " + CLIENT_LINES + ")");
        Set<Integer> not = notTheLesson(script, lines);
        double lesson = 1 - (double) not.size() / lines.size();
        assertTrue(lesson >= 0.75, script + ": " + Math.round(100 * lesson) + "% of its lines are its lesson (at least 75%)");
        List<String> methods = lines.stream().filter(l -> l.matches("    (public )?static \\S+ \\w+\\(.*")).toList();
        assertEquals(List.of("    static void send(ClientRun run) throws IOException {", "    public static void main(String[] args) {"),
                methods, script + ": send (the lesson) and main, nothing else");
        assertTrue(lines.contains("        ClientRun.run(\"" + ALIASES.get(script) + "\", args, " + script + "::send);"),
                script + ": main hands the lesson to the library");
        for (int i = 3; i < lines.size(); i++) {                 // the JBang header's //DESCRIPTION may run long
            assertTrue(lines.get(i).length() <= WIDEST, script + ":" + (i + 1) + " is " + lines.get(i).length()
                    + " characters wide (at most " + WIDEST + ")");
        }
    }

    /** The step-1 server is its lesson too: at most 90 lines, three quarters lesson, serve and a main that hands it on. */
    @Test
    void theServerStepIsItsLesson() throws IOException {
        List<String> lines = lines("Server");
        assertTrue(lines.size() <= SERVER_LINES, "Server has " + lines.size() + " lines (at most " + SERVER_LINES + ")");
        double lesson = 1 - (double) notTheLesson("Server", lines).size() / lines.size();
        assertTrue(lesson >= 0.75, "Server: " + Math.round(100 * lesson) + "% of its lines are its lesson (at least 75%)");
        List<String> methods = lines.stream().filter(l -> l.matches("    (public )?static \\S+ \\w+\\(.*")).toList();
        assertEquals(List.of("    static void serve(ServerRun run) throws IOException {", "    public static void main(String[] args) {"),
                methods, "Server: serve (the lesson) and main, nothing else");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("        ServerRun.run(args, Server::serve);")),
                "Server: main hands the lesson to the library");
        for (int i = 3; i < lines.size(); i++) {
            assertTrue(lines.get(i).length() <= WIDEST, "Server:" + (i + 1) + " is " + lines.get(i).length() + " characters wide");
        }
    }

    /**
     * Nothing but the lesson repeats between step files: outside their lessons' code (the method a step's
     * lesson lives in) and their imports, no two step files share three lines in a row.
     */
    @Test
    void noBlockRepeatsBetweenStepFilesOutsideTheLessons() throws IOException {
        Map<String, List<String>> outside = new LinkedHashMap<>();
        List<String> steps = new ArrayList<>(CLIENTS);
        steps.add(0, "Server");
        for (String client : steps) {
            List<String> lines = lines(client), kept = new ArrayList<>();
            String lesson = client.equals("Server") ? "static void serve(" : "static void send(";
            int send = firstLineWith(client, lines, lesson) - 1, end = send;
            while (!lines.get(end).equals("    }")) end++;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if ((i < send || i > end) && !line.isEmpty() && !line.startsWith("import ")) kept.add(line);
            }
            outside.put(client, kept);
        }
        Map<List<String>, String> seen = new HashMap<>();
        for (Map.Entry<String, List<String>> file : outside.entrySet()) {
            List<String> kept = file.getValue();
            for (int i = 0; i + 3 <= kept.size(); i++) {
                List<String> block = kept.subList(i, i + 3);
                String first = seen.putIfAbsent(block, file.getKey());
                assertTrue(first == null || first.equals(file.getKey()),
                        first + " and " + file.getKey() + " both hold, outside their lessons:\n" + String.join("\n", block));
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
            // Every changed line is lesson: none lies in what hands the lesson to the library.
            Set<Integer> notA = shifted(notTheLesson(before, lines(before))), notB = shifted(notTheLesson(after, lines(after)));
            for (int[] edit : edits(a, b)) {
                assertFalse(edit[0] < 0 ? notB.contains(edit[1]) : notA.contains(edit[0]),
                        before + " -> " + after + ": a change outside the lesson: " + (edit[0] < 0 ? b.get(edit[1]) : a.get(edit[0])));
            }
        }
    }

    /** Line numbers of a whole file as line numbers of {@link #comparable} (which drops the three header lines). */
    static Set<Integer> shifted(Set<Integer> lines) {
        Set<Integer> shifted = new TreeSet<>();
        for (int line : lines) if (line >= 3) shifted.add(line - 3);
        return shifted;
    }

    /** A client script without its three header lines, its class name and alias made neutral. */
    static List<String> comparable(String script) throws IOException {
        List<String> lines = new ArrayList<>(lines(script).subList(3, lines(script).size()));
        lines.replaceAll(l -> l.replace(script, "Step").replace("\"" + ALIASES.get(script) + "\"", "\"step\""));
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
