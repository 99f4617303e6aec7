package nbio;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The clients of FaultsTest's thousands of short connections, as a program of their own that runs in the server's network
 * namespace (Scripts.listeningInNetworkOfItsOwn): a client that closes first leaves its socket in TIME-WAIT for 60 s,
 * there and not in this machine's socket tables. It asks the test, one line each way on its stdout and stdin: "await N"
 * (go on once the server has served N clients; the answer "go M" says it has served M >= N) and "probe N" (its probe
 * connection, client number N, is open; "go" once the test has listed the server's descriptors).
 * Arguments: PORT CONNECTIONS HOLD_IDLE (true: up to 500 idle connections held at once for a while, as select-server can).
 */
final class ShortConnections {
    static final int WARM_UP = 20, BACKLOG = 5;

    private ShortConnections() { }

    public static void main(String[] args) throws IOException {
        InetSocketAddress address = new InetSocketAddress("localhost", Integer.parseInt(args[0]));
        int connections = Integer.parseInt(args[1]);
        boolean holdIdle = Boolean.parseBoolean(args[2]);
        BufferedReader test = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<SocketChannel> idle = new ArrayList<>();
        int served = 0;
        for (int i = 1; i <= connections; i++) {
            // Keep within the step-1 server's listen backlog of 5 (the article's listen(5)): beyond
            // it the kernel drops new connection attempts and clients retry after a second or more.
            if (i > BACKLOG && served < i - BACKLOG - idle.size()) served = ask(test, "await " + (i - BACKLOG - idle.size()));
            SocketChannel client = SocketChannel.open(address);
            switch (i % 5) {
                case 0 -> { }                                                   // connect, close
                case 1 -> Wire.write(client, new byte[]{1, 2, 3});                // a few bytes
                case 2 -> client.setOption(StandardSocketOptions.SO_LINGER, 0); // a reset
                case 3 -> client.shutdownOutput();                              // half-close first
                default -> { }                                                  // idle (below)
            }
            // select-server also holds 500 idle connections at once for a while; the step-1
            // server, one client at a time, would wait on the first of them.
            if (i % 5 == 4 && holdIdle && i > WARM_UP && i < connections / 2 && idle.size() < 500) idle.add(client);
            else client.close();
            if (i == WARM_UP) { // every warm-up connection served: the baseline
                served = ask(test, "await " + WARM_UP);
                probe(test, address, WARM_UP + 1);
            }
            if (i == connections / 2) {
                for (SocketChannel c : idle) c.close();
                idle.clear();
            }
        }
        ask(test, "await " + (connections + 1)); // and the first probe
        probe(test, address, connections + 2);
    }

    /** Holds a connection (client number n) open while the test lists the server's descriptors. */
    static void probe(BufferedReader test, InetSocketAddress address, int n) throws IOException {
        try (SocketChannel probe = SocketChannel.open(address)) {
            ask(test, "probe " + n);
        }
    }

    /** Asks the test and waits for its answer, "go" and a number: how many clients the server has served. */
    static int ask(BufferedReader test, String request) throws IOException {
        System.out.println(request);
        System.out.flush();
        String answer = test.readLine();
        if (answer == null || !answer.startsWith("go ")) throw new IllegalStateException("the test answered '" + answer + "' to " + request);
        return Integer.parseInt(answer.substring(3));
    }
}
