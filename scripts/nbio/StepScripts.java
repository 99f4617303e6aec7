package nbio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
}
