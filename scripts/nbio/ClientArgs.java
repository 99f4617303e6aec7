package nbio;

//SOURCES ArticleData.java
//SOURCES CommandLine.java

/** What a client step is told: [host] [port] [size] [--timeout SECONDS] [--verbose], checked up front. */
public record ClientArgs(CommandLine commandLine, String host, int port, int size, int timeoutSeconds, boolean verbose) {
    // The most Linux moves in one write call (INT_MAX rounded down to a 4 KiB page): one write of more
    // would return early however fast the server reads, so such sizes are refused up front.
    public static final int MOST_ONE_WRITE_MOVES = 2_147_479_552;

    public static String usage(String program) {
        return "usage: " + program + " [host] [port] [size] [--timeout SECONDS] [--verbose]"
                + " (defaults: localhost 1234 73400320; gives up after 60 s without progress;"
                + " --verbose prints the article's 'Sending data' and 'Blocking with N remaining' in steps 4 and 5)";
    }

    public static ClientArgs parse(String program, String[] args) {
        CommandLine cl = new CommandLine(program, usage(program));
        String host = "localhost";
        int port = 1234, size = ArticleData.SIZE, timeoutSeconds = 60, positional = 0;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.isEmpty()) cl.wrong("argument " + (i + 1) + " is empty");
            else if (arg.equals("-h") || arg.equals("--help")) cl.help();
            else if (arg.equals("--verbose")) verbose = true;
            else if (arg.equals("--timeout")) timeoutSeconds = cl.whole(CommandLine.valueAfter(args, i++), "--timeout", 1, 86400);
            else if (arg.startsWith("-") && !arg.matches("-\\d+")) cl.wrong("unknown option '" + arg + "'");
            else switch (positional++) {
                case 0 -> host = cl.host(arg);
                case 1 -> port = cl.port(arg);
                case 2 -> size = cl.whole(arg, "size", 1, MOST_ONE_WRITE_MOVES,
                        String.format("%,d to %,d: the most one write call moves", 1, MOST_ONE_WRITE_MOVES));
                default -> cl.wrong("too many arguments");
            }
        }
        return new ClientArgs(cl, host, port, size, timeoutSeconds, verbose);
    }

    /** Stops the program with one line on stderr (exit code 1 for faults, 2 for bad input). */
    public int fail(int code, String message) {
        return Failure.exit(commandLine.program, code, message);
    }

    public String program() {
        return commandLine.program;
    }
}
