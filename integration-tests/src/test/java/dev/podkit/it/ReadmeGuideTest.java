package dev.podkit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's Testcontainers guide is the code of {@code GuideExamplesIT}, region by region, verbatim. */
class ReadmeGuideTest {
    private static final Path GUIDE = Path.of("src/test/java/dev/podkit/it/GuideExamplesIT.java");

    /** The regions between {@code // guide:begin NAME} and {@code // guide:end}, without their common indentation. */
    static Map<String, String> regions(List<String> lines) {
        Map<String, String> regions = new LinkedHashMap<>();
        String name = null;
        List<String> body = new ArrayList<>();
        for (String line : lines) {
            String t = line.strip();
            if (t.startsWith("// guide:begin ")) {
                name = t.substring("// guide:begin ".length());
                body.clear();
            } else if (t.equals("// guide:end") && name != null) {
                int indent = body.stream().filter(l -> !l.isBlank())
                        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
                regions.put(name, String.join("\n", body.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList()));
                name = null;
            } else if (name != null) {
                body.add(line);
            }
        }
        return regions;
    }

    @Test
    void everyContainerHasAnExampleAndTheReadmeCarriesItVerbatim() throws IOException {
        Map<String, String> regions = regions(Files.readAllLines(GUIDE));
        assertEquals(List.of("log-sidecar", "tcp-ambassador", "request-splitter", "metrics-adapter"),
                List.copyOf(regions.keySet()), "one example per container");
        String readme = Files.readString(Path.of("..", "README.md"));
        regions.forEach((name, code) -> assertTrue(readme.contains(code),
                "README lacks the " + name + " example exactly as in GuideExamplesIT:\n" + code));
    }

    @Test
    void regionsAreCutAtTheirMarkersAndUnindented() {
        Map<String, String> r = regions(List.of("class X {", "    // guide:begin a", "    @Test", "",
                "    void t() {", "        x();", "    }", "    // guide:end", "    // guide:begin b", "}"));
        assertEquals(Map.of("a", "@Test\n\nvoid t() {\n    x();\n}"), r, "an unterminated region is not an example");
    }
}
