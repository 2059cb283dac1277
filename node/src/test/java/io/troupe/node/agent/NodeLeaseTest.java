package io.troupe.node.agent;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.persistence.TestSystems;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node's heartbeats as the kubelet's (KEP 589): the agent renews its Lease in {@code kube-node-lease} every
 * heartbeat and posts its Node's status only when it changes, the node stays Ready on its Lease alone, and turns
 * Unknown once the renewals stop.
 */
class NodeLeaseTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static final Duration GRACE = Duration.ofSeconds(3);

  @Test
  void theLeaseIsRenewedTheStatusPostedOnChangeAndTheNodeLostWhenRenewalsStop() throws Exception {
    Map<String, Object> config = new HashMap<>(PodCidrTest.CONFIG);
    config.put("troupe.node.name", "leased");
    config.put("troupe.node.simulated.nodes", 1);
    config.put("troupe.node.heartbeat-interval", "250ms");
    config.put("troupe.node-lifecycle.grace-period", GRACE.toMillis() + "ms");
    ControlPlane plane = ControlPlane.startWithoutControllers(
        TestSystems.singleJvm(Files.createTempDirectory("troupe-node-lease"), config));
    NodeAgents agents = PodCidrTest.startAgents(plane);
    try (KubernetesClient client = Fabric8Clients.connect(TestControlPlane.url(plane))) {
      awaitUntil(DEADLINE, () -> PodCidrTest.ready(client, "leased") && lease(client) != null,
          () -> "node Ready with a Lease: " + client.nodes().withName("leased").get());
      Node node = client.nodes().withName("leased").get();
      Lease lease = lease(client);
      assertEquals("leased", lease.getSpec().getHolderIdentity());
      assertEquals(1, lease.getSpec().getLeaseDurationSeconds(), "four heartbeats of 250 ms, in whole seconds");
      assertEquals(node.getMetadata().getUid(), lease.getMetadata().getOwnerReferences().get(0).getUid(),
          "owned by its Node, for the garbage collector");

      // well past the grace period after the status was last posted, renewals alone keep the node Ready, and the
      // Node is not written meanwhile (its status did not change)
      String resourceVersion = node.getMetadata().getResourceVersion();
      Instant posted = Instant.parse(ready(node).getLastHeartbeatTime());
      awaitUntil(DEADLINE, () -> renewed(client).isAfter(posted.plus(GRACE.multipliedBy(2))),
          () -> "lease renewed " + GRACE.multipliedBy(2) + " after " + posted + ": " + lease(client).getSpec());
      Node later = client.nodes().withName("leased").get();
      assertEquals("True", ready(later).getStatus(), later.getStatus().toString());
      assertEquals(resourceVersion, later.getMetadata().getResourceVersion(), "the Node was not rewritten");

      // the agent stops: no more renewals, and the node goes Unknown after the grace period
      agents.close();
      Instant last = renewed(client);
      awaitUntil(DEADLINE, () -> "Unknown".equals(ready(client.nodes().withName("leased").get()).getStatus()),
          () -> "node Unknown after its renewals stopped");
      assertEquals(last, renewed(client), "no renewal after the agent stopped");
      assertTrue(Duration.between(last, Instant.now()).compareTo(GRACE) >= 0, "not before the grace period");
    } finally {
      plane.close();
    }
  }

  static Lease lease(KubernetesClient client) {
    return client.leases().inNamespace("kube-node-lease").withName("leased").get();
  }

  static Instant renewed(KubernetesClient client) {
    return lease(client).getSpec().getRenewTime().toInstant();
  }

  static NodeCondition ready(Node node) {
    return node.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
        .orElseThrow();
  }
}
