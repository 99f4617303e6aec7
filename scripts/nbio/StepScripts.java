package nbio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * The step scripts as the tour and the bench use them: each step runs unchanged in a process of
 * its own, as a learner runs it, from classes compiled here once. A tool that runs steps packs
 * them with itself for JBang ({@code //FILES Server.java} and {@code //FILES nbio/=nbio/*.java}).
 */
public final class StepScripts {
    // JBang's jar, opened once however often a tool asks.
    private static final Map<Path, FileSystem> JARS = new HashMap<>();

    private StepScripts() { }

    /**
     * Where the scripts travel with {@code tool}: inside JBang's jar (//FILES), beside its source file
     * (the JDK's source launcher), or else in scripts/ under the current folder (compiled by the tests).
     */
    public static Path folder(Class<?> tool) throws IOException {
        String launched = System.getProperty("jdk.launcher.sourcefile");
        if (launched != null) return Path.of(launched).toAbsolutePath().getParent();
        Path codeSource;
        try {
            codeSource = Path.of(tool.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException notAFile) {
            return Path.of("scripts");
        }
        if (!codeSource.toString().endsWith(".jar")) return Path.of("scripts");
        synchronized (JARS) {
            FileSystem jar = JARS.get(codeSource);
            if (jar == null) JARS.put(codeSource, jar = FileSystems.newFileSystem(codeSource));
            return jar.getPath("/");
        }
    }

    /** Copies the steps named (NAME.java, those that are there) and the nbio library into {@code sources}; returns the names copied. */
    public static List<String> copy(Path from, Path sources, List<String> names) throws IOException {
        Files.createDirectories(sources.resolve("nbio"));
        List<String> copied = new ArrayList<>();
        for (String name : names) {
            if (!Files.exists(from.resolve(name + ".java"))) continue;
            Files.copy(from.resolve(name + ".java"), sources.resolve(name + ".java"));
            copied.add(name);
        }
        try (Stream<Path> library = Files.list(from.resolve("nbio"))) {
            for (Path file : library.filter(f -> f.getFileName().toString().endsWith(".java")).toList()) {
                Files.copy(file, sources.resolve("nbio").resolve(file.getFileName().toString()));
            }
        }
        return copied;
    }

    /** Whether this Java can compile (a JDK, not a JRE). */
    public static boolean canCompile() {
        return ToolProvider.getSystemJavaCompiler() != null;
    }

    /** Compiles the steps named, found in {@code sources}, with this Java into {@code classes}: the compiler's messages if it failed. */
    public static Optional<String> compile(Path sources, Path classes, List<String> names) {
        // Against the sources alone: on the tool's own class path javac would find nbio classes the tool uses
        // too, compile the step against them and leave them out of the classes folder, where the step's process looks.
        List<String> args = new ArrayList<>(List.of("-nowarn", "-d", classes.toString(), "--source-path", sources.toString(),
                "--class-path", sources.toString()));
        for (String name : names) args.add(sources.resolve(name + ".java").toString());
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = ToolProvider.getSystemJavaCompiler().run(null, errors, errors, args.toArray(String[]::new));
        return status == 0 ? Optional.empty() : Optional.of(errors.toString());
    }

    /**
     * Starts compiling the steps named with a JDK's own javac, in a process of its own, its messages into {@code messages}:
     * step 6c on a JDK 21+, or the steps for a tool whose JVM must keep the optimising JIT for its own work (the bench's
     * load generator).
     */
    public static Process compileWith(Path jdk, Path sources, Path classes, List<String> names, Path messages) throws IOException {
        Files.createDirectories(classes);
        // javac lives a second or two, mostly warming up: without the optimising JIT it uses about a third less CPU
        // (3.0 -> 1.9 CPU-s for step 6c, 4.7 -> 2.6 for steps 1 to 6b, measured); what it writes is the same.
        List<String> args = new ArrayList<>(List.of(jdk.resolve("bin/javac").toString(), "-J-XX:TieredStopAtLevel=1", "-nowarn",
                "-d", classes.toString(), "--source-path", sources.toString(), "--class-path", sources.toString()));
        for (String name : names) args.add(sources.resolve(name + ".java").toString());
        return new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(messages.toFile()).start();
    }

    /** Steps' classes: where they are, which of the steps asked for were there to compile, and whether an earlier run compiled them. */
    public record Compiled(Path classes, List<String> names, boolean reused) { }

    /** The steps do not compile: the compiler's exit code and messages. */
    public static final class NotCompiled extends Exception {
        public final int exitCode;

        public NotCompiled(int exitCode, String messages) {
            super(messages, null, false, false);
            this.exitCode = exitCode;
        }
    }

    /**
     * The steps named (those found in {@code from}) and the nbio library compiled by {@code jdk}, once: compiling costs a
     * tool 2 to 5 CPU-s a run, so the classes are kept in {@code cache} (a tool's {@link #cacheFolder}) under a
     * digest of every source file's name and text and of the JDK (its folder and its release file), and compiled again
     * only when one of them changes. A folder appears whole (renamed into place) or not at all; runs started side by
     * side (a test suite, two notebooks) wait for one compile (the first takes the folder's lock file). Where the cache
     * cannot be written, the classes go to a folder of this run's own, deleted when this JVM ends.
     * {@code inThisJvm}: compile with this Java's compiler in this JVM (else {@code jdk}'s javac in a process of its own).
     */
    public static Compiled compiledOnce(Path cacheFolder, Path from, List<String> names, Path jdk, boolean inThisJvm)
            throws IOException, NotCompiled {
        List<String> found = names.stream().filter(name -> Files.exists(from.resolve(name + ".java"))).toList();
        String label = names.size() == 1 ? names.get(0) : cacheFolder.getFileName().toString();
        Path cache = cacheFolder.resolve(label + "-" + digest(from, found, jdk)), fresh;
        if (Files.isDirectory(cache)) return new Compiled(used(cache), found, true);
        FileChannel lockFile;
        try {
            Files.createDirectories(cache.getParent());
            lockFile = FileChannel.open(cache.resolveSibling(cache.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            fresh = Files.createTempDirectory(cache.getParent(), "compiling-");
        } catch (IOException readOnly) {
            Path classes = Files.createTempDirectory("nbio-" + label + "-classes-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(classes)));
            compile(from, found, jdk, inThisJvm, classes);
            return new Compiled(classes, found, false);
        }
        Thread stopped = deleting(fresh);   // Ctrl-C mid-compile leaves no half-made folder (never picked up anyway)
        try (lockFile; FileLock held = lockFile.lock()) {
            if (Files.isDirectory(cache)) return new Compiled(used(cache), found, true);   // compiled by the run that held the lock before
            compile(from, found, jdk, inThisJvm, fresh);
            Files.move(fresh, cache, StandardCopyOption.ATOMIC_MOVE);
            pruneOld(cacheFolder, label);
        } catch (FileSystemException compiledMeanwhile) {
            // another run put the same classes there first (one that took no lock: Linux then says
            // "Directory not empty", a plain FileSystemException in Java 17)
            if (!Files.isDirectory(cache)) throw compiledMeanwhile;
        } finally {
            deleted(fresh, stopped);
        }
        return new Compiled(cache, found, false);
    }

    /** How many of a tool's compiled folders are kept however old, the most recently used first. */
    static final int KEPT_ALWAYS = 3;
    /** A compiled folder unused for longer than this is deleted when another is made (beyond the KEPT_ALWAYS newest). */
    static final Duration UNUSED_FOR = Duration.ofDays(7);

    // A folder's time is when a run last used it: each run that finds it marks it (one call, no file written).
    private static Path used(Path cache) {
        try {
            Files.setLastModifiedTime(cache, FileTime.from(Instant.now()));
        } catch (IOException readOnly) { }
        return cache;
    }

    // Every edit of a step makes a new folder: when one is made, the tool's folders unused for UNUSED_FOR go, with their
    // lock files, except the KEPT_ALWAYS most recently used (a week-old checkout still starts at once); and so do
    // half-made ones a killed compile left (a day old: no compile takes that long).
    static void pruneOld(Path cacheFolder, String label) {
        Instant now = Instant.now();
        Pattern kept = Pattern.compile(Pattern.quote(label) + "-[0-9a-f]{32}");
        List<Path> folders = new ArrayList<>();
        try (Stream<Path> entries = Files.list(cacheFolder)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (kept.matcher(name).matches() && Files.isDirectory(entry)) folders.add(entry);
                else if (name.startsWith("compiling-") && olderThan(entry, now, Duration.ofDays(1))) deleteQuietly(entry);
                else if (name.endsWith(".lock") && kept.matcher(name.substring(0, name.length() - 5)).matches()
                        && !Files.exists(entry.resolveSibling(name.substring(0, name.length() - 5))) && olderThan(entry, now, UNUSED_FOR)) {
                    Files.deleteIfExists(entry);   // a compile that failed, long ago
                }
            }
            folders.sort(Comparator.comparing(StepScripts::lastUsed).reversed());
            for (Path old : folders.subList(Math.min(KEPT_ALWAYS, folders.size()), folders.size())) {
                if (!olderThan(old, now, UNUSED_FOR)) continue;
                deleteQuietly(old);
                Files.deleteIfExists(old.resolveSibling(old.getFileName() + ".lock"));
            }
        } catch (IOException | RuntimeException notMine) {
            // another user's folder, or another run pruning too: what is left is tried again next time
        }
    }

    private static Instant lastUsed(Path entry) {
        try {
            return Files.getLastModifiedTime(entry).toInstant();
        } catch (IOException gone) {
            return Instant.EPOCH;
        }
    }

    private static boolean olderThan(Path entry, Instant now, Duration age) {
        return lastUsed(entry).isBefore(now.minus(age));
    }

    // Into {@code classes}, from a copy of the sources beside it (the sources may be inside JBang's jar).
    private static void compile(Path from, List<String> names, Path jdk, boolean inThisJvm, Path classes)
            throws IOException, NotCompiled {
        Path sources = Files.createTempDirectory("nbio-sources-");
        Thread stopped = deleting(sources);
        try {
            copy(from, sources, names);
            if (inThisJvm) {
                Optional<String> failed = compile(sources, classes, names);
                if (failed.isPresent()) throw new NotCompiled(1, failed.get());
                return;
            }
            Path messages = sources.resolve("javac.txt");
            Process javac = compileWith(jdk, sources, classes, names, messages);
            try {
                int exit = javac.waitFor();
                if (exit != 0) throw new NotCompiled(exit, Files.readString(messages));
            } catch (InterruptedException e) {
                javac.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new NotCompiled(1, "interrupted");
            }
        } finally {
            deleted(sources, stopped);
        }
    }

    /** $XDG_CACHE_HOME/nbio/TOOL, or ~/.cache/nbio/TOOL. */
    public static Path cacheFolder(String tool) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("nbio").resolve(tool);
    }

    // SHA-256 of the JDK (its folder and release file), each step's name and text and every nbio/*.java's; 32 hex digits.
    private static String digest(Path from, List<String> names, Path jdk) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            Path release = jdk.resolve("release");
            String version = Files.isReadable(release) ? Files.readString(release) : String.valueOf(Runtime.version());
            sha.update((version + "\n" + jdk.toAbsolutePath() + "\n").getBytes(StandardCharsets.UTF_8));
            List<Path> files = new ArrayList<>();
            for (String name : names) files.add(from.resolve(name + ".java"));
            try (Stream<Path> library = Files.list(from.resolve("nbio"))) {
                library.filter(f -> f.getFileName().toString().endsWith(".java"))
                        .sorted(Comparator.comparing(Path::toString)).forEach(files::add);
            }
            for (Path file : files) {
                sha.update(("\n" + from.relativize(file) + "\n").getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(file));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    // A folder deleted when this JVM ends, unless deleted() deletes it first.
    private static Thread deleting(Path folder) {
        Thread hook = new Thread(() -> deleteQuietly(folder));
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    private static void deleted(Path folder, Thread hook) {
        deleteQuietly(folder);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException endingAlready) { }
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) { }
    }
}
