package benchmark;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import static benchmark.Processes.compiled;
import static benchmark.Processes.java21;
import static benchmark.Processes.java21Classes;
import static benchmark.Processes.javaBin;
import static benchmark.Processes.stepSource;

/** The servers part 2 runs, how each is started, and those that are not step scripts (each runs in its own JVM). */
final class ServersUnderTest {
    private ServersUnderTest() { }

    record ServerKind(String key, String name, String design) { }

    static final List<ServerKind> SERVERS = List.of(
            new ServerKind("step1", "step1-blocking", "step 1: one thread, one client at a time, listen backlog 5, 1 KiB reads"),
            new ServerKind("threads", "thread-per-conn", "a platform thread per connection, blocking 16 KiB reads"),
            new ServerKind("select", "select-server", "the pack's step 6: one thread, one Selector"),
            new ServerKind("select-opts", "select-server+opts", "the same, with the JVM options its script declares (//JAVA_OPTIONS)"),
            new ServerKind("virtual", "virtual-threads", "a virtual thread per connection (JDK 21+), blocking 16 KiB reads"),
            new ServerKind("netty1", "netty-nio-1loop", "Netty 4.2 discard server, NIO transport, ONE event-loop thread for accept and I/O: select-server's design"),
            new ServerKind("netty", "netty-nio", "Netty 4.2 discard server, NIO transport, default pool (2 event-loop threads per core)"),
            new ServerKind("epoll", "netty-epoll", "Netty 4.2 discard server, native epoll transport, default pool (2 event-loop threads per core)"));

    static final List<String> SERVER_KEYS = SERVERS.stream().map(ServerKind::key).toList();

    /** The part-2 servers this run measures: those asked for, and select-server+opts only where the script declares options. */
    static List<ServerKind> serversToRun(Config cfg) {
        return SERVERS.stream().filter(k -> cfg.servers.contains(k.key()))
                .filter(k -> !k.key().equals("select-opts") || declaredOptions().isPresent()).toList();
    }

    /** The JVM options scripts/SelectServer.java declares for itself (JBang's //JAVA_OPTIONS line), if any. */
    static Optional<String> declaredOptions() {
        return stepSource("SelectServer").flatMap(text -> text.lines().filter(l -> l.startsWith("//JAVA_OPTIONS "))
                .map(l -> l.substring("//JAVA_OPTIONS ".length()).trim()).filter(s -> !s.isEmpty()).findFirst());
    }

    /** The command of a part-2 server, with --jvm-opt options (the same for every server) after its java. */
    static List<String> serverCommand(Config cfg, Path stepClasses, Path work, ServerKind kind) {
        List<String> cmd = baseCommand(stepClasses, work, kind);
        List<String> opts = new ArrayList<>(cfg.jvmOpts);
        if (kind.key().equals("select-opts")) declaredOptions().ifPresent(o -> opts.addAll(Arrays.asList(o.split("\\s+"))));
        if (cmd == null || opts.isEmpty()) return cmd;
        List<String> withOpts = new ArrayList<>(cmd.subList(0, 1));
        withOpts.addAll(opts);
        withOpts.addAll(cmd.subList(1, cmd.size()));
        return withOpts;
    }

    static List<String> baseCommand(Path stepClasses, Path work, ServerKind kind) {
        String cp = System.getProperty("java.class.path"), here = ServersUnderTest.class.getName();
        return switch (kind.key()) {
            case "step1" -> List.of(javaBin().toString(), "-cp", stepClasses.toString(), "Server", "0", "--no-progress");
            case "select", "select-opts" -> compiled(stepClasses, "SelectServer")
                    ? List.of(javaBin().toString(), "-cp", stepClasses.toString(), "SelectServer", "0", "--no-progress")
                    : null;
            case "threads" -> List.of(javaBin().toString(), "-cp", cp, here + "$ThreadServer", "0");
            case "virtual" -> java21().map(j -> List.of(j.toString(), "-cp", java21Classes(work, j) + File.pathSeparator + cp,
                    "benchmark.VirtualThreadServer", "0")).orElse(null);
            case "netty1" -> List.of(javaBin().toString(), "-cp", cp, here + "$NettyServer", "0", "nio-one-loop");
            case "netty" -> List.of(javaBin().toString(), "-cp", cp, here + "$NettyServer", "0", "nio");
            case "epoll" -> List.of(javaBin().toString(), "-cp", cp, here + "$NettyServer", "0", "epoll");
            default -> throw new IllegalArgumentException(kind.key());
        };
    }

    // ------------------------------------------------------------------ the servers under test (each runs in its own JVM)

    /** What every server prints when a connection ends, the same line as the pack's servers print. */
    private static final AtomicLong clientNumbers = new AtomicLong(); // in each server's own JVM

