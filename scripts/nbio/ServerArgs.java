package nbio;

//SOURCES CommandLine.java

/** What the step-1 server is told: [port] [--show-data] [--read-rate MiB/s] [--idle-timeout SECONDS] and the rest. */
public record ServerArgs(CommandLine commandLine, int port, int idleSeconds, boolean showData, boolean progress,
                         boolean bindAll, boolean ipv6, double readRate, String host) {
    public static final String USAGE = "usage: server [port] [--show-data] [--read-rate MiB/s] [--idle-timeout SECONDS]"
            + " [--no-progress] [--ipv6] [--bind-all] (port 0 picks a free one; default 1234;"
            + " a client that sends under 1,024 bytes in 120 s is dropped)";

    public static ServerArgs parse(String[] args) {
        CommandLine cl = new CommandLine("server", USAGE);
        int port = 1234, idleSeconds = 120;
        boolean showData = false, progress = System.console() != null, bindAll = false, ipv6 = false;
        double readRate = 0; // MiB/s; 0 means as fast as possible
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> cl.help();
                case "--show-data" -> showData = true;
                case "--no-progress" -> progress = false;
                case "--bind-all" -> bindAll = true;
                case "--ipv6" -> ipv6 = true;
                case "--read-rate" -> readRate = cl.decimal(CommandLine.valueAfter(args, i++), "--read-rate", 1e-3, 1e6,
                        "a number above 0");
                case "--idle-timeout" -> idleSeconds = (int) cl.decimal(CommandLine.valueAfter(args, i++), "--idle-timeout",
                        1, 86400, "a number above 0");
                default -> {
                    if (args[i].startsWith("-") && !args[i].matches("-\\d+")) cl.wrong("unknown option '" + args[i] + "'");
                    port = cl.port(args[i]);
                }
            }
        }
        if (bindAll && ipv6) cl.wrong("--bind-all and --ipv6 exclude each other");
        String host = bindAll ? "0.0.0.0" : ipv6 ? "::1" : "localhost";
        return new ServerArgs(cl, port, idleSeconds, showData, progress, bindAll, ipv6, readRate, host);
    }

    /** host:port as people write it ([::1]:1234 for IPv6). */
    public String where(int port) {
        return (ipv6 ? "[::1]" : host) + ":" + port;
    }
}
