package dev.podkit.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.adapter.MetricsAdapter;
import dev.podkit.ambassador.TcpAmbassador;
import dev.podkit.logsidecar.LogSidecar;
import dev.podkit.runtime.HelperDescriptor;
import dev.podkit.runtime.config.CommonSettings;
import dev.podkit.runtime.config.Setting;
import dev.podkit.splitter.RequestSplitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The README lists every setting of every helper with its default, as the code has it. */
class ReadmeSettingsTest {

    static Stream<HelperDescriptor> helpers() {
        return Stream.of(LogSidecar.HELPER, TcpAmbassador.HELPER, RequestSplitter.HELPER, MetricsAdapter.HELPER);
    }

    private static String readme() throws IOException {
        return Files.readString(Path.of("..", "README.md"));
    }

    /** The part of the README under a "### heading", up to the next heading. */
    private static String section(String readme, String heading) {
        int start = readme.indexOf("\n### " + heading + "\n");
        assertTrue(start >= 0, "README has no section ### " + heading);
        int end = readme.indexOf("\n#", start + 5);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("helpers")
    void everySettingIsDocumentedWithItsDefault(HelperDescriptor helper) throws IOException {
        String readme = readme();
        String common = section(readme, "Every helper");
        CommonSettings commonSettings = new CommonSettings(helper.defaultAdminPort());
        assertTrue(common.contains("| `ADMIN_PORT` |") && common.contains(helper.name() + " `" + helper.defaultAdminPort() + "`"),
                "ADMIN_PORT default of " + helper.name());
        for (Setting<?> s : commonSettings.all()) {
            if (s != commonSettings.adminPort) {
                assertTrue(common.contains("| `" + s.name() + "` | `" + s.defaultText() + "` |"), s.name() + " in " + common);
            }
        }
        String own = section(readme, helper.name());
        for (Setting<?> s : helper.settings()) {
            String shown = s.required() ? "required" : "`" + s.defaultText() + "`";
            assertTrue(own.contains("| `" + s.name() + "` | " + shown + " |"), s.name() + " in " + own);
        }
        if (helper.settings().isEmpty()) {
            assertTrue(own.contains("No settings of its own"), own);
        }
    }
}
