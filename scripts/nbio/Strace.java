package nbio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what `strace -f -tt` wrote: each system call with the thread that made it, its arguments and
 * the kernel's answer. One call split across two lines by another thread's call in between
 * ({@code <unfinished ...>} ... {@code <... write resumed>}) is joined back into one. Threads are
 * grouped into their processes (file descriptors are per process) from the {@code clone} calls.
 * Kernel-view, its tests and the kernel-view notebook read strace's output through this class.
 */
public final class Strace {
    /** The calls kernel-view asks strace for: socket I/O, waiting (poll, epoll), threads and their names. */
    public static final String CALLS = "connect,accept,accept4,write,read,sendto,recvfrom,close,shutdown,poll,ppoll,"
            + "epoll_create1,epoll_ctl,epoll_wait,epoll_pwait,clone,clone3,vfork,fork,prctl";

    private static final Pattern UNFINISHED = Pattern.compile("^(\\w+)\\((.*) <unfinished \\.\\.\\.>$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>(.*)$");
    private static final Pattern RESULT = Pattern.compile("^(-?\\d+|\\?|0x[0-9a-f]+)(?: (E[A-Z0-9]+) \\(.*\\))?");
    private static final Pattern PORT = Pattern.compile("sin6?_port=htons\\((\\d+)\\)");
    private static final Pattern EPOLL_FD = Pattern.compile("data=\\{u32=(\\d+),");
    private static final Pattern NAME = Pattern.compile("PR_SET_NAME, \"([^\"]*)\"");

    /**
     * One system call as strace printed it: the thread (tid) and its process (pid), the time of day, the call's
     * name, its arguments, and the kernel's answer ({@code value}, and {@code errno} when it failed).
     */
    public record Call(int pid, int tid, LocalTime time, String name, String args, String result, long value,
                       String errno, String raw) {
        /** The first argument as a number (the file descriptor of write, read, close, epoll_wait...), or -1. */
        public int fd() {
            int from = args.startsWith("[{fd=") ? 5 : 0, comma = args.indexOf(',');   // poll's [{fd=N, ...}]
            return (int) digits(args, from, comma < 0 ? args.length() : comma, 9);
        }

        /** The last argument as a number (how many bytes a write or read asked for), or -1. */
        public long lastNumber() {
            int comma = args.lastIndexOf(", ");
            return digits(args, comma < 0 ? 0 : comma + 2, args.length(), 18);
        }

        public boolean failed(String errno) { return errno.equals(this.errno); }

        /** The file descriptors an epoll_wait returned (the JDK puts the descriptor in each event's data). */
        public List<Integer> readyFds() {
            List<Integer> fds = new ArrayList<>();
            if (!name.startsWith("epoll_")) return fds;
            int end = args.indexOf("}}]");
            if (end < 0) return fds;
            Matcher m = EPOLL_FD.matcher(args.substring(0, end));
            while (m.find()) fds.add(Integer.parseInt(m.group(1)));
            return fds;
        }
    }

    /**
     * text[from, to) as a number if it is 1 to maxDigits decimal digits, else -1. By hand: these run for every call of a
     * trace (72,000 for the step-1 server's reads), where String.matches compiled its pattern each time.
     */
    static long digits(String text, int from, int to, int maxDigits) {
        if (to <= from || to - from > maxDigits) return -1;
        long n = 0;
        for (int i = from; i < to; i++) {
            char ch = text.charAt(i);
            if (ch < '0' || ch > '9') return -1;
            n = n * 10 + (ch - '0');
        }
        return n;
    }

    /** A TCP connection seen in the trace: the process, its descriptor, and the calls from its connect/accept to its close. */
    public record Socket(int pid, int fd, String how, Call opened, List<Call> calls) { }

    private final List<Call> calls;
    private final Map<Integer, Integer> processOf;
    private final Map<Integer, String> threadNames;

