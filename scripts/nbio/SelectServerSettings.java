package nbio;

//SOURCES CommandLine.java

import java.io.IOException;
import java.net.InetAddress;

/** What select-server is asked to do, read from its command line (readRate: MiB/s per client as given, 0: as fast as it comes). */
public record SelectServerSettings(int port, boolean events, boolean progress, boolean bindAll, String host, double readRate,
                                   int idleSeconds) {
    public static final String NAME = "select-server";
    static final CommandLine LINE = new CommandLine(NAME, "usage: " + NAME
            + " [port] [--events] [--read-rate MiB/s] [--idle-timeout SECONDS]"
            + " [--host ADDRESS] [--no-progress] [--bind-all] (port 0 picks a free one; default 1234;"
            + " --events prints a line per accept, read and close; --read-rate reads each client at most that fast;"
            + " a client that sends nothing for --idle-timeout seconds is dropped, default 120, 0 never;"
            + " --host is a loopback address to listen on, default localhost, e.g. ::1)");

    /** The settings, or one line and exit code 2 (0 for --help). */
    public static SelectServerSettings parse(String[] args) {
        int port = 1234, idleSeconds = 120;
        boolean events = false, progress = System.console() != null, bindAll = false;
        String host = "localhost";
        double readRate = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> LINE.help();
                case "--events" -> events = true;
                case "--no-progress" -> progress = false;
                case "--bind-all" -> bindAll = true;
                case "--host" -> host = loopbackHost(CommandLine.valueAfter(args, i++));
                case "--read-rate" -> readRate = LINE.decimal(CommandLine.valueAfter(args, i++), "--read-rate", 1e-3, 1e6,
                        "a number of MiB/s above 0");
                case "--idle-timeout" -> idleSeconds = (int) LINE.decimal(CommandLine.valueAfter(args, i++), "--idle-timeout", 0, 86400,
                        "0 to 86400 seconds");
                default -> {
                    if (args[i].startsWith("-") && !args[i].matches("-\\d+")) LINE.wrong("unknown option '" + args[i] + "'");
                    port = LINE.port(args[i]);
                }
            }
        }
        return new SelectServerSettings(port, events, progress, bindAll, bindAll ? "0.0.0.0" : host, readRate, idleSeconds);
    }

    /** How much one read may take: the whole buffer, or with --read-rate about an eighth of a second's worth. */
    public int readSize(int capacity) {
        if (readRate <= 0) return capacity;
        return (int) Math.max(1024, Math.min(capacity, readRate * 1024 * 1024 / 8));
    }

    // --host takes a loopback address only (a name other than localhost could mean a lookup on the network).
    static String loopbackHost(String text) {
        boolean literal = text.matches("[0-9.]+") || text.contains(":");
        try {
            if ((literal || text.equals("localhost")) && InetAddress.getByName(text).isLoopbackAddress()) return text;
        } catch (IOException e) { }
        LINE.wrong("bad --host '" + text + "' (expected a loopback address: localhost, 127.0.0.1 or ::1; --bind-all listens"
                + " on every interface)");
        return null;
    }
}
