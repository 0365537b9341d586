package dev.podkit.logsidecar.output;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A growable byte array: what is about to be written to stdout or POSTed. */
public final class Bytes {
    private byte[] array;
    private int length;

    public Bytes(int capacity) {
        array = new byte[capacity];
    }

    public void add(byte b) {
        ensure(1);
        array[length++] = b;
    }

    public void add(byte[] bytes, int offset, int count) {
        ensure(count);
        System.arraycopy(bytes, offset, array, length, count);
        length += count;
    }

    /** {@code buffer[from, from + count)}; the buffer's position is not used. */
    public void add(ByteBuffer buffer, int from, int count) {
        ensure(count);
        buffer.get(from, array, length, count);
        length += count;
    }

    public void add(byte[] bytes) {
        add(bytes, 0, bytes.length);
    }

    /** ASCII only (field names, numbers). */
    public void ascii(String text) {
        ensure(text.length());
        for (int i = 0; i < text.length(); i++) {
            array[length++] = (byte) text.charAt(i);
        }
    }

    public void ascii(long number) {
        ascii(Long.toString(number));
    }

    public byte[] array() {
        return array;
    }

    public int length() {
        return length;
    }

    public void clear() {
        length = 0;
    }

    /** Drops a large array after a burst, so an idle process holds little. */
    public void shrink(int capacity) {
        if (length == 0 && array.length > capacity) {
            array = new byte[capacity];
        }
    }

    private void ensure(int more) {
        if (length + more > array.length) {
            array = Arrays.copyOf(array, Math.max(length + more, array.length * 2));
        }
    }
}
