package nbio;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of the calling thread only: what a sending loop burns, apart from the JVM's other threads. */
public final class CpuClock {
    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

    private CpuClock() { }

    public static long threadNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    /**
     * How long the calling thread has been runnable but waiting for a CPU, as the Linux scheduler counts it (the second
     * field of /proc/thread-self/schedstat, ns); -1 where the system does not say. A loop that never sleeps is on a core
     * or queued for one: on a crowded machine its CPU time shrinks and this grows.
     */
    public static long threadQueuedNanos() {
        try {
            return Long.parseLong(Files.readString(SCHEDSTAT).trim().split(" ")[1]);
        } catch (IOException | RuntimeException notLinux) {
            return -1;
        }
    }
}
