package dev.podkit.runtime.metrics;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * The process's one metrics registry: JVM and process meters, {@code podkit_build_info}, and
 * whatever each component binds. {@link #scrape} renders it in the format the scraper asks for.
 */
public final class Metrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    /** A rendered scrape. */
    public record Scrape(String contentType, byte[] body) {
    }

    public Metrics(String helper, String version) {
        List<MeterBinder> binders = List.of(new JvmMemoryMetrics(), gcMetrics, new JvmThreadMetrics(),
                new ClassLoaderMetrics(), new JvmCompilationMetrics(), new JvmInfoMetrics(), new ProcessCpuMetrics(),
                new UptimeMetrics(), new FileDescriptorMetrics(), new ProcessMemoryMetrics());
        binders.forEach(b -> b.bindTo(registry));
        // An Info metric on the underlying registry: Micrometer would strip the "_info" suffix of a gauge.
        Info buildInfo = Info.builder()
                .name("podkit_build_info")
                .help("Which podkit helper and version this process is")
                .labelNames("helper", "version")
                .register(registry.getPrometheusRegistry());
        buildInfo.setLabelValues(helper, version);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Renders all meters. {@code accept} is the scraper's Accept header: OpenMetrics when it asks
     * for it, the Prometheus text format otherwise.
     */
    public Scrape scrape(String accept) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) {
            // The protobuf writer's library is left out of the images to keep them small.
            writer = formats.getPrometheusTextFormatWriter();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        writer.write(out, registry.getPrometheusRegistry().scrape());
        return new Scrape(writer.getContentType(), out.toByteArray());
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
