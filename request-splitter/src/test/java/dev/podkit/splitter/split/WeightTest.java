package dev.podkit.splitter.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WeightTest {
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"50%,5000", "12.5%,1250", "0.01%,1", "100%,10000", ".5%,50", "5.%,500", "33.33%,3333", "0%,0",
            "007%,700"})
    void percentagesAsNginxReadsThem(String text, int hundredths) {
        assertEquals(hundredths, Weight.parse(text).hundredths());
    }

    @ParameterizedTest
    @ValueSource(strings = {"50", "33.333%", "abc%", "%", ".%", "1.2.3%", "100.01%", "-5%", "+5%", " 5 %", "5 %", "1e2%"})
    void everythingElseIsRejected(String text) {
        assertThrows(IllegalArgumentException.class, () -> Weight.parse(text));
    }

    @org.junit.jupiter.api.Test
    void starIsTheRest() {
        assertTrue(Weight.parse("*").rest());
        assertEquals("12.5%", Weight.parse("12.5%").toString());
        assertEquals("0.01%", Weight.parse("0.01%").toString());
    }
}
