///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES nbio/MachineLines.java
//SOURCES nbio/StepScripts.java
//FILES nbio/=nbio/*.java
// The checker lives seconds, most of them compiling your file: without the optimising JIT its JVM spends
// about a third less CPU (measured). Your program runs with the JVM's defaults.
//JAVA_OPTIONS -XX:TieredStopAtLevel=1
//DESCRIPTION Your turn: judges an exercise by what it does on real sockets (every byte and its CRC32, CPU while waiting, write calls, threads, a timer); --list shows the exercises.

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import nbio.MachineLines;
import nbio.StepScripts;

// The checker of the exercises in exercises/. It does not read what your program prints about
// itself: it compiles your file, runs it as its own process against peers it controls on
// loopback (a reader that pauses, clients that stay silent, clients that read slowly), and
// judges what happened: the bytes and their CRC32 as the peer got them, how much of the time your
// program's main thread wanted a CPU while it had nothing to do (from /proc), its write calls
// (/proc/PID/io), the threads that made socket calls, and when a timer's lines arrived. One verdict
// line per check, a hint when it fails. Linux only: the measurements come from /proc.
//
// Every bound below must hold on a 2-core machine with the other core busy; each says why it does.
public class Check {
    static final String NAME = "check";
    static final String USAGE = "usage: " + NAME + " EXERCISE [FILE...] | --list (checks exercises/NAME.java, or each FILE"
            + " in turn, by running it against peers on loopback; exit code 0 when every check passes)";
    // A program whose peer takes every byte at once and that still moves nothing for this long waits for
    // something that will not come: a crowded machine delays a runnable process by a few hundred
    // milliseconds at worst (a timer's tick, seen with a load average of 12 on 2 cores), ten times less.
    static final int STALL_SECONDS = 5;
    // A loop that waits in select() wants a CPU only when woken: 0 ms of a 1 s window where nothing wakes it
    // (echo-server's answer, with a core kept busy), and with step 6a's timer 10 wake-ups a second, each queued
    // for a CPU at most a few ms (a waking thread goes ahead of those that spin): under 20% even at 18 ms each.
    // A loop that spins wants one all the time (see wantedCpuNanos) except while it is stopped: its thread
    // was seen to block briefly now and then with no collection or safepoint in its JVM (2 voluntary switches,
    // 117 ms off the run queue in a 977 ms window: 88%), 73-100% with a core kept busy at a load of 8, and
    // once 46% at a load of 12 (measured then with the clock read outside what it wanted). 30% lies between.
    static final double SPIN = 0.3;
    // What a program does once it can make no progress is measured after it has stopped (its main thread wanted no CPU
    // and it made no write call for STOPPED_MS), or after MOST_SETTLE_MS if it never stops, as a spinner never does.
    // A program that waits in select() wants no CPU at all there: nothing wakes it, so its count does not move, and
    // 200 ms of that (ten polls) is no accident. 3 s is ten times what a crowded machine delays a runnable program
    // (see STALL_SECONDS): the JVM that was still filling the buffers and opening its Selector 300 ms after its first
    // bytes (a whole-suite run, three checker runs side by side beside another test class) has long finished by then.
    static final int STOPPED_MS = 200, MOST_SETTLE_MS = 3000;
    // A program that makes more than MOST_WRITES_WHILE_STALLED write calls in SPINNING_MS while not one byte goes
    // through its read or write calls (/proc/PID/io: every write returned 0) spins, and will not stop: it is measured
    // from then on, rather than after MOST_SETTLE_MS of spinning, which burns a core and changes no verdict. A program
    // that waits makes one write that returns 0 and then sleeps; one still filling the buffers moves bytes with each.
    // A server that has long been running (echo-server's, whose idle second was measured before) and whose main thread
    // wants a CPU more than SPIN of SPINNING_MS while no byte moves spins too (select() returning at once, again and
    // again); a client's JVM may still be loading classes then, so for a client only its write calls count.
    static final int SPINNING_MS = 500;

    record Exercise(String name, String step, String file, String what, Judge judge) { }

    interface Judge { void judge(Program program, Verdicts verdicts) throws Exception; }

