///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION The whole article in one run: every step against a live server, then one table of measured numbers.
//FILES Server.java
//FILES BlockingClient.java
//FILES NonBlockingClient.java
//FILES RetryClient.java
//FILES SelectClient.java

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

// The tour runs the real step scripts, unchanged, in this one process: it compiles them,
// starts the step-1 server in a thread on a free port, runs each client against it, and
// reads the RESULT and SERVED lines they print to build one table at the end.
public class Tour {
    static final String USAGE = "usage: tour [--size BYTES] [--read-rate MiB/s]"
            + " (defaults: 73400320 bytes, a server reading at most 100 MiB/s)";
    static final PrintStream STDERR = System.err;
    static final String[] STEP_FILES = {"Server", "BlockingClient", "NonBlockingClient", "RetryClient", "SelectClient"};

    record Step(String alias, String className, String story) { }

    static final List<Step> CLIENT_STEPS = List.of(
            new Step("blocking-client", "BlockingClient",
                    "Step 2. A blocking client sends the whole buffer in ONE write call. The call does not return\n"
                            + "until the kernel has taken every byte, so the article's assertion holds."),
            new Step("nonblocking-client", "NonBlockingClient",
                    "Step 3. The same write on a non-blocking channel returns at once, having copied only what fits\n"
                            + "in the socket buffers. The assertion fails, as in the article; the server gets exactly that part."),
            new Step("retry-client", "RetryClient",
                    "Step 4. So write the rest in a loop. When the buffers are full Java's write returns 0 (Python\n"
                            + "raises EAGAIN) and the loop asks again at once: watch the zero-returns and the CPU time."),
            new Step("select-client", "SelectClient",
                    "Step 5. The same loop, but after a 0 it sleeps in a Selector until the socket is writable.\n"
                            + "Same bytes, same time on the clock, a tiny fraction of the write calls and CPU."));

