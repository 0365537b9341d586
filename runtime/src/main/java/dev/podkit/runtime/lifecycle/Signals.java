package dev.podkit.runtime.lifecycle;

import java.lang.System.Logger.Level;
import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start the drain. The JVM's own handling would run shutdown hooks and exit
 * with 143, which Kubernetes and {@code docker stop} report as a failure; handling the signals
 * here lets a clean drain end with exit code 0.
 */
public final class Signals {
    private static final System.Logger LOG = System.getLogger(Signals.class.getName());

    private Signals() {
    }

    /** Calls {@code handler} with the signal's name ("TERM", "INT") on a signal-dispatch thread. */
    public static void install(Consumer<String> handler) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> handler.accept(signal.getName()));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.log(Level.WARNING, "cannot handle SIG" + name + "; it will end the process without a drain", e);
            }
        }
    }
}
