package dev.podkit.runtime;

import dev.podkit.runtime.config.CommonSettings;
import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.Setting;
import dev.podkit.runtime.lifecycle.Lifecycle;
import dev.podkit.runtime.lifecycle.Signals;
import dev.podkit.runtime.log.Logging;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The {@code main} of every helper image: settings from the environment, then the
 * {@link Lifecycle} until SIGTERM. Exit codes: 0 after a drain (or {@code --help}), 1 when the
 * helper cannot start, 2 for a bad setting (one stderr line naming it).
 */
public final class Podkit {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_CONFIG = 2;

    private static final System.Logger LOG = System.getLogger(Podkit.class.getName());

    private Podkit() {
    }

    public static void main(HelperDescriptor helper, String[] args) {
        int code = run(helper, args, System.getenv(), System.out, System.err, Signals::install);
        System.exit(code);
    }

    /** Runs a helper; returns its exit code. {@code signals} is how stop requests arrive (SIGTERM in the images). */
    static int run(HelperDescriptor helper, String[] args, Map<String, String> env, PrintStream out, PrintStream err,
            SignalSource signals) {
        if (args.length > 0) {
            return arguments(helper, args, out, err);
        }
        Config config = new Config(env);
        List<Setting<?>> settings = settings(helper);
        Lifecycle lifecycle;
        try {
            config.validate(settings);
            Logging.configure(config.get(CommonSettings.LOG_FORMAT), config.get(CommonSettings.LOG_LEVEL));
            lifecycle = new Lifecycle(helper, config);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.flush();
            return EXIT_CONFIG;
        } catch (Exception e) {
            LOG.log(Level.ERROR, helper.name() + " cannot be created", e);
            return EXIT_FAILURE;
        }
        Thread.setDefaultUncaughtExceptionHandler(
                (thread, e) -> LOG.log(Level.ERROR, "uncaught exception in thread " + thread.getName(), e));

        // The first signal asks for a drain, a second one cuts the drain short.
        CompletableFuture<String> stopRequested = new CompletableFuture<>();
        signals.install(signal -> {
            if (!stopRequested.complete("SIG" + signal)) {
                lifecycle.force();
            }
        });

        LOG.log(Level.INFO, "podkit " + helper.name() + " " + BuildInfo.version() + " starting (java "
                + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " cpus, max heap "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB): " + config.describe(settings));
        try {
            lifecycle.start();
        } catch (Exception e) {
            LOG.log(Level.ERROR, helper.name() + " cannot start", e);
            return EXIT_FAILURE;
        }
        LOG.log(Level.INFO, "ready" + sinceProcessStart() + "; admin server on " + lifecycle.adminEndpoint());
        try {
            lifecycle.shutdown(stopRequested.get() + " received");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lifecycle.shutdown("interrupted");
        } catch (ExecutionException e) {
            lifecycle.shutdown("stop requested");
        }
        return EXIT_OK;
    }

    /** Where SIGTERM/SIGINT come from; tests deliver them by hand. */
    @FunctionalInterface
    interface SignalSource {
        void install(Consumer<String> handler);
    }

    /** The common settings followed by the helper's own. */
    public static List<Setting<?>> settings(HelperDescriptor helper) {
        List<Setting<?>> all = new ArrayList<>(new CommonSettings(helper.defaultAdminPort()).all());
        all.addAll(helper.settings());
        return all;
    }

    private static String sinceProcessStart() {
        return ProcessHandle.current().info().startInstant()
                .map(start -> " " + Duration.between(start, Instant.now()).toMillis() + " ms after process start")
                .orElse("");
    }

    private static int arguments(HelperDescriptor helper, String[] args, PrintStream out, PrintStream err) {
        switch (args[0]) {
            case "--help", "-h" -> {
                out.print(help(helper));
                out.flush();
                return EXIT_OK;
            }
            case "--version" -> {
                out.println(helper.name() + " " + BuildInfo.version());
                out.flush();
                return EXIT_OK;
            }
            default -> {
                err.println("usage: " + helper.name() + " [--help | --version] (settings come from environment variables; --help lists them)");
                err.flush();
                return EXIT_CONFIG;
            }
        }
    }

    /** The settings table printed by {@code --help}. */
    static String help(HelperDescriptor helper) {
        StringBuilder text = new StringBuilder()
                .append(helper.name()).append(' ').append(BuildInfo.version()).append(": ").append(helper.description())
                .append("\n\nSettings (environment variables):\n");
        for (Setting<?> s : settings(helper)) {
            text.append("  ").append(s.name()).append(" (")
                    .append(s.required() ? "required" : "default " + (s.defaultText().isEmpty() ? "unset" : s.defaultText()))
                    .append("; ").append(s.expected()).append(")\n      ").append(s.description()).append('\n');
        }
        return text.toString();
    }
}
