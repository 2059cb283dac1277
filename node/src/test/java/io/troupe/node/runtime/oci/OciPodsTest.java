package io.troupe.node.runtime.oci;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.node.agent.NodeAgents;
import io.troupe.node.image.TestImages;
import io.troupe.node.image.TestRegistry;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pods of real containers (the {@code oci} runtime, runc) on one node, through the real API (fabric8), the image
 * imported from a docker-save tarball into the node's image store; the {@code process} runtime beside it for pods
 * whose RuntimeClass names it.
 */
class OciPodsTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static final String IMAGE = "busybox:1.36";
  static Path dir;
  static ControlPlane plane;
  static NodeAgents agents;
  static KubernetesClient client;
  static String ns;

  @BeforeAll
  static void start() throws Exception {
    OciFixture.assumeRunc();
    dir = Files.createTempDirectory("troupe-oci-pods");
    plane = TestControlPlane.start(dir, Map.of(
        "troupe.controllers.enabled", true,
        "troupe.node.name", "node-1",
        "troupe.node.runtime", "oci",
        "troupe.node.runtime-handlers", java.util.List.of("process"),
        "troupe.node.back-off.initial", "300ms",
        "troupe.node.back-off.max", "1s",
        "troupe.node.pod-cidr", "127.78.0.0/16"));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    OciFixture.await(agents.images().importTarball(TestImages.dockerSaveTarball(dir, IMAGE)));
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
    ns = Fabric8Clients.newNamespace(client, "oci");
    awaitUntil(DEADLINE, () -> client.nodes().withName("node-1").get() != null, () -> "node-1 registered");
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.pods().inNamespace(ns).delete();
      awaitUntil(DEADLINE, () -> client.pods().inNamespace(ns).list().getItems().isEmpty(), () -> "pods deleted");
      client.close();
    }
    if (agents != null) agents.close();
    if (plane != null) plane.close();
  }

  static PodBuilder pod(String name, String restartPolicy) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withRestartPolicy(restartPolicy).withTerminationGracePeriodSeconds(1L).endSpec();
  }

  static Pod create(Pod pod) {
    return client.pods().inNamespace(ns).resource(pod).create();
  }

  static Pod get(String name) {
    return client.pods().inNamespace(ns).withName(name).get();
  }

  static Optional<ContainerStatus> status(String pod, String container) {
    Pod p = get(pod);
    if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses() == null) return Optional.empty();
    return p.getStatus().getContainerStatuses().stream().filter(s -> s.getName().equals(container)).findFirst();
  }

  static String phase(String name) {
    Pod pod = get(name);
    return pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  static String log(String pod, String container) {
    try {
      return client.pods().inNamespace(ns).withName(pod).inContainer(container).getLog();
    } catch (RuntimeException e) {
      return "";
    }
  }

  static boolean ready(String name) {
    Pod pod = get(name);
    return pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
            && "True".equals(c.getStatus()));
  }

  @Test
  void aTwoContainerPodServesHttpOnLocalhostAndItsContainersSeeOnlyTheirOwnProcesses() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    create(pod("web", "Always").editSpec()
        .addNewContainer().withName("server").withImage(IMAGE).withCommand("sh", "-c",
            "mkdir -p /www && echo hello-localhost > /www/index.html && exec httpd -f -p 127.0.0.1:" + port
                + " -h /www").endContainer()
        .addNewContainer().withName("client").withImage(IMAGE).withCommand("sh", "-c",
            "until wget -q -O - http://localhost:" + port + "/; do sleep 0.2; done; ps -o pid,comm; "
                + "echo host=$(hostname); exec sleep 3600").endContainer()
        .endSpec().build());
    awaitUntil(DEADLINE, () -> "Running".equals(phase("web")) && ready("web"), () -> "web Running: "
        + get("web").getStatus());
    awaitUntil(DEADLINE, () -> log("web", "client").contains("host=web"), () -> "client log: " + log("web",
        "client"));
    String log = log("web", "client");
    assertTrue(log.contains("hello-localhost"), log);
    long processes = log.lines().filter(l -> l.matches("^ *\\d+ \\S+$")).count();
    assertEquals(2, processes, "the client's sh and ps only, not the server's httpd nor the host's: " + log);
  }

  @Test
  void aMemoryHogOverItsLimitEndsOomKilled() {
    create(pod("hog", "Never").editSpec().addNewContainer().withName("main").withImage(IMAGE)
        .withCommand("sh", "-c", "x=$(yes | head -c 200000000); echo survived")
        .withNewResources().addToLimits("memory", new Quantity("32Mi")).endResources().endContainer()
        .endSpec().build());
    awaitUntil(DEADLINE, () -> "Failed".equals(phase("hog")), () -> "hog Failed: " + get("hog").getStatus());
    var terminated = status("hog", "main").orElseThrow().getState().getTerminated();
    assertEquals("OOMKilled", terminated.getReason());
    assertEquals(137, terminated.getExitCode());
  }

  @Test
  void anImagePulledFromARegistryWithThePodsPullSecretRuns() throws Exception {
    TestRegistry.assumeAvailable();
    try (TestRegistry registry = TestRegistry.start(dir.resolve("registry"))) {
      TestImages.busybox().push(registry.uri(), "private/busybox", "1", TestRegistry.USER, TestRegistry.PASSWORD);
      String image = registry.host() + "/private/busybox:1";
      client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("regcred")
          .endMetadata().withType("kubernetes.io/dockerconfigjson").addToStringData(".dockerconfigjson",
              "{\"auths\":{\"" + registry.host() + "\":{\"username\":\"" + TestRegistry.USER
                  + "\",\"password\":\"" + TestRegistry.PASSWORD + "\"}}}").build()).create();
      create(pod("pulled", "Always").editSpec().addNewImagePullSecret("regcred").addNewContainer().withName("main")
          .withImage(image).withImagePullPolicy("Always").withCommand("sh", "-c", "echo pulled-and-running; exec sleep 3600")
          .endContainer().endSpec().build());
      // without the secret the registry refuses it (imagePullPolicy Always: with IfNotPresent the node's copy would
      // do, as in Kubernetes): the pod waits, with the registry's reason
      create(pod("unpulled", "Always").editSpec().addNewContainer().withName("main").withImage(image)
          .withImagePullPolicy("Always").withCommand("true").endContainer().endSpec().build());
      awaitUntil(DEADLINE, () -> "Running".equals(phase("pulled")) && log("pulled", "main")
          .contains("pulled-and-running"), () -> "pulled Running: " + get("pulled").getStatus());
      awaitUntil(DEADLINE, () -> status("unpulled", "main").map(st -> st.getState().getWaiting() != null
          && "ImagePullBackOff".equals(st.getState().getWaiting().getReason())).orElse(false),
          () -> "unpulled in ImagePullBackOff: " + get("unpulled").getStatus());
      // the pod's events give the registry's answer, as kubectl describe shows it
      awaitUntil(DEADLINE, () -> client.v1().events().inNamespace(ns).list().getItems().stream()
          .anyMatch(e -> "unpulled".equals(e.getInvolvedObject().getName()) && "Failed".equals(e.getReason())
              && e.getMessage().contains("ErrImagePull") && e.getMessage().contains("401")),
          () -> "an ErrImagePull event with the registry's 401 for unpulled");
      client.pods().inNamespace(ns).withName("pulled").delete();
      client.pods().inNamespace(ns).withName("unpulled").delete();
    }
  }

  @Test
  void aMissingImageWaitsInErrImagePullThenImagePullBackOff() {
    create(pod("ghost", "Always").editSpec().addNewContainer().withName("main").withImage("no-such-image:1")
        .withCommand("true").endContainer().endSpec().build());
    awaitUntil(DEADLINE, () -> status("ghost", "main").map(s -> s.getState().getWaiting() != null
        && "ImagePullBackOff".equals(s.getState().getWaiting().getReason())).orElse(false),
        () -> "ghost in ImagePullBackOff: " + get("ghost").getStatus());
    assertEquals("Pending", phase("ghost"));
  }

  @Test
  void anExecProbeRunsInsideTheContainerAndTheRootCanBeReadOnly() {
    create(pod("probed", "Always").editSpec().addNewContainer().withName("main").withImage(IMAGE)
        .withCommand("sh", "-c", "touch /root-write 2>/dev/null && echo root-writable; sleep 2; "
            + "echo ok > /tmp/ready; exec sleep 3600")
        .withNewSecurityContext().withReadOnlyRootFilesystem(true).endSecurityContext()
        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
        .withNewReadinessProbe().withNewExec().withCommand("cat", "/tmp/ready").endExec().withPeriodSeconds(1)
        .endReadinessProbe().endContainer()
        .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume().endSpec().build());
    awaitUntil(DEADLINE, () -> ready("probed"), () -> "probed Ready by its exec probe: " + get("probed").getStatus());
    assertTrue(!log("probed", "main").contains("root-writable"), log("probed", "main"));
  }

  @Test
  void aRuntimeClassChoosesTheProcessRuntimeAndAnUnknownOneKeepsThePodPending() {
    ResourceDefinitionContext runtimeClasses = new ResourceDefinitionContext.Builder().withGroup("node.k8s.io")
        .withVersion("v1").withKind("RuntimeClass").withPlural("runtimeclasses").withNamespaced(false).build();
    GenericKubernetesResource processes = new GenericKubernetesResourceBuilder().withApiVersion("node.k8s.io/v1")
        .withKind("RuntimeClass").withNewMetadata().withName("processes").endMetadata()
        .addToAdditionalProperties("handler", "process").build();
    client.genericKubernetesResources(runtimeClasses).resource(processes).createOr(r -> r.update());
    GenericKubernetesResource noHandler = new GenericKubernetesResourceBuilder().withApiVersion("node.k8s.io/v1")
        .withKind("RuntimeClass").withNewMetadata().withName("no-handler").endMetadata().build();
    io.fabric8.kubernetes.client.KubernetesClientException invalid = org.junit.jupiter.api.Assertions.assertThrows(
        io.fabric8.kubernetes.client.KubernetesClientException.class,
        () -> client.genericKubernetesResources(runtimeClasses).resource(noHandler).create());
    assertEquals(422, invalid.getCode(), invalid.getMessage());
    assertTrue(invalid.getMessage().contains("handler"), invalid.getMessage());
    create(pod("plain", "Never").editSpec().withRuntimeClassName("processes").addNewContainer().withName("main")
        .withImage("host").withCommand("sh", "-c", "echo on-the-host; cat /proc/1/comm").endContainer().endSpec()
        .build());
    create(pod("nowhere", "Never").editSpec().withRuntimeClassName("no-such-class").addNewContainer()
        .withName("main").withImage(IMAGE).withCommand("true").endContainer().endSpec().build());
    awaitUntil(DEADLINE, () -> "Succeeded".equals(phase("plain")), () -> "plain Succeeded: " + get("plain")
        .getStatus());
    String log = log("plain", "main");
    assertTrue(log.contains("on-the-host"), log);
    awaitUntil(DEADLINE, () -> client.v1().events().inNamespace(ns).list().getItems().stream()
        .anyMatch(e -> "FailedCreatePodSandBox".equals(e.getReason()) && e.getMessage().contains("no-such-class")),
        () -> "a FailedCreatePodSandBox event for nowhere");
    assertEquals("Pending", phase("nowhere"));
    assertNotNull(get("nowhere"));
  }
}
