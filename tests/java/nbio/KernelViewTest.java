package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pack's own counts get an outside witness: kernel-view runs each step under strace against a slow
 * reader (16 MiB/s, its default), and what the step says it did (its RESULT or SERVED line) must be what
 * the kernel saw: Java's write calls are write(2) calls, its zeros are -1 EAGAIN, select-client's wake-ups
 * are epoll_wait calls that returned the socket, a server's reads are read(2) calls that returned data.
 * Nothing here depends on how busy the machine is (the one CPU comparison has a margin kernel-view measures in the
 * same run), so it runs beside other classes, on the runs ReadmeTest makes of the README's commands.
 */
@Timeout(900)
class KernelViewTest {
    static final Duration RUN = Duration.ofSeconds(240);
    static final Pattern EAGAIN_LINE = Pattern.compile(
            "^    \\d+ +[\\d:.]+ write\\(\\d+, \"[^\"]*\"\\.\\.\\., \\d+\\) = -1 EAGAIN \\(Resource temporarily unavailable\\)$");

    @BeforeAll
    static void straceWorksHere() {
        assertEquals(java.util.Optional.empty(), Strace.unavailable(), "tests/run installs strace (Debian's package)");
    }

    record Seen(Scripts.Proc proc, int exit) {
        Map<String, String> kernel() { return proc.last("SYSCALLS"); }
        long k(String key) { return MachineLines.number(kernel(), key); }
        Map<String, String> result() { return proc.last("RESULT"); }
    }

    /** Every kernel-view run of this test run, by its arguments: the README's commands (ReadmeTest) are the same runs. */
    private static final Map<List<String>, CompletableFuture<Seen>> runs = new ConcurrentHashMap<>();

    /**
     * `./jbang kernel-view ARGS`, as a reader types it, run once per test run by whichever test asks first (a step under
     * strace takes seconds to a minute; the claims here and the README's excerpts are read from the same run).
     */
    static Seen kernelView(String... args) {
        CompletableFuture<Seen> mine = new CompletableFuture<>(), earlier = runs.putIfAbsent(List.of(args), mine);
        if (earlier != null) return earlier.join();
        try {
            List<String> command = new ArrayList<>(List.of("./jbang", "kernel-view"));
            command.addAll(List.of(args));
            Scripts.Proc proc = Scripts.command(command.toArray(String[]::new));
            Seen seen = new Seen(proc, proc.waitFor(RUN));
            mine.complete(seen);
            return seen;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        }
    }

    static long n(Map<String, String> fields, String key) { return MachineLines.number(fields, key); }

    @Test
    void retryClientsZerosAreTheKernelsEagainsAndItsCpuTheKernelsCount() {
        Seen seen = kernelView("retry-client");
        Map<String, String> result = seen.result();
        String context = seen.proc().output();
        assertEquals(0, seen.exit(), context);
        assertEquals(n(result, "writes"), seen.k("writes"), "each write call is one write(2) on the socket: " + context);
        assertEquals(n(result, "zero_writes"), seen.k("eagain"), "each 0 is one -1 EAGAIN: " + context);
        assertEquals(n(result, "bytes"), seen.k("write_bytes"), context);
        assertEquals(seen.k("writes"), seen.k("full") + seen.k("partial") + seen.k("eagain"), "no other answer: " + context);
        // Against a slow reader the loop spun: it never waited (no poll(2) or epoll_wait(2) after the connect's) and
        // tried again at once, so most of its calls found the buffer still full. How MANY calls it made depends on the
        // CPU it got: tens of thousands on a quiet machine, 960 in 4.9 s seen with the suite's classes and strace
        // sharing two cores (127 ms of CPU); 94% of those were -1 EAGAIN all the same. A loop that waited for room
        // (a selector) shows its waits, and fewer than half its calls come back -1 EAGAIN (this loop made to wait in a
        // Selector on each 0: 45 epoll_waits, 45 EAGAINs of 104 calls). That it never sleeps is LoopStepsTest's to judge.
        assertTrue(seen.k("polls") <= 1, "no wait but the connect's: " + context);
        assertEquals(0, seen.k("epoll_waits"), "no selector wait: " + context);
        assertTrue(seen.k("eagain") * 2 > seen.k("writes"), "most calls returned -1 EAGAIN: the loop spun: " + context);
        assertTrue(seen.proc().stdoutLines().stream().anyMatch(l -> EAGAIN_LINE.matcher(l).matches()), "a raw EAGAIN line: " + context);
        // While the loop spun, the kernel's send queue was full: ss saw it hold about a send buffer's worth.
        Matcher queue = Pattern.compile("the step's send queue held at most ([\\d,]+) bytes \\(its send buffer, skmem tb, at most ([\\d,]+)\\)")
                .matcher(context);
        assertTrue(queue.find(), context);
        long sendQ = Long.parseLong(queue.group(1).replace(",", "")), tb = Long.parseLong(queue.group(2).replace(",", ""));
        assertTrue(sendQ > tb / 2, "the send queue filled: " + context);

        // The loop's CPU as the kernel counts it (utime+stime of the thread that wrote, sampled every 10 ms) against
        // the script's cpu_ms (the same thread's CPU clock, read before the first write and after the last). The
        // two windows differ by the wall time between the samples and the first and last writes (cpu_slack_ms: no
        // thread burns more CPU than wall time in it), and /proc counts in ticks of 10 ms, utime and stime each
        // rounded down: a difference of two readings is off by less than 20 ms. 1 ms more for printed rounding.
        double kernelCpu = MachineLines.decimal(seen.kernel(), "writer_cpu_ms"), scriptCpu = MachineLines.decimal(result, "cpu_ms");
        double margin = MachineLines.decimal(seen.kernel(), "cpu_slack_ms") + 20 + 1;
        assertTrue(Math.abs(kernelCpu - scriptCpu) <= margin, "kernel " + kernelCpu + " ms, script " + scriptCpu
                + " ms, margin " + margin + " ms: " + context);
        assertTrue(kernelCpu > 0, "the kernel counted the spinning loop's CPU: " + context);
    }

