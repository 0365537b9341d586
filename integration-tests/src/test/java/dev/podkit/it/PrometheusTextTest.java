package dev.podkit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test-side parser must itself reject malformed exposition text, or the image tests prove nothing. */
class PrometheusTextTest {

    @Test
    void readsFamiliesLabelsAndValues() {
        PrometheusText text = PrometheusText.parse("""
                # HELP up Whether it is up
                # TYPE up gauge
                up{job="a\\"b\\\\c\\nd",instance="x"} 1
                # TYPE req_seconds histogram
                req_seconds_bucket{le="+Inf"} 3
                req_seconds_sum 0.5
                req_seconds_count 3 1700000000000
                nan_metric NaN
                """);
        assertEquals(1.0, text.value("up", Map.of("job", "a\"b\\c\nd", "instance", "x")).orElseThrow());
        assertTrue(text.hasFamily("req_seconds", "histogram"));
        assertEquals(3.0, text.value("req_seconds_count", Map.of()).orElseThrow());
        assertTrue(text.value("nan_metric", Map.of()).orElseThrow().isNaN());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "1up 1\n",
        "up{job=\"a} 1\n",
        "up{job=\"a\\q\"} 1\n",
        "up{9job=\"a\"} 1\n",
        "up{job=\"a\",job=\"b\"} 1\n",
        "up one\n",
        "up 1 2 3\n",
        "up 1",
        "# TYPE up gauge\n# TYPE up gauge\nup 1\n",
        "up 1\n# TYPE up gauge\n",
        "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n",
        "# TYPE up bogus\nup 1\n",
    })
    void rejectsMalformedText(String text) {
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(text));
    }
}
