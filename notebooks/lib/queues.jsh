// The kernel's view of a connection's queues (loaded with `%load lib/queues.jsh` after lib/nbio.jsh and lib/jdk.jsh,
// whose compiledOnce it uses). It runs the pack's sampler, scripts/nbio/SocketQueues.java, as a program in a JVM of
// its own: it asks `ss -tmi` every few milliseconds, and doing that in the notebook's own JVM would load the very
// process it watches.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** The sampler's classes, compiled once for this JDK and kept (running the .java file would compile it every time). */
Path SAMPLER = Path.of(compiledOnce(Path.of(System.getProperty("java.home")),
        Path.of("../scripts/nbio/SocketQueues.java").toAbsolutePath().normalize())[0]);

/** One socket at one moment, as the sampler printed it: `QUEUE t_ms=... local=... remote=... send_q=... ...`. */
record Reading(double tMs, long epochUs, int local, int remote, Map<String, Long> fields) {
    long get(String name) { return fields.getOrDefault(name, -1L); }
}

Reading parseReading(String line) {
    Map<String, Long> fields = new TreeMap<>();
    double tMs = 0;
    for (String pair : line.substring("QUEUE ".length()).split(" ")) {
        String[] kv = pair.split("=", 2);
        if (kv[0].equals("t_ms")) tMs = Double.parseDouble(kv[1]);
        else fields.put(kv[0], Long.parseLong(kv[1]));
    }
    return new Reading(tMs, fields.get("epoch_us"), fields.get("local").intValue(), fields.get("remote").intValue(), fields);
}

/** The sampler's JVM on C1 and the serial collector: it starts ss and parses text (a quarter less CPU a start). */
Process startSampler(long everyMs, long forMs, int... ports) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", SAMPLER.toString(), "nbio.SocketQueues"));
    for (int port : ports) command.add(String.valueOf(port));
    command.addAll(List.of("--every", String.valueOf(everyMs), "--for", String.valueOf(forMs)));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
}

List<Reading> readingsOf(String output) {
    List<Reading> readings = new ArrayList<>();
    for (String line : output.split("\n")) if (line.startsWith("QUEUE ")) readings.add(parseReading(line));
    return readings;
}

int localPort(SocketChannel channel) throws IOException { return ((InetSocketAddress) channel.getLocalAddress()).getPort(); }

/**
 * Both ends of each of these connections, read in one go now (one sampler JVM for all of them): for each pair,
 * {its client's socket, its peer's}.
 */
Reading[][] kernelNow(List<Pair> pairs) throws Exception {
    int[] ports = new int[pairs.size()];
    for (int i = 0; i < ports.length; i++) ports[i] = localPort(pairs.get(i).peer());
    Process sampler = startSampler(1, 1, ports);
    String output = new String(sampler.getInputStream().readAllBytes());
    if (!sampler.waitFor(60, TimeUnit.SECONDS) || sampler.exitValue() != 0) throw new AssertionError("the sampler failed:\n" + output);
    Reading[][] ends = new Reading[pairs.size()][2];
    for (int i = 0; i < ports.length; i++) {
        int client = localPort(pairs.get(i).client());
        for (Reading r : readingsOf(output)) {
            if (r.local() == client && r.remote() == ports[i]) ends[i][0] = r;
            if (r.local() == ports[i] && r.remote() == client) ends[i][1] = r;
        }
        if (ends[i][0] == null || ends[i][1] == null) throw new AssertionError("the kernel showed no such connection:\n" + output);
    }
    return ends;
}

/** Microseconds since the epoch, the clock the sampler stamps its readings with. */
long epochMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
}

/** The sampler reading every socket of these ports (both ends on loopback) every 5 ms or so, until stop(). */
class Recorder implements AutoCloseable {
    final Process process;
    final StringBuilder output = new StringBuilder();
    final Thread pump;
    final CountDownLatch started = new CountDownLatch(1);
    final List<Reading> seen = new ArrayList<>();   // the readings parsed so far, and how much of output they came from
    int parsedTo;

    Recorder(int... ports) throws Exception {
        process = startSampler(5, 60_000, ports);
        pump = new Thread(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (output) { output.append(line).append('\n'); }
                    if (line.startsWith("SAMPLER ")) started.countDown();
                }
            } catch (IOException gone) { }
        }, "sampler-output");
        pump.setDaemon(true);
        pump.start();
        if (!started.await(60, TimeUnit.SECONDS)) throw new AssertionError("the sampler did not start");
    }

    /**
     * The first reading taken after `afterUs` (epoch microseconds) of the socket whose local port is `local`, and of
     * the other end of its connection in the same reading: {that socket, its peer}. Waits for it (at most 30 s).
     */
    Reading[] next(int local, long afterUs) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            String fresh;
            synchronized (output) {                     // only the lines not parsed yet: output grows all the time
                fresh = output.substring(parsedTo, output.lastIndexOf("\n") + 1);
                parsedTo += fresh.length();
            }
            seen.addAll(readingsOf(fresh));
            int from = seen.size();                     // the readings come in time order: only the newer ones
            while (from > 0 && seen.get(from - 1).epochUs() > afterUs) from--;
            Reading mine = null;
            for (int i = from; i < seen.size() && mine == null; i++) {
                if (seen.get(i).local() == local) mine = seen.get(i);
            }
            for (int i = from; mine != null && i < seen.size(); i++) {
                Reading r = seen.get(i);
                if (r.epochUs() == mine.epochUs() && r.local() == mine.remote() && r.remote() == local) {
                    return new Reading[] {mine, r};
                }
            }
            LockSupport.parkNanos(2_000_000);
        }
        throw new AssertionError("the sampler showed no reading of port " + local + " within 30 s");
    }

    /** Ends the recording and returns every reading it made, oldest first. */
    List<Reading> stop() throws Exception {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
        pump.join(30_000);
        synchronized (output) { return readingsOf(output.toString()); }
    }

    @Override public void close() { process.destroyForcibly(); }
}
