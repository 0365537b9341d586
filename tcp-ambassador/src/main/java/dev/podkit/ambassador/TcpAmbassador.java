package dev.podkit.ambassador;

import dev.podkit.ambassador.config.AmbassadorSettings;
import dev.podkit.runtime.HelperDescriptor;
import dev.podkit.runtime.Podkit;

/** The tcp-ambassador image's entry point. */
public final class TcpAmbassador {
    public static final HelperDescriptor HELPER = new HelperDescriptor("tcp-ambassador",
            "forwards TCP connections from localhost to services outside the pod", 9702, AmbassadorSettings.all(),
            AmbassadorHelper::new);

    private TcpAmbassador() {
    }

    public static void main(String[] args) {
        Podkit.main(HELPER, args);
    }
}
