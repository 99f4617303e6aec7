package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Machine-readable lines do not follow the locale. With LC_ALL=de_DE.UTF-8 (where that locale is
 * installed) the JVM starts with user.language=de and user.country=DE, and String.format writes
 * "29,5" for 29.5; the same properties given directly reproduce it on any machine, installed
 * locales or not. JAVA_TOOL_OPTIONS carries them into the tour's virtual-threads child too, and every
 * step of it (nothing here is timed) runs without the optimising compiler, for less CPU.
 */
@Timeout(300)
class LocaleTest {
    static final Map<String, String> GERMAN = Map.of("JAVA_TOOL_OPTIONS", "-Duser.language=de -Duser.country=DE -XX:TieredStopAtLevel=1");
    static final Pattern MACHINE_LINE = Pattern.compile("\\| ((RESULT|SERVED|TOTAL|LOOP) .*)$");

    @Test
    void everyMachineLineOfEveryStepKeepsItsFormatInACommaDecimalLocale() throws java.io.IOException {
        // The run TourFaultsTest's JRE-as-JAVA_HOME check reads too (one tour, not two; its JAVA_HOME changes no line here).
        Scripts.Proc tour = TourFaultsTest.germanTourWithAJreAsJavaHome();
        assertEquals(0, tour.waitFor(Duration.ofSeconds(240)), tour.output());
        // The locale really was German: numbers for people are grouped with dots.
        assertTrue(tour.stdout().contains("1.000.000 bytes"), tour.stdout());

        int lines = 0;
        for (String line : tour.stdoutLines()) {
            Matcher machine = MACHINE_LINE.matcher(line);
            if (!machine.find()) continue;
            lines++;
            for (Map.Entry<String, String> field : Scripts.fields(machine.group(1)).entrySet()) {
                String key = field.getKey(), value = field.getValue();
                if (key.equals("ms") || key.endsWith("_ms")) {
                    assertTrue(value.matches("\\d+\\.\\d"), "milliseconds with one decimal, a point: " + line);
                } else if (key.equals("peer") || key.equals("crc32")) {
                    continue;
                } else {
                    assertTrue(!value.contains(",") && !value.matches(".*\\d\\.\\d.*"), key + "=" + value + " in " + line);
                }
            }
        }
        assertTrue(lines >= 12, "machine lines seen in the tour: " + lines + "\n" + tour.stdout());
        for (String kind : new String[]{"RESULT client=virtual-threads", "LOOP ", "TOTAL ", "SERVED ", "RESULT client=event-loop"}) {
            assertTrue(tour.stdout().contains(kind), kind + " printed in German too");
        }
        // The tour's table reads those lines: its CPU and wall columns keep the point as well.
        Matcher row = Pattern.compile("(?m)^select-client +[\\d.]+ +[\\d.]+ +[\\d.]+ +[\\d.]+ +(\\S+) +(\\S+) ").matcher(tour.stdout());
        assertTrue(row.find(), tour.stdout());
        assertTrue(row.group(1).matches("\\d+\\.\\d") && row.group(2).matches("\\d+\\.\\d"), row.group());
    }
}
