package io.troupe.control.controller.deployment;

import static io.troupe.control.controller.deployment.TestDeployments.deployment;
import static io.troupe.control.controller.deployment.TestDeployments.replicaSetOf;
import static io.troupe.control.controller.deployment.TestDeployments.replicasAfter;
import static io.troupe.control.controller.replicaset.TestPods.NOW;
import static io.troupe.control.controller.replicaset.TestPods.creates;
import static io.troupe.control.controller.replicaset.TestPods.eventMessages;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One reconcile of a rolling update from web:1 (the old ReplicaSet) to web:2 (the new one). */
class RollingUpdateTest {
  private final DeploymentReconciler reconciler = new DeploymentReconciler();

  /**
   * Rows: the Deployment's replicas, maxSurge, maxUnavailable; the old ReplicaSet's spec.replicas and available
   * pods; the new one's (-1: not created yet); the sizes one reconcile leaves them at.
   */
  static Stream<Arguments> steps() {
    return Stream.of(
        // As in Kubernetes, the reconcile that creates the new ReplicaSet also uses maxUnavailable on the old one.
        Arguments.of("creates the new ReplicaSet within the surge", 5, 1, 1, 5, 5, -1, 0, 4, 1),
        Arguments.of("scales old down once the surge is used", 5, 1, 1, 5, 5, 1, 0, 4, 1),
        Arguments.of("scales new up into the room freed", 5, 1, 1, 4, 4, 1, 0, 4, 2),
        Arguments.of("waits while new pods are unavailable", 5, 1, 1, 4, 4, 2, 0, 4, 2),
        Arguments.of("one new pod available lets one old go", 5, 1, 1, 4, 4, 2, 1, 3, 2),
        Arguments.of("unavailable old pods go first", 5, 1, 1, 5, 3, 1, 0, 4, 1),
        // The old ReplicaSet's status still counts the pod its last scale-down removes: it must not count twice.
        Arguments.of("a lagging status counts at most spec.replicas", 5, 1, 1, 4, 5, 2, 1, 3, 2),
        Arguments.of("the last old pod goes once the new ones are available", 5, 1, 1, 1, 1, 5, 5, 0, 5),
        Arguments.of("a finished rollout stays", 5, 1, 1, 0, 0, 5, 5, 0, 5),
        Arguments.of("a new ReplicaSet above replicas comes down", 5, 1, 1, 0, 0, 6, 6, 0, 5),
        Arguments.of("no surge: old goes down first", 4, 0, 1, 4, 4, 0, 0, 3, 0),
        Arguments.of("no surge: then new comes up", 4, 0, 1, 3, 3, 0, 0, 3, 1),
        Arguments.of("no unavailability: surge first", 4, 1, 0, 4, 4, -1, 0, 4, 1),
        Arguments.of("no unavailability: old waits for new", 4, 1, 0, 4, 4, 1, 0, 4, 1),
        Arguments.of("percentages: 25% of 10 surges 3 and keeps 8", 10, "25%", "25%", 10, 10, -1, 0, 8, 3),
        Arguments.of("percentages: the new pods count once available", 10, "25%", "25%", 8, 8, 5, 2, 6, 5));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("steps")
  void oneStep(String why, int replicas, Object surge, Object unavailable, int oldReplicas, int oldAvailable,
      int newReplicas, int newAvailable, int expectedOld, int expectedNew) {
    TestDeployments.Deployment v2 = deployment().replicas(replicas).image("web:2")
        .rolling(value(surge), value(unavailable)).revision(newReplicas < 0 ? 1 : 2);
    KubeObject old = replicaSetOf(deployment().replicas(replicas).rolling(value(surge), value(unavailable)).build(),
        oldReplicas, oldAvailable, 1, NOW.minusSeconds(7200));
    List<KubeObject> rss = new ArrayList<>(List.of(old));
    KubeObject created = null;
    if (newReplicas >= 0) {
      created = replicaSetOf(v2.build(), newReplicas, newAvailable, 2, NOW.minusSeconds(600));
      rss.add(created);
    }
    List<Action> actions = reconciler.reconcile(v2.build(), rss, List.of(), NOW);

    assertEquals(expectedOld, replicasAfter(actions, old), "old");
    if (created == null) {
      assertEquals(expectedNew, creates(actions).get(0).object().spec().path("replicas").asInt(), "new");
    } else {
      assertEquals(List.of(), creates(actions));
      assertEquals(expectedNew, replicasAfter(actions, created), "new");
    }
  }

  @Test
  void eachScaleIsAnEventAndCarriesTheReplicaAnnotations() {
    TestDeployments.Deployment v2 = deployment().image("web:2").revision(2);
    KubeObject old = replicaSetOf(deployment().build(), 5, 5, 1, NOW.minusSeconds(7200));
    KubeObject created = replicaSetOf(v2.build(), 1, 0, 2, NOW.minusSeconds(600));
    List<Action> actions = reconciler.reconcile(v2.build(), List.of(old, created), List.of(), NOW);

    assertEquals(List.of("Scaled down replica set " + old.metadata().name() + " from 5 to 4"),
        eventMessages(actions));
    KubeObject written = TestDeployments.only(actions, old);
    assertEquals("5", written.metadata().annotations().get(RevisionAnnotations.DESIRED_REPLICAS));
    assertEquals("6", written.metadata().annotations().get(RevisionAnnotations.MAX_REPLICAS));
    assertEquals("20", written.metadata().resourceVersion(), "the scale is conditional on what was read");
  }

  private static JsonNode value(Object v) {
    return v instanceof Integer i ? Json.object().numberNode(i) : Json.object().textNode((String) v);
  }
}
