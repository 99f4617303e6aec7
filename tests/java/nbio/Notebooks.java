package nbio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The notebooks in notebooks/: reading them (a small JSON reader, the JDK has none), their code
 * hash (the same as tests/nbrun.py computes), and running them in Jupyter with nbclient.
 */
public final class Notebooks {
    public static final Path DIR = Scripts.ROOT.resolve("notebooks");
    public static final Path JUPYTER = Scripts.ROOT.resolve("tests/target/jupyter");
    public static final Path EXECUTED = Scripts.ROOT.resolve("tests/target/notebooks");
    public static final List<String> KERNELS = List.of("nbio-ijava", "nbio-rapaio");
    static final String CELL_END = "\n//--cell--\n";

    private Notebooks() { }

    /** Every notebook, by file name, in order. */
    public static List<String> names() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ipynb")).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One cell: its type, source and outputs (as parsed JSON). */
    public record Cell(String type, String source, List<Map<String, Object>> outputs, Object executionCount,
                       Map<String, Object> metadata) {
        /** All text a learner sees under the cell: stdout/stderr streams and text/plain results. */
        public String text() {
            StringBuilder out = new StringBuilder();
            for (Map<String, Object> output : outputs) {
                if (output.get("text") != null) out.append(joined(output.get("text")));
                Object data = output.get("data");
                if (data instanceof Map<?, ?> d && d.get("text/plain") != null) out.append(joined(d.get("text/plain"))).append('\n');
            }
            return out.toString();
        }

        public boolean hasOutputType(String type) {
            return outputs.stream().anyMatch(o -> type.equals(o.get("output_type")));
        }

        public boolean hasStderr() {
            return outputs.stream().anyMatch(o -> "stream".equals(o.get("output_type")) && "stderr".equals(o.get("name")));
        }

        public long images() {
            return outputs.stream().filter(o -> o.get("data") instanceof Map<?, ?> d && d.get("image/png") != null).count();
        }

        /** Collapsed in Jupyter (metadata.jupyter.source_hidden). */
        @SuppressWarnings("unchecked")
        public boolean sourceHidden() {
            return metadata.get("jupyter") instanceof Map<?, ?> j && Boolean.TRUE.equals(j.get("source_hidden"));
        }

        public boolean hasImage() {
            return outputs.stream().anyMatch(o -> o.get("data") instanceof Map<?, ?> d && d.get("image/png") != null);
        }
    }

    public record Notebook(Map<String, Object> json, List<Cell> cells) {
        public List<Cell> code() { return cells.stream().filter(c -> c.type().equals("code")).collect(Collectors.toList()); }

        public String allOutput() { return code().stream().map(Cell::text).collect(Collectors.joining()); }

        @SuppressWarnings("unchecked")
        public Map<String, Object> metadata() { return (Map<String, Object>) json.getOrDefault("metadata", Map.of()); }

