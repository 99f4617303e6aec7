package org.rapaio.jupyter.kernel.channels;

/**
 * For the tests' runs only: rapaio-jupyter-kernel 3.0.1's channel loop (same name and public API), with one change.
 * Its start() starts the thread and only then sets the flag the loop runs while, so a loop thread that looks first
 * ends at once; when that is the shell's, the kernel never answers (tests/nbrun.py saw a third to a half of the starts
 * on a busy machine lose it, each a whole JVM start, ~1.9 CPU-s, thrown away). Here the flag is set before the thread
 * starts. tests/nbrun.py puts this class ahead of the kernel's jar (-Xbootclasspath/a) for the runs that judge no
 * number; every cell still runs on the kernel's own code.
 */
public final class LoopThread extends Thread {
    private volatile boolean running = true;
    private final long sleepMs;
    private final Runnable loopBody;

    public LoopThread(String name, long sleepMs, Runnable loopBody) {
        super(name);
        this.sleepMs = sleepMs;
        this.loopBody = loopBody;
    }

    @Override
    public void run() {
        try {
            while (running) {
                loopBody.run();
                Thread.sleep(sleepMs);
            }
        } catch (InterruptedException stopped) {
            running = false;
        }
    }

    public void shutdown() {
        running = false;
    }
}
