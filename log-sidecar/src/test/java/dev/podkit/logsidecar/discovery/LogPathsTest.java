package dev.podkit.logsidecar.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogPathsTest {
    @TempDir
    Path dir;

    @Test
    void globsMatchOnlyAsDeepAsTheyNeedAndExclusionsApply() throws Exception {
        Files.createDirectories(dir.resolve("pods/a/app"));
        Files.createDirectories(dir.resolve("deeper/x/y"));
        for (String f : List.of("one.log", "two.log", "skip.gz.log", "notes.txt", "pods/a/app/0.log", "deeper/x/y/z.log")) {
            Files.writeString(dir.resolve(f), "x\n");
        }
        LogPaths paths = new LogPaths(List.of(dir + "/*.log", dir + "/pods/*/*/*.log", dir + "/deeper/**.log"),
                List.of("skip*"));
        LogPaths.Expansion e = paths.expand();
        assertEquals(Set.of(dir.resolve("one.log"), dir.resolve("two.log"), dir.resolve("pods/a/app/0.log"),
                dir.resolve("deeper/x/y/z.log")), e.files());
        assertTrue(e.directories().contains(dir.resolve("pods/a/app")), "directories walked are watched");
        assertTrue(paths.matches(dir.resolve("three.log")));
        assertTrue(!paths.matches(dir.resolve("skip.log")));
    }

    @Test
    void aMissingDirectoryIsReportedNotAnError() {
        LogPaths paths = new LogPaths(List.of(dir + "/later/*.log"), List.of());
        LogPaths.Expansion e = paths.expand();
        assertEquals(Set.of(), e.files());
        assertEquals(Set.of(dir.resolve("later")), e.missingBases());
    }
}
