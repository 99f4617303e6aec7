package nbio;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reader of the lines the scripts print for programs rather than people (the README's
 * "Machine-readable lines" documents every field):
 * <pre>
 * RESULT client=NAME bytes=N requested=N writes=N zero_writes=N selects=N wall_ms=X cpu_ms=X crc32=HEX assertion=held|failed
 * SERVED client=N bytes=N reads=N ms=X crc32=HEX ended=eof|idle|reset|stopped ...
 * TOTAL clients=N bytes=N ...
 * </pre>
 * A line is its kind (one upper-case word), then {@code key=value} pairs separated by spaces;
 * values hold no spaces. The tests, the tour and the bench all read them through this class.
 */
public final class MachineLines {
    private static final Pattern KIND = Pattern.compile("^([A-Z]+) ");
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");

    private MachineLines() { }

    /** The kind of a machine-readable line ("RESULT", "SERVED", "TOTAL", ...), or null for a line meant for people. */
    public static String kind(String line) {
        Matcher m = KIND.matcher(line);
        return m.find() && FIELD.matcher(line).find(m.end()) ? m.group(1) : null;
    }

    /** True when {@code line} is a machine-readable line of this kind. */
    public static boolean is(String kind, String line) {
        return line.startsWith(kind + " ") && kind.equals(kind(line));
    }

    /** The key=value fields of a machine-readable line, in the order printed. */
    public static Map<String, String> fields(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) fields.put(m.group(1), m.group(2));
        return fields;
    }

    /** A field read as a whole number; a missing or malformed field is a clear error naming the line. */
    public static long number(Map<String, String> fields, String key) {
        return Long.parseLong(required(fields, key));
    }

    /** A field read as a decimal number (the *_ms fields). */
    public static double decimal(Map<String, String> fields, String key) {
        return Double.parseDouble(required(fields, key));
    }

    private static String required(Map<String, String> fields, String key) {
        String value = fields.get(key);
        if (value == null) throw new IllegalArgumentException("no field '" + key + "' in " + fields);
        return value;
    }
}
