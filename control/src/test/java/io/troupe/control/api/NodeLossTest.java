package io.troupe.control.api;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.controller.TestNodeAgent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A node whose agent stops heartbeating turns Unknown, is tainted, and its pods come back on the others. */
class NodeLossTest {
  static ControlPlane plane;
  static TestNodeAgent agent;
  static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true,
        // the test agent heartbeats every second and heartbeats are recorded in whole seconds: a grace of a few
        // heartbeats keeps healthy nodes Ready on a busy machine
        "troupe.node-lifecycle.grace-period", "5s", "troupe.node-lifecycle.eviction-delay", "2s"));
    agent = TestNodeAgent.start(plane.system(), plane.store(),
        Map.of("node-a", "zone-a", "node-b", "zone-b", "node-c", "zone-c"));
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    agent.close();
    plane.close();
  }

  @Test
  void aLostNodesPodsAreRecreatedElsewhere() {
    String ns = Fabric8Clients.newNamespace(client, "loss");
    client.resource(WorkloadsTest.deployment(ns, "web", 6, "web:1")).create();
    awaitUntil(Duration.ofSeconds(30), () -> running(ns).size() == 6, () -> "running: " + running(ns).size());
    String lost = running(ns).get(0).getSpec().getNodeName();

    agent.lose(lost);
    awaitUntil(Duration.ofSeconds(30), () -> ready(lost).equals("Unknown"), () -> lost + " Ready: " + ready(lost));
    Node node = client.nodes().withName(lost).get();
    awaitUntil(Duration.ofSeconds(30), () -> client.nodes().withName(lost).get().getSpec().getTaints().stream()
        .anyMatch(t -> t.getKey().equals("node.kubernetes.io/unreachable")), () -> "no unreachable taint on " + node);
    awaitUntil(Duration.ofSeconds(30),
        () -> running(ns).size() == 6 && running(ns).stream().noneMatch(p -> lost.equals(p.getSpec().getNodeName())),
        () -> "pods: " + running(ns).stream().map(p -> p.getMetadata().getName() + "@" + p.getSpec().getNodeName()).toList());
  }

  private static String ready(String node) {
    return client.nodes().withName(node).get().getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Ready")).map(c -> c.getStatus()).findFirst().orElse("none");
  }

  private static List<Pod> running(String ns) {
    return client.pods().inNamespace(ns).withLabel("app", "web").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> "Running".equals(p.getStatus().getPhase()))
        .toList();
  }
}
