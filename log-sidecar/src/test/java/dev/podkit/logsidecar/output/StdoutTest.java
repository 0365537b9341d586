package dev.podkit.logsidecar.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The head bytes, then the buffer's range, whatever stdout is; the buffer itself is left as it was. */
class StdoutTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "head of {0} bytes")
    @ValueSource(ints = {0, 1, 99, 128 * 1024, 128 * 1024 + 1, 300_000})
    void theHeadComesFirstThenTheRange(int headLength) throws Exception {
        byte[] head = new byte[headLength + 3];
        Arrays.fill(head, (byte) 'h');
        head[0] = 'x'; // outside the offset: must not be written
        ByteBuffer buffer = ByteBuffer.allocateDirect(1000);
        for (int i = 0; i < buffer.capacity(); i++) {
            buffer.put(i, (byte) ('a' + i % 26));
        }
        buffer.position(7).limit(900);
        byte[] expected = new byte[headLength + 500];
        Arrays.fill(expected, 0, headLength, (byte) 'h');
        for (int i = 0; i < 500; i++) {
            expected[headLength + i] = (byte) ('a' + (100 + i) % 26);
        }

        Path file = dir.resolve("out");
        try (FileOutputStream channelBacked = new FileOutputStream(file.toFile())) {
            new Stdout(channelBacked).write(head, 1, headLength, buffer, 100, 600);
        }
        assertArrayEquals(expected, Files.readAllBytes(file), "through the FileChannel");

        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        Stdout plain = new Stdout((OutputStream) stream);
        plain.write(head, 1, headLength, buffer, 100, 600);
        plain.flush();
        assertArrayEquals(expected, stream.toByteArray(), "through a plain OutputStream");

        assertEquals(7, buffer.position());
        assertEquals(900, buffer.limit());
    }

    @ParameterizedTest(name = "head of {0} bytes")
    @ValueSource(ints = {2, 0})
    void aBufferOnTheHeapIsWrittenToo(int headLength) throws Exception {
        String text = "a\n".substring(0, headLength);
        Path file = dir.resolve("out");
        ByteBuffer heap = ByteBuffer.wrap("0123456789".getBytes(StandardCharsets.US_ASCII));
        try (FileOutputStream out = new FileOutputStream(file.toFile())) {
            byte[] head = text.getBytes(StandardCharsets.US_ASCII);
            new Stdout(out).write(head, 0, head.length, heap, 2, 5);
        }
        assertEquals(text + "234", Files.readString(file));
    }
}
