// Finds a newer JDK and runs a one-file Java program on it (06c; loaded with `%load lib/jdk.jsh`, in jshell
// `/open lib/jdk.jsh`). The JVM running the cells may be older than the demonstration needs.

/** The major version of the JDK in home, from its release file (0 if there is none). */
int featureOf(java.nio.file.Path home) {
    try {
        for (String line : java.nio.file.Files.readAllLines(home.resolve("release")))
            if (line.startsWith("JAVA_VERSION="))
                return Integer.parseInt(line.replaceAll("[^0-9.]", "").split("\\.")[0]);
    } catch (IOException | RuntimeException notAJdk) { }
    return 0;
}

/**
 * A JDK of at least this feature version: the one running these cells, JAVA_HOME's or one in
 * /usr/lib/jvm; null if there is none.
 */
java.nio.file.Path jdkAtLeast(int feature) {
    List<java.nio.file.Path> candidates = new ArrayList<>();
    candidates.add(java.nio.file.Path.of(System.getProperty("java.home")));
    if (System.getenv("JAVA_HOME") != null) candidates.add(java.nio.file.Path.of(System.getenv("JAVA_HOME")));
    java.io.File[] jvms = new java.io.File("/usr/lib/jvm").listFiles();
    if (jvms != null) for (java.io.File f : jvms) candidates.add(f.toPath());
    return candidates.stream().filter(home -> featureOf(home) >= feature
            && java.nio.file.Files.isExecutable(home.resolve("bin/java"))).findFirst().orElse(null);
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
