package nbio;

//SOURCES ArticleData.java
//SOURCES CommandLine.java
//SOURCES Failure.java

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** What event-loop is asked to do, read from its command line: where to send, how much, how many senders, the tick. */
public final class EventLoopArguments {
    public static final String NAME = "event-loop";
    static final CommandLine LINE = new CommandLine(NAME, "usage: " + NAME
            + " [host] [port[,port...]] [size] [--senders N] [--tick-ms MS] [--timeout SECONDS]"
            + " (defaults: localhost 1234 73400320, 2 senders, a tick every 100 ms; every sender sends size bytes,"
            + " taking the ports in turn; a sender gives up after 60 s without progress)");

    public final String host;
    public final List<Integer> ports;
    public final int size, senders, tickMs, timeoutSeconds;

    private EventLoopArguments(String host, List<Integer> ports, int size, int senders, int tickMs, int timeoutSeconds) {
        this.host = host;
        this.ports = ports;
        this.size = size;
        this.senders = senders;
        this.tickMs = tickMs;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** The arguments, or one line and exit code 2 (0 for --help). */
    public static EventLoopArguments parse(String[] args) {
        String host = "localhost";
        List<Integer> ports = List.of(1234);
        int size = ArticleData.SIZE;
        int senders = 2, tickMs = 100, timeoutSeconds = 60, positional = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> LINE.help();
                case "--senders" -> senders = LINE.whole(CommandLine.valueAfter(args, i++), "--senders", 1, 1000);
                case "--tick-ms" -> tickMs = LINE.whole(CommandLine.valueAfter(args, i++), "--tick-ms", 1, 60_000);
                case "--timeout" -> timeoutSeconds = LINE.whole(CommandLine.valueAfter(args, i++), "--timeout", 1, 86400);
                default -> {
                    LINE.positional(args, i);
                    switch (positional++) {
                        case 0 -> host = LINE.host(arg);
                        case 1 -> {
                            List<Integer> list = new ArrayList<>();
                            for (String p : arg.split(",", -1)) list.add(LINE.port(p));
                            ports = list;
                        }
                        case 2 -> size = LINE.whole(arg, "size", 1, Integer.MAX_VALUE - 8);
                        default -> LINE.wrong("too many arguments");
                    }
                }
            }
        }
        return new EventLoopArguments(host, ports, size, senders, tickMs, timeoutSeconds);
    }

    /** Where sender i (from 0) sends: the ports taken in turn. */
    public InetSocketAddress address(int sender) {
        InetSocketAddress to = new InetSocketAddress(host, ports.get(sender % ports.size()));
        if (to.isUnresolved()) Failure.exit(NAME, 1, "cannot resolve host '" + host + "'");
        return to;
    }

    public String portsText() {
        return ports.size() == 1 ? String.valueOf(ports.get(0)) : ports.toString().replace(" ", "");
    }

    /** data = 'foobar\n' * ..., once (every sender reads it through its own view); or one line if memory is short. */
    public ByteBuffer data() {
        return ArticleData.foobar(NAME, size);
    }
}
