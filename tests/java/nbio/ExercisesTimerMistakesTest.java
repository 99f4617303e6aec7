package nbio;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * The timer exercise's files that must fail, in one checker run, each judged as ExercisesTest judges them: the
 * shipped file (it sends nothing) and the kept mistakes (a blocking connect, a task that spins). Beside other
 * classes: the timer check the mistakes must fail finds the timer stopped for a second (the kernel's connect retry)
 * or the whole 1.5 s stall, against a limit of 600 ms, and a busy machine only makes a tick later; the checks they
 * must pass are bytes, threads and the wanted CPU that ExercisesTest already judges beside others (the run queue
 * counted in). The answers, which must keep the timer on time, run alone in ExercisesTimerTest.
 */
@Timeout(600)
class ExercisesTimerMistakesTest {
    @TestFactory
    Stream<DynamicContainer> theShippedFileAndTheKeptMistakesFailInOneRun() {
        return Stream.of(ExercisesTest.judgedInOneRun(ExercisesTest.TIMED, true, false, ExercisesTest::isKeptMistake));
    }
}
