package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bench run recorded in a folder (benchmark/, and benchmark/before/ for the run made before
 * select-server was rewritten), read back from its results.csv (and results.json where there is
 * one); and how the READMEs show its figures. BenchFiguresTest and BenchProseTest both read runs
 * through this class, so they read them, and round their figures, the same way.
 */
final class RecordedRun {
    static final Path NOW = Scripts.ROOT.resolve("benchmark"), BEFORE = Scripts.ROOT.resolve("benchmark/before");

    /** A figure of the run: median, min and max over its measured runs, how many, and its row's note. */
    record Figure(double median, double min, double max, int runs, String note) { }

    /** A target as the run judged it: "met", "MISSED" or "not measured", a measured value against a threshold (">=" or "<="). */
    record Target(String name, String status, String direction, double measured, double threshold) { }

    final Path dir;
    /** "servers/select-server/1000/mib_s" -> its figure (rows with no value, such as servers not run, have none). */
    private final Map<String, Figure> figures = new LinkedHashMap<>();
    /** The same keys -> each measured run's value, by run number. */
    private final Map<String, TreeMap<Integer, Double>> runs = new LinkedHashMap<>();
    /** Every row's note, with or without a value: "servers/step1-blocking/1000" -> "not run: ...". */
    private final Map<String, String> notes = new LinkedHashMap<>();
    private final List<Target> targets = new ArrayList<>();
    /** "servers" -> the server names, in the order the run wrote them. */
    private final Map<String, Set<String>> subjects = new LinkedHashMap<>();

    private RecordedRun(Path dir) throws IOException {
        this.dir = dir;
        for (String line : Files.readAllLines(dir.resolve("results.csv"))) {
            List<String> c = cells(line);
            if (c.size() < 10) continue;
            String kind = c.get(0), row = c.get(1) + "/" + c.get(2) + "/" + c.get(3), key = row + "/" + c.get(4);
            switch (kind) {
                case "figure" -> {
                    subjects.computeIfAbsent(c.get(1), k -> new LinkedHashSet<>()).add(c.get(2));
                    if (!c.get(9).isEmpty()) notes.put(row, c.get(9));
                    if (!c.get(5).isEmpty()) {
                        figures.put(key, new Figure(number(c.get(5)), number(c.get(6)), number(c.get(7)), Integer.parseInt(c.get(8)), c.get(9)));
                    }
                }
                case "run" -> runs.computeIfAbsent(key, k -> new TreeMap<>()).put(Integer.parseInt(c.get(8)), number(c.get(5)));
                case "target" -> targets.add(new Target(c.get(2), c.get(3), c.get(4).replaceAll("[^<>=]", ""), number(c.get(5)), number(c.get(6))));
                default -> { }
            }
        }
    }

    static RecordedRun read(Path dir) throws IOException {
        return new RecordedRun(dir);
    }

    private static double number(String cell) {
        return cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
    }

    /** The median of every figure: "servers/select-server/1000/mib_s" -> value. */
    Map<String, Double> medians() {
        Map<String, Double> medians = new LinkedHashMap<>();
        figures.forEach((key, f) -> medians.put(key, f.median()));
        return medians;
    }

    Figure figure(String key) {
        Figure f = figures.get(key);
        assertNotNull(f, "no figure " + key + " in " + dir.resolve("results.csv"));
        return f;
    }

    /** The keys of the figures that match a regular expression ("servers/.+/rss_mib"). */
    List<String> keys(String regex) {
        return figures.keySet().stream().filter(k -> k.matches(regex)).toList();
    }

    boolean has(String key) {
        return figures.containsKey(key);
    }

    double median(String key) {
        return figure(key).median();
    }

    /** Each measured run's value of a figure, in run order. */
    List<Double> runs(String key) {
        TreeMap<Integer, Double> byRun = runs.get(key);
        assertNotNull(byRun, "no runs of " + key + " in " + dir.resolve("results.csv"));
        return List.copyOf(byRun.values());
    }