    static void served(long bytes, long reads, long startNanos, CRC32 crc, String ended) {
        System.out.printf(Locale.ROOT, "SERVED client=%d bytes=%d reads=%d ms=%.1f crc32=%08x ended=%s%n",
                clientNumbers.incrementAndGet(), bytes, reads, (System.nanoTime() - startNanos) / 1e6, crc.getValue(), ended);
    }

    static ServerSocketChannel listen(String[] args, String name) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("localhost", args.length > 0 ? Integer.parseInt(args[0]) : 0), 4096);
        System.out.println(name + ": listening on localhost:" + ((InetSocketAddress) listener.getLocalAddress()).getPort());
        return listener;
    }

    /** Reads one connection to EOF with blocking 16 KiB reads, checksumming what arrives. */
    static void serveBlocking(Socket socket) {
        long bytes = 0, reads = 0, t0 = System.nanoTime();
        CRC32 crc = new CRC32();
        String ended = "eof";
        byte[] buf = new byte[16 * 1024];
        try (socket; InputStream in = socket.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                bytes += n;
                reads++;
                crc.update(buf, 0, n);
            }
        } catch (IOException e) {
            ended = "reset";
        }
        served(bytes, reads, t0, crc, ended);
    }

    /** Thread-per-connection: a platform thread (1 MiB stack reserved) for every connection. */
    public static final class ThreadServer {
        public static void main(String[] args) throws IOException {
            ServerSocketChannel listener = listen(args, "thread-per-connection server");
            while (true) {
                Socket s = listener.accept().socket();
                Thread t = new Thread(() -> serveBlocking(s));
                t.start();
            }
        }
    }

    /**
     * Netty's discard server, three ways: "nio-one-loop" (NIO, one event-loop thread for accepting and for every
     * connection, the design of select-server), "nio" (NIO, Netty's default pool of 2 threads per core after one
     * acceptor thread) and "epoll" (Netty's native epoll transport, the same default pool).
     */
    public static final class NettyServer {
        public static void main(String[] args) throws Exception {
            String mode = args.length > 1 ? args[1] : "nio";
            EventLoopGroup boss, workers;
            Class<? extends ServerChannel> channel;
            switch (mode) {
                case "nio-one-loop" -> { boss = workers = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()); channel = NioServerSocketChannel.class; }
                case "nio" -> {
                    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
                    workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
                    channel = NioServerSocketChannel.class;
                }
                case "epoll" -> {
                    Epoll.ensureAvailability(); // a plain error if the native library cannot load here
                    boss = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
                    workers = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
                    channel = EpollServerSocketChannel.class;
                }
                default -> throw new IllegalArgumentException("unknown Netty mode " + mode);
            }
            ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(channel)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override protected void initChannel(Channel ch) { ch.pipeline().addLast(new Discard()); }
                    });
            ChannelFuture bound = b.bind("localhost", args.length > 0 ? Integer.parseInt(args[0]) : 0).sync();
            System.out.println("netty discard server (" + mode + "): listening on localhost:" + ((InetSocketAddress) bound.channel().localAddress()).getPort());
            bound.channel().closeFuture().sync();
        }

        static final class Discard extends ChannelInboundHandlerAdapter {
            long bytes, reads, t0 = System.nanoTime();
            final CRC32 crc = new CRC32();
            String ended = "eof";

            @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf buf = (ByteBuf) msg;
                try {
                    bytes += buf.readableBytes();
                    reads++;
                    for (ByteBuffer part : buf.nioBuffers()) crc.update(part);
                } finally {
                    buf.release();
                }
            }

            @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ended = "reset";
                ctx.close();
            }

            @Override public void channelInactive(ChannelHandlerContext ctx) { served(bytes, reads, t0, crc, ended); }
        }
    }

    /** The ceiling's reader: blocking, one connection at a time, direct reads of the given size, no checksum. */
    public static final class Sink {
        public static void main(String[] args) throws IOException {
            int chunk = Integer.parseInt(args[1]), socketBuffer = Integer.parseInt(args[2]);
            ServerSocketChannel listener = ServerSocketChannel.open();
            if (socketBuffer > 0) listener.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
            listener.bind(new InetSocketAddress("localhost", Integer.parseInt(args[0])), 64);
            System.out.println("sink: listening on localhost:" + ((InetSocketAddress) listener.getLocalAddress()).getPort());
            ByteBuffer buf = ByteBuffer.allocateDirect(chunk);
            for (long client = 1; ; client++) {
                long bytes = 0, reads = 0, t0 = System.nanoTime();
                try (java.nio.channels.SocketChannel ch = listener.accept()) {
                    for (int n; (n = ch.read(buf.clear())) >= 0; ) { bytes += n; reads++; }
                }
                System.out.printf(Locale.ROOT, "SERVED client=%d bytes=%d reads=%d ms=%.1f crc32=none ended=eof%n",
                        client, bytes, reads, (System.nanoTime() - t0) / 1e6);
            }
        }
    }

}
