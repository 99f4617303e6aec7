package nbio;

import java.lang.management.ManagementFactory;

/** CPU time of the calling thread only: what a sending loop burns, apart from the JVM's other threads. */
public final class CpuClock {
    private CpuClock() { }

    public static long threadNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }
}
