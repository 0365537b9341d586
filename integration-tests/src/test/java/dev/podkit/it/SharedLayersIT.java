package dev.podkit.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.podkit.testcontainers.LogSidecarContainer;
import dev.podkit.testcontainers.MetricsAdapterContainer;
import dev.podkit.testcontainers.PodkitImages;
import dev.podkit.testcontainers.RequestSplitterContainer;
import dev.podkit.testcontainers.TcpAmbassadorContainer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/** The four images share their base, the runtime's libraries and the runtime itself, layer for layer. */
class SharedLayersIT {
    /**
     * Jib's per-image layers: resources, classes, JVM argument files, the native libraries (the
     * same in all four images, but after the helper's own layers), and a helper's own libraries
     * (metrics-adapter's JDBC driver, in a layer after the others so that the runtime stays shared).
     */
    private static final int MAX_OWN_LAYERS = 5;

    @Test
    void theImagesDifferOnlyInTheirTopLayers() {
        DockerClient docker = DockerClientFactory.instance().client();
        List<List<String>> layers = Stream.of(LogSidecarContainer.HELPER, TcpAmbassadorContainer.HELPER,
                        RequestSplitterContainer.HELPER, MetricsAdapterContainer.HELPER)
                .map(helper -> docker.inspectImageCmd(PodkitImages.of(helper).asCanonicalNameString()).exec()
                        .getRootFS().getLayers())
                .toList();
        int common = 0;
        while (common < layers.get(0).size()) {
            String layer = layers.get(0).get(common);
            int index = common;
            if (!layers.stream().allMatch(l -> l.size() > index && l.get(index).equals(layer))) {
                break;
            }
            common++;
        }
        // base (at least one layer) + the runtime's libraries + the runtime
        assertTrue(common >= 3, "only " + common + " shared layers: " + layers);
        for (List<String> image : layers) {
            assertTrue(image.size() - common <= MAX_OWN_LAYERS,
                    "an image has " + (image.size() - common) + " layers of its own: " + layers);
        }
    }
}
