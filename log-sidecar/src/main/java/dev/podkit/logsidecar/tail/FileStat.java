package dev.podkit.logsidecar.tail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What one stat(2) tells about a file (following symlinks unless asked not to). */
public record FileStat(FileKey key, long size, long mtimeNanos, boolean regular) {

    public static FileStat of(Path path, LinkOption... options) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino,size,lastModifiedTime,isRegularFile", options);
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        return new FileStat(new FileKey((Long) a.get("dev"), (Long) a.get("ino")), (Long) a.get("size"),
                mtime.to(TimeUnit.NANOSECONDS), (Boolean) a.get("isRegularFile"));
    }
}