    @Test
    void selectClientsWakeUpsAreEpollWaitsThatReturnedTheSocket() {
        Seen seen = kernelView("select-client");
        Map<String, String> result = seen.result();
        String context = seen.proc().output();
        assertEquals(0, seen.exit(), context);
        assertEquals(n(result, "writes"), seen.k("writes"), context);
        assertEquals(n(result, "zero_writes"), seen.k("eagain"), context);
        assertTrue(n(result, "selects") > 0, "the slow reader made it wait: " + context);
        assertEquals(n(result, "selects"), seen.k("epoll_waits_socket"), "Selector.select() is epoll_wait: " + context);
        // Its queue sampler was stopped at the step's end, maybe while ss ran: kernel-view says nothing about that.
        assertFalse(seen.proc().stderr().contains("Exception"), "no stack trace: " + context);
    }

    @Test
    void oneWriteBlockingAndNonBlocking() {
        Seen blocking = kernelView("blocking-client");
        assertEquals(0, blocking.exit(), blocking.proc().output());
        assertEquals(List.of(1L, 1L, 73_400_320L), List.of(blocking.k("writes"), blocking.k("full"), blocking.k("write_bytes")),
                "one write(2) that took everything: " + blocking.proc().output());

        Seen nonBlocking = kernelView("nonblocking-client");
        Map<String, String> result = nonBlocking.result();
        assertEquals(1, nonBlocking.exit(), "the assertion fails: " + nonBlocking.proc().output());
        assertEquals(List.of(1L, 1L), List.of(nonBlocking.k("writes"), nonBlocking.k("partial")), nonBlocking.proc().output());
        assertEquals(n(result, "bytes"), nonBlocking.k("write_bytes"), "what write returned is what write(2) returned");
    }

    @Test
    void jshellEditionsCountWhatTheKernelSaw() {
        Seen retry = kernelView("retry-client.jsh");
        Matcher zeros = Pattern.compile("sent 73,400,320 bytes; ([\\d,]+) write calls returned 0").matcher(retry.proc().stdout());
        assertTrue(zeros.find(), retry.proc().output());
        assertEquals(Long.parseLong(zeros.group(1).replace(",", "")), retry.k("eagain"), retry.proc().output());

        Seen select = kernelView("select-client.jsh");
        Matcher wakeUps = Pattern.compile("([\\d,]+) selector wake-ups").matcher(select.proc().stdout());
        assertTrue(wakeUps.find(), select.proc().output());
        assertEquals(Long.parseLong(wakeUps.group(1).replace(",", "")), select.k("epoll_waits_socket"), select.proc().output());
    }