        /**
         * sha256 of every code cell's source followed by CELL_END, and after a cell, the text of each file it loads
         * followed by CELL_END: tests/nbrun.py stores it when regenerating, so a change to lib/ makes outputs stale too.
         */
        public String codeHash() {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                for (Cell cell : code()) {
                    sha.update((cell.source() + CELL_END).getBytes(StandardCharsets.UTF_8));
                    for (Path file : loads(cell.source())) sha.update((Files.readString(file) + CELL_END).getBytes(StandardCharsets.UTF_8));
                }
                return HexFormat.of().formatHex(sha.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    public static Notebook read(Path file) {
        try {
            Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(file));
            List<Cell> cells = new ArrayList<>();
            for (Object c : (List<Object>) json.get("cells")) {
                Map<String, Object> cell = (Map<String, Object>) c;
                List<Map<String, Object>> outputs = new ArrayList<>();
                for (Object o : (List<Object>) cell.getOrDefault("outputs", List.of())) outputs.add((Map<String, Object>) o);
                cells.add(new Cell((String) cell.get("cell_type"), joined(cell.get("source")), outputs, cell.get("execution_count"),
                        (Map<String, Object>) cell.getOrDefault("metadata", Map.of())));
            }
            return new Notebook(json, cells);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** nbformat stores multi-line strings either as one string or as a list of lines. */
    static String joined(Object text) {
        if (text instanceof List<?> lines) return lines.stream().map(String::valueOf).collect(Collectors.joining());
        return text == null ? "" : text.toString();
    }

    /** The files a cell loads with the kernels' `%load FILE` line (IJava and rapaio; jshell's `/open FILE`), relative to notebooks/. */
    public static List<Path> loads(String source) {
        List<Path> files = new ArrayList<>();
        Matcher line = LOAD.matcher(source);
        while (line.find()) files.add(DIR.resolve(line.group(1)).normalize());
        return files;
    }

    static final Pattern LOAD = Pattern.compile("(?m)^%load (\\S+)\\s*$");

    /**
     * The one jar a chart cell puts on the class path (`%jars lib/xchart-3.8.8.jar`, a magic both kernels have;
     * jshell's `--class-path`), relative to notebooks/: tests/setup-notebooks and install-kernel copy it there.
     */
    public static final String CHARTS_JAR = "lib/xchart-3.8.8.jar";
    public static final String JARS = "%jars " + CHARTS_JAR;

    /** Installs Debian's nbclient and the two kernels into tests/target/jupyter if needed (tests/setup-notebooks). */
    public static synchronized void setUp() {
        if (setUp) return;   // once a run: four classes ask, and nothing in a run undoes it
        Scripts.Proc setup = Scripts.command("tests/setup-notebooks");
        int status = setup.waitFor(Duration.ofMinutes(15));
        if (status != 0) throw new AssertionError("tests/setup-notebooks failed (" + status + "):\n" + setup.output());
        setUp = true;
    }

    private static boolean setUp;

    /** The result of running one notebook in Jupyter: exit status, what nbrun printed, and the executed notebook. */
    public record Execution(int status, String log, Notebook notebook, double seconds) {}

    /** Runs notebooks/NAME on KERNEL with tests/nbrun.py (nbclient), with a per-cell timeout. */
    public static Execution execute(String kernel, String name, Path jupyterPath, Duration cellTimeout) {
        return execute(kernel, DIR.resolve(name), jupyterPath, cellTimeout);
    }

    /** Runs the notebook at PATH on KERNEL (its executed copy goes to tests/target/notebooks/KERNEL/). */
    public static Execution execute(String kernel, Path notebook, Path jupyterPath, Duration cellTimeout) {
        String name = notebook.getFileName().toString();
        Path out = EXECUTED.resolve(kernel).resolve(name);
        try {
            Files.createDirectories(out.getParent());
            Files.deleteIfExists(out);
            ProcessBuilder builder = nbrun(List.of("execute", kernel, notebook.toString(), out.toString(),
                    "--timeout", String.valueOf(cellTimeout.toSeconds())), jupyterPath, out.resolveSibling(name + ".log"));
            long start = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(15, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError(name + " on " + kernel + " still running after 15 minutes");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String log = Files.readString(out.resolveSibling(name + ".log"));
            return new Execution(process.exitValue(), log, Files.exists(out) ? read(out) : null, seconds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Runs notebooks/NAME for every name on KERNEL in one tests/nbrun.py process, each on a fresh kernel, with a per-cell
     * timeout. small: SIZE is set to 7 MiB after lib/nbio.jsh loads (every cell runs; the full-size numbers are not
     * shown). prestart: the next notebook's kernel starts while one runs (only where no timing is judged); otherwise
     * every kernel starts at once and waits, ready, before the first notebook runs (nbrun.py --ready-first): no kernel
     * starts while a timed notebook runs, and none is waited for between them. Every kernel's JVM runs on C1 alone
     * (nbrun.py's SMALL_RUN_JVM_OPTIONS; the committed outputs come from notebooks/regenerate's default JVM).
     */
    public static Map<String, Execution> executeAll(String kernel, List<String> names, boolean small, boolean prestart,
                                                    Duration cellTimeout) {
        return executeAll(kernel, names, small, prestart, cellTimeout, "");
    }

    /** As above, writing into a folder of its own (kernel, -small, then suffix): two runners on one kernel may run at once. */
    public static Map<String, Execution> executeAll(String kernel, List<String> names, boolean small, boolean prestart,
                                                    Duration cellTimeout, String suffix) {
        Path dir = EXECUTED.resolve(kernel + (small ? "-small" : "") + suffix);
        try {
            Files.createDirectories(dir);
            for (String name : names) {
                Files.deleteIfExists(dir.resolve(name));
                Files.deleteIfExists(dir.resolve(name + ".log"));
            }
            Process process = nbrun(executeAllArguments(kernel, dir, names, small, prestart, cellTimeout), JUPYTER,
                    dir.resolve("nbrun.log")).start();
            if (!process.waitFor(10L * names.size(), TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("notebooks on " + kernel + " still running after " + 10 * names.size() + " minutes: " + dir);
            }
            Map<String, Execution> runs = new LinkedHashMap<>();
            for (String name : names) {
                Path log = dir.resolve(name + ".log"), out = dir.resolve(name);
                if (!Files.exists(log)) {
                    runs.put(name, new Execution(-1, "not run; the runner said:\n" + Files.readString(dir.resolve("nbrun.log")), null, 0));
                    continue;
                }
                String text = Files.readString(log);
                Matcher summary = Pattern.compile(": ([\\d.]+) s, (\\d+) error output").matcher(text);
                if (!summary.find()) throw new AssertionError("no summary line in " + log + ":\n" + text);
                runs.put(name, new Execution(Integer.parseInt(summary.group(2)) == 0 ? 0 : 1, text,
                        Files.exists(out) ? read(out) : null, Double.parseDouble(summary.group(1))));
            }
            return runs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new AssertionError("interrupted", e);
        }
    }

    /** tests/nbrun.py's arguments to run these notebooks on KERNEL, writing into dir. */
    static List<String> executeAllArguments(String kernel, Path dir, List<String> names, boolean small, boolean prestart,
                                            Duration cellTimeout) {
        List<String> args = new ArrayList<>(List.of("execute-all", kernel, dir.toString(), "--timeout",
                String.valueOf(cellTimeout.toSeconds())));
        if (small) args.add("--small");
        args.addAll(prestart ? List.of("--prestart") : List.of("--ready-first", "--lean"));
        for (String name : names) args.add(DIR.resolve(name).toString());
        return args;
    }

    /** tests/nbrun.py with these arguments, its kernelspecs from jupyterPath, all it prints into log. */
    static ProcessBuilder nbrun(List<String> args, Path jupyterPath, Path log) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "tests/nbrun.py"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(Scripts.ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("JUPYTER_PATH", jupyterPath.toString());
        builder.environment().put("JUPYTER_RUNTIME_DIR", JUPYTER.resolve("runtime").toString());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        return builder;
    }

    /** A small JSON reader: objects become LinkedHashMaps, arrays Lists, numbers Doubles or Longs. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) { this.s = s; }

        static Object parse(String text) {
            Json json = new Json(text);
            Object value = json.value();
            json.space();
            if (json.i != text.length()) throw json.error("trailing text");
            return value;
        }

        private Object value() {
            space();
            if (i >= s.length()) throw error("unexpected end");
            char c = s.charAt(i);
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> map = new LinkedHashMap<>();
                    space();
                    if (s.charAt(i) == '}') { i++; return map; }
                    while (true) {
                        space();
                        String key = string();
                        space();
                        expect(':');
                        map.put(key, value());
                        space();
                        if (s.charAt(i) == ',') { i++; continue; }
                        expect('}');
                        return map;
                    }
                }
                case '[': {
                    i++;
                    List<Object> list = new ArrayList<>();
                    space();
                    if (s.charAt(i) == ']') { i++; return list; }
                    while (true) {
                        list.add(value());
                        space();
                        if (s.charAt(i) == ',') { i++; continue; }
                        expect(']');
                        return list;
                    }
                }
                case '"': return string();
                case 't': literal("true"); return Boolean.TRUE;
                case 'f': literal("false"); return Boolean.FALSE;
                case 'n': literal("null"); return null;
                default: return number();
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') return out.toString();
                if (c != '\\') { out.append(c); continue; }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> { out.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
                    default -> out.append(e);   // " \ /
                }
            }
        }

        private Object number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String text = s.substring(start, i);
            if (text.isEmpty()) throw error("unexpected character");
            return text.matches("-?\\d+") ? (Object) Long.parseLong(text) : (Object) Double.parseDouble(text);
        }

        private void literal(String word) {
            if (!s.startsWith(word, i)) throw error("expected " + word);
            i += word.length();
        }

        private void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) throw error("expected '" + c + "'");
            i++;
        }

        private void space() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON: " + what + " at offset " + i);
        }
    }
}
