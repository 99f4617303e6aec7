package nbio;

//SOURCES Counted.java

import java.util.Locale;

/**
 * What one client run reports: the summary for people and the RESULT line for programs (the README's
 * "Machine-readable lines" documents its fields; {@link MachineLines} reads them back).
 */
public record ClientResult(String client, long bytes, long requested, long writes, long zeroWrites, long selects,
                           double wallMs, double cpuMs, double queuedMs, long crc32, boolean held) {

    /**
     * RESULT client=... bytes=... requested=... writes=... zero_writes=... selects=... wall_ms=... cpu_ms=... queued_ms=... crc32=...
     * assertion=... (queued_ms only where the system counts it: a negative queuedMs leaves it out)
     */
    public String line() {
        String queued = queuedMs < 0 ? "" : String.format(Locale.ROOT, " queued_ms=%.1f", queuedMs);
        return String.format(Locale.ROOT, "RESULT client=%s bytes=%d requested=%d writes=%d zero_writes=%d"
                        + " selects=%d wall_ms=%.1f cpu_ms=%.1f%s crc32=%08x assertion=%s",
                client, bytes, requested, writes, zeroWrites, selects, wallMs, cpuMs, queued, crc32, held ? "held" : "failed");
    }

    /** The step's own summary line, the line of counts, then the RESULT line. */
    public void print() {
        if (selects > 0) {
            System.out.printf("%s: %s sent all %,d bytes; after each of the %,d that returned 0 it slept in select()%n",
                    client, Counted.of(writes, "write call"), bytes, zeroWrites);
        } else if (writes > 1) {
            System.out.printf("%s: %s sent all %,d bytes; %,d of them (%.1f%%) returned 0 and were tried again at once%n",
                    client, Counted.of(writes, "write call"), bytes, zeroWrites, 100.0 * zeroWrites / writes);
        } else {
            System.out.printf("%s: one write call returned %,d of %,d bytes in %.1f ms: assert sent == len(data) %s%n",
                    client, bytes, requested, wallMs, held ? "holds" : "FAILS");
        }
        System.out.printf("%s: the kernel accepted %,d of %,d bytes (crc32=%08x): %s, %,d returned 0, %s,"
                        + " %.1f ms CPU in %.1f ms wall%n", client, bytes, requested, crc32, Counted.of(writes, "write call"),
                zeroWrites, Counted.of(selects, "selector wake-up"), cpuMs, wallMs);
        System.out.println(line());
    }
}
