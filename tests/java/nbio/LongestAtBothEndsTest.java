package nbio;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The class order of tests/pom.xml: the names it lists are test classes, and the longest go to both ends. */
class LongestAtBothEndsTest {
    @Test
    void everyListedClassExists() {
        for (String name : LongestAtBothEnds.LONGEST)
            assertDoesNotThrow(() -> Class.forName("nbio." + name), name + " is listed as long but is no test class");
    }

    @Test
    void theLongestStartBothEndsAndTheRestRunByNameBetween() {
        List<String> names = new ArrayList<>(List.of("ZetaTest", "AlphaTest"));
        names.addAll(LongestAtBothEnds.LONGEST);
        names.sort(LongestAtBothEnds.ORDER);
        List<String> longest = LongestAtBothEnds.LONGEST;
        assertEquals(longest.get(0), names.get(0), "the longest class first");
        assertEquals(longest.get(1), names.get(names.size() - 1), "the second longest last");
        assertEquals(longest.get(2), names.get(1), "the third longest second");
        int middle = names.indexOf("AlphaTest");
        assertEquals(List.of("AlphaTest", "ZetaTest"), names.subList(middle, middle + 2), "the others by name, between");
    }
}
