package nbio;

import java.io.IOException;
import java.nio.file.FileSystemException;

/** The one way a script stops on bad input or a fault: one plain line on stderr, then a non-zero exit. */
public final class Failure {
    private Failure() { }

    /** Prints "program: message" and exits with code (2: bad arguments, 1: anything else); never returns. */
    public static int exit(String program, int code, String message) {
        System.err.println(program + ": " + message);
        System.exit(code);
        return 0;
    }

    /** Why an input or output failed, in the system's words ("No space left on device"), without the file names Java adds. */
    public static String reason(IOException e) {
        return e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
    }
}