    @Test
    void serversReadsAreReadCallsThatReturnedData() {
        Seen server = kernelView("server");
        Map<String, String> served = server.proc().last("SERVED");
        assertEquals(0, server.exit(), server.proc().output());
        assertEquals(n(served, "reads"), server.k("data_reads"), server.proc().output());
        assertEquals(n(served, "bytes"), server.k("read_bytes"), server.proc().output());
        assertEquals(List.of(1L, 1L), List.of(server.k("accepts"), server.k("eof_reads")), server.proc().output());
        // The README: kernel-view sends a server 8,000,000 bytes per connection (70 MB would be 71,680 traced reads).
        assertEquals(8_000_000L, n(served, "bytes"), server.proc().output());

        Seen selectServer = kernelView("select-server");
        long reads = selectServer.proc().stdoutLines().stream().filter(l -> l.startsWith("SERVED "))
                .mapToLong(l -> n(MachineLines.fields(l), "reads")).sum();
        assertEquals(reads, selectServer.k("data_reads"), selectServer.proc().output());
        assertEquals(List.of(8_000_000L, 8_000_000L), selectServer.proc().stdoutLines().stream().filter(l -> l.startsWith("SERVED "))
                .map(l -> n(MachineLines.fields(l), "bytes")).toList(), selectServer.proc().output());
        assertEquals(2, selectServer.k("accepts"), selectServer.proc().output());
        assertTrue(selectServer.k("epoll_waits_socket") > 0, selectServer.proc().output());
    }

    @Test
    void eventLoopsWritesAndZerosAreTheKernels() {
        Seen seen = kernelView("event-loop");
        List<Map<String, String>> results = seen.proc().stdoutLines().stream().filter(l -> l.startsWith("RESULT "))
                .map(MachineLines::fields).toList();
        assertEquals(2, results.size(), seen.proc().output());
        assertEquals(results.stream().mapToLong(r -> n(r, "writes")).sum(), seen.k("writes"), seen.proc().output());
        assertEquals(results.stream().mapToLong(r -> n(r, "zero_writes")).sum(), seen.k("eagain"), seen.proc().output());
        assertTrue(seen.k("eagain") > 0 && seen.k("epoll_waits_socket") > 0, seen.proc().output());
    }

    /**
     * kernel-view's reader starts only once a client's send buffer is full, so a step meets a full buffer however slowly
     * it writes. Seen with a reader that would outpace any writer (100,000 MiB/s): every virtual thread still parked in
     * its write, after EAGAIN. (A reader that starts at once: 0 EAGAINs, 0 parked, seen; under strace with one core held
     * by another program, step 6c at the default 16 MiB/s did the same.)
     */
    @Test
    void theReaderWaitsForAFullSendBufferSoEvenAFastOneLeavesTheStepAFullBuffer() {
        Seen seen = kernelView("--read-rate", "100000", "virtual-threads");
        String context = seen.proc().output();
        assertEquals(0, seen.exit(), context);
        assertEquals(2, n(seen.result(), "parked_write"), "both connections' writes parked: " + context);
        assertTrue(seen.k("eagain") >= 2, "each met EAGAIN: " + context);
    }

    @Test
    void aVirtualThreadsBlockingWriteIsANonBlockingWriteThenThePoller() {
        Seen seen = kernelView("virtual-threads");
        Map<String, String> result = seen.result();
        String context = seen.proc().output();
        assertEquals(0, seen.exit(), context);
        assertTrue(n(result, "parked_write") > 0, "a write parked: " + context);
        assertTrue(seen.k("eagain") > 0, "the blocking write met EAGAIN: " + context);
        assertTrue(seen.k("epoll_ctls") >= seen.k("eagain"), "each EAGAIN put the socket in a poller's epoll set: " + context);
        assertTrue(seen.k("epoll_waits_socket") > 0 && seen.k("epoll_waits_poller_set") > 0,
                "a sub-poller's epoll_wait returned the socket, a master poller's its set: " + context);
        assertTrue(context.matches("(?s).*epoll_wait\\(\\d+\\) by MasterPoller \\(tid \\d+\\): .*"), context);
    }

    /**
     * Notebook 08 runs kernel-view through ./jbang once, then starts the command that `./jbang info tools kernel-view`
     * names (lib/kernel.jsh): it must be the very command `./jbang kernel-view` runs, as JBang says with --verbose.
     */
    @Test
    void theNotebooksLaterRunsStartTheCommandJbangRuns() throws IOException {
        String libsCommand;
        try (JShell shell = JShell.builder().executionEngine("local").build()) {
            String lib = Scripts.ROOT.resolve("notebooks/lib/kernel.jsh").toString();
            List<JshellEditionsTest.Thrown> exceptions = new ArrayList<>();
            for (String rest = Files.readString(Path.of(lib)); !rest.isBlank(); ) {
                SourceCodeAnalysis.CompletionInfo snippet = shell.sourceCodeAnalysis().analyzeCompletion(rest);
                JshellEditionsTest.evalChecked(shell, lib, snippet.source(), exceptions);
                rest = snippet.remaining();
            }
            List<SnippetEvent> asked = shell.eval("String.join(\" \", jbangsCommand(Path.of(\"" + Scripts.ROOT + "\")))");
            assertEquals(List.of(), exceptions);
            assertEquals(null, asked.get(0).exception(), "lib/kernel.jsh asked JBang");
            libsCommand = asked.get(0).value().replaceAll("^\"|\"$", "");
        }
        Scripts.Proc jbang = Scripts.command("./jbang", "--verbose", "kernel-view", "--help");
        assertEquals(0, jbang.waitFor(RUN), jbang.output());
        Matcher run = Pattern.compile("(?m)^\\[jbang\\] \\[[^\\]]*\\] run: (.*)$").matcher(jbang.output());
        assertTrue(run.find(), "JBang says what it runs: " + jbang.output());
        assertEquals(run.group(1), libsCommand + " --help");
    }

