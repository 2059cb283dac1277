package io.troupe.node.agent;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.persistence.TestSystems;
import io.troupe.persistence.model.Ipv4Cidr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Simulated nodes without a configured pod CIDR: the node-ipam controller gives each its own, the agents run their
 * pods with IPs from it, and after a restart every pod keeps its IP while a pod that had none gets a free one.
 */
class PodCidrTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static final Map<String, Object> CONFIG = Map.ofEntries(
      Map.entry("troupe.api.port", 0),
      // plain HTTP, as TestControlPlane's API tests
      Map.entry("troupe.api.tls.enabled", false),
      Map.entry("troupe.api.authorization.mode", "AlwaysAllow"),
      Map.entry("troupe.controllers.enabled", true),
      Map.entry("troupe.node.name", "cidr"),
      Map.entry("troupe.node.runtime", "simulated"),
      Map.entry("troupe.node.simulated.nodes", 2),
      Map.entry("troupe.node.simulated.start-delay", "50ms"),
      Map.entry("troupe.node.capacity.cpu", "8"),
      Map.entry("troupe.node.capacity.memory", "16Gi"));

  /**
   * As {@code troupe server} does: the agents register their Nodes (with this JVM as their member) before the
   * controllers start, so that after a restart the node lifecycle controller never takes them for lost.
   */
  static NodeAgents startAgents(ControlPlane plane) throws Exception {
    NodeAgents agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    plane.startControllers();
    return agents;
  }

  static Pod pod(String name, String node) {
    var spec = new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(0L)
        .addNewContainer().withName("main").withImage("web").endContainer();
    if (node != null) spec = spec.withNodeName(node);
    return spec.endSpec().build();
  }

  static String podCidr(KubernetesClient client, String node) {
    Node n = client.nodes().withName(node).get();
    return n == null || n.getSpec() == null ? null : n.getSpec().getPodCIDR();
  }

  /** Ready, with its pod CIDR, the network-unavailable taint gone and NetworkUnavailable False. */
  static boolean ready(KubernetesClient client, String node) {
    Node n = client.nodes().withName(node).get();
    return n != null && n.getStatus() != null && n.getSpec().getPodCIDR() != null
        && (n.getSpec().getTaints() == null || n.getSpec().getTaints().stream()
            .noneMatch(t -> t.getKey().equals("node.kubernetes.io/network-unavailable")))
        && n.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"))
        && n.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("NetworkUnavailable") && c.getStatus().equals("False"));
  }

  static Map<String, String> runningIps(KubernetesClient client) {
    Map<String, String> ips = new HashMap<>();
    for (Pod p : client.pods().inNamespace("default").list().getItems()) {
      if ("Running".equals(p.getStatus().getPhase()) && p.getStatus().getPodIP() != null) {
        ips.put(p.getMetadata().getName(), p.getStatus().getPodIP());
      }
    }
    return ips;
  }

  @Test
  void nodesGetPodCidrsFromTheControllerAndPodsKeepTheirIpsAcrossARestart() throws Exception {
    Path dir = Files.createTempDirectory("troupe-pod-cidr");
    ControlPlane plane = ControlPlane.startWithoutControllers(TestSystems.singleJvm(dir, CONFIG));
    NodeAgents agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    Map<String, String> before;
    try (KubernetesClient client = Fabric8Clients.connect(TestControlPlane.url(plane))) {
      // no node-ipam controller yet: the Nodes wait for their CIDR, tainted, and a pod bound to one waits with them
      Node waiting = client.nodes().withName("cidr-0").get();
      assertEquals(null, waiting.getSpec().getPodCIDR());
      assertTrue(waiting.getSpec().getTaints().stream().anyMatch(t ->
          t.getKey().equals("node.kubernetes.io/network-unavailable") && t.getEffect().equals("NoSchedule")));
      assertTrue(waiting.getStatus().getConditions().stream().anyMatch(c ->
          c.getType().equals("NetworkUnavailable") && c.getStatus().equals("True")));
      client.pods().inNamespace("default").resource(pod("held", "cidr-0")).create();
      plane.startControllers();
      awaitUntil(DEADLINE, () -> ready(client, "cidr-0") && ready(client, "cidr-1"),
          () -> "nodes Ready with a pod CIDR: " + client.nodes().withName("cidr-0").get());
      String cidr0 = podCidr(client, "cidr-0");
      String cidr1 = podCidr(client, "cidr-1");
      assertNotEquals(cidr0, cidr1);
      assertTrue(Ipv4Cidr.parse("127.64.0.0/10").contains(Ipv4Cidr.parse(cidr0)), cidr0);

      for (int i = 0; i < 6; i++) client.pods().inNamespace("default").resource(pod("p-" + i, null)).create();
      awaitUntil(DEADLINE, () -> runningIps(client).size() == 7, () -> "7 pods Running: " + runningIps(client));
      Set<String> distinct = new HashSet<>();
      for (Pod p : client.pods().inNamespace("default").list().getItems()) {
        String cidr = podCidr(client, p.getSpec().getNodeName());
        assertTrue(Ipv4Cidr.parse(cidr).contains(p.getStatus().getPodIP()),
            p.getStatus().getPodIP() + " not in its node's " + cidr);
        assertTrue(distinct.add(p.getStatus().getPodIP()), "IP given twice: " + p.getStatus().getPodIP());
      }
      before = runningIps(client);
      // the agents stop; a pod is bound to cidr-0 meanwhile: it has no IP when they come back, and its name comes
      // first, so it is synced before the pods that hold IPs
      agents.close();
      client.pods().inNamespace("default").resource(pod("a-late", "cidr-0")).create();
    }
    plane.close();

    plane = ControlPlane.startWithoutControllers(TestSystems.singleJvm(dir, CONFIG));
    agents = startAgents(plane);
    try (KubernetesClient client = Fabric8Clients.connect(TestControlPlane.url(plane))) {
      awaitUntil(DEADLINE, () -> runningIps(client).size() == 8, () -> "8 pods Running: " + runningIps(client));
      Map<String, String> after = runningIps(client);
      String late = after.remove("a-late");
      assertEquals(before, after, "every pod keeps its IP across the restart");
      assertFalse(before.containsValue(late), "a-late got an IP another pod holds: " + late);
      assertTrue(Ipv4Cidr.parse(podCidr(client, "cidr-0")).contains(late), late);
    } finally {
      agents.close();
      plane.close();
    }
  }
}
