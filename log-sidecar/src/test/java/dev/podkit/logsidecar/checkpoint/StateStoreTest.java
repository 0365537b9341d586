package dev.podkit.logsidecar.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podkit.logsidecar.tail.FileKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    @TempDir
    Path dir;

    @Test
    void entriesSurviveASaveAndALoadAndNoTempFileIsLeft() throws Exception {
        StateStore store = new StateStore(dir);
        assertEquals(Optional.empty(), store.load(), "no state yet: the very first start");
        List<StateStore.Entry> entries = List.of(
                new StateStore.Entry(new FileKey(64768, 1234), 5678, 1024, 99, 64, 77, Path.of("/input/a b.log"),
                        Path.of("/input/a b.log.1"), false),
                new StateStore.Entry(new FileKey(1, 2), 3, 4, 5, 6, 7, Path.of("/input/%weird\t.log"),
                        Path.of("/input/%weird\t.log"), true));
        store.save(entries, true);
        store.save(entries, false);
        assertEquals(Optional.of(entries), store.load());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve(StateStore.FILE_NAME)), files.toList());
        }
    }
}
