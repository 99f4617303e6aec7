package nbio;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * ExercisesTest's checks for the one exercise the checker judges by when its timer's ticks arrive
 * (timer-on-time), for the files that must keep the timer on time: step 6a's script and the kept answer,
 * in one checker run, each passing every check. Alone, because a tick's lateness is wall time. The
 * shipped file and the kept mistakes, which must fail it, are judged beside other classes
 * (ExercisesTimerMistakesTest).
 */
@Timeout(600)
@Isolated("the checker judges how late the timer's ticks come")
class ExercisesTimerTest {
    @TestFactory
    Stream<DynamicContainer> theAnswersKeepTheTimerOnTimeInOneRun() {
        return Stream.of(ExercisesTest.judgedInOneRun(ExercisesTest.TIMED, false, true, fixture -> !ExercisesTest.isKeptMistake(fixture)));
    }
}
