package io.troupe.control.controller.deployment;

import static io.troupe.control.controller.deployment.TestDeployments.deployment;
import static io.troupe.control.controller.deployment.TestDeployments.replicaSetOf;
import static io.troupe.control.controller.deployment.TestDeployments.replicasAfter;
import static io.troupe.control.controller.replicaset.TestPods.NOW;
import static io.troupe.control.controller.replicaset.TestPods.creates;
import static io.troupe.control.controller.replicaset.TestPods.eventMessages;
import static io.troupe.control.controller.replicaset.TestPods.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.ReplicaSetStatus;
import io.troupe.control.controller.replicaset.TestPods;
import io.troupe.persistence.model.KubeObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Recreate from web:1 to web:2 with 3 replicas: all old pods gone before any new one. */
class RecreateTest {
  private static final TestDeployments.Deployment V2 = deployment().recreate().replicas(3).image("web:2").revision(1);

  private static KubeObject old(int replicas, int statusReplicas) {
    KubeObject rs = replicaSetOf(deployment().recreate().replicas(3).build(), replicas, 0, 1, NOW.minusSeconds(99));
    return TestDeployments.withStatus(rs, new ReplicaSetStatus(statusReplicas, statusReplicas, 0, 0, 1));
  }

  private static List<Action> reconcile(KubeObject oldRs, KubeObject... pods) {
    return new DeploymentReconciler().reconcile(V2.build(), List.of(oldRs), List.of(pods), NOW);
  }

  @Test
  void scalesEveryOldReplicaSetToZeroFirst() {
    KubeObject rs = old(3, 3);
    List<Action> actions = reconcile(rs);
    assertEquals(0, replicasAfter(actions, rs));
    assertEquals(List.of(), creates(actions));
    assertEquals(List.of("Scaled down replica set " + rs.metadata().name() + " from 3 to 0"), eventMessages(actions));
  }

  /** Rows: what still runs of the old version, so that the new ReplicaSet must wait. */
  static Stream<Arguments> stillRunning() {
    KubeObject rs = old(0, 0);
    return Stream.of(
        Arguments.of("the old ReplicaSet still reports pods", old(0, 2), List.of()),
        Arguments.of("an old pod is Running", rs, List.of(pod("p").ownedBy(rs).build())),
        Arguments.of("an old pod is terminating", rs, List.of(pod("p").ownedBy(rs).deleting().build())),
        Arguments.of("an old pod is Pending", rs, List.of(pod("p").ownedBy(rs).phase("Pending").build())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stillRunning")
  void theNewReplicaSetWaits(String why, KubeObject rs, List<KubeObject> pods) {
    assertEquals(List.of(), creates(reconcile(rs, pods.toArray(KubeObject[]::new))));
  }

  @Test
  void theNewReplicaSetComesWhenOnlyFinishedPodsAreLeft() {
    KubeObject rs = old(0, 0);
    List<Action> actions = reconcile(rs, pod("done").ownedBy(rs).phase("Succeeded").build(),
        pod("crashed").ownedBy(rs).phase("Failed").build(), pod("stranger").build());
    KubeObject created = creates(actions).get(0).object();
    assertEquals(3, created.spec().path("replicas").asInt());
    assertEquals("2", created.metadata().annotations().get(RevisionAnnotations.REVISION));
    assertEquals("3", created.metadata().annotations().get(RevisionAnnotations.MAX_REPLICAS), "no surge");
    assertEquals(List.of("Scaled up replica set " + created.metadata().name() + " from 0 to 3"),
        eventMessages(actions));
    assertEquals(List.of(), TestPods.updates(actions));
  }
}
