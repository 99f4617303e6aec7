package nbio;

/** Counts for people: "1 byte", "5,000 bytes", "1 write call". */
public final class Counted {
    private Counted() { }

    public static String of(long n, String noun) {
        return String.format("%,d %s%s", n, noun, n == 1 ? "" : "s");
    }
}
