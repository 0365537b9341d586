package dev.podkit.splitter;

import dev.podkit.runtime.HelperDescriptor;
import dev.podkit.runtime.Podkit;
import dev.podkit.splitter.config.Settings;

/** The request-splitter image's entry point. */
public final class RequestSplitter {
    public static final HelperDescriptor HELPER = new HelperDescriptor("request-splitter",
            "splits HTTP requests between weighted variants as nginx split_clients does", 9703, Settings.ALL,
            SplitterHelper::new);

    private RequestSplitter() {
    }

    public static void main(String[] args) {
        Podkit.main(HELPER, args);
    }
}
