package dev.podkit.adapter.queries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.podkit.adapter.collect.PgVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionRangeTest {

    @ParameterizedTest
    @CsvSource({
        "'>=10.0.0', 130012, true",
        "'>=14.0.0', 130012, false",
        "'>=13.0.0 <17.0.0', 170002, false",
        "'>=13.0.0 <17.0.0', 160006, true",
        "'<13.0.0 || >=16.0.0', 150020, false",
        "'<13.0.0 || >=16.0.0', 170002, true",
        "'>= 15', 150020, true",
        "'>15.20.0', 150020, false",
        "'15.20.0', 150020, true",
        "'!=15.20.0', 150020, false",
        "'>=9.6.0', 90624, true",
        "'<10.0.0', 90624, true",
    })
    void includesVersions(String range, int num, boolean included) {
        assertEquals(included, VersionRange.parse(range).includes(new PgVersion(num)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "||", "latest", ">=ten", "~1.2"})
    void rejectsWhatIsNoRange(String range) {
        assertThrows(IllegalArgumentException.class, () -> VersionRange.parse(range));
    }
}
