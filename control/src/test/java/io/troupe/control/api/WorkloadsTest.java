package io.troupe.control.api;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.controller.TestNodeAgent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deployments, ReplicaSets and the scheduler through the real API with fabric8, on three nodes whose pods a test
 * agent marks Running.
 */
class WorkloadsTest {
  static final Duration DEADLINE = Duration.ofSeconds(30);
  static ControlPlane plane;
  static TestNodeAgent agent;
  static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true));
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

  static Deployment deployment(String ns, String name, int replicas, String image) {
    return new DeploymentBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withReplicas(replicas)
        .withNewSelector().addToMatchLabels("app", name).endSelector()
        .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
        .withNewMaxSurge(1).withNewMaxUnavailable(1).endRollingUpdate().endStrategy()
        .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage(image).endContainer().endSpec()
        .endTemplate().endSpec().build();
  }

  private static int available(String ns, String name) {
    Deployment d = client.apps().deployments().inNamespace(ns).withName(name).get();
    return d == null || d.getStatus() == null || d.getStatus().getAvailableReplicas() == null ? 0
        : d.getStatus().getAvailableReplicas();
  }

  private static List<Pod> runningPods(String ns, String app) {
    return client.pods().inNamespace(ns).withLabel("app", app).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> "Running".equals(p.getStatus().getPhase()))
        .toList();
  }

  @Test
  void aDeploymentReachesItsReplicasAndReplacesADeletedPod() {
    String ns = Fabric8Clients.newNamespace(client, "deploy");
    client.resource(deployment(ns, "web", 5, "nginx:1")).create();
    awaitUntil(DEADLINE, () -> available(ns, "web") == 5, () -> "available: " + available(ns, "web"));
    List<Pod> pods = runningPods(ns, "web");
    assertEquals(5, pods.size());
    pods.forEach(p -> assertTrue(p.getSpec().getNodeName().startsWith("node-"), "bound by the scheduler"));

    String victim = pods.get(0).getMetadata().getName();
    client.pods().inNamespace(ns).withName(victim).delete();
    awaitUntil(DEADLINE, () -> runningPods(ns, "web").size() == 5
            && runningPods(ns, "web").stream().noneMatch(p -> p.getMetadata().getName().equals(victim)),
        () -> "pods: " + runningPods(ns, "web").size());
  }

  @Test
  void aRollingUpdateKeepsWithinItsBoundsAndARollbackRestoresTheOldTemplate() {
    String ns = Fabric8Clients.newNamespace(client, "rollout");
    client.resource(deployment(ns, "api", 5, "api:v1")).create();
    awaitUntil(DEADLINE, () -> available(ns, "api") == 5, () -> "available: " + available(ns, "api"));

    // on every event: the Deployment's available replicas stay at 5 - maxUnavailable or more, and the replicas
    // its ReplicaSets are asked for stay at 5 + maxSurge or fewer (pods a ReplicaSet was just told to give up
    // may outlive that by a moment, as in Kubernetes)
    List<String> violations = new CopyOnWriteArrayList<>();
    Map<String, Integer> desired = new java.util.concurrent.ConcurrentHashMap<>();
    var watch = client.apps().deployments().inNamespace(ns).withName("api").watch(new Watcher<Deployment>() {
      @Override
      public void eventReceived(Action action, Deployment d) {
        var s = d.getStatus();
        int available = s == null || s.getAvailableReplicas() == null ? 0 : s.getAvailableReplicas();
        if (available < 4) violations.add("available " + available + " < 5 - maxUnavailable");
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
    var rsWatch = client.apps().replicaSets().inNamespace(ns).watch(new Watcher<ReplicaSet>() {
      @Override
      public synchronized void eventReceived(Action action, ReplicaSet rs) {
        desired.put(rs.getMetadata().getName(), action == Action.DELETED ? 0 : rs.getSpec().getReplicas());
        int total = desired.values().stream().mapToInt(Integer::intValue).sum();
        if (total > 6) violations.add("ReplicaSets asked for " + total + " > 5 + maxSurge: " + desired);
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
    try {
      setImage(ns, "api", "api:v2");
      awaitUntil(DEADLINE, () -> runningPods(ns, "api").size() == 5 && runningPods(ns, "api").stream()
              .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("api:v2")) && available(ns, "api") == 5,
          () -> "rollout to v2 not done");
      assertEquals(List.of(), violations);

      setImage(ns, "api", "api:v1");
      awaitUntil(DEADLINE, () -> runningPods(ns, "api").size() == 5 && runningPods(ns, "api").stream()
              .allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("api:v1")) && available(ns, "api") == 5,
          () -> "rollback to v1 not done");
      assertEquals(List.of(), violations);
      // the rollback reused the v1 ReplicaSet: two ReplicaSets in all
      assertEquals(2, client.apps().replicaSets().inNamespace(ns).list().getItems().size());
    } finally {
      watch.close();
      rsWatch.close();
    }
  }

  @Test
  void minReadySecondsDelaysAvailabilityWithoutWaitingForAResync() {
    String ns = Fabric8Clients.newNamespace(client, "minready");
    Deployment d = deployment(ns, "slow", 2, "slow:1");
    d.getSpec().setMinReadySeconds(2);
    client.resource(d).create();
    awaitUntil(DEADLINE, () -> runningPods(ns, "slow").size() == 2, () -> "pods not running");
    assertEquals(0, available(ns, "slow"), "ready for less than minReadySeconds: not available yet");
    // the controllers' resync is 30 s: a deadline well inside it shows the check was scheduled for the moment
    awaitUntil(Duration.ofSeconds(15), () -> available(ns, "slow") == 2, () -> "available: " + available(ns, "slow"));
  }

  @Test
  void aDaemonSetRunsOnePodOnEveryNode() {
    String ns = Fabric8Clients.newNamespace(client, "daemons");
    client.resource(new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder()
        .withNewMetadata().withName("agent").withNamespace(ns).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "agent").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "agent").endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("agent:1").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    awaitUntil(DEADLINE, () -> runningPods(ns, "agent").size() == 3, () -> "running: " + runningPods(ns, "agent").size());
    assertEquals(3, runningPods(ns, "agent").stream().map(p -> p.getSpec().getNodeName()).distinct().count());
    awaitUntil(DEADLINE, () -> {
      var status = client.apps().daemonSets().inNamespace(ns).withName("agent").get().getStatus();
      return status != null && Integer.valueOf(3).equals(status.getNumberReady())
          && Integer.valueOf(3).equals(status.getDesiredNumberScheduled());
    }, () -> "status: " + client.apps().daemonSets().inNamespace(ns).withName("agent").get().getStatus());
  }

  @Test
  void aQuotaRefusesThePodOverItsLimit() {
    String ns = Fabric8Clients.newNamespace(client, "quota");
    client.resource(new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder()
        .withNewMetadata().withName("compute").withNamespace(ns).endMetadata()
        .withNewSpec().addToHard("pods", new io.fabric8.kubernetes.api.model.Quantity("2")).endSpec().build()).create();
    for (int i = 0; i < 2; i++) client.pods().inNamespace(ns).resource(Fabric8Manifests.pod("p" + i, Map.of("q", "x"))).create();
    var refused = org.junit.jupiter.api.Assertions.assertThrows(
        io.fabric8.kubernetes.client.KubernetesClientException.class,
        () -> client.pods().inNamespace(ns).resource(Fabric8Manifests.pod("p2", Map.of("q", "x"))).create());
    assertEquals(403, refused.getCode());
    assertEquals("pods \"p2\" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2",
        refused.getStatus().getMessage());
    awaitUntil(DEADLINE, () -> {
      var q = client.resourceQuotas().inNamespace(ns).withName("compute").get();
      return q.getStatus() != null && q.getStatus().getUsed() != null
          && "2".equals(q.getStatus().getUsed().get("pods").toString());
    }, () -> "quota status: " + client.resourceQuotas().inNamespace(ns).withName("compute").get().getStatus());
  }

  @Test
  void antiAffinitySpreadsReplicasOverNodesAndLeavesTheFourthPendingWithTheReason() {
    String ns = Fabric8Clients.newNamespace(client, "spread");
    Deployment d = deployment(ns, "db", 4, "db:1");
    d.getSpec().getTemplate().getSpec().setAffinity(new io.fabric8.kubernetes.api.model.AffinityBuilder()
        .withNewPodAntiAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withTopologyKey("kubernetes.io/hostname")
        .withNewLabelSelector().addToMatchLabels("app", "db").endLabelSelector()
        .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().build());
    client.resource(d).create();
    awaitUntil(DEADLINE, () -> runningPods(ns, "db").size() == 3, () -> "running: " + runningPods(ns, "db").size());
    assertEquals(3, runningPods(ns, "db").stream().map(p -> p.getSpec().getNodeName()).distinct().count());
    awaitUntil(DEADLINE, () -> pendingMessage(ns) != null, () -> "no pod reported unschedulable");
    assertEquals("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.", pendingMessage(ns));
  }

  /**
   * As {@code kubectl set image}: a strategic merge patch without a resourceVersion (fabric8's edit() sends the
   * version it read, and a controller writing the Deployment's status meanwhile makes that a 409, as in Kubernetes).
   */
  private static void setImage(String ns, String name, String image) {
    client.apps().deployments().inNamespace(ns).withName(name).patch(
        io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.STRATEGIC_MERGE),
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"" + image + "\"}]}}}}");
  }

  private static String pendingMessage(String ns) {
    for (Pod p : client.pods().inNamespace(ns).withLabel("app", "db").list().getItems()) {
      if (p.getSpec().getNodeName() != null || p.getStatus() == null) continue;
      for (var c : p.getStatus().getConditions()) {
        if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())) return c.getMessage();
      }
    }
    return null;
  }
}
