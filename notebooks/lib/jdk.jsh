// Finds a newer JDK and runs a one-file Java program on it (06c; loaded with `%load lib/jdk.jsh`, in jshell
// `/open lib/jdk.jsh`). The JVM running the cells may be older than the demonstration needs.

/**
 * A JDK of at least this feature version, as the pack's one JDK finder (scripts/nbio/Jdks.java, run as a
 * program) finds it; null if there is none.
 */
java.nio.file.Path jdkAtLeast(int feature) throws Exception {
    String finder = java.nio.file.Path.of("../scripts/nbio/Jdks.java").toAbsolutePath().normalize().toString();
    Process find = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", finder, String.valueOf(feature))
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String home = new String(find.getInputStream().readAllBytes()).strip();
    return find.waitFor() == 0 ? java.nio.file.Path.of(home) : null;
}

/** Runs `java OPTIONS FILE` on jdk from FILE's folder and returns what it printed; throws if it fails. */
String runJava(java.nio.file.Path jdk, String file, String... options) throws Exception {
    java.nio.file.Path source = java.nio.file.Path.of(file).toAbsolutePath();
    List<String> command = new ArrayList<>(List.of(jdk.resolve("bin/java").toString()));
    command.addAll(List.of(options));
    command.add(source.toString());
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