    /** The note on a row ("servers/step1-blocking/100"), or "" when it has none. */
    String note(String row) {
        return notes.getOrDefault(row, "");
    }

    /** The subjects of a part, in the order the run wrote them: part "servers" gives the server names. */
    List<String> subjects(String part) {
        return List.copyOf(subjects.getOrDefault(part, Set.of()));
    }

    List<Target> targets() {
        return List.copyOf(targets);
    }

    /** The one target whose name matches; '*' stands for any text (the thresholds are in the names). */
    Target target(String name) {
        Pattern p = Pattern.compile(Pattern.quote(name).replace("*", "\\E.*?\\Q"));
        List<Target> found = targets.stream().filter(t -> p.matcher(t.name()).matches()).toList();
        assertEquals(1, found.size(), "targets named like '" + name + "' in " + dir.resolve("results.csv") + ": " + found);
        return found.get(0);
    }

    /** A top-level text field of results.json ("machine", "configuration"). */
    String json(String field) throws IOException {
        String json = Files.readString(dir.resolve("results.json"));
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        assertTrue(m.find(), "no \"" + field + "\" in " + dir.resolve("results.json"));
        return m.group(1).replaceAll("\\\\(.)", "$1");
    }

    /** What the run printed (its full-run.txt), found by a pattern's first group. */
    String printed(String regex) throws IOException {
        Matcher m = Pattern.compile(regex).matcher(Files.readString(dir.resolve("full-run.txt")));
        assertTrue(m.find(), dir.resolve("full-run.txt") + " prints " + regex);
        return m.group(1);
    }

    /** Markdown as it reads: no bold or code marks, one space for any white space. */
    static String plain(String markdown) {
        return markdown.replace("**", "").replace("`", "").replaceAll("\\s+", " ");
    }

    /** A CSV line's cells (quoted cells may hold commas): the one reader of results.csv lines, BenchTest's too. */
    static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"]|\"\")*)\"|([^,]*)").matcher(line);
        int at = 0;
        while (at <= line.length() && m.find(at)) {
            cells.add(m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2));
            at = m.end() + 1;
        }
        return cells;
    }

    /** A number as the READMEs show it: thousands separators, the given decimals (half up). */
    static String shown(double value, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    /** A Markdown section: from its title to the next title of level 2 or 3. */
    static String section(String markdown, String title) {
        int start = markdown.indexOf(title);
        assertTrue(start >= 0, "no section " + title);
        int end = markdown.indexOf("\n## ", start + title.length());
        int sub = markdown.indexOf("\n### ", start + title.length());
        if (sub > 0 && (end < 0 || sub < end)) end = sub;
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    /** The data rows of the Markdown tables in a section (not their header or rule), cell by cell. */
    static List<List<String>> rows(String section) {
        return section.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| server") && !l.startsWith("|---"))
                .map(l -> List.of(l.substring(2, l.length() - 2).split(" \\| "))).toList();
    }

    /** The summary table both READMEs show: its columns (median figures of part 2) and their decimals. */
    static final List<String> SUMMARY = List.of("1000/mib_s", "10000/mib_s", "1000/cpu_s_per_gib", "10000/cpu_s_per_gib", "10000/rss_mib");
    private static final int[] SUMMARY_DECIMALS = {0, 0, 2, 2, 0};

    /** A summary table's row checked against this run: each cell the median as shown, "-" where the server has none. */
    void assertSummaryRow(List<String> row, String where) {
        String server = row.get(0).split(" ")[0];
        assertEquals(SUMMARY.size() + 1, row.size(), where + ": the cells of " + row);
        for (int i = 0; i < SUMMARY.size(); i++) {
            Figure f = figures.get("servers/" + server + "/" + SUMMARY.get(i));
            String expected = f == null ? "-" : shown(f.median(), SUMMARY_DECIMALS[i]);
            assertEquals(expected, row.get(i + 1), where + ": " + server + " " + SUMMARY.get(i));
        }
    }
}
