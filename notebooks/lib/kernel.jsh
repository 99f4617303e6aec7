// Scaffolding for 08-kernel-view.ipynb (loaded with `%load lib/kernel.jsh`; in jshell, `/open lib/kernel.jsh`):
// runs `./jbang kernel-view STEP` from the project folder, as a reader would in a terminal, shows what it printed
// and keeps the machine-readable lines so that the cells can put the step's counts beside the kernel's.
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One kernel-view run: every line it printed, and its exit code (the step's own). */
record KernelRun(List<String> lines, int exit) {
    /** The key=value fields of every line of this kind (RESULT, SERVED, LOOP, SYSCALLS), in order. */
    List<Map<String, String>> all(String kind) {
        List<Map<String, String>> found = new ArrayList<>();
        for (String line : lines) {
            if (!line.startsWith(kind + " ")) continue;
            Map<String, String> fields = new LinkedHashMap<>();
            for (Matcher m = Pattern.compile("(\\w+)=(\\S+)").matcher(line); m.find(); ) fields.put(m.group(1), m.group(2));
            found.add(fields);
        }
        return found;
    }

    /** The fields of the last line of this kind; if kernel-view printed none, an error that shows what it printed. */
    Map<String, String> last(String kind) {
        List<Map<String, String>> found = all(kind);
        if (found.isEmpty()) {
            throw new IllegalStateException("kernel-view printed no " + kind + " line (exit code " + exit + "):\n"
                    + String.join("\n", lines));
        }
        return found.get(found.size() - 1);
    }

    /** A whole-number field of the last line of this kind. */
    long n(String kind, String key) { return Long.parseLong(last(kind).get(key)); }

    /** A field summed over every line of this kind (event-loop's two RESULT lines, select-server's SERVED lines). */
    long sum(String kind, String key) {
        return all(kind).stream().mapToLong(f -> Long.parseLong(f.get(key))).sum();
    }

    double decimal(String kind, String key) { return Double.parseDouble(last(kind).get(key)); }
}

/** What a step sends unless a cell names its own --size: the article's 70 MB, every step's default. */
int SIZE = 7 * 10 * 1024 * 1024;

/** The widest line a projector shows. */
int WIDTH = 100;

/** An strace line as kernel-view quotes it: four spaces, the thread's id, the time, the call. */
Pattern STRACE_LINE = Pattern.compile("^    \\d+ +\\d\\d:\\d\\d:\\d\\d\\.\\d+ .*");

/**
 * A line of kernel-view's output as a projector can show it (kernel-view's own output is untouched):
 * an strace line too wide loses errno's words (EAGAIN stays), then the middle of its arguments ("..."), or the
 * end of them when strace split the call (its first half has no answer to keep);
 * any other line wraps at spaces, its next lines indented four more.
 */
String fitted(String line) {
    if (line.length() <= WIDTH) return line;
    if (STRACE_LINE.matcher(line).matches()) {
        String cut = line.replaceFirst("(= -?\\d+ [A-Z]+) \\([^()]*\\)$", "$1");
        if (cut.length() <= WIDTH) return cut;
        if (cut.endsWith(" <unfinished ...>")) {               // no answer yet to keep: keep the first arguments
            int end = cut.lastIndexOf(", ", WIDTH - 5);
            if (end > 0) return cut.substring(0, end + 2) + "...";
        }
        int brace = cut.lastIndexOf('}');                  // keep the call's last argument and its result
        int tail = brace >= 0 ? brace : cut.lastIndexOf(", ");
        int head = cut.lastIndexOf(", ", WIDTH - (cut.length() - tail) - 5);
        return head < 0 ? cut : cut.substring(0, head + 2) + "..." + cut.substring(tail);
    }
    String indent = " ".repeat(line.length() - line.stripLeading().length() + 4);
    StringBuilder out = new StringBuilder();
    String rest = line;
    while (rest.length() > WIDTH) {
        int at = rest.lastIndexOf(' ', WIDTH);
        if (at <= indent.length()) break;
        out.append(rest, 0, at).append('\n');
        rest = indent + rest.substring(at + 1);
    }
    return out.append(rest).toString();
}

/**
 * How `./jbang kernel-view` starts kernel-view once JBang has built it: the Java, its options, the jar and the main
 * class that `./jbang info tools kernel-view` names. The first run goes through ./jbang; the later ones start that
 * same command directly, which spares each of them JBang's own JVM (about half a second of CPU) and changes nothing
 * kernel-view does. Null until asked (or if JBang did not say: then every run goes through ./jbang).
 */
List<String> kernelViewCommand = null;
boolean askedJbang = false;

List<String> jbangsCommand(Path root) throws IOException, InterruptedException {
    Process info = new ProcessBuilder(root.resolve("jbang").toString(), "info", "tools", "kernel-view")
            .directory(root.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String json = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (info.waitFor() != 0) return null;
    Matcher jdk = Pattern.compile("\"availableJdkPath\": \"([^\"]+)\"").matcher(json);
    Matcher jar = Pattern.compile("\"applicationJar\": \"([^\"]+)\"").matcher(json);
    Matcher main = Pattern.compile("\"mainClass\": \"([^\"]+)\"").matcher(json);
    Matcher options = Pattern.compile("\"runtimeOptions\": \\[([^\\]]*)\\]").matcher(json);
    if (!jdk.find() || !jar.find() || !main.find()) return null;
    List<String> command = new ArrayList<>(List.of(Path.of(jdk.group(1), "bin", "java").toString()));
    if (options.find()) {
        Matcher option = Pattern.compile("\"([^\"]*)\"").matcher(options.group(1));
        while (option.find()) command.add(option.group(1));
    }
    command.addAll(List.of("-classpath", jar.group(1), main.group(1)));
    return command;
}

/**
 * Runs ../jbang kernel-view with these arguments (and --size SIZE if they name none) and prints the step's
 * machine-readable lines and kernel-view's report (the step's lines for people are left out here: the step's own
 * notebook shows them). JBang's own progress lines ("[jbang] Building jar...") are not shown.
 */
KernelRun kernelView(String... args) throws IOException, InterruptedException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    List<String> command = new ArrayList<>(kernelViewCommand != null ? kernelViewCommand
            : List.of(root.resolve("jbang").toString(), "kernel-view"));
    if (!List.of(args).contains("--size")) command.addAll(List.of("--size", String.valueOf(SIZE)));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
    List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
            .filter(line -> !line.startsWith("[jbang] ")).toList();
    int exit = process.waitFor();
    if (!askedJbang) {
        askedJbang = true;
        kernelViewCommand = jbangsCommand(root);
    }
    boolean report = false;
    for (String line : lines) {
        report |= line.startsWith("kernel-view: ");
        boolean stepLine = line.startsWith("RESULT ") || line.startsWith("SERVED ") || line.startsWith("LOOP ");
        if ((report || stepLine) && !line.startsWith("SYSCALLS ")) System.out.println(fitted(line));
    }
    return new KernelRun(lines, exit);
}

/** printf that returns nothing, so that jshell has no PrintStream to echo. */
void printf(String format, Object... args) { System.out.print(String.format(format, args)); }

/** "the same" or "different", for the sentences that put two counts side by side. */
String same(long a, long b) { return a == b ? "the same" : "DIFFERENT"; }
