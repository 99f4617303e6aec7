package benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import static benchmark.Config.OUT;

/**
 * What one bench run measured: figures over runs (median, range), rows of a table, the ratios
 * between rows and the targets judged on them, and the runs that lost bytes.
 */
final class Results {
    /** One measured figure: its values over the measured runs. */
    static final class Stat {
        final List<Double> values = new ArrayList<>();
        void add(double v) { values.add(v); }
        boolean empty() { return values.isEmpty(); }
        double median() {
            if (values.isEmpty()) return Double.NaN;
            double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }
        double min() { return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN); }
        double max() { return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN); }
        String show(String format) {
            if (values.isEmpty()) return "-";
            String m = String.format(Locale.ROOT, format, median());
            if (values.size() == 1 || min() == max()) return m;
            return m + " [" + String.format(Locale.ROOT, format, min()) + "-" + String.format(Locale.ROOT, format, max()) + "]";
        }
    }

    /** A row of a table: what was measured (subject, condition) and its figures by name. */
    static final class Row {
        final String part, subject, condition;
        final Map<String, Stat> stats = new LinkedHashMap<>();
        String note = "";
        boolean failed;
        Row(String part, String subject, String condition) { this.part = part; this.subject = subject; this.condition = condition; }
        Stat stat(String name) { return stats.computeIfAbsent(name, k -> new Stat()); }
        Stat get(String name) { return stats.getOrDefault(name, new Stat()); }
        double med(String name) { Stat s = stats.get(name); return s == null ? Double.NaN : s.median(); }
        int runs() { return stats.values().stream().mapToInt(s -> s.values.size()).max().orElse(0); }
    }

    record Ratio(String name, String condition, String numerator, String denominator, double value) { }

    /** A target judged on one measured value: met when {@code measured direction threshold} holds (direction ">=" or "<="). */
    record Target(String name, String status, String direction, double measured, double threshold, String detail) { }

    final List<Row> rows = new ArrayList<>();
    final List<Ratio> ratios = new ArrayList<>();
    final List<Target> targets = new ArrayList<>();

    Row row(String part, String subject, String condition) {
        Row r = new Row(part, subject, condition);
        rows.add(r);
        return r;
    }

    Optional<Row> find(String part, String subject, String condition) {
        return rows.stream().filter(r -> r.part.equals(part) && r.subject.equals(subject) && r.condition.equals(condition)).findFirst();
    }

    /** Bytes lost or corrupted: the row says so and the bench exits non-zero at the end. */
    static final String LOST = "BYTES LOST OR CORRUPTED: ";
    final List<String> integrityFailures = new ArrayList<>();

    void lostBytes(Row r, String what) {
        r.failed = true;
        r.note = LOST + what;
        integrityFailures.add(what);
        OUT.println("  bench: " + LOST + what);
    }
}