    public static void main(String[] args) throws Exception {
        long size = 7L * 10 * 1024 * 1024;
        String readRate = "100";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> { System.out.println(USAGE); return; }
                case "--size" -> size = checkedNumber(i + 1 < args.length ? args[++i] : "", "--size", 1, Integer.MAX_VALUE - 8);
                case "--read-rate" -> readRate = String.valueOf(checkedNumber(i + 1 < args.length ? args[++i] : "", "--read-rate", 1, 1_000_000));
                default -> fail("unknown argument '" + args[i] + "'; " + USAGE);
            }
        }
        PrintStream terminal = System.out;
        long tourStart = System.nanoTime();
        terminal.println("The article, step by step: every number below is measured now, on this machine.\n");

        Path work = Files.createTempDirectory("nbio-tour");
        Thread serverThread = null;
        LineRouter router = null;
        try (URLClassLoader steps = compileSteps(work)) {
            router = new LineRouter(terminal);
            System.setOut(new PrintStream(router, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(router, true, StandardCharsets.UTF_8));

            terminal.println("Step 1. A blocking server: it accepts one client at a time and reads 1024 bytes per call\n"
                    + "until the client closes. Here it reads at most " + readRate + " MiB/s on purpose, slower than loopback,\n"
                    + "like a far-away reader on a real network. It picks a free port and runs in a thread of this process.");
            Class<?> server = steps.loadClass("Server");
            String[] serverArgs = {"0", "--no-progress", "--read-rate", readRate};
            serverThread = new Thread(() -> runMain(server, serverArgs), "server");
            router.serverThread = serverThread;
            serverThread.start();
            String port = router.await("server: listening on localhost:(\\d+)", 30).group(1);
            terminal.println();

            List<Map<String, String>> rows = new ArrayList<>();
            int client = 0;
            for (Step step : CLIENT_STEPS) {
                terminal.println(step.story());
                Throwable failure = runMain(steps.loadClass(step.className()), "localhost", port, String.valueOf(size));
                if (failure instanceof AssertionError) {
                    terminal.println("    ...and it failed as the article's did: " + failure);
                } else if (failure != null) {
                    throw new IllegalStateException(step.alias() + " failed unexpectedly", failure);
                }
                Map<String, String> result = fields(router.await("^RESULT client=" + step.alias() + " .*", 60).group());
                Map<String, String> served = fields(router.await("^SERVED client=" + (++client) + " .*", 60).group());
                boolean intact = result.get("bytes").equals(served.get("bytes")) && result.get("crc32").equals(served.get("crc32"));
                terminal.printf("    => the server received %,d bytes, crc32=%s: %s%n%n", Long.parseLong(served.get("bytes")),
                        served.get("crc32"), intact ? "exactly what the kernel accepted from the client" : "NOT what the client sent!");
                result.put("intact", intact ? "yes" : "NO");
                rows.add(result);
            }

            serverThread.interrupt();   // closes the server's socket: it prints its totals and returns
            serverThread.join(10_000);
            router.await("^TOTAL clients=", 10);
            printTable(terminal, rows);
            Map<String, String> retry = rows.get(2), select = rows.get(3);
            double retryCpu = Double.parseDouble(retry.get("cpu_ms")), selectCpu = Double.parseDouble(select.get("cpu_ms"));
            terminal.printf("%nWhat it means: one non-blocking write took %,d of %,d bytes, what fitted in the socket buffers."
                            + "%nTo send the same bytes, the retry loop made %.0fx the write calls of the selector loop and burned"
                            + "%n%.1fx its CPU time: %.0f%% of its wall time against %.0f%% while waiting in select()."
                            + "%nWall times follow the server's reading pace; CPU times and counts depend on this machine."
                            + "%nTour done in %.1f s.%n",
                    Long.parseLong(rows.get(1).get("bytes")), Long.parseLong(rows.get(1).get("requested")),
                    Double.parseDouble(retry.get("writes")) / Double.parseDouble(select.get("writes")),
                    retryCpu / Math.max(selectCpu, 0.1), 100 * retryCpu / Double.parseDouble(retry.get("wall_ms")),
                    100 * selectCpu / Double.parseDouble(select.get("wall_ms")), (System.nanoTime() - tourStart) / 1e9);
            terminal.printf("TOUR retry_select_cpu_ratio=%.1f retry_select_write_ratio=%.0f%n",
                    retryCpu / Math.max(selectCpu, 0.1), Double.parseDouble(retry.get("writes")) / Double.parseDouble(select.get("writes")));
            if (rows.stream().anyMatch(r -> !r.get("intact").equals("yes"))) fail("some bytes were lost: see the table");
        } finally {
            System.setOut(terminal);
            System.setErr(STDERR);
            if (serverThread != null && serverThread.isAlive()) {
                serverThread.interrupt();
                serverThread.join(10_000);
            }
            if (router != null) router.flushAll();
            deleteTree(work);
        }
    }

    static void printTable(PrintStream out, List<Map<String, String>> rows) {
        String format = "%-19s %12s %9s %12s %8s %9s %9s  %-14s %s%n";
        out.printf(format, "step", "bytes sent", "writes", "zero-returns", "selects", "CPU ms", "wall ms", "assertion", "server got it all");
        for (Map<String, String> r : rows) {
            out.printf(format, r.get("client"), String.format("%,d", Long.parseLong(r.get("bytes"))),
                    String.format("%,d", Long.parseLong(r.get("writes"))), String.format("%,d", Long.parseLong(r.get("zero_writes"))),
                    String.format("%,d", Long.parseLong(r.get("selects"))), r.get("cpu_ms"), r.get("wall_ms"),
                    r.get("assertion").equals("held") ? "held" : "AssertionError", r.get("intact"));
        }
    }

    // Runs a script's main(String[]) and returns what it threw, if anything.
    static Throwable runMain(Class<?> script, String... args) {
        try {
            script.getMethod("main", String[].class).invoke(null, (Object) args);
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause();
        } catch (ReflectiveOperationException e) {
            return e;
        }
    }

    // The step scripts travel with this one: beside it on disk, or inside JBang's jar (//FILES).
    static URLClassLoader compileSteps(Path work) throws IOException {
        Path sources = Files.createDirectories(work.resolve("src")), classes = Files.createDirectories(work.resolve("classes"));
        String launched = System.getProperty("jdk.launcher.sourcefile");
        Path besideMe = launched != null ? Path.of(launched).toAbsolutePath().getParent() : Path.of("scripts");
        List<String> compilerArgs = new ArrayList<>(List.of("-d", classes.toString()));
        for (String name : STEP_FILES) {
            Path copy = sources.resolve(name + ".java");
            try (InputStream packed = Tour.class.getResourceAsStream("/" + name + ".java")) {
                if (packed != null) Files.copy(packed, copy);
                else if (Files.exists(besideMe.resolve(name + ".java"))) Files.copy(besideMe.resolve(name + ".java"), copy);
                else fail("cannot find " + name + ".java: run the tour from the project folder");
            }
            compilerArgs.add(copy.toString());
        }
        if (ToolProvider.getSystemJavaCompiler() == null) fail("this Java has no compiler: run the tour with a JDK, not a JRE");
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = ToolProvider.getSystemJavaCompiler().run(null, errors, errors, compilerArgs.toArray(String[]::new));
        if (status != 0) fail("the step scripts do not compile:\n" + errors);
        return new URLClassLoader(new URL[]{classes.toUri().toURL()}, Tour.class.getClassLoader());
    }

    // Everything the scripts print passes through here: shown indented under the step,
    // marked by who printed it, and kept so the tour can read RESULT and SERVED lines.
    static final class LineRouter extends OutputStream {
        final PrintStream terminal;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> seen = new ArrayList<>();
        final Map<Thread, ByteArrayOutputStream> partial = new LinkedHashMap<>();
        volatile Thread serverThread;

        LineRouter(PrintStream terminal) { this.terminal = terminal; }

        @Override public synchronized void write(int b) {
            ByteArrayOutputStream line = partial.computeIfAbsent(Thread.currentThread(), t -> new ByteArrayOutputStream());
            if (b != '\n') { line.write(b); return; }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            terminal.println((Thread.currentThread() == serverThread ? "    server | " : "    client | ") + text);
            lines.add(text);
        }

        synchronized void flushAll() {
            partial.values().forEach(line -> { if (line.size() > 0) terminal.println("    " + line.toString(StandardCharsets.UTF_8)); });
            partial.clear();
        }

        Matcher await(String regex, int seconds) throws InterruptedException {
            Pattern pattern = Pattern.compile(regex);
            for (String line : seen) {
                Matcher m = pattern.matcher(line);
                if (m.find()) { seen.remove(line); return m; }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) throw new IllegalStateException("no line like /" + regex + "/ within " + seconds + " s");
                Matcher m = pattern.matcher(line);
                if (m.find()) return m;
                seen.add(line);
            }
        }
    }

    static Map<String, String> fields(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(\\w+)=(\\S+)").matcher(line);
        while (m.find()) fields.put(m.group(1), m.group(2));
        return fields;
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static long checkedNumber(String text, String what, long min, long max) {
        try {
            long value = Long.parseLong(text);
            if (value >= min && value <= max) return value;
        } catch (NumberFormatException e) { }
        fail("bad " + what + " '" + text + "' (expected " + min + " to " + max + "); " + USAGE);
        return 0;
    }

    static void fail(String message) {
        STDERR.println("tour: " + message);
        System.exit(message.startsWith("bad ") || message.startsWith("unknown") ? 2 : 1);
    }
}
