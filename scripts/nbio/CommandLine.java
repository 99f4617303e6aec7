package nbio;

//SOURCES Failure.java

import java.util.function.ToDoubleFunction;

/** A script's arguments: its usage line, --help, and numbers read with one clear line when they are bad. */
public final class CommandLine {
    public final String program, usage;

    public CommandLine(String program, String usage) {
        this.program = program;
        this.usage = usage;
    }

    /** Prints the usage line and exits 0 (-h, --help). */
    public void help() {
        System.out.println(usage);
        System.exit(0);
    }

    /** "program: problem; usage", exit code 2; never returns. */
    public int wrong(String problem) {
        return Failure.exit(program, 2, problem + "; " + usage);
    }

    /** A positional argument, args[i]: refused when empty (JBang would drop it) or when it is an unknown option. */
    public String positional(String[] args, int i) {
        if (args[i].isEmpty()) wrong("argument " + (i + 1) + " is empty");
        if (args[i].startsWith("-") && !args[i].matches("-\\d+")) wrong("unknown option '" + args[i] + "'");
        return args[i];
    }

    /** The value after option args[i], or "" when the option comes last. */
    public static String valueAfter(String[] args, int i) {
        return i + 1 < args.length ? args[i + 1] : "";
    }

    /** A whole number from min to max; anything else is "bad WHAT 'TEXT' (expected EXPECTED)". */
    public int whole(String text, String what, int min, int max, String expected) {
        return (int) inRange(text, Integer::parseInt, what, min, max, expected);
    }

    /** A whole number from min to max, the range said in the message. */
    public int whole(String text, String what, int min, int max) {
        return whole(text, what, min, max, min + " to " + max);
    }

    /** A decimal number from min to max. */
    public double decimal(String text, String what, double min, double max, String expected) {
        return inRange(text, Double::parseDouble, what, min, max, expected);
    }

    private double inRange(String text, ToDoubleFunction<String> parse, String what, double min, double max, String expected) {
        try {
            double value = parse.applyAsDouble(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) { }
        wrong("bad " + what + " '" + text + "' (expected " + expected + ")");
        return min;
    }

    /** A host; a bare number is refused, since it would be read as an IPv4 address ("25099" is 0.0.98.11). */
    public String host(String text) {
        if (text.matches("\\d+")) {
            wrong("host '" + text + "' looks like a port: give the host first (" + program + " localhost " + text + ")");
        }
        return text;
    }

    /** A TCP port, 0 (any free one) to 65535. */
    public int port(String text) {
        return whole(text, "port", 0, 65535);
    }
}
