package dev.podkit.logsidecar.discovery;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The files {@code LOG_PATHS} names and {@code LOG_EXCLUDE} leaves out. Each pattern is walked from
 * its longest directory prefix without glob characters, only as deep as the pattern needs (any
 * depth for {@code **}), so a pattern such as {@code /input/*.log} never walks a whole volume.
 */
public final class LogPaths {
    private static final int MAX_DEPTH = 16;

    private final List<Pattern> patterns;
    private final List<PathMatcher> excludeFull = new ArrayList<>();
    private final List<PathMatcher> excludeName = new ArrayList<>();

    private record Pattern(Path base, int depth, PathMatcher matcher) {
    }

    /** What one expansion found: matching paths (files or symlinks to files) and the directories looked at. */
    public record Expansion(Set<Path> files, Set<Path> directories, Set<Path> missingBases) {
    }

    public LogPaths(List<String> include, List<String> exclude) {
        FileSystem fs = FileSystems.getDefault();
        patterns = include.stream().map(p -> pattern(fs, p)).toList();
        for (String e : exclude) {
            if (e.contains("/")) {
                excludeFull.add(fs.getPathMatcher("glob:" + e));
            } else {
                excludeName.add(fs.getPathMatcher("glob:" + e));
            }
        }
    }

    private static Pattern pattern(FileSystem fs, String text) {
        Path path = Path.of(text).normalize();
        Path base = path.getRoot();
        int i = 0;
        for (; i < path.getNameCount() - 1; i++) {
            String part = path.getName(i).toString();
            if (hasGlob(part)) {
                break;
            }
            base = base.resolve(part);
        }
        int depth = text.contains("**") ? MAX_DEPTH : path.getNameCount() - i;
        return new Pattern(base, depth, fs.getPathMatcher("glob:" + path));
    }

    private static boolean hasGlob(String part) {
        return part.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    /** Whether {@code LOG_EXCLUDE} leaves this path out. */
    public boolean excluded(Path path) {
        Path name = path.getFileName();
        return excludeFull.stream().anyMatch(m -> m.matches(path))
                || (name != null && excludeName.stream().anyMatch(m -> m.matches(name)));
    }

    /** Whether a path is one LOG_PATHS names and LOG_EXCLUDE does not leave out. */
    public boolean matches(Path path) {
        return !excluded(path) && patterns.stream().anyMatch(p -> p.matcher.matches(path));
    }

    /** The directories to watch before anything matched: each pattern's base. */
    public List<Path> bases() {
        return patterns.stream().map(Pattern::base).distinct().toList();
    }

    public Expansion expand() {
        Set<Path> files = new LinkedHashSet<>();
        Set<Path> dirs = new LinkedHashSet<>();
        Set<Path> missing = new LinkedHashSet<>();
        for (Pattern p : patterns) {
            if (!Files.isDirectory(p.base)) {
                missing.add(p.base);
                continue;
            }
            walk(p, p.base, 1, files, dirs);
        }
        return new Expansion(files, dirs, missing);
    }

    private void walk(Pattern p, Path dir, int level, Set<Path> files, Set<Path> dirs) {
        dirs.add(dir);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    if (level < p.depth) {
                        walk(p, entry, level + 1, files, dirs);
                    }
                } else if (p.matcher.matches(entry) && !excluded(entry)) {
                    files.add(entry);
                }
            }
        } catch (IOException | SecurityException e) {
            // A directory that vanished or cannot be read: the caller notices the missing files.
        }
    }
}
