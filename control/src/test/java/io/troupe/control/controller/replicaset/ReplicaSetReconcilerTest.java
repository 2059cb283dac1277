package io.troupe.control.controller.replicaset;

import static io.troupe.control.controller.replicaset.TestPods.NOW;
import static io.troupe.control.controller.replicaset.TestPods.creates;
import static io.troupe.control.controller.replicaset.TestPods.deletes;
import static io.troupe.control.controller.replicaset.TestPods.eventMessages;
import static io.troupe.control.controller.replicaset.TestPods.pod;
import static io.troupe.control.controller.replicaset.TestPods.replicaSet;
import static io.troupe.control.controller.replicaset.TestPods.statusUpdates;
import static io.troupe.control.controller.replicaset.TestPods.updates;
import static io.troupe.control.controller.replicaset.TestPods.withSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.OwnerReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReplicaSetReconcilerTest {
  private static final KubeObject RS = replicaSet("web", 3);

  private final ReplicaSetReconciler reconciler = new ReplicaSetReconciler(new Random(42));

  private List<Action> reconcile(KubeObject rs, KubeObject... pods) {
    return reconciler.reconcile(rs, List.of(pods), NOW);
  }

  /** A ReplicaSet whose status already says what its healthy pods are. */
  private static KubeObject withStatus(KubeObject rs, int replicas) {
    return rs.withField("status", new ReplicaSetStatus(replicas, replicas, replicas, replicas, 1).writeInto(null));
  }

  @Test
  void createsTheMissingPodsFromTheTemplate() {
    List<Action> actions = reconcile(RS, pod("web-aaaaa").ownedBy(RS).build());

    List<Action.Create> creates = creates(actions);
    assertEquals(2, creates.size());
    List<String> expectedEvents = new ArrayList<>();
    for (Action.Create create : creates) {
      KubeObject pod = create.object();
      assertEquals("Pod", pod.kind());
      assertEquals("v1", pod.apiVersion());
      assertEquals("web-", pod.metadata().generateName());
      assertTrue(pod.metadata().name().matches("web-[bcdfghjklmnpqrstvwxz2456789]{5}"), pod.metadata().name());
      assertEquals("default", pod.metadata().namespace());
      assertEquals(Map.of("app", "web"), pod.metadata().labels());
      assertEquals(List.of(new OwnerReference("apps/v1", "ReplicaSet", "web", "uid-web", true, true)),
          pod.metadata().ownerReferences());
      assertEquals("web:1", pod.spec().path("containers").get(0).path("image").asText());
      expectedEvents.add("Created pod: " + pod.metadata().name());
    }
    assertNotEquals(creates.get(0).object().metadata().name(), creates.get(1).object().metadata().name());
    assertEquals(expectedEvents, eventMessages(actions));
    for (Action.RecordEvent e : TestPods.only(actions, Action.RecordEvent.class)) {
      assertEquals("SuccessfulCreate", e.reason());
      assertEquals("Normal", e.type());
      assertEquals(RS, e.involved());
    }
  }

  @Test
  void aConvergedReplicaSetAsksForNothing() {
    KubeObject rs = withStatus(RS, 3);
    assertEquals(List.of(), reconcile(rs, pod("a").ownedBy(rs).build(), pod("b").ownedBy(rs).build(),
        pod("c").ownedBy(rs).build()));
  }

  @Test
  void createsAtMostABurstPerReconcile() {
    List<Action> actions = reconciler.reconcile(withSpec(RS, "replicas", 600), List.of(), NOW);
    assertEquals(ReplicaSetReconciler.BURST_REPLICAS, creates(actions).size());
  }

  @Test
  void generatedNamesAvoidNamesInUse() {
    KubeObject one = withSpec(RS, "replicas", 1);
    String first = creates(new ReplicaSetReconciler(new Random(7)).reconcile(one, List.of(), NOW))
        .get(0).object().metadata().name();
    KubeObject taken = pod(first).labels(Map.of("app", "other")).build();
    String second = creates(new ReplicaSetReconciler(new Random(7)).reconcile(one, List.of(taken), NOW))
        .get(0).object().metadata().name();
    assertNotEquals(first, second);
  }

  @Test
  void longNamesAreCutSoTheGeneratedNameFitsALabel() {
    KubeObject rs = replicaSet("x".repeat(70), 1);
    String name = creates(reconcile(rs)).get(0).object().metadata().name();
    assertEquals(63, name.length());
  }

  @Test
  void deletesTheSurplusAndSaysWhich() {
    KubeObject rs = withSpec(RS, "replicas", 1);
    List<Action> actions = reconcile(rs,
        pod("old").ownedBy(rs).created(NOW.minusSeconds(300)).build(),
        pod("new").ownedBy(rs).created(NOW.minusSeconds(100)).build(),
        pod("newest").ownedBy(rs).created(NOW.minusSeconds(10)).build());

    assertEquals(List.of(new Action.Delete("Pod/default/newest", "uid-newest"),
        new Action.Delete("Pod/default/new", "uid-new")), deletes(actions));
    assertEquals(List.of("Deleted pod: newest", "Deleted pod: new"), eventMessages(actions));
  }

  /** Rows: which of two pods a ReplicaSet of one replica deletes, and why. */
  static Stream<Arguments> deletionPreference() {
    KubeObject rs = withSpec(RS, "replicas", 1);
    return Stream.of(
        Arguments.of("unscheduled before scheduled", pod("a").ownedBy(rs).unscheduled().phase("Pending").notReady()
            .created(NOW.minusSeconds(9000)), pod("b").ownedBy(rs).phase("Pending").notReady()),
        Arguments.of("Pending before Running", pod("a").ownedBy(rs).phase("Pending").notReady()
            .created(NOW.minusSeconds(9000)), pod("b").ownedBy(rs).notReady()),
        Arguments.of("Unknown before Running", pod("a").ownedBy(rs).phase("Unknown").created(NOW.minusSeconds(9000)),
            pod("b").ownedBy(rs)),
        Arguments.of("not ready before ready", pod("a").ownedBy(rs).notReady().created(NOW.minusSeconds(9000)),
            pod("b").ownedBy(rs)),
        Arguments.of("ready for less time first", pod("a").ownedBy(rs).readySince(NOW.minusSeconds(10))
            .created(NOW.minusSeconds(9000)), pod("b").ownedBy(rs).readySince(NOW.minusSeconds(20))),
        Arguments.of("more restarts first", pod("a").ownedBy(rs).restarts(3).created(NOW.minusSeconds(9000)),
            pod("b").ownedBy(rs)),
        Arguments.of("newest first", pod("a").ownedBy(rs).created(NOW.minusSeconds(10)),
            pod("b").ownedBy(rs).created(NOW.minusSeconds(20))),
        Arguments.of("by name when nothing else differs", pod("a").ownedBy(rs), pod("b").ownedBy(rs)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("deletionPreference")
  void scalingDownDeletesTheCheapestPod(String why, TestPods.Pod deleted, TestPods.Pod kept) {
    KubeObject rs = withSpec(RS, "replicas", 1);
    KubeObject a = deleted.build();
    KubeObject b = kept.build();
    assertEquals(List.of(new Action.Delete(a.key(), a.metadata().uid())), deletes(reconcile(rs, b, a)));
    assertEquals(List.of(new Action.Delete(a.key(), a.metadata().uid())), deletes(reconcile(rs, a, b)));
  }

  @Test
  void adoptsAMatchingOrphanAndCountsIt() {
    KubeObject rs = withSpec(RS, "replicas", 1);
    KubeObject orphan = pod("orphan").build();
    List<Action> actions = reconcile(rs, orphan);

    assertEquals(List.of(), creates(actions));
    KubeObject adopted = updates(actions).get(0).object();
    assertEquals("orphan", adopted.metadata().name());
    assertEquals("7", adopted.metadata().resourceVersion(), "the adoption is conditional on what was read");
    assertEquals(List.of(ControllerRefClaim.controllerRefTo(rs)), adopted.metadata().ownerReferences());
    assertEquals(1, ReplicaSetStatus.observed(statusUpdates(actions).get(0).object().status()).replicas());
  }

  /** Rows: pods a ReplicaSet of one replica neither adopts nor counts, so it creates one of its own. */
  static Stream<Arguments> notClaimed() {
    KubeObject other = replicaSet("other", 1);
    return Stream.of(
        Arguments.of("controlled by another ReplicaSet", pod("p").ownedBy(other)),
        Arguments.of("labels do not match", pod("p").labels(Map.of("app", "db"))),
        Arguments.of("orphan being deleted", pod("p").deleting()),
        Arguments.of("owned but being deleted", pod("p").ownedBy(RS).deleting()),
        Arguments.of("owned but Succeeded", pod("p").ownedBy(RS).phase("Succeeded")),
        Arguments.of("owned but Failed", pod("p").ownedBy(RS).phase("Failed")),
        Arguments.of("in another namespace", pod("p").namespace("other")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notClaimed")
  void podsThatDoNotCount(String why, TestPods.Pod pod) {
    List<Action> actions = reconcile(withSpec(RS, "replicas", 1), pod.build());
    assertEquals(List.of(), updates(actions));
    assertEquals(1, creates(actions).size());
  }

  @Test
  void releasesAnOwnedPodThatStopsMatchingAndReplacesIt() {
    KubeObject rs = withSpec(RS, "replicas", 1);
    KubeObject relabelled = pod("p").ownedBy(rs).labels(Map.of("app", "debug")).build();
    List<Action> actions = reconcile(rs, relabelled);

    KubeObject released = updates(actions).get(0).object();
    assertEquals("p", released.metadata().name());
    assertEquals(List.of(), released.metadata().ownerReferences());
    assertEquals(1, creates(actions).size());
  }

  @Test
  void aReplicaSetBeingDeletedDoesNothing() {
    KubeObject rs = RS.withMetadata(RS.metadata().withDeletion(Rfc3339.format(NOW), 0L));
    assertEquals(List.of(), reconcile(rs));
  }

  @Test
  void aTemplateTheSelectorDoesNotMatchCreatesNothing() {
    ObjectNode spec = ((ObjectNode) RS.spec()).deepCopy();
    spec.set("selector", Json.object().set("matchLabels", Json.object().put("app", "db")));
    KubeObject rs = RS.withField("spec", spec);
    assertEquals(List.of(), creates(reconcile(rs)));
  }

  /** Rows: the pods of a ReplicaSet with minReadySeconds 10, and the status they make. */
  static Stream<Arguments> statusCounts() {
    KubeObject rs = withSpec(RS, "minReadySeconds", 10);
    return Stream.of(
        Arguments.of("ready long enough", List.of(pod("a").ownedBy(rs)), new ReplicaSetStatus(1, 1, 1, 1, 1)),
        Arguments.of("ready exactly minReadySeconds", List.of(pod("a").ownedBy(rs).readySince(NOW.minusSeconds(10))),
            new ReplicaSetStatus(1, 1, 1, 1, 1)),
        Arguments.of("ready too recently", List.of(pod("a").ownedBy(rs).readySince(NOW.minusSeconds(9))),
            new ReplicaSetStatus(1, 1, 1, 0, 1)),
        Arguments.of("not ready", List.of(pod("a").ownedBy(rs).notReady()), new ReplicaSetStatus(1, 1, 0, 0, 1)),
        Arguments.of("one of two ready", List.of(pod("a").ownedBy(rs), pod("b").ownedBy(rs).notReady()),
            new ReplicaSetStatus(2, 2, 1, 1, 1)),
        Arguments.of("deleting and failed pods do not count", List.of(pod("a").ownedBy(rs),
            pod("b").ownedBy(rs).deleting(), pod("c").ownedBy(rs).phase("Failed")),
            new ReplicaSetStatus(1, 1, 1, 1, 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statusCounts")
  void statusCountsPods(String why, List<TestPods.Pod> pods, ReplicaSetStatus expected) {
    KubeObject rs = withSpec(RS, "minReadySeconds", 10);
    List<KubeObject> built = new ArrayList<>();
    for (TestPods.Pod p : pods) built.add(p.build());
    List<Action.UpdateStatus> writes = statusUpdates(reconciler.reconcile(rs, built, NOW));
    assertEquals(1, writes.size());
    assertEquals(expected, ReplicaSetStatus.observed(writes.get(0).object().status()));
    assertEquals("42", writes.get(0).object().metadata().resourceVersion());
  }

  @Test
  void fullyLabeledCountsOnlyPodsWithEveryTemplateLabel() {
    ObjectNode spec = ((ObjectNode) RS.spec()).deepCopy();
    ((ObjectNode) spec.path("template").path("metadata").path("labels")).put("tier", "front");
    KubeObject rs = RS.withField("spec", spec);
    KubeObject full = pod("a").ownedBy(rs).labels(Map.of("app", "web", "tier", "front")).build();
    KubeObject partial = pod("b").ownedBy(rs).build();
    ReplicaSetStatus status = ReplicaSetStatus.observed(
        statusUpdates(reconcile(rs, full, partial)).get(0).object().status());
    assertEquals(2, status.replicas());
    assertEquals(1, status.fullyLabeledReplicas());
  }

  @Test
  void statusIsWrittenAsKubernetesDoesAndOnlyWhenItChanged() {
    KubeObject rs = withSpec(RS, "replicas", 0).withMetadata(RS.metadata().withGeneration(4L));
    KubeObject written = statusUpdates(reconcile(rs)).get(0).object();
    assertEquals("{\"replicas\":0,\"observedGeneration\":4}", written.status().toString());
    assertEquals(List.of(), reconcile(written));
  }

  @Test
  void otherStatusFieldsAreKept() {
    KubeObject rs = withSpec(RS, "replicas", 0).withField("status", Json.object()
        .put("replicas", 1).set("conditions", Json.MAPPER.createArrayNode()));
    KubeObject written = statusUpdates(reconcile(rs)).get(0).object();
    assertTrue(written.status().has("conditions"));
    assertFalse(written.status().has("readyReplicas"));
  }

  @Test
  void availabilityCheckIsWhenTheFirstReadyPodBecomesAvailable() {
    KubeObject rs = withSpec(RS, "minReadySeconds", 30);
    List<KubeObject> pods = List.of(
        pod("a").ownedBy(rs).readySince(NOW.minusSeconds(10)).build(),
        pod("b").ownedBy(rs).readySince(NOW.minusSeconds(20)).build(),
        pod("c").ownedBy(rs).readySince(NOW.minusSeconds(60)).build(),
        pod("d").ownedBy(rs).notReady().build());
    assertEquals(Optional.of(NOW.plusSeconds(10)), ReplicaSetReconciler.availabilityCheckAt(rs, pods, NOW));
    assertEquals(Optional.empty(), ReplicaSetReconciler.availabilityCheckAt(RS, pods, NOW));
  }

  @Test
  void timestampsAreWholeSecondsInUtc() {
    assertEquals("2024-05-01T10:00:00Z", Rfc3339.format(NOW.plusMillis(999)));
    assertEquals(Instant.parse("2024-05-01T08:00:00Z"), Rfc3339.parse("2024-05-01T10:00:00+02:00"));
    assertEquals(null, Rfc3339.parse("yesterday"));
  }
}
