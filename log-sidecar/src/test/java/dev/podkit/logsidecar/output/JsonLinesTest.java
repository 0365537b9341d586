package dev.podkit.logsidecar.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonLinesTest {
    private static String escape(byte[] bytes) {
        Bytes out = new Bytes(16);
        JsonLines.escape(out, bytes, 0, bytes.length);
        return new String(out.array(), 0, out.length(), StandardCharsets.UTF_8);
    }

    @Test
    void validUtf8IsKeptAndSpecialCharactersAreEscaped() {
        assertEquals("a\\\"b\\\\c\\t漢🙂\\u0001\\u007f", escape("a\"b\\c\t漢🙂\u0001\u007f".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void invalidUtf8BecomesReplacementCharactersSoTheOutputStaysValid() {
        byte[] bad = {'a', (byte) 0xC3, 'b', (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xE6, (byte) 0xBC};
        // a lone lead byte, an invalid byte, an encoded surrogate (3 bytes), a truncated 3-byte sequence
        assertEquals("a\uFFFDb\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD", escape(bad));
        byte[] overlong = {(byte) 0xC0, (byte) 0xAF};
        assertEquals("\uFFFD\uFFFD", escape(overlong));
    }

    @Test
    void anObjectCarriesFileOffsetTimeMetadataAndFlags() {
        JsonLines json = new JsonLines("web-0", "shop", "app");
        Bytes out = new Bytes(16);
        byte[] line = "hello".getBytes(StandardCharsets.UTF_8);
        json.encode(out, Instant.parse("2026-11-22T10:00:00Z"), JsonLines.quote("/input/a.log"), 42, line, 0, 5, false,
                true, false);
        assertEquals("{\"time\":\"2026-11-22T10:00:00Z\",\"file\":\"/input/a.log\",\"offset\":42,\"pod\":\"web-0\","
                + "\"namespace\":\"shop\",\"container\":\"app\",\"truncated\":true,\"message\":\"hello\"}\n",
                new String(out.array(), 0, out.length(), StandardCharsets.UTF_8));
    }

    @Test
    void unsetMetadataIsLeftOut() {
        JsonLines json = new JsonLines("", "", "");
        Bytes out = new Bytes(16);
        json.encode(out, Instant.parse("2026-11-22T10:00:00Z"), JsonLines.quote("/f"), 0, new byte[0], 0, 0, false,
                false, false);
        assertEquals("{\"time\":\"2026-11-22T10:00:00Z\",\"file\":\"/f\",\"offset\":0,\"message\":\"\"}\n",
                new String(out.array(), 0, out.length(), StandardCharsets.UTF_8));
    }
}
