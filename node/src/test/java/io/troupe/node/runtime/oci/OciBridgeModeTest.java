package io.troupe.node.runtime.oci;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.node.agent.NodeAgents;
import io.troupe.node.image.TestImages;
import io.troupe.node.network.HostNetworkState;
import io.troupe.node.network.PodNetworkSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * oci pods in bridge mode: each pod's pause process holds a network namespace on the node's bridge with the pod's
 * IP, its containers join it (localhost between them), the host and other pods reach it at its IP. Skipped, saying
 * why, where not root or without runc.
 */
class OciBridgeModeTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static final String SERVICE_CIDR = "10.96.0.0/12";
  static final String IMAGE = "busybox:1.36";
  static final int PORT = 20000 + ThreadLocalRandom.current().nextInt(10000);
  static final String NODE = "ocibr-" + UUID.randomUUID().toString().substring(0, 6);
  static final String SUBNET = "10.244." + (100 + ThreadLocalRandom.current().nextInt(150) / 2 * 2);
  static Path dir;
  static HostNetworkState before;
  static ControlPlane plane;
  static NodeAgents agents;
  static KubernetesClient client;
  static String ns;
  static final List<String> uids = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    OciFixture.assumeRunc();
    String why = HostNetworkState.whyNot();
    Assumptions.assumeTrue(why == null, () -> "skipped: " + why);
    before = HostNetworkState.take(SERVICE_CIDR);
    dir = Files.createTempDirectory("troupe-oci-bridge");
    plane = TestControlPlane.start(dir, Map.of(
        "troupe.controllers.enabled", true,
        "troupe.net.mode", "bridge",
        "troupe.net.cluster-cidr", "10.244.0.0/16",
        "troupe.net.service-cidr", SERVICE_CIDR,
        "troupe.node.name", NODE,
        "troupe.node.runtime", "oci",
        "troupe.node.pod-cidr", SUBNET + ".0/24",
        "troupe.node.back-off.initial", "300ms",
        "troupe.node.back-off.max", "1s"));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    OciFixture.await(agents.images().importTarball(TestImages.dockerSaveTarball(dir, IMAGE)));
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
    ns = Fabric8Clients.newNamespace(client, "ocibr");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (client != null) {
        for (Pod p : client.pods().inAnyNamespace().list().getItems()) uids.add(p.getMetadata().getUid());
        client.pods().inAnyNamespace().delete();
        awaitUntil(DEADLINE, () -> client.pods().inAnyNamespace().list().getItems().isEmpty(), () -> "pods gone");
        client.close();
      }
    } finally {
      if (agents != null) agents.close();
      if (plane != null) plane.close();
      if (before != null) before.restore(List.of(PodNetworkSettings.bridgeName(NODE)), uids);
    }
  }

  static Pod ready(String name) {
    awaitUntil(DEADLINE, () -> {
      Pod p = client.pods().inNamespace(ns).withName(name).get();
      return p != null && p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus()
          .getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }, () -> name + " Ready: " + client.pods().inNamespace(ns).withName(name).get().getStatus());
    return client.pods().inNamespace(ns).withName(name).get();
  }

  static String log(String pod, String container) {
    try {
      return client.pods().inNamespace(ns).withName(pod).inContainer(container).getLog();
    } catch (RuntimeException e) {
      return "";
    }
  }

  @Test
  void aPodsContainersShareItsNetworkNamespaceOnTheBridgeWhichTheHostAndOtherPodsReach() throws Exception {
    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("server").withImage(IMAGE).withCommand("sh", "-c",
            "mkdir -p /www && echo hello-bridge > /www/index.html && exec httpd -f -p " + PORT + " -h /www")
        .endContainer()
        .addNewContainer().withName("side").withImage(IMAGE).withCommand("sh", "-c",
            "until wget -q -O - http://localhost:" + PORT + "/; do sleep 0.2; done; echo ip=$(hostname -i); "
                + "exec sleep 3600").endContainer()
        .endSpec().build()).create();
    Pod web = ready("web");
    String ip = web.getStatus().getPodIP();
    assertTrue(ip.startsWith(SUBNET + "."), ip);
    awaitUntil(DEADLINE, () -> log("web", "side").contains("hello-bridge"), () -> "side log: " + log("web", "side"));

    HttpResponse<String> fromHost = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
        HttpRequest.newBuilder(URI.create("http://" + ip + ":" + PORT + "/")).timeout(Duration.ofSeconds(10))
            .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals("hello-bridge\n", fromHost.body());

    client.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName("other").endMetadata()
        .withNewSpec().withRestartPolicy("Never").withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage(IMAGE).withCommand("sh", "-c",
            "wget -q -O - http://" + ip + ":" + PORT + "/").endContainer().endSpec().build()).create();
    awaitUntil(DEADLINE, () -> "Succeeded".equals(client.pods().inNamespace(ns).withName("other").get().getStatus()
        .getPhase()), () -> "other Succeeded: " + client.pods().inNamespace(ns).withName("other").get().getStatus());
    assertTrue(log("other", "main").contains("hello-bridge"), log("other", "main"));
  }
}
