package dev.podkit.it.k8s;

import dev.podkit.adapter.MetricsAdapter;
import dev.podkit.ambassador.TcpAmbassador;
import dev.podkit.it.TestImages;
import dev.podkit.logsidecar.LogSidecar;
import dev.podkit.runtime.HelperDescriptor;
import dev.podkit.splitter.RequestSplitter;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What strict decoding cannot see: references between the manifests (volumes, ConfigMaps, Secrets,
 * Service selectors and ports, probe ports) and the rules every podkit container in k8s/ follows
 * (release image tag, probes on the admin port, requests and limits, a hardened securityContext).
 * {@link #problems} lists every violation, one line each; an empty list means consistent.
 */
public final class ManifestChecks {
    /** The four helpers, by image name {@code podkit/<name>}. */
    static final Map<String, HelperDescriptor> HELPERS = Stream.of(LogSidecar.HELPER, TcpAmbassador.HELPER,
            RequestSplitter.HELPER, MetricsAdapter.HELPER).collect(Collectors.toMap(HelperDescriptor::name, h -> h));
    static final String PODKIT_IMAGE_PREFIX = "podkit/";
    /** The public images other than podkit's that the examples may use: the ones the tests can map to local stand-ins. */
    static final Set<String> OTHER_IMAGES = Set.of(TestImages.PUBLIC_BUSYBOX, TestImages.PUBLIC_NGINX,
            TestImages.PUBLIC_POSTGRES, TestImages.PUBLIC_HTTP_ECHO);

    private final ManifestSet set;
    private final String releaseTag;
    private final List<String> problems = new ArrayList<>();

    private ManifestChecks(ManifestSet set, String releaseTag) {
        this.set = set;
        this.releaseTag = releaseTag;
    }

    /** The release tag of a project version: {@code 0.1.0-SNAPSHOT} is released as {@code 0.1.0}. */
    public static String releaseTag(String projectVersion) {
        return projectVersion.replaceFirst("-SNAPSHOT$", "");
    }

    public static List<String> problems(ManifestSet set, String releaseTag) {
        ManifestChecks checks = new ManifestChecks(set, releaseTag);
        checks.run();
        return List.copyOf(checks.problems);
    }

    private void run() {
        for (Manifest m : set.manifests()) {
            if (m.name() == null || m.name().isBlank()) {
                problems.add(m.describe() + ": metadata.name is missing");
            }
        }
        set.pods().forEach(this::checkPod);
        set.services().forEach(this::checkService);
        set.kustomization().ifPresent(this::checkKustomization);
    }

    private void problem(HasMetadata where, String text) {
        problems.add(set.where(where) + ": " + text);
    }

    // --- pods ---------------------------------------------------------------------------------

    private void checkPod(Pod pod) {
        List<Container> containers = allContainers(pod);
        Set<String> names = new HashSet<>();
        containers.stream().map(Container::getName).filter(n -> !names.add(n))
                .forEach(n -> problem(pod, "two containers named " + n));
        Set<String> volumes = new HashSet<>();
        for (Volume v : pod.getSpec().getVolumes()) {
            if (!volumes.add(v.getName())) {
                problem(pod, "two volumes named " + v.getName());
            }
            checkVolumeSource(pod, v);
        }
        for (Container c : containers) {
            for (VolumeMount mount : c.getVolumeMounts()) {
                if (!volumes.contains(mount.getName())) {
                    problem(pod, "container " + c.getName() + ": volumeMount " + mount.getName()
                            + " names no volume of the pod (volumes: " + volumes.stream().sorted().toList() + ")");
                }
            }
            checkEnv(pod, c);
            for (Probe probe : probes(c)) {
                probePort(probe).ifPresent(port -> {
                    if (resolvePort(c, port).isEmpty()) {
                        problem(pod, "container " + c.getName() + ": probe port " + port.getValue()
                                + " is not a port of the container (ports: " + portsOf(c) + ")");
                    }
                });
            }
            checkImage(pod, c);
        }
        for (Container c : pod.getSpec().getInitContainers()) {
            if (c.getRestartPolicy() != null && !c.getRestartPolicy().equals("Always")) {
                problem(pod, "init container " + c.getName() + ": restartPolicy may only be Always (a native sidecar), got "
                        + c.getRestartPolicy());
            }
        }
    }

    static List<Container> allContainers(Pod pod) {
        List<Container> all = new ArrayList<>(pod.getSpec().getInitContainers());
        all.addAll(pod.getSpec().getContainers());
        return all;
    }

    private void checkVolumeSource(Pod pod, Volume v) {
        if (v.getConfigMap() != null) {
            Optional<ConfigMap> map = set.configMap(v.getConfigMap().getName());
            if (map.isEmpty() && !Boolean.TRUE.equals(v.getConfigMap().getOptional())) {
                problem(pod, "volume " + v.getName() + ": no ConfigMap " + v.getConfigMap().getName() + " in " + set.root());
            }
            map.ifPresent(m -> checkItems(pod, v.getName(), "ConfigMap " + m.getMetadata().getName(),
                    keys(m.getData(), m.getBinaryData()), v.getConfigMap().getItems()));
        }
        if (v.getSecret() != null) {
            Optional<Secret> secret = set.secret(v.getSecret().getSecretName());
            if (secret.isEmpty() && !Boolean.TRUE.equals(v.getSecret().getOptional())) {
                problem(pod, "volume " + v.getName() + ": no Secret " + v.getSecret().getSecretName() + " in " + set.root());
            }
            secret.ifPresent(s -> checkItems(pod, v.getName(), "Secret " + s.getMetadata().getName(),
                    keys(s.getData(), s.getStringData()), v.getSecret().getItems()));
        }
    }

    private static Set<String> keys(Map<String, String> a, Map<String, String> b) {
        Set<String> keys = new HashSet<>();
        if (a != null) {
            keys.addAll(a.keySet());
        }
        if (b != null) {
            keys.addAll(b.keySet());
        }
        return keys;
    }

    private void checkItems(Pod pod, String volume, String source, Set<String> keys, List<KeyToPath> items) {
        for (KeyToPath item : items) {
            if (!keys.contains(item.getKey())) {
                problem(pod, "volume " + volume + ": " + source + " has no key " + item.getKey());
            }
        }
    }

    private void checkEnv(Pod pod, Container c) {
        for (EnvVar env : c.getEnv()) {
            if (env.getValueFrom() == null) {
                continue;
            }
            var cm = env.getValueFrom().getConfigMapKeyRef();
            if (cm != null && !Boolean.TRUE.equals(cm.getOptional())) {
                Optional<ConfigMap> map = set.configMap(cm.getName());
                if (map.isEmpty()) {
                    problem(pod, "container " + c.getName() + ": env " + env.getName() + ": no ConfigMap " + cm.getName()
                            + " in " + set.root());
                } else if (!keys(map.get().getData(), map.get().getBinaryData()).contains(cm.getKey())) {
                    problem(pod, "container " + c.getName() + ": env " + env.getName() + ": ConfigMap " + cm.getName()
                            + " has no key " + cm.getKey());
                }
            }
            var sk = env.getValueFrom().getSecretKeyRef();
            if (sk != null && !Boolean.TRUE.equals(sk.getOptional())) {
                Optional<Secret> secret = set.secret(sk.getName());
                if (secret.isEmpty()) {
                    problem(pod, "container " + c.getName() + ": env " + env.getName() + ": no Secret " + sk.getName()
                            + " in " + set.root());
                } else if (!keys(secret.get().getData(), secret.get().getStringData()).contains(sk.getKey())) {
                    problem(pod, "container " + c.getName() + ": env " + env.getName() + ": Secret " + sk.getName()
                            + " has no key " + sk.getKey());
                }
            }
        }
        for (EnvFromSource from : c.getEnvFrom()) {
            if (from.getConfigMapRef() != null && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())
                    && set.configMap(from.getConfigMapRef().getName()).isEmpty()) {
                problem(pod, "container " + c.getName() + ": envFrom: no ConfigMap " + from.getConfigMapRef().getName());
            }
            if (from.getSecretRef() != null && !Boolean.TRUE.equals(from.getSecretRef().getOptional())
                    && set.secret(from.getSecretRef().getName()).isEmpty()) {
                problem(pod, "container " + c.getName() + ": envFrom: no Secret " + from.getSecretRef().getName());
            }
        }
    }

    static List<Probe> probes(Container c) {
        return Stream.of(c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe()).filter(Objects::nonNull).toList();
    }

    static Optional<IntOrString> probePort(Probe probe) {
        if (probe.getHttpGet() != null) {
            return Optional.of(probe.getHttpGet().getPort());
        }
        if (probe.getTcpSocket() != null) {
            return Optional.of(probe.getTcpSocket().getPort());
        }
        return Optional.empty();
    }

    /** A port by number or by name, as a container declares it. */
    static Optional<Integer> resolvePort(Container c, IntOrString port) {
        if (port == null) {
            return Optional.empty();
        }
        return c.getPorts().stream()
                .filter(p -> port.getIntVal() != null ? port.getIntVal().equals(p.getContainerPort())
                        : port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst();
    }

    private static List<String> portsOf(Container c) {
        return c.getPorts().stream().map(p -> (p.getName() == null ? "" : p.getName() + "=") + p.getContainerPort()).toList();
    }

    // --- images and the podkit container rules --------------------------------------------------

    /** The helper of a {@code podkit/<helper>:<tag>} image, if it is one. */
    static Optional<HelperDescriptor> helperOf(String image) {
        if (image == null || !image.startsWith(PODKIT_IMAGE_PREFIX)) {
            return Optional.empty();
        }
        String repository = image.substring(PODKIT_IMAGE_PREFIX.length()).replaceFirst(":.*$", "");
        return Optional.ofNullable(HELPERS.get(repository));
    }

    private void checkImage(Pod pod, Container c) {
        String image = c.getImage();
        if (image == null || !image.startsWith(PODKIT_IMAGE_PREFIX)) {
            if (!OTHER_IMAGES.contains(image)) {
                problem(pod, "container " + c.getName() + ": image " + image + " is not one the tests can run (one of "
                        + OTHER_IMAGES.stream().sorted().toList() + ", or podkit's)");
            }
            return;
        }
        Optional<HelperDescriptor> helper = helperOf(image);
        if (helper.isEmpty()) {
            problem(pod, "container " + c.getName() + ": image " + image + " names no podkit helper (" + HELPERS.keySet().stream()
                    .sorted().toList() + ")");
            return;
        }
        String expected = PODKIT_IMAGE_PREFIX + helper.get().name() + ":" + releaseTag;
        if (!image.equals(expected)) {
            problem(pod, "container " + c.getName() + ": image " + image + " should be " + expected + " (the release tag)");
        }
        checkPodkitContainer(pod, c, adminPort(c, helper.get()));
    }

    /** The admin port: {@code ADMIN_PORT} when the manifest sets it, else the helper's default. */
    static int adminPort(Container c, HelperDescriptor helper) {
        return c.getEnv().stream().filter(e -> e.getName().equals("ADMIN_PORT") && e.getValue() != null)
                .map(e -> Integer.parseInt(e.getValue().trim())).findFirst().orElse(helper.defaultAdminPort());
    }

    private void checkPodkitContainer(Pod pod, Container c, int adminPort) {
        String name = "container " + c.getName() + ": ";
        checkAdminProbe(pod, c, name + "readinessProbe", c.getReadinessProbe(), "/readyz", adminPort);
        checkAdminProbe(pod, c, name + "livenessProbe", c.getLivenessProbe(), "/healthz", adminPort);

        ResourceRequirements resources = c.getResources();
        for (String kind : List.of("cpu", "memory")) {
            if (resources == null || resources.getRequests() == null || !resources.getRequests().containsKey(kind)) {
                problem(pod, name + "resources.requests." + kind + " is missing");
            }
            if (resources == null || resources.getLimits() == null || !resources.getLimits().containsKey(kind)) {
                problem(pod, name + "resources.limits." + kind + " is missing");
            }
        }

        SecurityContext sc = c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
        PodSecurityContext psc = pod.getSpec().getSecurityContext() == null ? new PodSecurityContext()
                : pod.getSpec().getSecurityContext();
        Boolean runAsNonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : psc.getRunAsNonRoot();
        if (!Boolean.TRUE.equals(runAsNonRoot)) {
            problem(pod, name + "securityContext.runAsNonRoot must be true");
        }
        Long runAsUser = sc.getRunAsUser() != null ? sc.getRunAsUser() : psc.getRunAsUser();
        if (runAsUser != null && runAsUser == 0) {
            problem(pod, name + "securityContext.runAsUser must not be 0");
        }
        if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
            problem(pod, name + "securityContext.readOnlyRootFilesystem must be true");
        }
        if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
            problem(pod, name + "securityContext.allowPrivilegeEscalation must be false");
        }
        if (Boolean.TRUE.equals(sc.getPrivileged())) {
            problem(pod, name + "securityContext.privileged must not be true");
        }
        if (sc.getCapabilities() == null || !sc.getCapabilities().getDrop().contains("ALL")
                || !sc.getCapabilities().getAdd().isEmpty()) {
            problem(pod, name + "securityContext.capabilities must drop ALL and add none");
        }
        var seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile() : psc.getSeccompProfile();
        if (seccomp == null || !"RuntimeDefault".equals(seccomp.getType())) {
            problem(pod, name + "securityContext.seccompProfile.type must be RuntimeDefault");
        }
    }

    private void checkAdminProbe(Pod pod, Container c, String what, Probe probe, String path, int adminPort) {
        HTTPGetAction get = probe == null ? null : probe.getHttpGet();
        if (get == null) {
            problem(pod, what + " must be an httpGet of " + path + " on the admin port " + adminPort);
            return;
        }
        if (!path.equals(get.getPath())) {
            problem(pod, what + " path must be " + path + ", got " + get.getPath());
        }
        Optional<Integer> port = resolvePort(c, get.getPort());
        if (port.isPresent() && port.get() != adminPort) {
            problem(pod, what + " must probe the admin port " + adminPort + ", got " + port.get());
        }
    }

    // --- services -------------------------------------------------------------------------------

    static boolean selects(Service service, Pod pod) {
        Map<String, String> selector = service.getSpec().getSelector();
        Map<String, String> labels = pod.getMetadata().getLabels();
        return selector != null && !selector.isEmpty() && labels != null
                && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** The container port a Service port reaches in a pod (targetPort by number or name; default: the port). */
    static Optional<Integer> targetPort(ServicePort port, Pod pod) {
        IntOrString target = port.getTargetPort() != null ? port.getTargetPort() : new IntOrString(port.getPort());
        return allContainers(pod).stream().map(c -> resolvePort(c, target)).flatMap(Optional::stream).findFirst();
    }

    private void checkService(Service service) {
        Map<String, String> selector = service.getSpec().getSelector();
        if (selector == null || selector.isEmpty()) {
            problem(service, "spec.selector is missing (the examples' Services all select pods)");
            return;
        }
        List<Pod> selected = set.pods().stream().filter(p -> selects(service, p)).toList();
        if (selected.isEmpty()) {
            problem(service, "selector " + selector + " matches no pod's labels in " + set.root());
        }
        for (ServicePort port : service.getSpec().getPorts()) {
            for (Pod pod : selected) {
                if (targetPort(port, pod).isEmpty()) {
                    problem(service, "port " + port.getPort() + ": targetPort "
                            + (port.getTargetPort() == null ? port.getPort() : port.getTargetPort().getValue())
                            + " is not a container port of Pod " + pod.getMetadata().getName());
                }
            }
        }
    }

    // --- kustomization --------------------------------------------------------------------------

    private void checkKustomization(Kustomization k) {
        Path root = set.root();
        Set<Path> listed = new HashSet<>();
        for (String resource : k.resources()) {
            Path file = root.resolve(resource).normalize();
            if (!Files.isRegularFile(file)) {
                problems.add(root.resolve(ManifestSet.KUSTOMIZATION) + ": resource " + resource + " does not exist");
            } else if (!listed.add(file)) {
                problems.add(root.resolve(ManifestSet.KUSTOMIZATION) + ": resource " + resource + " is listed twice");
            }
        }
        for (Path file : ManifestSet.yamlFiles(root)) {
            if (!listed.contains(file.normalize())) {
                problems.add(root.resolve(ManifestSet.KUSTOMIZATION) + ": " + root.relativize(file)
                        + " is not in resources, so kubectl apply -k leaves it out");
            }
        }
        Set<String> podkitImages = set.pods().stream().flatMap(p -> allContainers(p).stream()).map(Container::getImage)
                .filter(i -> helperOf(i).isPresent()).map(i -> i.replaceFirst(":.*$", "")).collect(Collectors.toSet());
        Function<Kustomization.Image, String> where = i -> root.resolve(ManifestSet.KUSTOMIZATION) + ": images " + i.name();
        for (Kustomization.Image image : k.images()) {
            if (!podkitImages.contains(image.name())) {
                problems.add(where.apply(image) + " is no podkit image the manifests use " + podkitImages.stream().sorted().toList());
            }
            if (!releaseTag.equals(image.newTag()) || image.newName() != null || image.digest() != null) {
                problems.add(where.apply(image) + " must only set newTag: " + releaseTag + " (the release tag)");
            }
        }
    }
}
