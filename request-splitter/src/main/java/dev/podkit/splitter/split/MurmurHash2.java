package dev.podkit.splitter.split;

/**
 * MurmurHash2 (32 bit, seed 0) as nginx's {@code ngx_murmur_hash2} computes it over a key's raw
 * bytes: little-endian 4-byte blocks, the tail, the final avalanche. The result is an unsigned
 * 32-bit value, returned in a {@code long}.
 */
public final class MurmurHash2 {
    private static final int M = 0x5bd1e995;

    private MurmurHash2() {
    }

    public static long hash(byte[] data) {
        return hash(data, 0, data.length);
    }

    public static long hash(byte[] data, int offset, int length) {
        int h = length; // 0 ^ len
        int i = offset;
        int remaining = length;
        while (remaining >= 4) {
            int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
            k *= M;
            k ^= k >>> 24;
            k *= M;
            h *= M;
            h ^= k;
            i += 4;
            remaining -= 4;
        }
        switch (remaining) {
            case 3:
                h ^= (data[i + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[i + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[i] & 0xff;
                h *= M;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h & 0xffffffffL;
    }
}
