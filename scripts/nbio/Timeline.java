package nbio;

/**
 * The event loop's timeline: lines stamped with the time since the loop started and who speaks,
 * "event-loop:   1.234 s  send-1  socket full after ...". The ticker and the senders print from
 * the loop's thread, and while the JVM is still cold a Formatter costs each tick about a
 * millisecond of the loop's CPU: what they print every turn is built by hand.
 */
public final class Timeline {
    private final String program;
    private final long startNanos;

    public Timeline(String program, long startNanos) {
        this.program = program;
        this.startNanos = startNanos;
    }

    /** The start of a line at {@code nanos} (System.nanoTime), as printf's "%s: %7.3f s  %-7s " would write it. */
    public StringBuilder stamp(long nanos, String who) {
        StringBuilder line = new StringBuilder(program).append(": ");
        long ms = (nanos - startNanos + 500_000) / 1_000_000;
        for (int width = String.valueOf(ms / 1000).length() + 4; width < 7; width++) line.append(' ');
        line.append(ms / 1000).append('.').append(String.valueOf(1000 + ms % 1000), 1, 4).append(" s  ").append(who);
        for (int width = who.length(); width < 8; width++) line.append(' ');
        return line;
    }

    /** Prints one stamped line, now. */
    public void say(String who, String text) {
        System.out.println(stamp(System.nanoTime(), who).append(text));
    }

    /** "1 tick", "2 ticks", "1,234 ticks" (a count under 1,000 has nothing to group: no Formatter). */
    public static String plural(long n, String one) {
        return plural(n, one, one + "s");
    }

    public static String plural(long n, String one, String many) {
        if (Math.abs(n) < 1000) return new StringBuilder().append(n).append(' ').append(n == 1 ? one : many).toString();
        return String.format("%,d %s", n, n == 1 ? one : many);
    }
}
