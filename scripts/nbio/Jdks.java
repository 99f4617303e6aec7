package nbio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a JDK folder is: read by the tests and the bench alike when they look for a JDK 21+. */
public final class Jdks {
    private static final Pattern VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)");

    private Jdks() { }

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
}
