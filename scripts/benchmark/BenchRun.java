package benchmark;

import java.nio.file.Path;

/**
 * One run of the bench, handed to each part instead of shared statics: its configuration, its
 * working folder and compiled steps, the processes it started, and what it measured.
 */
final class BenchRun {
    final Config cfg;
    final long startNanos = System.nanoTime();
    final Results results = new Results();
    final Processes.Children children = new Processes.Children();
    Path work;
    Path stepClasses;
    // The sender/reader pair with the best median in part 3's sweep: part 2 measures the ceiling again with it.
    Parts.Pair ceilingPair;

    BenchRun(Config cfg) { this.cfg = cfg; }

    boolean overBudget() { return System.nanoTime() - startNanos > cfg.budget.toNanos(); }
}
