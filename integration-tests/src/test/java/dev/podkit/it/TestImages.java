package dev.podkit.it;

import org.testcontainers.utility.DockerImageName;

/**
 * Images the tests start besides podkit's own. Each is named by a system property ({@code
 * podkit.test.<name>.image}, set by the root pom, overridden in {@code .ci/offline-env}); without it,
 * the public image below. The k8s/ examples name exactly these public images.
 */
public final class TestImages {
    public static final String PUBLIC_BUSYBOX = "busybox:1.36";
    public static final String PUBLIC_POSTGRES = "postgres:15";
    public static final String PUBLIC_NGINX = "nginx:1.27";
    public static final String PUBLIC_HTTP_ECHO = "hashicorp/http-echo:1.0.0";

    private TestImages() {
    }

    public static DockerImageName busybox() {
        return DockerImageName.parse(System.getProperty("podkit.test.busybox.image", PUBLIC_BUSYBOX))
                .asCompatibleSubstituteFor("busybox");
    }

    /** PostgreSQL for the metrics-adapter tests. */
    public static DockerImageName postgres() {
        return DockerImageName.parse(System.getProperty("podkit.test.postgres.image", PUBLIC_POSTGRES))
                .asCompatibleSubstituteFor("postgres");
    }

    /** nginx (the official image's contract). */
    public static DockerImageName nginx() {
        return DockerImageName.parse(System.getProperty("podkit.test.nginx.image", PUBLIC_NGINX))
                .asCompatibleSubstituteFor("nginx");
    }

    /** hashicorp/http-echo. */
    public static DockerImageName httpEcho() {
        return DockerImageName.parse(System.getProperty("podkit.test.http-echo.image", PUBLIC_HTTP_ECHO))
                .asCompatibleSubstituteFor("hashicorp/http-echo");
    }
}