    private Strace(List<Call> calls, Map<Integer, Integer> processOf, Map<Integer, String> threadNames) {
        this.calls = calls;
        this.processOf = processOf;
        this.threadNames = threadNames;
    }

    /** The strace command that runs {@code command} and writes its calls to {@code log}. */
    public static List<String> command(Path log, List<String> command) {
        return command(log, CALLS, command);
    }

    /** The same for other kinds of call ({@code calls}: strace's comma-separated names). */
    public static List<String> command(Path log, String calls, List<String> command) {
        // --seccomp-bpf: the kernel stops the program only at the calls asked for, so the JVM keeps its speed.
        List<String> strace = new ArrayList<>(List.of("strace", "-f", "--seccomp-bpf", "-tt", "-s", "15", "-qq",
                "-e", "trace=" + calls, "-o", log.toString()));
        strace.addAll(command);
        return strace;
    }

    /** Why strace cannot be used here (not installed, or the kernel refuses to let it trace), or empty if it can. */
    public static Optional<String> unavailable() {
        try {
            Process probe = new ProcessBuilder("strace", "-f", "--seccomp-bpf", "-qq", "-e", "trace=write", "-o", "/dev/null", "true")
                    .redirectErrorStream(true).start();
            String said = new String(probe.getInputStream().readAllBytes()).trim();
            if (!probe.waitFor(30, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return Optional.of("strace did not answer within 30 s");
            }
            if (probe.exitValue() == 0) return Optional.empty();
            String first = said.lines().findFirst().orElse("exit code " + probe.exitValue());
            return Optional.of("strace cannot trace here (" + first + "; ptrace is not permitted)");
        } catch (IOException e) {
            return Optional.of("strace is not installed (Debian's package strace)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    public static Strace read(Path log) throws IOException {
        return parse(Files.readAllLines(log));
    }

    /** Parses the lines of `strace -f -tt` output. */
    public static Strace parse(List<String> lines) {
        List<Call> calls = new ArrayList<>();
        Map<Integer, String[]> pending = new HashMap<>();   // tid -> {time, first half}
        Map<Integer, Integer> threadOf = new HashMap<>();   // a thread's tid -> the tid that cloned it
        Map<Integer, String> names = new HashMap<>();
        Map<Integer, Integer> firstThreads = new HashMap<>();
        for (String line : lines) {
            // "TID  HH:MM:SS.ffffff BODY", split by hand, as is the call (callParts) and its time (timeOf): a full-size
            // retry-client's log has 70,000 lines, and with the patterns ^(\d+)\s+(\d\d:\d\d:\d\d\.\d+) (.*)$,
            // the call's and LocalTime.parse its parse took 740 ms of CPU, now 220 (kernel-view's JVM, on C1).
            int digits = 0;
            while (digits < line.length() && Character.isDigit(line.charAt(digits))) digits++;
            int at = digits;
            while (at < line.length() && line.charAt(at) == ' ') at++;
            int space = line.indexOf(' ', at);
            if (digits == 0 || digits > 9 || at == digits || space < 0 || !isTime(line, at, space)) continue;
            int tid = Integer.parseInt(line, 0, digits, 10);
            String body = line.substring(space + 1), time = line.substring(at, space), raw = line;
            if (body.endsWith(" <unfinished ...>")) {
                Matcher unfinished = UNFINISHED.matcher(body);
                if (unfinished.matches()) {
                    pending.put(tid, new String[] {time, unfinished.group(1) + "(" + unfinished.group(2), line});
                    continue;
                }
            }
            Matcher resumed = body.startsWith("<... ") ? RESUMED.matcher(body) : null;
            if (resumed != null && resumed.matches()) {
                String[] first = pending.remove(tid);
                if (first == null) continue;
                time = first[0];
                body = first[1] + resumed.group(2);
                raw = first[2] + "\n" + line;
            }
            String[] call = callParts(body);
            if (call == null) continue;
            // The answer: a number (or 0x..., or ?), then " EAGAIN (...)" if it failed; RESULT's pattern, by hand.
            String answer = call[2];
            long value = -1;
            String errno = null;
            int end = answer.indexOf(' ');
            String v = end < 0 ? answer : answer.substring(0, end);
            boolean number = digits(v, v.startsWith("-") ? 1 : 0, v.length(), 18) >= 0;
            if (number || v.equals("?") || v.matches("0x[0-9a-f]+")) {
                value = number ? Long.parseLong(v) : v.equals("?") ? -1 : Long.parseLong(v.substring(2), 16);
                if (end >= 0 && answer.startsWith(" E", end)) {
                    Matcher failed = RESULT.matcher(answer);
                    if (failed.lookingAt()) errno = failed.group(2);
                }
            }
            Call c = new Call(0, tid, timeOf(time), call[0], call[1], call[2], value, errno, raw);
            calls.add(c);
            if (c.name().startsWith("clone") || c.name().endsWith("fork")) {
                if (c.value() > 0 && c.args().contains("CLONE_THREAD")) {
                    threadOf.put((int) c.value(), tid);
                    // A java launcher's first thread starts one thread and runs main() on it; the JVM names the others.
                    if (!threadOf.containsKey(tid) && !firstThreads.containsValue(tid)) firstThreads.put((int) c.value(), tid);
                }
            } else if (c.name().equals("prctl")) {
                Matcher name = NAME.matcher(c.args());
                if (name.find()) names.put(tid, name.group(1));
            }
        }
        // A thread belongs to the process of the thread that cloned it; a clone without CLONE_THREAD is a new process.
        Map<Integer, Integer> processOf = new HashMap<>();
        for (Call c : calls) processOf.computeIfAbsent(c.tid(), tid -> rootOf(tid, threadOf));
        List<Call> placed = new ArrayList<>(calls.size());
        for (Call c : calls) {
            placed.add(new Call(processOf.get(c.tid()), c.tid(), c.time(), c.name(), c.args(), c.result(), c.value(),
                    c.errno(), c.raw()));
        }
        firstThreads.keySet().forEach(tid -> names.putIfAbsent(tid, "main"));
        return new Strace(placed, processOf, names);
    }

    /**
     * {name, arguments, answer} of "name(arguments) = answer", or null: the arguments end at the last ")" that spaces and
     * "= " follow (strace pads short calls), as the pattern {@code ^(\w+)\((.*)\)\s+= (.*)$} finds them, by hand.
     */
    private static String[] callParts(String body) {
        int open = 0;
        while (open < body.length() && (Character.isLetterOrDigit(body.charAt(open)) || body.charAt(open) == '_')) open++;
        if (open == 0 || open == body.length() || body.charAt(open) != '(') return null;
        for (int eq = body.lastIndexOf("= "); eq > open; eq = body.lastIndexOf("= ", eq - 1)) {
            int close = eq - 1;
            while (close > open && Character.isWhitespace(body.charAt(close))) close--;
            if (close < eq - 1 && body.charAt(close) == ')') {
                return new String[] {body.substring(0, open), body.substring(open + 1, close), body.substring(eq + 2)};
            }
        }
        return null;
    }

    /** Whether line[from, to) is a time of day as strace -tt prints it: HH:MM:SS.ffffff (any number of digits after the dot). */
    private static boolean isTime(String line, int from, int to) {
        if (to - from < 10 || line.charAt(from + 2) != ':' || line.charAt(from + 5) != ':' || line.charAt(from + 8) != '.') return false;
        for (int i = from; i < to; i++) {
            if (i != from + 2 && i != from + 5 && i != from + 8 && !Character.isDigit(line.charAt(i))) return false;
        }
        return true;
    }

    /** HH:MM:SS.ffffff, read by hand (LocalTime.parse, with its formatter, took a third of the parse). */
    private static LocalTime timeOf(String time) {
        String fraction = (time.substring(9) + "000000000").substring(0, 9);
        return LocalTime.of(Integer.parseInt(time, 0, 2, 10), Integer.parseInt(time, 3, 5, 10), Integer.parseInt(time, 6, 8, 10),
                Integer.parseInt(fraction));
    }

    private static int rootOf(int tid, Map<Integer, Integer> threadOf) {
        for (Integer parent; (parent = threadOf.get(tid)) != null; ) tid = parent;
        return tid;
    }

    public List<Call> calls() { return calls; }

    /** The process a thread belongs to. */
    public int processOf(int tid) { return processOf.getOrDefault(tid, tid); }

    /** A thread's name as the JVM gave it to the kernel (which keeps 15 characters), "main", or "thread N". */
    public String threadName(int tid) {
        String name = threadNames.get(tid);
        return name != null ? name : processOf(tid) == tid ? "main thread of process " + tid : "thread " + tid;
    }

    /**
     * The TCP connections with these ports at the other end: a connect to one of them, or an accept of a client
     * that connected from one. Each with the calls on its descriptor until it was closed.
     */
    public List<Socket> sockets(java.util.Collection<Integer> ports) {
        List<Socket> sockets = new ArrayList<>();
        Map<Long, Socket> open = new HashMap<>();   // pid << 32 | fd -> socket
        for (Call c : calls) {
            boolean connects = c.name().equals("connect") && (c.value() == 0 || c.failed("EINPROGRESS"));
            boolean accepts = c.name().startsWith("accept") && c.value() >= 0;
            if ((connects || accepts) && ports.contains(portOf(c))) {
                int fd = connects ? c.fd() : (int) c.value();
                Socket socket = new Socket(c.pid(), fd, c.name(), c, new ArrayList<>());
                open.put((long) c.pid() << 32 | fd, socket);
                sockets.add(socket);
                continue;
            }
            long key = (long) c.pid() << 32 | c.fd();
            Socket socket = open.get(key);
            if (socket == null) continue;
            socket.calls().add(c);
            if (c.name().equals("close") && c.value() == 0) open.remove(key);
        }
        return sockets;
    }

    private static int portOf(Call c) {
        Matcher m = PORT.matcher(c.args());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** What the kernel answered a kind of call on one socket: how many calls, by outcome, and the bytes moved. */
    public record Tally(long calls, long full, long partial, long eagain, long eof, long otherErrors, long bytes) {
        public static Tally of(List<Call> calls, String name) {
            long n = 0, full = 0, partial = 0, eagain = 0, eof = 0, other = 0, bytes = 0;
            for (Call c : calls) {
                if (!c.name().equals(name)) continue;
                n++;
                if (c.failed("EAGAIN")) eagain++;
                else if (c.errno() != null) other++;
                else if (c.value() == 0) eof++;
                else {
                    bytes += c.value();
                    if (c.value() == c.lastNumber()) full++;
                    else partial++;
                }
            }
            return new Tally(n, full, partial, eagain, eof, other, bytes);
        }

        public Tally plus(Tally t) {
            return new Tally(calls + t.calls, full + t.full, partial + t.partial, eagain + t.eagain, eof + t.eof,
                    otherErrors + t.otherErrors, bytes + t.bytes);
        }
    }

    /** The epoll_wait (and epoll_pwait) calls made by the threads of process {@code pid}. */
    public List<Call> epollWaits(int pid) {
        List<Call> waits = new ArrayList<>();
        for (Call c : calls) if (c.pid() == pid && c.name().startsWith("epoll_") && c.name().contains("wait")) waits.add(c);
        return waits;
    }

    /** The calls named {@code name} made by process {@code pid}. */
    public List<Call> byName(int pid, String name) {
        List<Call> found = new ArrayList<>();
        for (Call c : calls) if (c.pid() == pid && c.name().equals(name)) found.add(c);
        return found;
    }

    /** The threads that made the given calls, in order of first appearance. */
    public static Set<Integer> threads(List<Call> calls) {
        Set<Integer> tids = new LinkedHashSet<>();
        for (Call c : calls) tids.add(c.tid());
        return tids;
    }
}
