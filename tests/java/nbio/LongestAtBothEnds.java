package nbio;

import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * The order in which JUnit is handed the test classes (tests/pom.xml names this class). With two classes at a time,
 * JUnit's two workers work from the two ends of this list towards its middle (one takes the first class, then the
 * second...; the other the last, then the one before...), as a run's "Running nbio.X" lines show. Classes run by name,
 * as before, except the longest ones: they go alternately to the front and to the back, longest outermost, so that
 * both workers start with a long class and the run does not end with one long class going on alone while a core
 * idles. The isolated classes run after all the others whatever their place here, and keep their order by name among
 * themselves (WhatTheRunPrintedTest last).
 */
public class LongestAtBothEnds implements ClassOrderer {
    /**
     * Longest first, by their wall time in a fresh-clone run on a quiet 2-core machine (Surefire's per-class times).
     * A class missing here, or listed out of order, only makes the schedule a little worse, never a result.
     */
    static final List<String> LONGEST = List.of(
            "ReadmeTest", "NotebooksSmallRunsTest", "FaultsTest", "ExercisesTest", "JshellEditionsTest",
            "ClientFaultsTest", "LauncherTest", "CatalogTest", "TourFaultsTest", "BenchServersTest",
            "VirtualThreadsTest", "InstallKernelTest");

    /** By class name: the longest alternately at the front and the back (longest outermost), the rest by name between. */
    static final Comparator<String> ORDER = Comparator.comparingInt(LongestAtBothEnds::end)
            .thenComparing(Comparator.naturalOrder());

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparing(c -> c.getTestClass().getSimpleName(), ORDER));
    }

    /** -n..-1 at the front (longest first), 0 for the middle, 1..n at the back (longest last). */
    static int end(String className) {
        int rank = LONGEST.indexOf(className);
        if (rank < 0) return 0;
        int outward = LONGEST.size() - rank;   // the longer, the further out
        return rank % 2 == 0 ? -outward : outward;
    }
}
