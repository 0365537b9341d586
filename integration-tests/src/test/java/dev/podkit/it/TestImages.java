package dev.podkit.it;

import org.testcontainers.utility.DockerImageName;

/** Images the tests start besides podkit's own; names from system properties (the public images by default). */
public final class TestImages {
    private TestImages() {
    }

    public static DockerImageName busybox() {
        return DockerImageName.parse(System.getProperty("podkit.test.busybox.image", "busybox:1.36"))
                .asCompatibleSubstituteFor("busybox");
    }

    public static DockerImageName nginx() {
        return DockerImageName.parse(System.getProperty("podkit.test.nginx.image", "nginx:1.27"))
                .asCompatibleSubstituteFor("nginx");
    }

    public static DockerImageName httpEcho() {
        return DockerImageName.parse(System.getProperty("podkit.test.http-echo.image", "hashicorp/http-echo:1.0.0"))
                .asCompatibleSubstituteFor("hashicorp/http-echo");
    }
}
