package dev.podkit.ambassador;

import dev.podkit.runtime.Helper;
import dev.podkit.runtime.HelperDescriptor;
import dev.podkit.runtime.Podkit;
import java.util.List;

/** The tcp-ambassador image's entry point. */
public final class TcpAmbassador {
    public static final HelperDescriptor HELPER = new HelperDescriptor("tcp-ambassador",
            "forwards TCP connections from localhost to services outside the pod", 9702, List.of(),
            context -> Helper.idle());

    private TcpAmbassador() {
    }

    public static void main(String[] args) {
        Podkit.main(HELPER, args);
    }
}