    /**
     * Without strace: one line, then the step as usual. Two such runs start at once with an empty cache folder, as a
     * test suite's or a class's runs do on a new machine: both need the step compiled, one compiles it and the other
     * waits for it (without the lock, the second to finish its compile failed: "Directory not empty").
     */
    @Test
    void withoutStraceItSaysSoInOneLineAndRunsTheStep(@TempDir Path cache) throws IOException {
        Path noStrace = Files.createTempDirectory("no-strace");   // a PATH on which strace is not found
        Path java = Scripts.javaHome(17).resolve("bin/java");
        List<Scripts.Proc> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(Scripts.commandWithEnv(Map.of("PATH", noStrace.toString(), "XDG_CACHE_HOME", cache.toString()), java.toString(),
                    "-cp", Scripts.classesOf("KernelView", Scripts.javaHome(17)).toString(), "KernelView", "--size", "1000000",
                    "blocking-client"));
        }
        for (Scripts.Proc run : runs) {
            assertEquals(0, run.waitFor(RUN), run.output());
            assertEquals("kernel-view: strace is not installed (Debian's package strace): running blocking-client without it, as usual",
                    run.stdoutLines().get(0), run.output());
            assertTrue(run.stdout().contains("RESULT client=blocking-client bytes=1000000 "), run.output());
            assertFalse(run.stdout().contains("SYSCALLS "), run.output());
        }
        try (var made = Files.list(cache.resolve("nbio/kernel-view"))) {
            assertEquals(List.of(), made.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("compiling-")).toList(),
                    "no half-made folder left");
        }
    }

    @Test
    void straceLinesAreParsedAcrossThreadsAndProcesses() {
        // Real lines from a run (virtual-threads on JDK 25), cut down: a call split by another thread's, a descriptor
        // number reused after close, and a second process whose descriptor 5 is another file.
        Strace trace = Strace.parse(List.of(
                "100   14:00:00.000001 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM}, 88) = 101",
                "100   14:00:00.000001 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM}, 88) = 102",
                "101   14:00:00.000002 write(5, \"0x37\", 4) = 4",
                "101   14:00:00.000003 close(5) = 0",
                "101   14:00:00.000004 connect(5, {sa_family=AF_INET6, sin6_port=htons(40291), sin6_flowinfo=htonl(0)}, 28)"
                        + " = -1 EINPROGRESS (Operation now in progress)",
                "101   14:00:00.000005 prctl(PR_SET_NAME, \"MasterPoller\") = 0",
                "101   14:00:00.000006 write(5, \"foobar\\nfoobar\\nf\"..., 73400320 <unfinished ...>",
                "102   14:00:00.000007 epoll_wait(6,  <unfinished ...>",
                "101   14:00:00.000008 <... write resumed>) = 3919467",
                "101   14:00:00.000009 write(5, \"\\nfoobar\\nfoobar\\n\"..., 69480853) = -1 EAGAIN (Resource temporarily unavailable)",
                "102   14:00:00.000010 <... epoll_wait resumed>[{events=EPOLLOUT, data={u32=5, u64=5}}], 512, -1) = 1",
                "100   14:00:00.000011 vfork() = 200",
                "200   14:00:00.000012 write(5, \"x\", 1) = 1"));
        List<Strace.Socket> sockets = trace.sockets(List.of(40291));
        assertEquals(1, sockets.size());
        Strace.Tally writes = Strace.Tally.of(sockets.get(0).calls(), "write");
        assertEquals(List.of(2L, 0L, 1L, 1L, 3919467L), List.of(writes.calls(), writes.full(), writes.partial(), writes.eagain(),
                writes.bytes()), "the write before the connect and the other process's write are not the socket's");
        assertEquals(List.of(5), trace.epollWaits(100).get(0).readyFds());
        assertEquals(100, trace.processOf(102));
        assertEquals(100, trace.processOf(101));
        assertEquals(200, trace.processOf(200));
        assertEquals("MasterPoller", trace.threadName(101));
    }
}
