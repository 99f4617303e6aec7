package nbio;

//SOURCES CommandLine.java
//SOURCES Failure.java

import java.net.InetSocketAddress;

/** What virtual-threads is asked to do, read from its command line: where, how much per connection, how many. */
public final class VirtualThreadsArguments {
    public static final String NAME = "virtual-threads";
    static final CommandLine LINE = new CommandLine(NAME, "usage: " + NAME + " [host] [port] [size] [--connections N] [--timeout SECONDS]"
            + " (defaults: localhost 1234 71680, 10000 connections; every connection sends size bytes, then waits for the"
            + " server to close; needs Java 21+; give up after 60 s without progress)");

    public final String host;
    public final int port, size, connections, timeoutSeconds;
    public final InetSocketAddress server;

    private VirtualThreadsArguments(String host, int port, int size, int connections, int timeoutSeconds) {
        this.host = host;
        this.port = port;
        this.size = size;
        this.connections = connections;
        this.timeoutSeconds = timeoutSeconds;
        this.server = new InetSocketAddress(host, port);
        if (server.isUnresolved()) Failure.exit(NAME, 1, "cannot resolve host '" + host + "'");
    }

    /** The arguments, or one line and exit code 2 (0 for --help). */
    public static VirtualThreadsArguments parse(String[] args) {
        String host = "localhost";
        int port = 1234, size = 7 * 10 * 1024, connections = 10_000, timeoutSeconds = 60, positional = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> LINE.help();
                case "--connections" -> connections = LINE.whole(CommandLine.valueAfter(args, i++), "--connections", 1, 1_000_000);
                case "--timeout" -> timeoutSeconds = LINE.whole(CommandLine.valueAfter(args, i++), "--timeout", 1, 86400);
                default -> {
                    LINE.positional(args, i);
                    switch (positional++) {
                        case 0 -> host = LINE.host(arg);
                        case 1 -> port = LINE.port(arg);
                        case 2 -> size = LINE.whole(arg, "size", 1, 1 << 30);
                        default -> LINE.wrong("too many arguments");
                    }
                }
            }
        }
        return new VirtualThreadsArguments(host, port, size, connections, timeoutSeconds);
    }

    /** "localhost:1234", "[::1]:1234". */
    public String where() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public int timeoutMs() {
        return timeoutSeconds * 1000;
    }

    /** data = 'foobar\n' * ..., on the heap (one array that every connection writes from). */
    public byte[] data() {
        byte[] data;
        try {
            data = new byte[size];
        } catch (OutOfMemoryError e) {
            Failure.exit(NAME, 1, String.format("%,d bytes do not fit in this JVM's heap (%s): send less, or give the JVM more heap"
                    + " with -Xmx", size, e.getMessage()));
            return null;
        }
        byte[] foobar = "foobar\n".getBytes();
        for (int i = 0; i < size; i++) data[i] = foobar[i % foobar.length];
        return data;
    }
}
