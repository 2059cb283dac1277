package io.troupe.control.controller.deployment;

import static io.troupe.control.controller.replicaset.TestPods.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.PodReadiness;
import io.troupe.control.controller.replicaset.ReplicaSetReconciler;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Both reconcilers against an in-memory store, one action at a time: a Deployment of 5 replicas (maxSurge 1,
 * maxUnavailable 1) rolls from web:1 to web:2 and back. Each round runs the Deployment reconciler, then every
 * ReplicaSet's (whose status therefore lags its pods by a round, as a real one may), then a node agent that makes
 * new pods Ready at once. After every single write: never more than 6 pods, never fewer than 4 available.
 */
class RolloutSimulationTest {
  private static final int REPLICAS = 5;
  private static final int MAX_PODS = 6;
  private static final int MIN_AVAILABLE = 4;
  private static final int MAX_ROUNDS = 60;

  private final InMemoryCluster cluster = new InMemoryCluster(NOW);
  private final DeploymentReconciler deployments = new DeploymentReconciler();
  private final ReplicaSetReconciler replicaSets = new ReplicaSetReconciler(new Random(1));
  private int mostPods;
  private int fewestAvailable = Integer.MAX_VALUE;

  /** What must hold after every write; nothing while the first version comes up. */
  private Runnable invariant = () -> { };

  @Test
  void rollingUpdateAndRollbackKeepTheirBounds() {
    KubeObject deployment = cluster.create(TestDeployments.deployment().replicas(REPLICAS).build()
        .withMetadata(TestDeployments.deployment().build().metadata().withResourceVersion(null)));
    converge();
    KubeObject v1 = onlyReplicaSetWithPods();
    assertPods("web:1");

    invariant = this::withinRollingBounds;
    setImage(deployment.key(), "web:2");
    converge();
    KubeObject v2 = onlyReplicaSetWithPods();
    assertPods("web:2");
    assertEquals(MAX_PODS, mostPods, "the surge was used");
    assertEquals(MIN_AVAILABLE, fewestAvailable, "so was maxUnavailable");
    assertEquals("2", v2.metadata().annotations().get(RevisionAnnotations.REVISION));

    setImage(deployment.key(), "web:1");
    converge();
    KubeObject back = onlyReplicaSetWithPods();
    assertPods("web:1");
    assertEquals(v1.metadata().uid(), back.metadata().uid(), "the v1 ReplicaSet is the new one again");
    assertEquals("3", back.metadata().annotations().get(RevisionAnnotations.REVISION));
    assertEquals("1", back.metadata().annotations().get(RevisionAnnotations.REVISION_HISTORY));
    assertEquals(2, cluster.list("ReplicaSet").size());
    assertEquals("3", cluster.get(deployment.key()).metadata().annotations().get(RevisionAnnotations.REVISION));
    assertEquals(0, cluster.conflicts(), "no reconcile wrote an object twice");
  }

  @Test
  void recreateNeverRunsTwoVersionsTogether() {
    KubeObject deployment = cluster.create(TestDeployments.deployment().recreate().replicas(REPLICAS).build()
        .withMetadata(TestDeployments.deployment().build().metadata().withResourceVersion(null)));
    converge();
    invariant = () -> {
      Set<String> images = new HashSet<>();
      for (KubeObject pod : cluster.list("Pod")) images.add(image(pod));
      assertTrue(images.size() <= 1, "running together: " + images);
    };
    setImage(deployment.key(), "web:2");
    converge();
    onlyReplicaSetWithPods();
    assertPods("web:2");
    assertEquals(0, cluster.conflicts());
  }

  /** Runs rounds until a round changes nothing and the Deployment reports a finished rollout. */
  private void converge() {
    for (int round = 0; round < MAX_ROUNDS; round++) {
      cluster.now = cluster.now.plusSeconds(1);
      int writes = 0;
      KubeObject deployment = cluster.list("Deployment").get(0);
      writes += apply(
          deployments.reconcile(deployment, cluster.list("ReplicaSet"), cluster.list("Pod"), cluster.now));
      for (KubeObject rs : cluster.list("ReplicaSet")) {
        writes += apply(replicaSets.reconcile(rs, cluster.list("Pod"), cluster.now));
      }
      cluster.startPods();
      invariant.run();
      if (writes == 0 && finished(cluster.list("Deployment").get(0))) return;
    }
    throw new AssertionError("no convergence in " + MAX_ROUNDS + " rounds: " + cluster.list("ReplicaSet"));
  }

  private int apply(List<Action> actions) {
    int writes = 0;
    for (Action action : actions) {
      cluster.apply(action);
      if (!(action instanceof Action.RecordEvent)) writes++;
      invariant.run();
    }
    return writes;
  }

  private void withinRollingBounds() {
    int pods = 0;
    int available = 0;
    for (KubeObject pod : cluster.list("Pod")) {
      if (!PodReadiness.isActive(pod)) continue;
      pods++;
      if (PodReadiness.isReady(pod)) available++;
    }
    mostPods = Math.max(mostPods, pods);
    fewestAvailable = Math.min(fewestAvailable, available);
    assertTrue(pods <= MAX_PODS, "pods: " + pods);
    assertTrue(available >= MIN_AVAILABLE, "available: " + available);
  }

  private static boolean finished(KubeObject deployment) {
    DeploymentStatus status = DeploymentStatus.of(deployment.status());
    return status.observedGeneration() == deployment.metadata().generation()
        && status.updatedReplicas() == REPLICAS && status.availableReplicas() == REPLICAS
        && status.replicas() == REPLICAS
        && status.condition(DeploymentCondition.PROGRESSING).map(DeploymentCondition::reason)
            .orElse("").equals(DeploymentCondition.NEW_RS_AVAILABLE)
        && status.condition(DeploymentCondition.AVAILABLE).map(DeploymentCondition::isTrue).orElse(false);
  }

  private void setImage(String key, String image) {
    KubeObject deployment = cluster.get(key);
    ObjectNode spec = ((ObjectNode) deployment.spec()).deepCopy();
    ((ObjectNode) spec.path("template").path("spec").path("containers").get(0)).put("image", image);
    cluster.write(deployment.withField("spec", spec));
  }

  private KubeObject onlyReplicaSetWithPods() {
    List<KubeObject> scaled = new ArrayList<>();
    for (KubeObject rs : cluster.list("ReplicaSet")) {
      if (rs.spec().path("replicas").asInt() > 0) scaled.add(rs);
    }
    assertEquals(1, scaled.size(), "one ReplicaSet with replicas: " + scaled);
    assertEquals(REPLICAS, scaled.get(0).spec().path("replicas").asInt());
    return scaled.get(0);
  }

  private void assertPods(String image) {
    Set<String> images = new HashSet<>();
    for (KubeObject pod : cluster.list("Pod")) images.add(image(pod));
    assertEquals(Set.of(image), images);
    assertEquals(REPLICAS, cluster.list("Pod").size());
  }

  private static String image(KubeObject pod) {
    return pod.spec().path("containers").get(0).path("image").asText();
  }
}
