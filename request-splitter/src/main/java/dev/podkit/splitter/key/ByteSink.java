package dev.podkit.splitter.key;

import java.util.Arrays;

/** A growable byte array for building a key without intermediate strings. */
public final class ByteSink {
    private byte[] bytes = new byte[64];
    private int size;

    public void add(byte b) {
        if (size == bytes.length) {
            bytes = Arrays.copyOf(bytes, size * 2);
        }
        bytes[size++] = b;
    }

    public void add(byte[] b) {
        if (size + b.length > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(size * 2, size + b.length));
        }
        System.arraycopy(b, 0, bytes, size, b.length);
        size += b.length;
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }
}
