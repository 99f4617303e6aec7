///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DESCRIPTION Your turn, step 6a: an event loop keeps a timer on time while two sends stall; write the sending task, which never waits (then: ./jbang check timer-on-time).
//SOURCES nbio/TaskLoop.java

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import nbio.TaskLoop;
import nbio.TaskLoop.Task;
import nbio.TaskLoop.Wait;

// Your turn, step 6a: a task that never waits.
// One thread runs two senders and a timer that ticks every 100 ms; the loop and the timer are done
// (nbio/TaskLoop.java, with Wait and Task). The loop calls a task's resume(ready); the task does what it can without waiting and
// returns what it waits for next: Wait.on(sock, op) or Wait.DONE. Write Sender.resume: on its first
// turn open the socket, make it non-blocking and connect (connect returns false: wait for
// OP_CONNECT, then finishConnect()); then write until a write returns 0 (wait for OP_WRITE) or
// nothing is left (close the socket: DONE). Whatever blocks or spins here stops the timer too.
// Then: ./jbang check timer-on-time
public class TimerOnTime {
    static final String NAME = "timer-on-time";

    /** Sends data to one server: the article's non-blocking send loop, cut wherever it would wait. */
    static final class Sender implements Task {
        final InetSocketAddress to;
        final ByteBuffer data;
        SocketChannel sock;

        Sender(InetSocketAddress to, ByteBuffer data) { this.to = to; this.data = data; }

        @Override public Wait resume(boolean ready) throws IOException {
            // your code here
            return Wait.DONE;
        }
    }

    // ---- below: not the lesson ----
    // Two senders, the ports taken in turn, each with its own view of the data; then the loop runs.

    public static void main(String[] args) throws IOException {
        TaskLoop.run(NAME, args, Sender::new);
    }
}
