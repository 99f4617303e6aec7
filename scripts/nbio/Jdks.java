package nbio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The pack's one JDK finder: the tour, the bench, kernel-view, the tests and (as a program) the notebooks ask it for a JDK of
 * some feature release (21+ for virtual threads). It looks, in this order, at the running JVM,
 * at the folders named by NBIO_JAVA{N}_HOME and JAVA_HOME, and at the usual install folders
 * (/usr/lib/jvm, /opt/java, JBang's and SDKMAN's JDK folders), newest first. A JDK is a folder
 * with a release file, bin/java and bin/javac: a JRE cannot compile the scripts, so it does not count.
 */
public final class Jdks {
    private static final Pattern VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)");

    private Jdks() { }

    /**
     * As a program, for what cannot import this class (the notebooks): {@code java scripts/nbio/Jdks.java 21}
     * prints the home folder of a JDK 21 or newer, or says in one line that there is none (exit code 1).
     */
    public static void main(String[] args) {
        if (args.length != 1 || !args[0].matches("\\d{1,3}")) {
            System.err.println("usage: java scripts/nbio/Jdks.java FEATURE (a release number such as 21): prints a JDK of it or newer");
            System.exit(2);
        }
        Optional<Path> jdk = atLeast(Integer.parseInt(args[0]));
        if (jdk.isEmpty()) {
            System.err.println("no JDK " + args[0] + " or newer here (looked at this JVM, NBIO_JAVA" + args[0]
                    + "_HOME, JAVA_HOME, /usr/lib/jvm, /opt/java, JBang's and SDKMAN's JDK folders)");
            System.exit(1);
        }
        System.out.println(jdk.get());
    }

    /** A JDK whose feature release is {@code feature} or newer, if this machine has one. */
    public static Optional<Path> atLeast(int feature) {
        Path running = running();
        if (featureOf(running) >= feature && isJdk(running)) return Optional.of(running);
        return candidates(feature).stream().filter(jdk -> featureOf(jdk) >= feature).findFirst();
    }

    /** A JDK of exactly this feature release, if this machine has one (tests compare behaviour on 17 and on 25). */
    public static Optional<Path> exactly(int feature) {
        Path running = running();
        if (featureOf(running) == feature && isJdk(running)) return Optional.of(running);
        return candidates(feature).stream().filter(jdk -> featureOf(jdk) == feature).findFirst();
    }

    /** The home folder of the JVM running this code. */
    public static Path running() {
        return Path.of(System.getProperty("java.home"));
    }

    /** The feature release (17, 21, 25...) of a JDK folder, from its release file; 0 if unknown. */
    public static int featureOf(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"))) {
                Matcher m = VERSION.matcher(line);
                if (m.find()) return Integer.parseInt(m.group(1));
            }
        } catch (IOException ignored) { }
        return 0;
    }

    /** Whether a folder holds a JDK: a release file, a java and a compiler. */
    public static boolean isJdk(Path home) {
        return Files.isReadable(home.resolve("release")) && Files.isExecutable(home.resolve("bin/java"))
                && Files.isExecutable(home.resolve("bin/javac"));
    }

    // The folders someone named come first, in the order named; then the installed ones, newest first.
    private static List<Path> candidates(int feature) {
        List<Path> named = new ArrayList<>();
        for (String variable : List.of("NBIO_JAVA" + feature + "_HOME", "JAVA_HOME")) {
            String value = System.getenv(variable);
            if (value != null && !value.isBlank()) named.add(Path.of(value));
        }
        List<Path> installed = new ArrayList<>();
        String home = System.getProperty("user.home");
        for (Path folder : List.of(Path.of("/usr/lib/jvm"), Path.of("/opt/java"), Path.of(home, ".jbang", "cache", "jdks"),
                Path.of(home, ".sdkman", "candidates", "java"))) {
            try (Stream<Path> jdks = Files.list(folder)) {
                jdks.sorted().forEach(installed::add);
            } catch (IOException notThere) { }
        }
        installed.sort(Comparator.comparingInt(Jdks::featureOf).reversed());
        named.addAll(installed);
        return named.stream().filter(Jdks::isJdk).toList();
    }
}
