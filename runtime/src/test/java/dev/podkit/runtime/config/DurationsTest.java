package dev.podkit.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S, 500ms",
        "500,   PT0.5S, 500ms",
        "5s,    PT5S,   5s",
        "90s,   PT1M30S, 90s",
        "10m,   PT10M,  10m",
        "60m,   PT1H,   1h",
        "1h,    PT1H,   1h",
        "1d,    PT24H,  1d",
        "250us, PT0.00025S, 250us",
        "0,     PT0S,   0s",
    })
    void parsesAndFormatsHaproxyDurations(String text, String iso, String formatted) {
        Duration d = Durations.parse(text);
        assertEquals(Duration.parse(iso), d);
        assertEquals(formatted, Durations.format(d));
        assertEquals(d, Durations.parse(Durations.format(d)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "-5s", "5 s", "5sec", "1.5s", "5S", "abc", "9999999999999d"})
    void rejectsWhatHaproxyWouldNotRead(String text) {
        assertThrows(RuntimeException.class, () -> Durations.parse(text));
    }
}
