package dev.podkit.logsidecar.tail;

/** A file's identity on this machine while it exists: device and inode. Checked together with a fingerprint, since inodes are reused. */
public record FileKey(long dev, long ino) {
    @Override
    public String toString() {
        return dev + ":" + ino;
    }
}
