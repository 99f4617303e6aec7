package nbio;

//SOURCES Failure.java

import java.nio.ByteBuffer;

/** The article's data, 'foobar\n' repeated, in a direct buffer (or one line saying why there is no memory for it). */
public final class ArticleData {
    private ArticleData() { }

    /** 'foobar\n' * 10 * 1024 * 1024: the article's "70 MB". */
    public static final int SIZE = 7 * 10 * 1024 * 1024;

    /** size bytes of 'foobar\n' * ..., ready to write; a program that cannot have them stops with one line. */
    public static ByteBuffer foobar(String program, int size) {
        return foobar(program, size, () -> { });
    }

    /** The same; beforeExit runs just before a program without the memory stops (a client's Ctrl-C hook then waits for no one). */
    public static ByteBuffer foobar(String program, int size, Runnable beforeExit) {
        // A direct buffer lives outside the Java heap, so the kernel copies straight from it.
        // (Writing a heap buffer makes the JDK copy all that remains into a direct one first,
        // on every call: that copying, not the socket, would dominate the numbers.)
        ByteBuffer data = null;
        try {
            data = ByteBuffer.allocateDirect(size);
        } catch (OutOfMemoryError e) {
            beforeExit.run();
            Failure.exit(program, 1, outOfMemory(size, e));
        }
        // 'foobar\n' once, then what is there copied after itself, doubling: 24 bulk copies for 70 MB where seven bytes
        // at a time took ten million calls (70 MB: ~0.8 s of CPU in a JVM on C1 alone, now ~0.25 s, most of it the
        // kernel handing out the pages). Each copy starts at a multiple of 7, so the pattern runs on unbroken.
        byte[] foobar = "foobar\n".getBytes();
        int filled = Math.min(foobar.length, size);
        data.put(0, foobar, 0, filled);
        for (int n; filled < size; filled += n) {
            n = Math.min(filled, size - filled);
            data.put(filled, data, 0, n);
        }
        return data;
    }

    // The JVM's own limit on direct memory ("Cannot reserve ..."), or the system refusing the memory
    // ("Unable to allocate ...": an address-space limit, ulimit -v, or a machine out of memory).
    static String outOfMemory(long size, OutOfMemoryError e) {
        return String.valueOf(e.getMessage()).startsWith("Cannot reserve")
                ? String.format("%,d bytes do not fit in this JVM's direct memory (%s): send less, or allow more with"
                        + " -XX:MaxDirectMemorySize", size, e.getMessage())
                : String.format("the system refused %,d bytes of memory (%s): send less, or raise this process's memory"
                        + " limit (ulimit -v)", size, e.getMessage());
    }
}
