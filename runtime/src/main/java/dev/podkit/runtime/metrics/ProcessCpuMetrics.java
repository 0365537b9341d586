package dev.podkit.runtime.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The process's CPU time as {@code process_cpu_seconds_total}, the name every Prometheus client
 * library and postgres_exporter use (usage is its {@code rate()}), plus {@code system_cpu_count}
 * and {@code system_load_average_1m}.
 *
 * <p>Not Micrometer's {@code ProcessorMetrics}: its {@code process_cpu_usage} and
 * {@code system_cpu_usage} make the JDK read the container's cgroup quota, shares and cpuset files
 * on every scrape, which cost more CPU than all the other JVM meters together (a third of an
 * idle helper's {@code /metrics}), and a usage averaged since the previous scrape says less than
 * the counter.
 */
public final class ProcessCpuMetrics implements MeterBinder {
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

    @Override
    public void bindTo(MeterRegistry registry) {
        if (os instanceof com.sun.management.OperatingSystemMXBean cpu && cpu.getProcessCpuTime() >= 0) {
            // Strong references: Micrometer holds a meter's state weakly, and nothing else holds the bean.
            FunctionCounter.builder("process.cpu", cpu, b -> b.getProcessCpuTime() / 1e9)
                    .description("Total user and system CPU time spent by the process")
                    .baseUnit("seconds")
                    .register(registry);
        }
        Runtime runtime = Runtime.getRuntime();
        Gauge.builder("system.cpu.count", runtime, Runtime::availableProcessors)
                .strongReference(true)
                .description("The number of processors available to the Java virtual machine")
                .register(registry);
        if (os.getSystemLoadAverage() >= 0) {
            Gauge.builder("system.load.average.1m", os, OperatingSystemMXBean::getSystemLoadAverage)
                    .strongReference(true)
                    .description("The sum of the number of runnable entities queued to available processors and the"
                            + " number of runnable entities running on the available processors averaged over a period of time")
                    .register(registry);
        }
    }
}