    static final List<Exercise> EXERCISES = List.of(
            new Exercise("retry-loop", "step 4", "exercises/RetryLoop.java",
                    "finish the retry loop: write until every byte has gone, whatever write returns", Check::retryLoop),
            new Exercise("wait-in-select", "step 5", "exercises/WaitInSelect.java",
                    "after a write returns 0, wait in a Selector for OP_WRITE instead of spinning", Check::waitInSelect),
            new Exercise("timer-on-time", "step 6a", "exercises/TimerOnTime.java",
                    "a sending task that never waits, so one thread keeps a timer on time while two sends stall", Check::timerOnTime),
            new Exercise("one-thread-server", "step 6b", "exercises/OneThreadServer.java",
                    "one thread and one Selector read many clients at once", Check::oneThreadServer),
            new Exercise("echo-server", "after step 6b", "exercises/EchoServer.java",
                    "echo to clients that read slowly: OP_WRITE only while something is left, nothing lost", Check::echoServer));

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.println(USAGE);
            if (args.length == 0) System.exit(2);
            return;
        }
        if (args[0].equals("--list")) {
            for (Exercise e : EXERCISES) {
                System.out.printf("%-18s %-32s %s: %s%n", e.name(), e.file(), e.step(), e.what());
            }
            return;
        }
        Exercise exercise = EXERCISES.stream().filter(e -> e.name().equals(args[0])).findFirst().orElse(null);
        if (exercise == null) usage("no exercise '" + args[0] + "' (./jbang check --list shows them)");
        List<Path> files = args.length > 1 ? Stream.of(args).skip(1).map(Path::of).toList() : List.of(Path.of(exercise.file()));
        for (Path file : files) {                                  // every file is there before any is judged
            if (!Files.isRegularFile(file)) {
                fail(2, "no file " + file + (args.length > 1 ? "" : ": run ./jbang check from the project folder, or give the file:"
                        + " ./jbang check " + exercise.name() + " path/to/" + file.getFileName()));
            }
        }
        List<Path> failed = new ArrayList<>();
        for (Path file : files) if (!judge(exercise, file)) failed.add(file);
        if (files.size() > 1) {                                    // a class's answers, one after the other
            System.out.println(NAME + ": " + exercise.name() + ": " + (failed.isEmpty() ? "every check of all " + files.size()
                    + " files passed" : failed.size() + " of " + files.size() + " files failed: " + failed.stream()
                    .map(Path::toString).collect(java.util.stream.Collectors.joining(", "))));
        }
        System.exit(failed.isEmpty() ? 0 : 1);
    }

    /** Compiles and runs one file, prints its verdicts and its summary line: true when every check passed. */
    static boolean judge(Exercise exercise, Path file) throws Exception {
        System.out.println(NAME + ": " + exercise.name() + " (" + exercise.step() + "), " + file + ": " + exercise.what());
        Program program;
        try {
            program = Program.compile(file);
        } catch (NotCompiled e) {
            System.err.println(NAME + ": " + e.getMessage());
            return false;
        }
        Verdicts verdicts = new Verdicts();
        try {
            exercise.judge().judge(program, verdicts);
        } catch (Stop stop) {
            // a program that threw or exited: its one line is out, the other checks cannot be judged
        } catch (IOException e) {                                  // a server that refused or reset the checker's clients
            verdicts.check(false, "kept serving", "the checker's client could not talk to it (" + e.getMessage() + ")",
                    "a server accepts every client, and keeps serving until it is stopped");
        } finally {
            program.stopAll();
            program.delete();
        }
        return verdicts.summary(exercise.name()) == 0;
    }

    // ---- the exercises ----

    static final int SIZE = 8_000_000;                        // more than the socket buffers hold (about 4 MB)

    // Step 4: a reader that pauses half a second (the socket buffers fill, writes return 0), then reads everything.
    static void retryLoop(Program program, Verdicts verdicts) throws Exception {
        ClientRun run = ClientRun.against(program, 300, 150, "return from sendAll once every byte has been written", verdicts);
        run.bytes(verdicts, "write returns how many bytes it took (fewer than you gave it, 0 when the socket buffers are"
                + " full): write again from where it stopped until nothing is left (while (data.hasRemaining()))");
        // Not judged at step 4, shown because it is step 5's lesson: what the loop did while it could not write.
        if (run.pause.measured()) {
            System.out.printf("note: while the reader paused, your loop wanted a CPU %.0f%% of the time and made %,d write"
                    + " calls in all: step 5 fixes that (./jbang check wait-in-select)%n", 100 * run.pause.share(), run.writeCalls);
        }
    }

    // Step 5: the same reader, pausing long enough to measure one second of what the loop does once it cannot write.
    static void waitInSelect(Program program, Verdicts verdicts) throws Exception {
        ClientRun run = ClientRun.against(program, MOST_SETTLE_MS, 1000, "it waits for something that never comes: wait in select() for"
                + " OP_WRITE (OP_READ waits for the reader to send, and it never does), and return once nothing is left", verdicts);
        run.bytes(verdicts, "write takes only what fits, and 0 when the buffers are full: after a 0, wait, then write the"
                + " rest; stop only when nothing is left (while (data.hasRemaining()))");
        verdicts.noBusySpin(run.pause, "while the reader paused", "write returned 0 and the loop asked again at once: it"
                + " spins. Register the socket for OP_WRITE (sock.register(selector, SelectionKey.OP_WRITE)) and after a 0"
                + " sleep in selector.select()");
        verdicts.writeCalls(run.pause, "while the reader paused", "after a write returns 0, do not write again until"
                + " select() says the socket is writable");
    }

    /** One run of a client exercise against a Reader, and what was measured. */
    static final class ClientRun {
        Reader reader;
        Busy pause = Busy.NOT_MEASURED;
        long writeCalls;                                          // in all

        /**
         * The reader pauses at its first bytes until the program has stopped (see Child.awaitStopped), or for settleMillis
         * at most; then windowMillis are measured and the reader resumes. A program still filling the buffers, or
         * opening its Selector (class loading, interpreted code, queued for a core on a busy machine: it still wanted a
         * CPU 562 ms of the 1,156 ms from 300 ms after its first bytes, with 2 write calls), is not judged for that.
         */
        static ClientRun against(Program program, int settleMillis, int windowMillis, String hangHint, Verdicts verdicts) throws Exception {
            ClientRun run = new ClientRun();
            // The reader resumes when told; the 10 s more are for a checker that never tells it.
            try (Reader reader = new Reader(settleMillis + windowMillis + 10_000, 0, null)) {
                run.reader = reader;
                Child child = program.start("127.0.0.1", String.valueOf(reader.port), String.valueOf(SIZE));
                // Startup is not judged: a JVM on a busy machine may take seconds to start.
                if (!reader.awaitFirstBytes(child, 60)) verdicts.ranToTheEnd(child, "send anything",
                        "connect to the address it was given, then call sendAll");
                if (reader.firstBytesAt != 0) {
                    child.awaitStopped(reader.firstBytesAt + settleMillis * 1_000_000L, false);
                    long from = System.nanoTime();
                    run.pause = Busy.measure(child, from, from + windowMillis * 1_000_000L);
                }
                reader.resume();
                // After the pause the reader takes 8 MB in well under a second; 60 s is for a crowded machine.
                Integer exit = child.waitFor(60, () -> reader.bytes);
                run.writeCalls = child.lastWriteCalls;
                verdicts.ranToTheEnd(child, exit, hangHint);
                reader.awaitEnd(10);
            }
            return run;
        }

        void bytes(Verdicts verdicts, String hint) {
            long expected = foobarCrc(SIZE);
            verdicts.check(reader.bytes == SIZE && reader.crc.getValue() == expected, "every byte arrived",
                    String.format("the reader got %,d of %,d bytes, crc32 %08x (sent: %08x)", reader.bytes, SIZE,
                            reader.crc.getValue(), expected), hint);
        }
    }

    /**
     * What the program did in a stretch of wall time: how much of it its main thread wanted a CPU (see
     * wantedCpuNanos), and how many write calls the whole process made.
     */
    record Busy(double share, double wantedMs, double wallMs, long writeCalls, boolean measured) {
        static final Busy NOT_MEASURED = new Busy(0, 0, 0, 0, false);

        static Busy measure(Child child, long fromNanos, long toNanos) throws InterruptedException {
            // The clock is read inside the two readings of what the thread wanted, never outside: this process may stop
            // for hundreds of ms between two reads (queued for a CPU, or its own collector's pause: 33-81 ms seen here),
            // and such a gap outside them counted as time the spinner did not want (a spinning fixture measured at 76%,
            // 934 ms in 1,228, its own JVM stopped 24 ms in all). Inside, a gap only adds to what a spinner wanted; a
            // program asleep in select() wants nothing more in it. The write calls are read outside, so a gap only adds
            // to a spinner's count.
            sleepUntil(fromNanos);
            long writes0 = child.writeCalls(), wanted0 = child.wantedCpuNanos(), wall0 = System.nanoTime();
            sleepUntil(toNanos);
            long wall1 = System.nanoTime(), wanted1 = child.wantedCpuNanos(), writes1 = child.writeCalls();
            if (!child.process.isAlive()) return NOT_MEASURED;
            double wanted = Math.max(0, wanted1 - wanted0) / 1e6, wall = (wall1 - wall0) / 1e6;
            return new Busy(wanted / wall, wanted, wall, writes1 - writes0, true);
        }
    }

    // While its peer takes nothing, a program that waits makes a write call only when woken, and
    // nothing wakes it: a handful at most. A spinning one makes tens of thousands a second even on a
    // crowded machine (a write that returns 0 takes microseconds).
    static final int MOST_WRITES_WHILE_STALLED = 100;

    // Step 6a: two readers: A stops reading for 1.5 s after its first bytes; B's accept queue is full until
    // 0.8 s after A's first bytes (so a connect to it takes a second: the kernel drops the request and the
    // client tries again 1 s later), then it does the same. The timer ticks every 100 ms.
    static final int TICK_MS = 100, MOST_TICK_GAP_MS = 600;

    static void timerOnTime(Program program, Verdicts verdicts) throws Exception {
        try (Reader a = new Reader(1500, 0, null); Reader b = new Reader(1500, 800, a.firstBytes)) {
            Child child = program.start("127.0.0.1", a.port + "," + b.port, String.valueOf(SIZE), "--tick-ms", String.valueOf(TICK_MS));
            if (!a.awaitFirstBytes(child, 60)) verdicts.ranToTheEnd(child, "send anything", "start both senders");
            long from = a.acceptedAt;
            IoThreads threads = new IoThreads(child);
            Busy stalled = a.firstBytesAt == 0 ? Busy.NOT_MEASURED
                    : Busy.measure(child, a.firstBytesAt + 300_000_000L, a.firstBytesAt + 1_400_000_000L);
            Integer exit = child.waitFor(60, () -> a.bytes + b.bytes);
            List<String> ioThreads = threads.stop();
            long to = System.nanoTime();
            if (a.awaitEnd(10) && b.awaitEnd(10)) to = Math.min(to, Math.max(a.endedAt, b.endedAt));
            verdicts.ranToTheEnd(child, exit, "return DONE once every byte has gone, and wait for OP_CONNECT or OP_WRITE otherwise");
            long expected = foobarCrc(SIZE);
            verdicts.check(a.bytes == SIZE && b.bytes == SIZE && a.crc.getValue() == expected && b.crc.getValue() == expected,
                    "every byte arrived", String.format("reader 1 got %,d of %,d bytes (crc32 %s), reader 2 %,d (crc32 %s)", a.bytes, SIZE,
                            a.crc.getValue() == expected ? "as sent" : "wrong", b.bytes, b.crc.getValue() == expected ? "as sent" : "wrong"),
                    "write until a write returns 0, then return Wait.on(sock, SelectionKey.OP_WRITE): the loop resumes the task when"
                            + " the socket can take more; return DONE only when nothing is left");
            // The ticks, as they arrived: from the first connection accepted to the last byte read, no gap
            // may pass 600 ms, six periods: a crowded machine delays a tick by tens of milliseconds (a few
            // hundred at worst, seen with a load average of 12 on 2 cores); a blocking connect stops the loop
            // for a second (the kernel's first retry), a spinning task for the whole stall (1.5 s).
            List<Long> ticks = child.lineTimes(Pattern.compile("\\btick\\s+\\d+:"));
            long worst = 0, previous = from, worstAt = 0;
            for (long t : ticks) {
                if (t < from || t > to) continue;
                if (t - previous > worst) { worst = t - previous; worstAt = previous; }
                previous = t;
            }
            if (to - previous > worst) { worst = to - previous; worstAt = previous; }
            verdicts.check(worst <= MOST_TICK_GAP_MS * 1_000_000L, "timer on time", String.format("the longest wait for a tick"
                            + " was %,d ms, from %.1f s after the first connection (ticks every %d ms, at most %d ms apart)", worst / 1_000_000,
                    (worstAt - from) / 1e9, TICK_MS, MOST_TICK_GAP_MS),
                    "the loop stood still: a task must never wait. A connect on a blocking socket (SocketChannel.open(address))"
                            + " waits for the server: make it non-blocking, connect, and return Wait.on(sock, SelectionKey.OP_CONNECT);"
                            + " a write that returns 0 means return Wait.on(sock, SelectionKey.OP_WRITE), not try again");
            verdicts.noBusySpin(stalled, "while reader 1 did not read", "a write that returned 0 was tried again at once: return"
                    + " Wait.on(sock, SelectionKey.OP_WRITE) instead, and the loop sleeps in select() until the socket can take more");
            verdicts.oneThread(ioThreads, "while the senders sent", "the loop runs every task on its one thread: start no thread in a task");
        }
    }

    // Step 6b: one client connects and stays silent, then 50 more each send their own bytes in four
    // pieces and close. A server that reads one client at a time never gets past the silent one.
    static void oneThreadServer(Program program, Verdicts verdicts) throws Exception {
        verdicts.hintFor("NullPointerException", "accept() returns null when no client is waiting, and a key you handled"
                + " stays in selectedKeys() until you remove it: remove each key you handled from selectedKeys()"
                + " (keys.remove() with an iterator, or selectedKeys().clear() after the loop)");
        Child server = startServer(program, verdicts);
        try (SocketChannel silent = connect(server, verdicts)) {
            Busy idleBefore = idle(server, verdicts);
            IoThreads threads = new IoThreads(server);
            List<PieceSender> clients = new ArrayList<>();
            for (int i = 0; i < 50; i++) clients.add(new PieceSender(server.port, i));
            // Each client takes about 150 ms; 60 s (and STALL_SECONDS without a new client served) for a crowded machine.
            server.waitUntil(60, () -> served(server).size(), () -> {
                Map<Integer, Map<String, String>> served = served(server);
                return clients.stream().allMatch(c -> c.port != 0 && served.containsKey(c.port));
            });
            List<String> ioThreads = threads.stop();
            verdicts.stillServing(server);
            Map<Integer, Map<String, String>> served = served(server);
            int got = 0, intact = 0;
            for (PieceSender c : clients) {
                Map<String, String> line = served.get(c.port);
                if (line == null) continue;
                got++;
                if (line.get("bytes").equals(String.valueOf(c.size)) && line.get("crc32").equals(String.format("%08x", c.crc))) intact++;
            }
            String oneAtATime = "a blocking read waits for that one client; with every socket non-blocking and registered for"
                    + " OP_READ, select() wakes for whichever client is ready";
            verdicts.check(got == clients.size(), "clients side by side", String.format("%d of %d clients served while one"
                    + " more stayed connected and silent", got, clients.size()), oneAtATime);
            verdicts.check(intact == clients.size(), "every byte arrived", String.format("%d of %d clients' bytes counted"
                    + " with the same count and crc32 as they sent", intact, clients.size()), got < clients.size() ? oneAtATime
                    : "hand client.received() the bytes of each read: flip the buffer first, and clear it before the next read");
            verdicts.oneThread(ioThreads, "while the clients were served", "one thread with a Selector serves every client: no thread per client");
            Busy idleAfter = idle(server, verdicts);
            verdicts.idleCpu(idleBefore, idleAfter, "a client that has closed stays readable (each read returns -1 at once)"
                    + " until you close the channel");
        }
    }

    /** A client that sends its own random bytes in four pieces, 50 ms apart, then closes. */
    static final class PieceSender {
        final int size;
        final long crc;
        volatile int port;

        PieceSender(int serverPort, int seed) {
            Payload data = Payload.of(seed, 20_000 + new java.util.Random(seed).nextInt(100_000));
            size = data.size();
            crc = data.crc();
            daemon("piece-sender", () -> {
                try (SocketChannel channel = connect(serverPort)) {
                    port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
                    for (int piece = 0; piece < 4; piece++) {
                        ByteBuffer out = data.fresh().limit((piece + 1) * size / 4).position(piece * size / 4);
                        while (out.hasRemaining()) channel.write(out);
                        Thread.sleep(50);
                    }
                }
            });
        }
    }

    /** The SERVED lines a server printed so far, by the port of the client (the end of their peer field). */
    static Map<Integer, Map<String, String>> served(Child server) {
        Map<Integer, Map<String, String>> served = new HashMap<>();
        for (String line : server.stdout()) {
            if (!line.startsWith("SERVED ")) continue;
            Map<String, String> fields = MachineLines.fields(line);
            String peer = fields.getOrDefault("peer", "");
            if (peer.matches(".*:\\d+")) served.put(Integer.parseInt(peer.substring(peer.lastIndexOf(':') + 1)), fields);
        }
        return served;
    }

    // After step 6b: an echo server. One client stays connected and silent; three send 16 MiB each and
    // read nothing for a while (the server's writes to them become partial, then return 0), then read it
    // all back and stay connected, silent.
    static void echoServer(Program program, Verdicts verdicts) throws Exception {
        Child server = startServer(program, verdicts);
        try (SocketChannel silent = connect(server, verdicts)) {
            Busy idleBefore = idle(server, verdicts);
            IoThreads threads = new IoThreads(server);
            List<EchoClient> clients = new ArrayList<>();
            try {  // closed however the checks end (a server that died ends them early)
                for (int i = 0; i < 3; i++) clients.add(new EchoClient(server.port, 16 << 20, i));
                for (EchoClient c : clients) c.start();
                // The stall: no client reads, so once the buffers on the way back are full the server's writes
                // return 0, it must stop reading, and the clients' writes stop moving. A quiet count alone does not show
                // it: on a crowded machine the clients' threads can wait 200 ms for a core while the server reads on (a
                // server that spins was then measured before it had reason to spin: 16% CPU at a load of 19). The kernel
                // does: a client's write returns 0 only when its send buffer is full, which happens only once the server's
                // receive buffer is full, so the server has stopped taking its bytes (a server that keeps reading, such as
                // one that throws bytes away, lets a client send all it has). Seen with ss, a client's path held at most: its
                // send queue 3.6 MB, the server's receive queue 0.1-0.75 MB, the server's 64 KiB, its send queue 4.1 MB and
                // the client's receive queue 128 KB: 16 MiB fill it, and leave bytes in the server's receive queue however
                // far that grows. Measured once every client has sent all or waits after a write that returned 0, and
                // nothing has moved for 200 ms (30 s for a crowded machine).
                Settled settled = new Settled(200, () -> clients.stream().mapToLong(c -> c.sent).sum());
                server.waitUntil(30, () -> clients.stream().mapToLong(c -> c.sent).sum(),
                        () -> clients.stream().allMatch(c -> c.waiting || c.sent == c.size) && settled.getAsBoolean());
                // What the clients sent may still wait in the server's receive buffers (megabytes): a server that throws
                // away what a write did not take reads on, and writes, after the clients' writes have stopped. Measured once
                // it has stopped too (a server that spins never stops).
                server.awaitStopped(System.nanoTime() + MOST_SETTLE_MS * 1_000_000L, true);
                long start = System.nanoTime();
                Busy stalled = Busy.measure(server, start, start + 1_000_000_000L);
                for (EchoClient c : clients) c.reading.countDown();
                boolean done = server.waitUntil(120, () -> clients.stream().mapToLong(c -> c.received).sum(),
                        () -> clients.stream().allMatch(c -> c.finished));
                List<String> ioThreads = threads.stop();
                verdicts.stillServing(server);
                boolean intact = true;
                StringBuilder detail = new StringBuilder();
                for (EchoClient c : clients) {
                    intact &= c.received == c.size && c.receivedCrc.getValue() == c.sentCrc;
                    if (detail.length() > 0) detail.append("; ");
                    detail.append(String.format("%,d of %,d bytes back, crc32 %s", c.received, c.size,
                            c.receivedCrc.getValue() == c.sentCrc ? "as sent" : String.format("%08x, sent %08x", c.receivedCrc.getValue(), c.sentCrc)));
                }
                verdicts.check(intact && done, "every byte arrived", detail + (done ? "" : " (nothing moved for " + STALL_SECONDS + " s)"),
                        "a write to a slow reader takes only part of what you give it: keep what is left in pending, switch"
                                + " the key to OP_WRITE and write the rest when select() says the socket is writable");
                verdicts.noBusySpin(stalled, "while the clients did not read", "do not loop on write, and read no more from a"
                        + " client that has something left: after a write that did not take everything, watch that client for"
                        + " OP_WRITE only and return; select() wakes you when it has read some");
                // The clients are idle now, connected and silent, with everything echoed.
                Busy idleAfter = idle(server, verdicts);
                verdicts.idleCpu(idleBefore, idleAfter, "a socket is almost always writable: register OP_WRITE only while something"
                        + " is left to write, and go back to OP_READ once nothing is left");
                verdicts.oneThread(ioThreads, "while the clients were served", "one thread with a Selector serves every client: no thread per client");
                verdicts.writeCalls(stalled, "while the clients did not read", "most of those writes returned 0: do not loop on"
                        + " write; write to a client again only when select() says it is writable (OP_WRITE)");
            } finally {
                for (EchoClient c : clients) c.close();
            }
        }
    }

    /** A client of the echo server: sends size random bytes, reads nothing until released, then reads them all back. */
    static final class EchoClient implements AutoCloseable {
        final SocketChannel channel;
        final int size;
        final long sentCrc;
        final ByteBuffer data;
        final CRC32 receivedCrc = new CRC32();
        final CountDownLatch reading = new CountDownLatch(1);
        volatile long sent, received;
        volatile boolean waiting, finished;   // waiting: after a write that returned 0, until one moves bytes again
        final Selector writable = Selector.open(), readable = Selector.open();

        EchoClient(int port, int size, int seed) throws IOException {
            this.size = size;
            Payload payload = Payload.of(seed, size);
            sentCrc = payload.crc();
            data = payload.fresh();
            channel = connect(port);
        }

        /**
         * Starts sending, 64 KiB a write so that progress shows, without blocking: a write that returns 0 says the
         * server has stopped taking this client's bytes, and the writer waits in a Selector. Reads once released.
         */
        void start() throws IOException {
            channel.configureBlocking(false);
            channel.register(writable, SelectionKey.OP_WRITE);
            channel.register(readable, SelectionKey.OP_READ);
            daemon("echo-writer", () -> {
                while (data.hasRemaining()) {
                    ByteBuffer piece = data.duplicate().limit(Math.min(data.limit(), data.position() + (1 << 16)));
                    int n = channel.write(piece);
                    data.position(piece.position());
                    sent += n;
                    waiting = n == 0;
                    if (waiting) writable.select();
                    writable.selectedKeys().clear();
                }
            });
            daemon("echo-reader", () -> {
                reading.await();
                ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
                while (received < size) {
                    int n = channel.read(in.clear());
                    if (n < 0) break;
                    if (n == 0) readable.select();
                    readable.selectedKeys().clear();
                    receivedCrc.update(in.flip());
                    received += n;
                }
                finished = true;
            });
        }

        /** Closing the selectors wakes a thread waiting in one; its next call on the closed channel ends it. */
        @Override public void close() throws IOException {
            channel.close();
            writable.close();
            readable.close();
        }
    }

    /**
     * A client's own random bytes and their CRC32, made once however many files the checker judges
     * (16 MiB of them take a good part of a second): direct, so a write copies none of what is left.
     */
    record Payload(ByteBuffer bytes, long crc) {
        private static final Map<List<Integer>, Payload> MADE = new java.util.concurrent.ConcurrentHashMap<>();

        static Payload of(int seed, int size) {
            return MADE.computeIfAbsent(List.of(seed, size), key -> {
                byte[] data = new byte[size];
                new java.util.SplittableRandom(seed).nextBytes(data);
                CRC32 crc = new CRC32();
                crc.update(data);
                return new Payload(ByteBuffer.allocateDirect(size).put(data).flip().asReadOnlyBuffer(), crc.getValue());
            });
        }

        /** The bytes with a position and limit of their own. */
        ByteBuffer fresh() { return bytes.duplicate(); }

        int size() { return bytes.capacity(); }
    }

    interface Body { void run() throws Exception; }

    /** True once a count has not moved for that many milliseconds. */
    static final class Settled implements java.util.function.BooleanSupplier {
        final long quietNanos;
        final java.util.function.LongSupplier count;
        long last = -1, since;

        Settled(int quietMillis, java.util.function.LongSupplier count) { this.quietNanos = quietMillis * 1_000_000L; this.count = count; }

        @Override public boolean getAsBoolean() {
            long now = System.nanoTime(), value = count.getAsLong();
            if (value != last) { last = value; since = now; }
            return now - since >= quietNanos;
        }
    }

    static void daemon(String name, Body body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                // the connection broke or the checker closed it: the counts say how far it got
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    static SocketChannel connect(int port) throws IOException {
        return SocketChannel.open(new InetSocketAddress(InetAddress.getByName("localhost"), port));
    }

    /** The first client of a server: if it cannot connect, the server is gone (its line) or refuses. */
    static SocketChannel connect(Child server, Verdicts verdicts) throws IOException, InterruptedException {
        try {
            return connect(server.port);
        } catch (IOException e) {
            Thread.sleep(200);                                   // a server that returned at once is exiting
            verdicts.stillServing(server);
            throw e;
        }
    }

    /** Starts a server exercise on a free port and waits until it says where it listens. */
    static Child startServer(Program program, Verdicts verdicts) throws Exception {
        Child server = program.start("0");
        // Startup is not judged: a JVM on a busy machine may take seconds to start.
        Matcher listening = server.awaitLine(Pattern.compile("listening on \\S+?:(\\d+)"), 60);
        if (listening == null) verdicts.ranToTheEnd(server, "say where it listens", "keep the lines that start the server");
        server.port = Integer.parseInt(listening.group(1));
        return server;
    }

    /** What a server does with nothing to do: 300 ms to settle (accepts, the last lines), then one second measured. */
    static Busy idle(Child server, Verdicts verdicts) throws InterruptedException {
        long now = System.nanoTime();
        Busy busy = Busy.measure(server, now + 300_000_000L, now + 1_300_000_000L);
        verdicts.stillServing(server);
        return busy;
    }

    /**
     * The threads of a program that made read or write system calls while it watched (sampled every
     * 20 ms from /proc/PID/task/TID/io). The JVM's own threads make none, but for the JIT compiler's,
     * which are left out: the rest are the program's.
     */
    static final class IoThreads {
        final Child child;
        final Map<String, Long> before;
        final Map<String, String> active = new java.util.concurrent.ConcurrentHashMap<>(); // thread id -> its name
        volatile boolean stopped;
        final Thread sampler;

        IoThreads(Child child) {
            this.child = child;
            before = child.ioByThread();
            sampler = new Thread(() -> {
                while (!stopped) {
                    sample();
                    try { Thread.sleep(20); } catch (InterruptedException e) { return; }
                }
            }, "io-threads");
            sampler.setDaemon(true);
            sampler.start();
        }

        void sample() {
            for (Map.Entry<String, Long> thread : child.ioByThread().entrySet()) {
                if (thread.getValue() > before.getOrDefault(thread.getKey(), 0L)) {
                    active.computeIfAbsent(thread.getKey(), child::threadName);
                }
            }
        }

        /** The names of the threads that made read or write calls since this began. */
        List<String> stop() throws InterruptedException {
            stopped = true;
            sampler.join();
            sample();
            return active.values().stream().sorted().toList();
        }
    }

    // ---- peers the checker controls ----

    /**
     * Accepts one connection and reads it to EOF, counting and checksumming. After the first bytes it
     * stops reading for pauseMillis or until resume(), so the socket buffers fill and writes return 0. With fullQueueMillis,
     * its accept queue is full from the start until that long after fullFrom opens (or at once): the kernel
     * drops a connection request then, and the client tries again a second later.
     */
    static final class Reader implements AutoCloseable {
        final ServerSocketChannel listener;
        final int port;
        final CRC32 crc = new CRC32();
        final CountDownLatch accepted = new CountDownLatch(1), firstBytes = new CountDownLatch(1), ended = new CountDownLatch(1),
                resumed = new CountDownLatch(1);
        final List<SocketChannel> fillers = new ArrayList<>();
        volatile long bytes, acceptedAt, firstBytesAt, endedAt;
        final Thread thread;

        Reader(int pauseMillis, int fullQueueMillis, CountDownLatch fullFrom) throws IOException {
            listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            // A backlog of 1 holds two connections: with those two waiting, the queue is full.
            if (fullQueueMillis > 0) for (int i = 0; i < 2; i++) fillers.add(SocketChannel.open(listener.getLocalAddress()));
            thread = new Thread(() -> {
                try {
                    if (fullQueueMillis > 0) {
                        if (fullFrom != null) fullFrom.await(60, TimeUnit.SECONDS);
                        Thread.sleep(fullQueueMillis);
                        for (SocketChannel filler : fillers) { listener.accept().close(); filler.close(); }
                    }
                    try (SocketChannel conn = listener.accept()) {
                        acceptedAt = System.nanoTime();
                        accepted.countDown();
                        // The pause starts at the first bytes, not at the accept: a JVM may take a while
                        // between its connect and its first write.
                        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
                        for (int n; (n = conn.read(buffer.clear())) >= 0; ) {
                            crc.update(buffer.flip());
                            bytes += n;
                            if (firstBytesAt == 0) {
                                firstBytesAt = System.nanoTime();
                                firstBytes.countDown();
                                resumed.await(pauseMillis, TimeUnit.MILLISECONDS);
                            }
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by the checker, or the program reset the connection: the count says how far it got
                } finally {
                    endedAt = System.nanoTime();
                    firstBytes.countDown();
                    ended.countDown();
                }
            }, "reader");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits until the first bytes came (or the connection ended); false if the program ended or hangs first. */
        boolean awaitFirstBytes(Child child, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                if (firstBytes.await(50, TimeUnit.MILLISECONDS)) return true;
                if (!child.process.isAlive()) return false;
            }
            return false;
        }

        boolean awaitEnd(int seconds) throws InterruptedException { return ended.await(seconds, TimeUnit.SECONDS); }

        /** Ends the pause now, if it has not ended. */
        void resume() { resumed.countDown(); }

        @Override public void close() throws IOException {
            listener.close();
            for (SocketChannel filler : fillers) filler.close();
            thread.interrupt();
        }
    }

    /** The CRC32 of the exercises' data: 'foobar\n' repeated, cut at size bytes. */
    static long foobarCrc(int size) {
        byte[] foobar = "foobar\n".repeat(1 << 13).getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        for (int done = 0; done < size; done += foobar.length) crc.update(foobar, 0, Math.min(foobar.length, size - done));
        return crc.getValue();
    }

    // ---- the learner's program ----

    /** The learner's file, compiled; start() runs it as a process of its own. */
    static final class Program {
        final Path classes, library, source;
        final String className;
        final List<Child> children = new ArrayList<>();

        Program(Path classes, Path library, Path source, String className) {
            this.classes = classes;
            this.library = library;
            this.source = source;
            this.className = className;
        }

        // The library's classes (package nbio) compiled so far in this run, by the folder their sources come from: a
        // class's files all need the same ones, and compiling them again for each file cost most of its compile (about
        // half of javac's time for an exercise, measured). Removed when the checker exits.
        static final Map<String, Path> LIBRARIES = new HashMap<>();

        static Program compile(Path file) throws IOException, NotCompiled {
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            if (javac == null) fail(1, "this Java has no compiler: run the checker with a JDK, not a JRE");
            Path classes = Files.createTempDirectory("nbio-check");
            String className = file.getFileName().toString().replaceFirst("\\.java$", "");
            // The library (import nbio.X) is found beside the file first, as for a step script, else the checker's own
            // copy: an exercise copied elsewhere compiles too.
            Path beside = file.toAbsolutePath().getParent(), checkers = StepScripts.folder(Check.class);
            Path library = library(Files.isDirectory(beside.resolve("nbio")) ? beside : checkers);
            Program program = new Program(classes, library, file, className);
            DiagnosticCollector<JavaFileObject> problems = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = javac.getStandardFileManager(problems, Locale.ROOT, StandardCharsets.UTF_8)) {
                // Against sources, and the library's classes already compiled from those same sources (newer than
                // them, so javac reads the classes); what it compiles of the library now joins them once it compiled.
                files.setLocationFromPaths(StandardLocation.SOURCE_PATH, List.of(beside, checkers));
                files.setLocationFromPaths(StandardLocation.CLASS_PATH, List.of(classes, library));
                boolean compiled = javac.getTask(null, files, problems, List.of("-d", classes.toString(), "-proc:none", "-Xlint:none"),
                        null, files.getJavaFileObjects(file)).call();
                if (!compiled) {
                    Diagnostic<? extends JavaFileObject> first = problems.getDiagnostics().stream()
                            .filter(d -> d.getKind() == Diagnostic.Kind.ERROR).findFirst().orElseThrow();
                    program.delete();
                    throw new NotCompiled(file + " does not compile: line " + first.getLineNumber() + ": "
                            + first.getMessage(Locale.ROOT).lines().findFirst().orElse(""));
                }
            }
            if (!Files.exists(classes.resolve(className + ".class"))) {
                program.delete();
                throw new NotCompiled(file + " has no class " + className + ": keep the class named as its file");
            }
            Path compiledNbio = classes.resolve("nbio");
            if (Files.isDirectory(compiledNbio)) {
                Files.createDirectories(library.resolve("nbio"));
                try (Stream<Path> all = Files.list(compiledNbio)) {
                    for (Path c : all.toList()) {
                        Path kept = library.resolve("nbio").resolve(c.getFileName().toString());
                        if (!Files.exists(kept)) Files.move(c, kept);
                    }
                }
            }
            return program;
        }

        /** The folder of library classes compiled from the nbio/ sources under this folder (or the checker's). */
        static synchronized Path library(Path sources) throws IOException {
            String key;
            try {
                key = sources.resolve("nbio").toRealPath().toUri().toString();
            } catch (IOException | RuntimeException noRealPath) {
                key = sources.resolve("nbio").toAbsolutePath().normalize().toUri().toString();
            }
            Path library = LIBRARIES.get(key);
            if (library == null) {
                if (LIBRARIES.isEmpty()) Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    for (Path folder : LIBRARIES.values()) {
                        try { deleteAll(folder); } catch (IOException ignored) { }
                    }
                }));
                LIBRARIES.put(key, library = Files.createTempDirectory("nbio-check-library"));
            }
            return library;
        }

        /** Removes the classes folder (once the program's processes have ended). */
        void delete() throws IOException { deleteAll(classes); }

        static void deleteAll(Path folder) throws IOException {
            try (Stream<Path> all = Files.walk(folder)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }

        Child start(String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classes + java.io.File.pathSeparator + library, className));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().remove("JAVA_TOOL_OPTIONS");           // its "Picked up..." line is not the program's
            Child child = new Child(builder.start(), this);
            children.add(child);
            return child;
        }

        void stopAll() { for (Child child : children) child.stop(); }
    }

    /** A running program: its output lines as they arrive, and what /proc says about it. */
    static final class Child {
        final Process process;
        final Program program;
        final List<String> out = new ArrayList<>(), err = new ArrayList<>();
        final List<Long> outTimes = new ArrayList<>();
        long lastWriteCalls;
        int port;                                                      // a server's, once it said so
        final java.util.Set<String> jvmThreads = java.util.concurrent.ConcurrentHashMap.newKeySet(); // their ids
        final java.util.Set<String> notMain = java.util.concurrent.ConcurrentHashMap.newKeySet();    // ids of threads not named "java"

        Child(Process process, Program program) {
            this.process = process;
            this.program = program;
            pump(process.getInputStream(), out, outTimes);
            pump(process.getErrorStream(), err, null);
        }

        private void pump(InputStream stream, List<String> lines, List<Long> times) {
            Thread t = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    for (String line; (line = reader.readLine()) != null; ) {
                        synchronized (this) {
                            lines.add(line);
                            if (times != null) times.add(System.nanoTime());
                            notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the program went away
                }
            }, "pump");
            t.setDaemon(true);
            t.start();
        }

        // How often waitFor and waitUntil look at the program's progress and write calls: a stall is 5 s, and what they wait
        // for is seconds away, so 50 ms changes no verdict (awaitStopped and IoThreads look every 20 ms: their windows are short).
        static final int POLL_MS = 50;

        /**
         * Waits for the program to exit: its exit code, or null if it is still running after that long or
         * (with progress) after STALL_SECONDS in which progress did not move.
         */
        Integer waitFor(int seconds, java.util.function.LongSupplier progress) throws InterruptedException {
            long start = System.nanoTime(), deadline = start + seconds * 1_000_000_000L, movedAt = start, last = progress.getAsLong();
            while (process.isAlive() && System.nanoTime() < deadline && System.nanoTime() - movedAt < STALL_SECONDS * 1_000_000_000L) {
                lastWriteCalls = Math.max(lastWriteCalls, writeCalls());
                process.waitFor(POLL_MS, TimeUnit.MILLISECONDS);      // returns at the exit: only progress waits for the poll
                long now = progress.getAsLong();
                if (now != last) { last = now; movedAt = System.nanoTime(); }
            }
            if (process.isAlive()) return null;
            Thread.sleep(50);                                          // let the pumps take the last lines
            return process.exitValue();
        }

        Integer waitFor(int seconds) throws InterruptedException { return waitFor(seconds, () -> 0); }

        /**
         * Waits until done says so: true; false after that long, or after STALL_SECONDS in which progress
         * did not move, or when the program ended.
         */
        boolean waitUntil(int seconds, java.util.function.LongSupplier progress, java.util.function.BooleanSupplier done)
                throws InterruptedException {
            long start = System.nanoTime(), deadline = start + seconds * 1_000_000_000L, movedAt = start, last = progress.getAsLong();
            while (!done.getAsBoolean()) {
                long now = System.nanoTime();
                if (!process.isAlive() || now > deadline || now - movedAt > STALL_SECONDS * 1_000_000_000L) return false;
                lastWriteCalls = Math.max(lastWriteCalls, writeCalls());
                Thread.sleep(POLL_MS);
                long moved = progress.getAsLong();
                if (moved != last) { last = moved; movedAt = System.nanoTime(); }
            }
            return true;
        }

        /**
         * Waits until the program has stopped: its main thread has wanted no CPU and it has made no write call for
         * STOPPED_MS (both counts only grow, so their sum stands still only when both do). False at deadlineNanos
         * (System.nanoTime()), when the program ended, or once it spins (see SPINNING_MS; a long-running server's
         * wanted CPU counts there too).
         */
        boolean awaitStopped(long deadlineNanos, boolean longRunning) throws InterruptedException {
            Settled stopped = new Settled(STOPPED_MS, () -> wantedCpuNanos() + writeCalls());
            long[] streak = io();                                      // write calls and bytes when no byte had moved since
            long streakFrom = System.nanoTime(), streakWanted = wantedCpuNanos();
            while (!stopped.getAsBoolean()) {
                long now = System.nanoTime();
                if (!process.isAlive() || now > deadlineNanos) return false;
                long[] io = io();
                long wanted = longRunning ? wantedCpuNanos() : 0;
                if (io[1] != streak[1]) {                                  // bytes moved: not a spin (yet)
                    streak = io;
                    streakFrom = now;
                    streakWanted = wanted;
                } else if (now - streakFrom >= SPINNING_MS * 1_000_000L && (io[0] - streak[0] > MOST_WRITES_WHILE_STALLED
                        || longRunning && wanted - streakWanted > SPIN * (now - streakFrom))) {
                    return false;
                }
                lastWriteCalls = Math.max(lastWriteCalls, io[0]);
                Thread.sleep(20);
            }
            return true;
        }

        /** From /proc/PID/io: the write calls so far, and the bytes read and written by read and write calls (rchar + wchar). */
        long[] io() {
            long calls = lastWriteCalls, bytes = -1;
            try {
                String io = Files.readString(proc().resolve("io"));
                calls = ioField(io, "syscw");
                bytes = ioField(io, "rchar") + ioField(io, "wchar");
            } catch (IOException | RuntimeException gone) { }
            return new long[] {calls, bytes};
        }

        void stop() {
            process.destroyForcibly();
            try { process.waitFor(10, TimeUnit.SECONDS); } catch (InterruptedException ignored) { }
        }

        Path proc() { return Path.of("/proc", String.valueOf(process.pid())); }

        /** A thread's name as Linux keeps it (at most 15 characters), or its id if it has ended. */
        String threadName(String tid) {
            try {
                return Files.readString(proc().resolve("task").resolve(tid).resolve("comm")).strip();
            } catch (IOException gone) {
                return "thread " + tid;
            }
        }

        /**
         * How long the program's main thread has wanted a CPU so far, in nanoseconds: the time it ran on
         * one plus the time it waited in the kernel's run queue for one (the first two fields of
         * /proc/PID/task/TID/schedstat). A thread that spins is always one or the other, so over a
         * stretch of time this grows as fast as the clock however busy the machine is; a thread that
         * sleeps in select() adds next to nothing. The main thread is where the exercises (and the step
         * scripts) run their loop; the JVM's own threads, and a step script's watchdog that reads /proc
         * (slow on a machine with thousands of sockets), are left out. Linux names the launcher's first
         * thread and the main thread "java", and every thread the JVM or the program starts otherwise,
         * so this reads the threads named "java" (the first only waits for the main one to end).
         */
        long wantedCpuNanos() {
            long wanted = 0;
            try (Stream<Path> tasks = Files.list(proc().resolve("task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        // A thread once named otherwise keeps its name (a new one is "java" until the JVM names it): read once.
                        String tid = task.getFileName().toString();
                        if (notMain.contains(tid)) continue;
                        if (!Files.readString(task.resolve("comm")).strip().equals("java")) {
                            notMain.add(tid);
                            continue;
                        }
                        String[] fields = Files.readString(task.resolve("schedstat")).split(" ");
                        wanted += Long.parseLong(fields[0]) + Long.parseLong(fields[1]);
                    } catch (IOException | RuntimeException gone) {
                        // the thread ended between the listing and the read
                    }
                }
            } catch (IOException gone) {
                // the process ended
            }
            return wanted;
        }

        // HotSpot's own threads, by the names Linux keeps (15 characters at most): their work (the JIT's,
        // the collector's, a safepoint's) and the files they read or write are the JVM's, not the program's.
        // The VM Thread, for one, was seen to make a read or write call now and then while a program spun.
        static final Pattern JVM_THREAD = Pattern.compile("VM Thread|VM Periodic Tas|GC Thread#\\d+|G1 .*|C\\d CompilerThre"
                + "|Sweeper thread|Reference Handl|Finalizer|Signal Dispatch|Service Thread|Monitor Deflati|Notification Th"
                + "|Common-Cleaner|Attach Listener");

        static boolean jvmOwn(Path task) throws IOException {
            return JVM_THREAD.matcher(Files.readString(task.resolve("comm")).strip()).matches();
        }

        /** A count from the text of a /proc io file ("name: N" lines), read every 20 ms for each thread: no regex, no lines. */
        static long ioField(String io, String name) {
            int at = io.indexOf(name + ": ");
            if (at < 0) throw new IllegalStateException("no " + name + " in " + io);
            int from = at + name.length() + 2, to = io.indexOf('\n', from);
            return Long.parseLong(io.substring(from, to < 0 ? io.length() : to).trim());
        }

        /** Write system calls the whole process made so far, from /proc/PID/io (a write that returns 0 counts too). */
        long writeCalls() { return io()[0]; }

        /** Read and write system calls per thread of the program (not the JVM's own) so far (/proc/PID/task/TID/io). */
        Map<String, Long> ioByThread() {
            Map<String, Long> io = new HashMap<>();
            try (Stream<Path> tasks = Files.list(proc().resolve("task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String tid = task.getFileName().toString();
                        if (jvmThreads.contains(tid)) continue;
                        if (jvmOwn(task)) {                      // named so once, the JVM's for good: not read again
                            jvmThreads.add(tid);
                            continue;
                        }
                        String counts = Files.readString(task.resolve("io"));
                        io.put(tid, ioField(counts, "syscr") + ioField(counts, "syscw"));
                    } catch (IOException | RuntimeException gone) { }
                }
            } catch (IOException gone) { }
            return io;
        }

        synchronized List<String> stdout() { return List.copyOf(out); }

        /** When each line of standard output that matches pattern arrived (System.nanoTime()). */
        synchronized List<Long> lineTimes(Pattern pattern) {
            List<Long> times = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) if (pattern.matcher(out.get(i)).find()) times.add(outTimes.get(i));
            return times;
        }

        synchronized String stderr() { return String.join("\n", err); }

        /** The exception the program died of, in one line with the place in the learner's file, or null. */
        synchronized String exception() {
            for (int i = 0; i < err.size(); i++) {
                Matcher thrown = Pattern.compile("^Exception in thread \"[^\"]*\" (.*)").matcher(err.get(i));
                if (!thrown.find()) continue;
                String where = "";
                for (int j = i + 1; j < err.size() && err.get(j).startsWith("\t"); j++) {
                    Matcher frame = Pattern.compile("at (?:\\S+\\.)?" + Pattern.quote(program.className) + "[.$](\\S+)\\("
                            + Pattern.quote(program.className) + "\\.java:(\\d+)\\)").matcher(err.get(j));
                    if (frame.find()) { where = " at line " + frame.group(2) + " (" + frame.group(1) + ")"; break; }
                }
                return thrown.group(1) + where;
            }
            return null;
        }

        /** Waits for a line of standard output matching pattern; null if none came in that time or the program ended. */
        Matcher awaitLine(Pattern pattern, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            int seen = 0;
            synchronized (this) {
                while (System.nanoTime() < deadline) {
                    for (; seen < out.size(); seen++) {
                        Matcher m = pattern.matcher(out.get(seen));
                        if (m.find()) return m;
                    }
                    if (!process.isAlive()) return null;
                    wait(50);
                }
            }
            return null;
        }
    }

    // ---- verdicts ----

    /** The learner's file did not compile (its one line says why): the file gets no verdicts. */
    static final class NotCompiled extends Exception {
        NotCompiled(String line) { super(line, null, false, false); }
    }

    /** Thrown when the program threw or died: its line is printed, the checks after it cannot be judged. */
    static final class Stop extends RuntimeException {
        Stop() { super(null, null, false, false); }
    }

    static final class Verdicts {
        int passed, failed, unjudged;
        final Map<String, String> exceptionHints = new HashMap<>();

        /** The hint for a program that threw this exception (its class name), instead of "read the exception". */
        void hintFor(String exception, String hint) { exceptionHints.put(exception, hint); }

        String hintFor(String thrown) {
            for (Map.Entry<String, String> e : exceptionHints.entrySet()) if (thrown.contains(e.getKey())) return e.getValue();
            return "read the exception: it names the line";
        }

        void check(boolean ok, String check, String detail, String hint) {
            if (ok) {
                passed++;
                System.out.println("PASS " + check + ": " + detail);
            } else {
                failed++;
                System.out.println("FAIL " + check + ": " + detail);
                System.out.println("     hint: " + hint);
            }
            System.out.flush();
        }

        void noBusySpin(Busy busy, String during, String hint) {
            if (!busy.measured()) {
                notJudged("no busy spin", "the program had ended before it could be measured " + during);
                return;
            }
            check(busy.share() <= SPIN, "no busy spin", String.format("its main thread wanted a CPU %.0f%% of the time %s (%,.0f ms in %,.0f ms;"
                    + " at most %.0f%%)", 100 * busy.share(), during, busy.wantedMs(), busy.wallMs(), 100 * SPIN), hint);
        }

        /** A server must keep serving until the checker stops it: if it died, its one line, and no more checks. */
        void stillServing(Child server) throws InterruptedException {
            if (server.process.isAlive()) return;
            Integer exit = server.waitFor(1);
            String thrown = server.exception();
            check(false, "kept serving", thrown != null ? "it threw " + thrown : "it exited (code " + exit + "): "
                    + server.stderr().lines().reduce((a, b) -> b).orElse("no message"), thrown != null
                    ? hintFor(thrown) : "a server serves until it is stopped");
            throw new Stop();
        }

        void idleCpu(Busy before, Busy after, String hint) {
            String detail = String.format("its main thread wanted a CPU %.0f%% of the time with a silent client connected,"
                    + " %.0f%% after the clients had been served (at most %.0f%%)", 100 * before.share(), 100 * after.share(), 100 * SPIN);
            check(before.share() <= SPIN && after.share() <= SPIN, "idle CPU", detail, before.share() > SPIN
                    ? "with nothing to do, select() returned at once, again and again: no selectNow() or select(timeout) loop; "
                    + hint : "after the clients were served the loop never slept again: " + hint);
        }

        void oneThread(List<String> ioThreads, String during, String hint) {
            if (ioThreads.isEmpty()) {
                notJudged("one thread", "no thread made socket calls " + during);
                return;
            }
            check(ioThreads.size() == 1, "one thread", ioThreads.size() + (ioThreads.size() == 1 ? " thread made" : " threads made")
                    + " socket calls " + during + " (" + String.join(", ", ioThreads) + ")", hint);
        }

        void writeCalls(Busy busy, String during, String hint) {
            if (!busy.measured()) {
                notJudged("write calls", "the program had ended before it could be measured " + during);
                return;
            }
            check(busy.writeCalls() <= MOST_WRITES_WHILE_STALLED, "write calls", String.format("%,d write calls %s (at most %d)",
                    busy.writeCalls(), during, MOST_WRITES_WHILE_STALLED), hint);
        }

        void notJudged(String check, String why) {
            unjudged++;
            System.out.println("---- " + check + ": not judged: " + why);
        }

        /** For a program that should have exited by now: it did (0), threw, exited with an error, or hangs. */
        void ranToTheEnd(Child child, Integer exit, String hint) {
            String thrown = child.exception();
            if (thrown != null) {
                check(false, "ran to the end", "it threw " + thrown, hintFor(thrown));
                throw new Stop();
            }
            if (exit == null) {
                child.stop();
                check(false, "ran to the end", "still running, and nothing moved for " + STALL_SECONDS + " s (stopped by the checker)", hint);
            } else if (exit != 0) {
                String said = child.stderr().lines().reduce((a, b) -> b).orElse("no message");
                check(false, "ran to the end", "exit code " + exit + ": " + said, hint);
                throw new Stop();
            } else {
                check(true, "ran to the end", "exit code 0", hint);
            }
        }

        /** The program did not start doing what the checker waits for: it hangs, it failed, or it ended without doing it. */
        void ranToTheEnd(Child child, String doing, String hint) throws InterruptedException {
            Integer exit = child.waitFor(1);
            if (exit == null) {
                child.stop();
                check(false, "ran to the end", "did not " + doing + " within 60 s (stopped by the checker)", hint);
            } else if (exit == 0 && child.exception() == null) {
                check(false, "ran to the end", "it ended (exit code 0) and did not " + doing, hint);
            } else {
                ranToTheEnd(child, exit, hint);
            }
            throw new Stop();
        }

        int summary(String exercise) {
            if (failed == 0 && unjudged == 0 && passed > 0) {
                System.out.println(NAME + ": " + exercise + ": all " + passed + " checks passed");
                return 0;
            }
            System.out.println(NAME + ": " + exercise + ": " + failed + " of " + (passed + failed + unjudged) + " checks failed"
                    + (unjudged > 0 ? ", " + unjudged + " not judged" : ""));
            return 1;
        }
    }

    static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) TimeUnit.NANOSECONDS.sleep(left);
    }

    static void usage(String message) {
        fail(2, message + "; " + USAGE);
    }

    static void fail(int exitCode, String message) {
        System.err.println(NAME + ": " + message);
        System.exit(exitCode);
    }
}
