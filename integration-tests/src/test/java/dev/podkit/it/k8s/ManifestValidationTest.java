package dev.podkit.it.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.podkit.runtime.config.CommonSettings;
import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every manifest in k8s/ decodes strictly into the Kubernetes model and is consistent with the others;
 * each deliberately broken manifest in {@code src/test/resources/k8s-broken/} is rejected, for the
 * mistake it names in a line {@code # expect: <part of the error>} (a folder with a kustomization.yaml
 * is one case, named in that file).
 */
class ManifestValidationTest {
    static final Path EXAMPLES = Path.of("..", "k8s");
    static final Path BROKEN = Path.of("src", "test", "resources", "k8s-broken");

    static String releaseTag() {
        String version = System.getProperty("podkit.project.version");
        assertTrue(version != null && !version.isBlank(), "podkit.project.version is set by the pom");
        return ManifestChecks.releaseTag(version);
    }

    @Test
    void theExamplesDecodeStrictlyAndAreConsistent() {
        ManifestSet examples = ManifestSet.load(EXAMPLES);
        assertEquals(List.of(), ManifestChecks.problems(examples, releaseTag()));
        assertTrue(examples.kustomization().isPresent(), "k8s/kustomization.yaml");
        // What the issue asks for, so that a lost file or a renamed object fails here.
        for (String pod : List.of("sidecar-example", "native-sidecar-example", "ambassador-example", "ambassador-test-nginx",
                "adapter-example", "backend", "backend-experiment", "frontend")) {
            examples.pod(pod);
        }
        assertEquals(List.of("adapter-example-metrics", "ambassador-test-svc", "backend", "backend-experiment", "frontend"),
                examples.services().stream().map(s -> s.getMetadata().getName()).sorted().toList());
        assertTrue(examples.secret("adapter-example-postgres").isPresent());
        assertTrue(examples.configMap("request-splitter-config").isPresent());
        System.out.println("[k8s] validated: " + examples.manifests().size() + " objects in k8s/ decode strictly as"
                + " Kubernetes v1 objects and are consistent (references, Services, probes, hardening)");
    }

    /**
     * Every environment variable a podkit container in k8s/ sets is a setting of that helper, and
     * its value (Secret and ConfigMap keys resolved) parses as the helper itself parses it at start.
     */
    @Test
    void everyPodkitSettingInTheExamplesIsOneTheHelperHasWithAValidValue() {
        ManifestSet examples = ManifestSet.load(EXAMPLES);
        List<String> problems = new ArrayList<>();
        for (var pod : examples.pods()) {
            for (var c : ManifestChecks.allContainers(pod)) {
                var helper = ManifestChecks.helperOf(c.getImage());
                if (helper.isEmpty()) {
                    continue;
                }
                List<Setting<?>> settings = new ArrayList<>(
                        new CommonSettings(helper.get().defaultAdminPort()).all());
                settings.addAll(helper.get().settings());
                Map<String, String> env = new HashMap<>();
                for (var var : c.getEnv()) {
                    String where = pod.getMetadata().getName() + "/" + c.getName() + " env " + var.getName();
                    if (settings.stream().noneMatch(s -> s.name().equals(var.getName()))) {
                        problems.add(where + ": not a setting of " + helper.get().name());
                        continue;
                    }
                    var from = var.getValueFrom();
                    if (from == null) {
                        env.put(var.getName(), var.getValue());
                    } else if (from.getSecretKeyRef() != null) {
                        env.put(var.getName(), new String(PodVolume.secretData(examples.secret(from.getSecretKeyRef().getName())
                                .orElseThrow()).get(from.getSecretKeyRef().getKey()), StandardCharsets.UTF_8));
                    } else if (from.getConfigMapKeyRef() != null) {
                        env.put(var.getName(), examples.configMap(from.getConfigMapKeyRef().getName()).orElseThrow()
                                .getData().get(from.getConfigMapKeyRef().getKey()));
                    }
                }
                try {
                    new Config(env).validate(settings);
                } catch (ConfigException e) {
                    problems.add(pod.getMetadata().getName() + "/" + c.getName() + ": " + e.getMessage());
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyExampleFolderHasAReadme() throws IOException {
        try (Stream<Path> folders = Files.list(EXAMPLES)) {
            List<Path> dirs = folders.filter(Files::isDirectory).sorted().toList();
            assertEquals(List.of("adapter", "ambassador", "request-splitter", "sidecar"),
                    dirs.stream().map(d -> d.getFileName().toString()).toList());
            for (Path dir : dirs) {
                String readme = Files.readString(dir.resolve("README.md"));
                assertTrue(readme.contains("kubectl apply"), dir + "/README.md says how to apply it");
                assertTrue(readme.contains("kubectl logs") || readme.contains("kubectl port-forward"),
                        dir + "/README.md says how to watch it");
            }
        }
    }

    static Stream<Path> brokenManifests() throws IOException {
        try (Stream<Path> files = Files.list(BROKEN)) {
            List<Path> all = files.filter(f -> f.toString().endsWith(".yaml") || Files.isDirectory(f)).sorted().toList();
            assertFalse(all.isEmpty(), "no broken manifests in " + BROKEN);
            return all.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenManifests")
    void aBrokenManifestIsRejectedForItsMistake(Path file) throws IOException {
        String expected = expectation(file);
        List<String> problems;
        try {
            ManifestSet set = Files.isDirectory(file) ? ManifestSet.load(file) : ManifestSet.ofFile(file);
            problems = ManifestChecks.problems(set, releaseTag());
        } catch (InvalidManifestException e) {
            problems = List.of(e.getMessage());
        }
        if (problems.isEmpty()) {
            fail(file + " was accepted; expected a problem containing: " + expected);
        }
        // Exactly one problem, the intended one: each file is a valid manifest with one mistake.
        assertEquals(1, problems.size(), "problems of " + file + ": " + problems);
        assertTrue(problems.get(0).contains(expected), "expected \"" + expected + "\" in: " + problems.get(0));
        assertTrue(problems.get(0).startsWith(file.toString()), "the problem names the file: " + problems.get(0));
        System.out.println("rejected: " + problems.get(0));
    }

    /** The {@code # expect:} line of a file, or of a folder's kustomization.yaml. */
    private static String expectation(Path file) throws IOException {
        Path source = Files.isDirectory(file) ? file.resolve(ManifestSet.KUSTOMIZATION) : file;
        Optional<String> line = Files.readAllLines(source).stream().filter(l -> l.startsWith("# expect: ")).findFirst();
        return line.map(l -> l.substring("# expect: ".length()).trim())
                .orElseThrow(() -> new AssertionError(file + " has no '# expect: ' line"));
    }
}
