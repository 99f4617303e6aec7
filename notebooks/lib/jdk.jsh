// Finds a newer JDK and runs a one-file Java program on it (06c; loaded with `%load lib/jdk.jsh`, in jshell
// `/open lib/jdk.jsh`). The JVM running the cells may be older than the demonstration needs.

/**
 * FILE's classes, compiled by jdk's javac into a folder named by a hash of the source and the JDK, and kept: a later
 * run of the same file finds them there and starts no compiler (`java FILE` would compile it every time). Returns
 * {the folder, the main class's name}.
 */
String[] compiledOnce(java.nio.file.Path jdk, java.nio.file.Path source) throws Exception {
    String text = java.nio.file.Files.readString(source);
    byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
            .digest((jdk.toAbsolutePath() + "\n" + text).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    String name = source.getFileName().toString().replaceFirst("\\.java$", "");
    java.util.regex.Matcher pkg = java.util.regex.Pattern.compile("(?m)^package ([\\w.]+);").matcher(text);
    String main = pkg.find() ? pkg.group(1) + "." + name : name;
    java.nio.file.Path kept = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
            "nbio-" + name + "-" + java.util.HexFormat.of().formatHex(hash, 0, 8));
    if (!java.nio.file.Files.isDirectory(kept)) {
        java.nio.file.Path fresh = java.nio.file.Files.createTempDirectory("nbio-" + name);
        Process javac = new ProcessBuilder(jdk.resolve("bin/javac").toString(), "-d", fresh.toString(), source.toString())
                .redirectErrorStream(true).start();
        String said = new String(javac.getInputStream().readAllBytes());
        if (javac.waitFor() != 0) throw new IllegalStateException("compiling " + source + " failed:\n" + said);
        try {   // whole or not at all: another run may be compiling the same file
            java.nio.file.Files.move(fresh, kept, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException other) {
            return new String[] {fresh.toString(), main};
        }
    }
    return new String[] {kept.toString(), main};
}

/**
 * A JDK of at least this feature version, as the pack's one JDK finder (scripts/nbio/Jdks.java, run as a
 * program) finds it; null if there is none.
 */
java.nio.file.Path jdkAtLeast(int feature) throws Exception {
    java.nio.file.Path here = java.nio.file.Path.of(System.getProperty("java.home"));
    String[] finder = compiledOnce(here, java.nio.file.Path.of("../scripts/nbio/Jdks.java").toAbsolutePath().normalize());
    Process find = new ProcessBuilder(here + "/bin/java", "-cp", finder[0], finder[1], String.valueOf(feature))
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String home = new String(find.getInputStream().readAllBytes()).strip();
    return find.waitFor() == 0 ? java.nio.file.Path.of(home) : null;
}

/** Runs FILE's program with `java OPTIONS` on jdk, from FILE's folder; returns what it printed, throws if it fails. */
String runJava(java.nio.file.Path jdk, String file, String... options) throws Exception {
    java.nio.file.Path source = java.nio.file.Path.of(file).toAbsolutePath();
    String[] program = compiledOnce(jdk, source);
    List<String> command = new ArrayList<>(List.of(jdk.resolve("bin/java").toString()));
    command.addAll(List.of(options));
    command.addAll(List.of("-cp", program[0], program[1]));
    Process run = new ProcessBuilder(command).directory(source.getParent().toFile())
            .redirectErrorStream(true).start();
    String said = new String(run.getInputStream().readAllBytes());
    if (!run.waitFor(120, TimeUnit.SECONDS)) {
        run.destroyForcibly();
        throw new IllegalStateException(file + " did not finish in 120 s");
    }
    if (run.exitValue() != 0) throw new IllegalStateException(file + " failed (exit " + run.exitValue() + "):\n" + said);
    return said;
}
