package nbio;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * ExercisesTest's checks for the one exercise the checker judges by when its timer's ticks arrive
 * (timer-on-time), in one checker run as there: as shipped it fails, step 6a's script is an answer,
 * each kept answer is judged as its header says. Alone, because a tick's lateness is wall time.
 */
@Timeout(600)
@Isolated("the checker judges how late the timer's ticks come")
class ExercisesTimerTest {
    @TestFactory
    Stream<DynamicContainer> everyFileOfTheExerciseIsJudgedInOneRun() {
        return Stream.of(ExercisesTest.judgedInOneRun(ExercisesTest.TIMED, true));
    }
}
