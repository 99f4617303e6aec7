package nbio;

import java.io.PrintStream;

/**
 * What select-server prints: each turn's lines gathered and written at once (not two writes per
 * client), the two lines of a client that went (one for people, one for programs: SERVED, see
 * the README), and the progress line on a terminal. Numbers are built by hand: String.format for
 * every client would cost more than the rest of its bookkeeping.
 */
public final class ServerLines {
    static final String NAME = SelectServerSettings.NAME;
    final PrintStream out = System.out;
    final StringBuilder lines = new StringBuilder();
    boolean progressShown;

    /** A line, written with the rest of this turn's. */
    public void line(String text) {
        endProgress();
        lines.append(text).append('\n');
    }

    /** A line, written now. */
    public void say(String text) {
        line(text);
        flush();
    }

    /** A client went: "client 3 done: ..." and its SERVED line. */
    void served(long number, long bytes, long reads, long start, long crc32, String ended, String peer, int open) {
        long nanos = System.nanoTime() - start;
        String crc = crc32(crc32);
        endProgress();
        lines.append(NAME).append(": client ").append(grouped(number)).append(" done: ").append(plural(bytes, "byte"))
                .append(" in ").append(plural(reads, "read")).append(", ").append(nanos / 1_000_000_000L).append('.')
                .append(digits(nanos / 1_000_000 % 1000, 3)).append(" s, crc32=").append(crc)
                .append(switch (ended) {
                    case "eof", "idle" -> "";
                    case "reset" -> " (the client reset the connection)";
                    default -> " (cut off: the server is stopping)";
                }).append("; ").append(grouped(open)).append(" still open\n");
        lines.append("SERVED client=").append(number).append(" bytes=").append(bytes).append(" reads=").append(reads)
                .append(" ms=").append(nanos / 1_000_000).append('.').append(nanos / 100_000 % 10).append(" crc32=").append(crc)
                .append(" ended=").append(ended).append(" peer=").append(peer).append('\n');
    }

    /** The progress line on a terminal, rewritten in place. */
    void progress(int open, long served, long bytes) {
        out.printf("\r  %,d clients open, %,d served, %,d bytes ", open, served, bytes);
        progressShown = true;
    }

    void endProgress() {
        if (progressShown) {
            lines.append('\n');
            progressShown = false;
        }
    }

    /** Everything this turn printed, in one write to the terminal (or pipe). */
    public void flush() {
        if (lines.length() == 0) return;
        out.append(lines);
        out.flush();
        lines.setLength(0);
        if (lines.capacity() > 1 << 20) lines.trimToSize();
    }

    static String crc32(long value) {
        String hex = Long.toHexString(value);
        return "00000000".substring(hex.length()) + hex;
    }

    static String digits(long value, int width) {
        String text = Long.toString(value);
        return "000".substring(0, Math.max(0, width - text.length())) + text;
    }

    /** 1234567 -> "1,234,567", as the other scripts print numbers for people. */
    static String grouped(long value) {
        String text = Long.toString(Math.abs(value));
        StringBuilder sb = new StringBuilder(value < 0 ? "-" : "");
        for (int i = 0; i < text.length(); i++) {
            if (i > 0 && (text.length() - i) % 3 == 0) sb.append(',');
            sb.append(text.charAt(i));
        }
        return sb.toString();
    }

    /** "1 client", "2 clients", "1,000 bytes". */
    static String plural(long count, String noun) {
        return grouped(count) + " " + noun + (count == 1 ? "" : "s");
    }
}
