package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.api.Fabric8Clients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * 2,000 simulated nodes (the {@code simulated} runtime, like kwok) in one JVM of at most 1 GiB of heap: they
 * register, stay Ready by renewing their Leases, and run a Deployment's pods. The heap in use is printed for the note.
 */
class SimulatedNodesTest {
  static final int NODES = 2_000;
  static final Duration DEADLINE = Duration.ofMinutes(3);
  static final Path LOGS = Path.of("target", "simulated-nodes-logs");

  @Test
  void twoThousandSimulatedNodesRegisterHeartbeatAndRunPods() throws Exception {
    Path dataDir = Files.createTempDirectory("troupe-simulated");
    Path config = dataDir.resolve("simulated.conf");
    Files.writeString(config, String.join("\n",
        "troupe.node { name = sim, runtime = simulated, simulated.nodes = " + NODES + ", simulated.start-delay = 100ms",
        "  heartbeat-interval = 10s }",
        "troupe.node-lifecycle.grace-period = 40s", ""));
    try (ServerProcess server = ServerProcess.start(dataDir, LOGS, "simulated", Duration.ofMinutes(2),
        List.of("--config", config.toString()));
        KubernetesClient client = server.client()) {
      Instant started = Instant.now();
      Fabric8Clients.awaitUntil(DEADLINE, () -> readyNodes(client).size() == NODES,
          () -> readyNodes(client).size() + " of " + NODES + " nodes Ready; " + server.stderrTail());
      System.out.printf("%d simulated nodes Ready after %d s%n", NODES,
          Duration.between(started, Instant.now()).toSeconds());
      // every node heartbeats after its registration, as the kubelet does: it renews its Lease in kube-node-lease,
      // held by the node and owned by its Node
      Fabric8Clients.awaitUntil(DEADLINE, () -> leaseRenewals(client).size() == NODES,
          () -> leaseRenewals(client).size() + " of " + NODES + " nodes hold a Lease");
      Map<String, Instant> first = leaseRenewals(client);
      Fabric8Clients.awaitUntil(DEADLINE, () -> {
        Map<String, Instant> now = leaseRenewals(client);
        return now.size() == NODES && now.entrySet().stream()
            .allMatch(e -> e.getValue().isAfter(first.getOrDefault(e.getKey(), Instant.EPOCH)));
      }, () -> "every node renewed its Lease again");
      Lease lease = client.leases().inNamespace("kube-node-lease").withName("sim-7").get();
      assertEquals("sim-7", lease.getSpec().getHolderIdentity());
      assertEquals(40, lease.getSpec().getLeaseDurationSeconds(), "four heartbeats of 10 s");
      assertEquals(client.nodes().withName("sim-7").get().getMetadata().getUid(),
          lease.getMetadata().getOwnerReferences().get(0).getUid(), "owned by its Node");

      client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
          .withNewMetadata().withName("spread").endMetadata()
          .withNewSpec().withReplicas(200).withNewSelector().addToMatchLabels("app", "spread").endSelector()
          .withNewTemplate().withNewMetadata().addToLabels("app", "spread").endMetadata()
          .withNewSpec().addNewContainer().withName("main").withImage("nginx").endContainer().endSpec()
          .endTemplate().endSpec().build()).create();
      Fabric8Clients.awaitUntil(DEADLINE, () -> {
        var d = client.apps().deployments().inNamespace("default").withName("spread").get();
        return d.getStatus() != null && Integer.valueOf(200).equals(d.getStatus().getReadyReplicas());
      }, () -> "200 pods ready on simulated nodes");

      long heap = heapUsed(server);
      System.out.printf("heap in use with %d simulated nodes and 200 pods: %d MiB (max 1024 MiB)%n", NODES,
          heap >> 20);
      assertTrue(heap < 1L << 30, "heap under 1 GiB: " + heap);
      assertEquals(NODES, readyNodes(client).size(), "all nodes still Ready");
    }
  }

  /** The nodes' Leases by name, with their renewTime. */
  static Map<String, Instant> leaseRenewals(KubernetesClient client) {
    return client.leases().inNamespace("kube-node-lease").list().getItems().stream()
        .filter(l -> l.getSpec() != null && l.getSpec().getRenewTime() != null)
        .collect(Collectors.toMap(l -> l.getMetadata().getName(), l -> l.getSpec().getRenewTime().toInstant()));
  }

  /** Ready nodes by name, with their Ready condition's lastHeartbeatTime. */
  static Map<String, String> readyNodes(KubernetesClient client) {
    return client.nodes().list().getItems().stream()
        .map(n -> Map.entry(n.getMetadata().getName(), ready(n)))
        .filter(e -> e.getValue().isPresent())
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
  }

  static Optional<String> ready(Node node) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) return Optional.empty();
    for (NodeCondition c : node.getStatus().getConditions()) {
      if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) return Optional.of(c.getLastHeartbeatTime());
    }
    return Optional.empty();
  }

  /** jvm_memory_used_bytes{area="heap"} from the server's Prometheus /metrics. */
  static long heapUsed(ServerProcess server) throws Exception {
    String metrics = server.http().build().send(HttpRequest.newBuilder(server.url().resolve("/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\"\\} (\\S+)$").matcher(metrics);
    assertTrue(m.find(), "heap gauge in /metrics");
    return (long) Double.parseDouble(m.group(1));
  }
}
