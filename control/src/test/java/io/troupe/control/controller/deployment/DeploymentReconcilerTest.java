package io.troupe.control.controller.deployment;

import static io.troupe.control.controller.deployment.DeploymentCondition.AVAILABLE;
import static io.troupe.control.controller.deployment.DeploymentCondition.PROGRESSING;
import static io.troupe.control.controller.deployment.TestDeployments.condition;
import static io.troupe.control.controller.deployment.TestDeployments.deployment;
import static io.troupe.control.controller.deployment.TestDeployments.only;
import static io.troupe.control.controller.deployment.TestDeployments.replicaSetOf;
import static io.troupe.control.controller.deployment.TestDeployments.replicasAfter;
import static io.troupe.control.controller.deployment.TestDeployments.status;
import static io.troupe.control.controller.deployment.TestDeployments.statusWritten;
import static io.troupe.control.controller.replicaset.TestPods.NOW;
import static io.troupe.control.controller.replicaset.TestPods.creates;
import static io.troupe.control.controller.replicaset.TestPods.deletes;
import static io.troupe.control.controller.replicaset.TestPods.eventMessages;
import static io.troupe.control.controller.replicaset.TestPods.statusUpdates;
import static io.troupe.control.controller.replicaset.TestPods.updates;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.ControllerRefClaim;
import io.troupe.control.controller.replicaset.ReplicaSetStatus;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.control.controller.replicaset.TestPods;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.model.OwnerReference;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeploymentReconcilerTest {
  private static final DeploymentCondition COMPLETE = condition(PROGRESSING, "True",
      DeploymentCondition.NEW_RS_AVAILABLE, "done", NOW.minusSeconds(3600));
  private static final DeploymentCondition AVAILABLE_TRUE = condition(AVAILABLE, "True",
      DeploymentCondition.MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", NOW.minusSeconds(3600));

  private final DeploymentReconciler reconciler = new DeploymentReconciler();

  private List<Action> reconcile(KubeObject deployment, KubeObject... replicaSets) {
    return reconciler.reconcile(deployment, List.of(replicaSets), List.of(), NOW);
  }

  @Test
  void aNewDeploymentCreatesItsReplicaSet() {
    KubeObject d = deployment().replicas(3).rolling(Json.object().textNode("25%"), Json.object().textNode("25%"))
        .annotation("team", "a").annotation("kubectl.kubernetes.io/last-applied-configuration", "{}").build();
    List<Action> actions = reconcile(d);

    String hash = PodTemplateHash.of(d.spec().get("template"), null);
    KubeObject rs = creates(actions).get(0).object();
    assertEquals("web-" + hash, rs.metadata().name());
    assertEquals("ReplicaSet", rs.kind());
    assertEquals("apps/v1", rs.apiVersion());
    assertEquals("default", rs.metadata().namespace());
    Map<String, String> labels = Map.of("app", "web", "pod-template-hash", hash);
    assertEquals(labels, rs.metadata().labels());
    assertEquals(Json.MAPPER.valueToTree(labels), rs.spec().path("selector").path("matchLabels"));
    assertEquals(Json.MAPPER.valueToTree(labels), rs.spec().path("template").path("metadata").path("labels"));
    assertEquals("web:1", rs.spec().path("template").path("spec").path("containers").get(0).path("image").asText());
    assertEquals(3, rs.spec().path("replicas").asInt());
    assertEquals(Map.of(RevisionAnnotations.REVISION, "1", RevisionAnnotations.DESIRED_REPLICAS, "3",
        RevisionAnnotations.MAX_REPLICAS, "4", "team", "a"), rs.metadata().annotations());
    assertEquals(List.of(new OwnerReference("apps/v1", "Deployment", "web", "uid-web", true, true)),
        rs.metadata().ownerReferences());
    assertEquals(List.of("Scaled up replica set web-" + hash + " from 0 to 3"), eventMessages(actions));

    DeploymentStatus status = statusWritten(actions);
    assertEquals(new DeploymentStatus(1, 0, 0, 0, 0, 3, null, List.of(
        condition(PROGRESSING, "True", DeploymentCondition.NEW_RS_CREATED,
            "Created new replica set \"web-" + hash + "\"", NOW),
        condition(AVAILABLE, "False", DeploymentCondition.MINIMUM_REPLICAS_UNAVAILABLE,
            "Deployment does not have minimum availability.", NOW))), status);
    assertEquals(List.of(), updates(actions), "the revision annotation follows in the next reconcile");
  }

  @Test
  void theNextReconcileRecordsTheRevisionOnTheDeployment() {
    KubeObject d = deployment().build();
    KubeObject rs = replicaSetOf(d, 5, 0, 1, NOW.minusSeconds(10));
    List<Action> actions = reconcile(d, rs);

    assertEquals(1, updates(actions).size());
    KubeObject written = updates(actions).get(0).object();
    assertEquals("Deployment", written.kind());
    assertEquals("1", written.metadata().annotations().get(RevisionAnnotations.REVISION));
    assertEquals("10", written.metadata().resourceVersion());
    assertEquals(List.of(), statusUpdates(actions), "one write per object and reconcile");
  }

  @Test
  void aConvergedDeploymentAsksForNothing() {
    KubeObject d = deployment().revision(1).status(status(5, 5, 5, 5, AVAILABLE_TRUE, COMPLETE)).build();
    assertEquals(List.of(), reconcile(d, replicaSetOf(d, 5, 5, 1, NOW.minusSeconds(10))));
  }

  @Test
  void aRollbackMakesTheOldReplicaSetNewUnderTheNextRevision() {
    KubeObject v1 = replicaSetOf(deployment().build(), 0, 0, 1, NOW.minusSeconds(7200));
    KubeObject v2 = replicaSetOf(deployment().image("web:2").build(), 5, 5, 2, NOW.minusSeconds(3600));
    KubeObject d = deployment().revision(2).generation(3).status(status(5, 5, 5, 5, AVAILABLE_TRUE, COMPLETE)).build();
    List<Action> actions = reconcile(d, v1, v2);

    assertEquals(List.of(), creates(actions));
    KubeObject reused = only(actions, v1);
    assertEquals("3", reused.metadata().annotations().get(RevisionAnnotations.REVISION));
    assertEquals("1", reused.metadata().annotations().get(RevisionAnnotations.REVISION_HISTORY));
    assertEquals(1, reused.spec().path("replicas").asInt());
    assertEquals(5, replicasAfter(actions, v2), "a reconcile that scales up does not also scale down");
    assertEquals(List.of("Scaled up replica set " + v1.metadata().name() + " from 0 to 1"), eventMessages(actions));
    KubeObject deploymentWrite = updates(actions).stream().map(Action.Update::object)
        .filter(o -> "Deployment".equals(o.kind())).findFirst().orElseThrow();
    assertEquals("3", deploymentWrite.metadata().annotations().get(RevisionAnnotations.REVISION));
  }

  @Test
  void revisionHistoryGrowsOnEachRollbackAndStaysBounded() {
    Map<String, String> rs = new HashMap<>(Map.of(RevisionAnnotations.REVISION, "3",
        RevisionAnnotations.REVISION_HISTORY, "1"));
    DeploymentSpec spec = DeploymentSpec.of(deployment().build());
    RevisionAnnotations.setNewReplicaSetAnnotations(Map.of(), spec, rs, 5, true);
    assertEquals("5", rs.get(RevisionAnnotations.REVISION));
    assertEquals("1,3", rs.get(RevisionAnnotations.REVISION_HISTORY));
    rs.put(RevisionAnnotations.REVISION_HISTORY, "1".repeat(1000) + "," + "2".repeat(998));
    RevisionAnnotations.setNewReplicaSetAnnotations(Map.of(), spec, rs, 6, true);
    assertEquals("2".repeat(998) + ",5", rs.get(RevisionAnnotations.REVISION_HISTORY));
  }

  @Test
  void adoptsAMatchingOrphanReplicaSetAndUsesIt() {
    KubeObject d = deployment().revision(1).status(status(5, 5, 5, 5, AVAILABLE_TRUE, COMPLETE)).build();
    KubeObject orphan = ControllerRefClaim.withOwnerReferences(replicaSetOf(d, 5, 5, 1, NOW.minusSeconds(10)),
        List.of());
    List<Action> actions = reconcile(d, orphan);

    assertEquals(List.of(), creates(actions));
    assertEquals(List.of(ControllerRefClaim.controllerRefTo(d)), only(actions, orphan).metadata().ownerReferences());
  }

  @Test
  void releasesAnOwnedReplicaSetThatStopsMatching() {
    KubeObject d = deployment().revision(1).status(status(5, 5, 5, 5, AVAILABLE_TRUE, COMPLETE)).build();
    KubeObject current = replicaSetOf(d, 5, 5, 1, NOW.minusSeconds(10));
    KubeObject relabelled = replicaSetOf(deployment().image("web:0").build(), 0, 0, 0, NOW.minusSeconds(99));
    relabelled = relabelled.withMetadata(new ObjectMeta(relabelled.metadata().name(),
        null, "default", "uid-x", "5", 1L, relabelled.metadata().creationTimestamp(), null, null,
        Map.of("app", "debug"), Map.of(), relabelled.metadata().ownerReferences(), List.of()));
    List<Action> actions = reconcile(d, current, relabelled);

    assertEquals(List.of(), only(actions, relabelled).metadata().ownerReferences());
  }

  @Test
  void aHashCollisionRaisesCollisionCountAndTheNextReconcileUsesAnotherName() {
    KubeObject d = deployment().build();
    String taken = "web-" + PodTemplateHash.of(d.spec().get("template"), null);
    KubeObject stranger = replicaSetOf(deployment().image("other").build(), 1, 1, 1, NOW.minusSeconds(10));
    stranger = stranger.withMetadata(new ObjectMeta(taken, null, "default", "uid-s",
        "3", 1L, null, null, null, Map.of("app", "other"), Map.of(), List.of(), List.of()));
    List<Action> actions = reconcile(d, stranger);

    assertEquals(List.of(), creates(actions));
    assertEquals(1, statusWritten(actions).collisionCount());

    KubeObject retried = statusUpdates(actions).get(0).object();
    KubeObject created = creates(reconcile(retried, stranger)).get(0).object();
    assertEquals("web-" + PodTemplateHash.of(d.spec().get("template"), 1), created.metadata().name());
  }

  @Test
  void anOwnedReplicaSetNamedForTheTemplateIsItsOwnEvenIfDefaultsMadeItDiffer() {
    KubeObject d = deployment().revision(1).status(status(5, 5, 5, 5, AVAILABLE_TRUE, COMPLETE)).build();
    KubeObject rs = replicaSetOf(d, 5, 5, 1, NOW.minusSeconds(10));
    ObjectNode spec = ((ObjectNode) rs.spec()).deepCopy();
    ((ObjectNode) spec.path("template").path("spec")).put("dnsPolicy", "ClusterFirst");
    List<Action> actions = reconcile(d, rs.withField("spec", spec));

    assertEquals(List.of(), actions, "no new ReplicaSet, no collision");
  }

  @Test
  void aSelectorOfEverythingIsRefused() {
    KubeObject d = deployment().spec("selector", Json.object()).generation(2).build();
    List<Action> actions = reconcile(d, replicaSetOf(deployment().build(), 5, 5, 1, NOW.minusSeconds(10)));

    assertEquals(2, statusWritten(actions).observedGeneration());
    Action.RecordEvent event = TestPods.only(actions,
        Action.RecordEvent.class).get(0);
    assertEquals("Warning", event.type());
    assertEquals("SelectingAll", event.reason());
    assertEquals("This deployment is selecting all pods. A non-empty selector is required.", event.message());
    assertEquals(2, actions.size());
  }

  @Test
  void aDeploymentBeingDeletedOnlyReportsStatus() {
    KubeObject rs = replicaSetOf(deployment().build(), 5, 5, 1, NOW.minusSeconds(10));
    KubeObject d = deployment().image("web:2").revision(1).deleting().build();
    List<Action> actions = reconcile(d, rs);

    assertEquals(1, actions.size());
    assertEquals(5, statusWritten(actions).availableReplicas());
  }

  @Test
  void aPausedDeploymentDoesNotRollOutButReportsItIsPaused() {
    KubeObject rs = replicaSetOf(deployment().build(), 5, 5, 1, NOW.minusSeconds(10));
    KubeObject d = deployment().image("web:2").paused().revision(1)
        .status(status(5, 5, 5, 5, AVAILABLE_TRUE, COMPLETE)).build();
    List<Action> actions = reconcile(d, rs);

    assertEquals(List.of(), creates(actions));
    assertEquals(List.of(), updates(actions));
    DeploymentStatus status = statusWritten(actions);
    assertEquals(Optional.of(condition(PROGRESSING, "Unknown", DeploymentCondition.PAUSED, "Deployment is paused",
        NOW)), status.condition(PROGRESSING));
    assertEquals(0, status.updatedReplicas(), "the running pods are not of the paused template");
  }

  @Test
  void aResumedDeploymentSaysSo() {
    KubeObject paused = deployment().revision(1).status(status(5, 5, 3, 3, AVAILABLE_TRUE, condition(PROGRESSING,
        "Unknown", DeploymentCondition.PAUSED, "Deployment is paused", NOW.minusSeconds(60)))).build();
    List<Action> actions = reconcile(paused, replicaSetOf(paused, 5, 3, 1, NOW.minusSeconds(10)));

    // Still Unknown, so the transition time stays that of the pause (SetDeploymentCondition).
    assertEquals(Optional.of(condition(PROGRESSING, "Unknown", DeploymentCondition.RESUMED, "Deployment is resumed",
        NOW).withLastTransitionTime(Rfc3339.format(NOW.minusSeconds(60)))),
        statusWritten(actions).condition(PROGRESSING));
  }

  @Test
  void aPausedDeploymentStillScales() {
    KubeObject rs = replicaSetOf(deployment().build(), 5, 5, 1, NOW.minusSeconds(10));
    KubeObject d = deployment().replicas(7).paused().revision(1).build();
    List<Action> actions = reconcile(d, rs);

    KubeObject scaled = only(actions, rs);
    assertEquals(7, scaled.spec().path("replicas").asInt());
    assertEquals("7", scaled.metadata().annotations().get(RevisionAnnotations.DESIRED_REPLICAS));
    assertEquals(List.of("Scaled up replica set " + rs.metadata().name() + " from 5 to 7"), eventMessages(actions));
  }

  @Test
  void scalingMidRolloutIsSpreadInProportion() {
    KubeObject old = replicaSetOf(deployment().build(), 3, 3, 1, NOW.minusSeconds(7200));
    KubeObject rs = replicaSetOf(deployment().image("web:2").build(), 3, 3, 2, NOW.minusSeconds(600));
    List<Action> actions = reconcile(deployment().image("web:2").replicas(10).revision(2).build(), old, rs);

    assertEquals(6, replicasAfter(actions, rs));
    assertEquals(5, replicasAfter(actions, old));
    assertEquals("11", only(actions, old).metadata().annotations().get(RevisionAnnotations.MAX_REPLICAS));
    assertEquals(List.of("Scaled up replica set " + rs.metadata().name() + " from 3 to 6",
        "Scaled up replica set " + old.metadata().name() + " from 3 to 5"), eventMessages(actions));
  }

  @Test
  void scalingDownMidRolloutTakesTheLeftoverFromTheLargest() {
    KubeObject old = replicaSetOf(deployment().build(), 3, 3, 1, NOW.minusSeconds(7200));
    KubeObject rs = replicaSetOf(deployment().image("web:2").build(), 3, 3, 2, NOW.minusSeconds(600));
    List<Action> actions = reconcile(deployment().image("web:2").replicas(2).revision(2).build(), old, rs);

    assertEquals(1, replicasAfter(actions, old));
    assertEquals(2, replicasAfter(actions, rs));
  }

  @Test
  void oldRevisionsBeyondTheLimitAreDeletedOnceScaledDownAndEmpty() {
    KubeObject d = deployment().image("web:4").revision(4).spec("revisionHistoryLimit", 1)
        .status(status(5, 5, 5, 5, AVAILABLE_TRUE, COMPLETE)).build();
    KubeObject rev1 = replicaSetOf(deployment().image("web:1").build(), 0, 0, 1, NOW.minusSeconds(9000));
    KubeObject rev2 = TestDeployments.withStatus(
        replicaSetOf(deployment().image("web:2").build(), 0, 0, 2, NOW.minusSeconds(8000)),
        new ReplicaSetStatus(1, 1, 0, 0, 1));
    KubeObject rev3 = replicaSetOf(deployment().image("web:3").build(), 0, 0, 3, NOW.minusSeconds(7000));
    KubeObject rev4 = replicaSetOf(d, 5, 5, 4, NOW.minusSeconds(6000));
    List<Action> actions = reconcile(d, rev3, rev4, rev1, rev2);

    assertEquals(List.of(new Action.Delete(rev1.key(), rev1.metadata().uid())), deletes(actions),
        "rev2 still has a pod; rev3 is within the limit");
  }

  @Test
  void noCleanupWhileARolloutIsUnderWay() {
    KubeObject d = deployment().image("web:4").revision(4).spec("revisionHistoryLimit", 0)
        .status(status(6, 1, 5, 5, AVAILABLE_TRUE)).build();
    KubeObject rev1 = replicaSetOf(deployment().image("web:1").build(), 0, 0, 1, NOW.minusSeconds(9000));
    KubeObject rev3 = replicaSetOf(deployment().image("web:3").build(), 5, 5, 3, NOW.minusSeconds(7000));
    KubeObject rev4 = replicaSetOf(d, 1, 0, 4, NOW.minusSeconds(6000));
    assertEquals(List.of(), deletes(reconcile(d, rev1, rev3, rev4)));
  }

  @Test
  void minReadySecondsReachesTheReplicaSets() {
    KubeObject d = deployment().spec("minReadySeconds", 10).revision(1).build();
    assertEquals(10, creates(reconcile(deployment().spec("minReadySeconds", 10).build())).get(0).object().spec()
        .path("minReadySeconds").asInt());
    KubeObject rs = replicaSetOf(deployment().build(), 5, 5, 1, NOW.minusSeconds(10));
    assertEquals(10, only(reconcile(d, rs), rs).spec().path("minReadySeconds").asInt());
  }

  @Test
  void replicaSetsOfOtherDeploymentsAreLeftAlone() {
    KubeObject d = deployment().revision(1).status(status(5, 5, 5, 5, AVAILABLE_TRUE, COMPLETE)).build();
    KubeObject mine = replicaSetOf(d, 5, 5, 1, NOW.minusSeconds(10));
    KubeObject theirs = replicaSetOf(deployment().image("web:9").build(), 2, 2, 7, NOW.minusSeconds(10));
    theirs = ControllerRefClaim.withOwnerReferences(theirs.withMetadata(theirs.metadata().withName("db-1")),
        List.of(new OwnerReference("apps/v1", "Deployment", "db", "uid-db", true, true)));
    assertEquals(List.of(), reconcile(d, mine, theirs));
  }

  @Test
  void progressDeadlineIsWhenAnUnfinishedRolloutTimesOut() {
    DeploymentCondition updated = condition(PROGRESSING, "True", DeploymentCondition.RS_UPDATED, "x",
        NOW.minusSeconds(100));
    assertEquals(Optional.of(NOW.plusSeconds(501)), DeploymentReconciler.progressDeadlineAt(
        deployment().status(status(5, 1, 1, 1, updated)).build()));
    assertEquals(Optional.empty(), DeploymentReconciler.progressDeadlineAt(
        deployment().status(status(5, 5, 5, 5, COMPLETE)).build()));
    assertEquals(Optional.empty(), DeploymentReconciler.progressDeadlineAt(
        deployment().paused().status(status(5, 1, 1, 1, updated)).build()));
    assertFalse(DeploymentReconciler.progressDeadlineAt(deployment().build()).isPresent());
  }

  @Test
  void statusIsSerializedAsKubernetesDoes() {
    DeploymentStatus status = new DeploymentStatus(2, 3, 3, 0, 0, 3, null, List.of(
        condition(AVAILABLE, "False", "R", "m", NOW)));
    assertEquals("{\"observedGeneration\":2,\"replicas\":3,\"updatedReplicas\":3,\"unavailableReplicas\":3,"
        + "\"conditions\":[{\"type\":\"Available\",\"status\":\"False\",\"lastUpdateTime\":\"2024-05-01T10:00:00Z\","
        + "\"lastTransitionTime\":\"2024-05-01T10:00:00Z\",\"reason\":\"R\",\"message\":\"m\"}]}",
        status.writeInto(null).toString());
    assertNull(DeploymentStatus.of(status.writeInto(null)).collisionCount());
    assertEquals(status, DeploymentStatus.of(status.writeInto(null)));
    assertEquals(NOW, Rfc3339.parse(status.conditions().get(0).lastUpdateTime()));
  }
}
