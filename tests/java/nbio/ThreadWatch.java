package nbio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Watches a process from outside while it runs, as the kernel counts it for each of its threads (numbers the
 * script cannot influence): bytes its write calls accepted (wchar in /proc/PID/task/TID/io), time on a core
 * and time queued for one (/proc/PID/task/TID/schedstat). Sampled every 10 ms until the process exits.
 */
final class ThreadWatch {
    /** One reading: when (System.nanoTime), bytes written so far, ns on a core so far, ns runnable but queued so far. */
    record Sample(long at, long written, long cpuNs, long queuedNs) { }

    /** One thread's readings, oldest first. */
    record Task(long tid, String name, List<Sample> samples) {
        long bytes() { return samples.get(samples.size() - 1).written(); }

        long cpuNs() { return samples.get(samples.size() - 1).cpuNs(); }

        /**
         * Over the readings from the first that shows more than 64 KiB written (more than it prints) to the first that shows {@code total}: how
         * long that was, and how much of it the thread spent on a core, queued for one, and neither (asleep).
         */
        Split whileWriting(long total) {
            Sample first = samples.stream().filter(s -> s.written() > 64 * 1024).findFirst().orElseThrow(() -> new AssertionError(this + " wrote nothing"));
            Sample last = samples.stream().filter(s -> s.written() >= total).findFirst()
                    .orElseThrow(() -> new AssertionError(name + " was never seen with all " + total + " bytes written: " + bytes()));
            long wall = last.at() - first.at(), cpu = last.cpuNs() - first.cpuNs(), queued = last.queuedNs() - first.queuedNs();
            return new Split(wall / 1e6, cpu / 1e6, queued / 1e6, (wall - cpu - queued) / 1e6);
        }

        @Override
        public String toString() { return name + " (tid " + tid + "): " + bytes() + " bytes written, " + cpuNs() / 1_000_000 + " ms on a core"; }
    }

    /** Milliseconds of a stretch of a thread's life: wall-clock, on a core, queued for one, asleep. */
    record Split(double wallMs, double cpuMs, double queuedMs, double asleepMs) {
        @Override
        public String toString() {
            return String.format("%.0f ms wall: %.0f on a core, %.0f queued for one, %.0f asleep", wallMs, cpuMs, queuedMs, asleepMs);
        }
    }

    final Map<Long, Task> seen = new ConcurrentHashMap<>();
    final Thread sampler;

    ThreadWatch(Scripts.Proc proc) {
        Path tasks = Path.of("/proc", String.valueOf(proc.pid()), "task");
        sampler = new Thread(() -> sample(tasks));
        sampler.setDaemon(true);
        sampler.start();
    }

    /** After the process has exited: every thread seen, with its readings. */
    Map<Long, Task> stop() {
        try {
            sampler.join(10_000);
        } catch (InterruptedException e) {
            throw new AssertionError("interrupted", e);
        }
        assertTrue(!sampler.isAlive(), "the /proc sampler did not end with the process");
        assertTrue(!seen.isEmpty(), "no thread of the process was seen in /proc");
        return Map.copyOf(seen);
    }

    /** After the process has exited: the thread whose write calls accepted the most bytes. */
    Task writer() {
        return stop().values().stream().max(Comparator.comparingLong(Task::bytes)).orElseThrow();
    }

    void sample(Path tasks) {
        while (Files.isDirectory(tasks)) {
            try (Stream<Path> threads = Files.list(tasks)) {
                for (Path task : threads.toList()) {
                    try {
                        // The time first: schedstat is read right after it (what lies between is a few µs of reading).
                        long at = System.nanoTime();
                        String[] sched = Files.readString(task.resolve("schedstat")).trim().split(" ");
                        long written = 0;
                        for (String line : Files.readAllLines(task.resolve("io"))) {
                            if (line.startsWith("wchar: ")) written = Long.parseLong(line.substring(7).trim());
                        }
                        long tid = Long.parseLong(task.getFileName().toString());
                        Sample sample = new Sample(at, written, Long.parseLong(sched[0]), Long.parseLong(sched[1]));
                        seen.computeIfAbsent(tid, t -> new Task(t, name(task), new ArrayList<>())).samples().add(sample);
                    } catch (IOException | RuntimeException gone) {
                        // the thread (or the process) ended between the listing and the read
                    }
                }
            } catch (IOException | RuntimeException gone) {
                return;
            }
            try { Thread.sleep(10); } catch (InterruptedException e) { return; } // a sampling period, not a wait for an event
        }
    }

    static String name(Path task) {
        try {
            return Files.readString(task.resolve("comm")).trim();
        } catch (IOException gone) {
            return "?";
        }
    }
}
