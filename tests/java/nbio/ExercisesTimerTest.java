package nbio;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ExercisesTest's checks for the one exercise the checker judges by when its timer's ticks arrive
 * (timer-on-time): as shipped it fails, step 6a's script is an answer, each kept answer is judged as
 * its header says. Alone, because a tick's lateness is wall time.
 */
@Timeout(600)
@Isolated("the checker judges how late the timer's ticks come")
class ExercisesTimerTest {
    static Stream<Path> fixtures() throws IOException {
        return ExercisesTest.allFixtures().filter(f -> ExercisesTest.exerciseOf(f).equals(ExercisesTest.TIMED));
    }

    @Test
    void theExerciseAsShippedCompilesRunsAndFails() throws IOException {
        ExercisesTest.shippedFails(ExercisesTest.TIMED);
    }

    @Test
    void theEventLoopStepIsAnAnswer() {
        ExercisesTest.stepIsAnAnswer(ExercisesTest.TIMED, "EventLoop");
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void eachKeptAnswerIsJudgedAsItsHeaderSays(Path fixture) throws IOException {
        ExercisesTest.judgedAsItsHeaderSays(fixture);
    }
}
