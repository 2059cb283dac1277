package io.troupe.control.controller.daemonset;

import static io.troupe.control.controller.daemonset.DaemonSetFixtures.NOW;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.built;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.created;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.createdFor;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.daemonSet;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.deletedNames;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.editPodSpec;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.editSpec;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.eventMessages;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.node;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.only;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.ControllerRefClaim;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.plugins.nodeaffinity.NodeAffinity;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DaemonSetReconcilerTest {
  private static final KubeObject DS = daemonSet();

  private final DaemonSetReconciler reconciler = new DaemonSetReconciler(new Random(42));

  private List<Action> reconcile(KubeObject ds, List<KubeObject> nodes, List<KubeObject> pods) {
    return reconciler.reconcile(ds, nodes, pods, NOW);
  }

  private static DaemonSetStatus writtenStatus(List<Action> actions) {
    List<Action.UpdateStatus> writes = only(actions, Action.UpdateStatus.class);
    assertEquals(1, writes.size(), "one status write");
    return DaemonSetStatus.observed(writes.get(0).object().status());
  }

  @Test
  void createsOnePodPinnedToEachNode() {
    List<Action> actions = reconcile(DS, built(node("a"), node("b"), node("c")), List.of());

    assertEquals(List.of("a", "b", "c"), createdFor(actions));
    List<String> expectedEvents = new ArrayList<>();
    for (KubeObject pod : created(actions)) {
      assertEquals("agent-", pod.metadata().generateName());
      assertTrue(pod.metadata().name().matches("agent-[bcdfghjklmnpqrstvwxz2456789]{5}"), pod.metadata().name());
      assertEquals("default", pod.metadata().namespace());
      assertEquals(Map.of("app", "agent", "controller-revision-hash", DaemonSetReconciler.templateHash(DS)),
          pod.metadata().labels());
      assertEquals(List.of(ControllerRefClaim.controllerRefTo(DS)), pod.metadata().ownerReferences());
      assertTrue(Boolean.TRUE.equals(pod.metadata().ownerReferences().get(0).controller()));
      assertFalse(pod.spec().has("nodeName"), "the scheduler binds it");
      assertEquals("agent:1", pod.spec().path("containers").get(0).path("image").asText());
      expectedEvents.add("SuccessfulCreate: Created pod: " + pod.metadata().name());
    }
    assertEquals(expectedEvents, eventMessages(actions));
  }

  @Test
  void theCreatedPodFitsOnlyItsNodeForTheScheduler() {
    KubeObject pod = created(reconcile(DS, built(node("a")), List.of())).get(0);
    JsonNode field = pod.spec().path("affinity").path("nodeAffinity")
        .path("requiredDuringSchedulingIgnoredDuringExecution").path("nodeSelectorTerms").get(0)
        .path("matchFields").get(0);
    assertEquals("{\"key\":\"metadata.name\",\"operator\":\"In\",\"values\":[\"a\"]}", field.toString());
    PodInfo info = PodInfo.from(pod);
    assertTrue(NodeAffinity.fits(info, NodeEligibility.nodeInfo(node("a").build())));
    assertFalse(NodeAffinity.fits(info, NodeEligibility.nodeInfo(node("b").build())));
  }

  @Test
  void createdPodsCarryTheDaemonTolerations() {
    KubeObject ds = editPodSpec(DS, spec -> spec.putArray("tolerations").addObject()
        .put("key", "node.kubernetes.io/not-ready").put("operator", "Exists").put("effect", "NoExecute")
        .put("tolerationSeconds", 300));
    KubeObject pod = created(reconcile(ds, built(node("a")), List.of())).get(0);
    List<String> tolerations = new ArrayList<>();
    for (JsonNode t : pod.spec().path("tolerations")) tolerations.add(t.toString());
    assertEquals(List.of(
        "{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}",
        "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\"}",
        "{\"key\":\"node.kubernetes.io/disk-pressure\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}",
        "{\"key\":\"node.kubernetes.io/memory-pressure\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}",
        "{\"key\":\"node.kubernetes.io/pid-pressure\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}",
        "{\"key\":\"node.kubernetes.io/unschedulable\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}"),
        tolerations, "the template's own not-ready toleration loses its tolerationSeconds, none is doubled");
  }

  @Test
  void requiredAffinityTermsOfTheTemplateAreReplacedByThePin() {
    KubeObject ds = editPodSpec(DS, spec -> spec.set("affinity", Json.toTree(Map.of("nodeAffinity", Map.of(
        "requiredDuringSchedulingIgnoredDuringExecution", Map.of("nodeSelectorTerms", List.of(Map.of(
            "matchExpressions", List.of(Map.of("key", "disk", "operator", "In", "values", List.of("ssd")))))))))));
    List<Action> actions = reconcile(ds, built(node("a").label("disk", "ssd"), node("b")), List.of());
    assertEquals(List.of("a"), createdFor(actions));
    JsonNode terms = created(actions).get(0).spec().path("affinity").path("nodeAffinity")
        .path("requiredDuringSchedulingIgnoredDuringExecution").path("nodeSelectorTerms");
    assertEquals(1, terms.size());
    assertFalse(terms.get(0).has("matchExpressions"));
  }

  private static Consumer<ObjectNode> toleration(String key, String operator, String value, String effect) {
    return spec -> {
      ObjectNode t = spec.putArray("tolerations").addObject().put("operator", operator);
      if (key != null) t.put("key", key);
      if (value != null) t.put("value", value);
      if (effect != null) t.put("effect", effect);
    };
  }

  /** Rows: a node and a change to the template; whether the node gets a daemon pod. */
  static Stream<Arguments> eligibility() {
    Consumer<ObjectNode> none = spec -> { };
    Consumer<ObjectNode> ssdOnly = spec -> spec.putObject("nodeSelector").put("disk", "ssd");
    Consumer<ObjectNode> affinityZoneA = spec -> spec.set("affinity", Json.toTree(Map.of("nodeAffinity", Map.of(
        "requiredDuringSchedulingIgnoredDuringExecution", Map.of("nodeSelectorTerms", List.of(Map.of(
            "matchExpressions", List.of(Map.of("key", "zone", "operator", "In", "values", List.of("a"))))))))));
    return Stream.of(
        Arguments.of("a plain node", node("n"), none, true),
        Arguments.of("node selector matches", node("n").label("disk", "ssd"), ssdOnly, true),
        Arguments.of("node selector does not match", node("n").label("disk", "hdd"), ssdOnly, false),
        Arguments.of("node selector label missing", node("n"), ssdOnly, false),
        Arguments.of("required affinity matches", node("n").label("zone", "a"), affinityZoneA, true),
        Arguments.of("required affinity does not match", node("n").label("zone", "b"), affinityZoneA, false),
        Arguments.of("untolerated NoSchedule taint", node("n").taint("dedicated", "gpu", "NoSchedule"), none, false),
        Arguments.of("tolerated NoSchedule taint", node("n").taint("dedicated", "gpu", "NoSchedule"),
            toleration("dedicated", "Equal", "gpu", "NoSchedule"), true),
        Arguments.of("toleration for another value", node("n").taint("dedicated", "gpu", "NoSchedule"),
            toleration("dedicated", "Equal", "db", "NoSchedule"), false),
        Arguments.of("untolerated NoExecute taint", node("n").taint("dedicated", "gpu", "NoExecute"), none, false),
        Arguments.of("tolerate-everything toleration", node("n").taint("dedicated", "gpu", "NoExecute"),
            toleration(null, "Exists", null, null), true),
        Arguments.of("PreferNoSchedule taint is no bar", node("n").taint("dedicated", "gpu", "PreferNoSchedule"),
            none, true),
        Arguments.of("cordoned node", node("n").cordoned(), none, true),
        Arguments.of("cordoned node with its taint", node("n").cordoned()
            .taint("node.kubernetes.io/unschedulable", null, "NoSchedule"), none, true),
        Arguments.of("not-ready node", node("n").taint("node.kubernetes.io/not-ready", null, "NoExecute"), none, true),
        Arguments.of("unreachable node", node("n").taint("node.kubernetes.io/unreachable", null, "NoExecute"), none,
            true),
        Arguments.of("memory pressure", node("n").taint("node.kubernetes.io/memory-pressure", null, "NoSchedule"),
            none, true),
        Arguments.of("network unavailable", node("n").taint("node.kubernetes.io/network-unavailable", null,
            "NoSchedule"), none, false),
        Arguments.of("network unavailable, host network",
            node("n").taint("node.kubernetes.io/network-unavailable", null, "NoSchedule"),
            (Consumer<ObjectNode>) spec -> spec.put("hostNetwork", true), true),
        Arguments.of("node being deleted", node("n").deleting(), none, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("eligibility")
  void eligibleNodesGetAPod(String why, DaemonSetFixtures.Node node, Consumer<ObjectNode> template, boolean gets) {
    KubeObject ds = editPodSpec(DS, template);
    List<Action> actions = reconcile(ds, built(node), List.of());
    assertEquals(gets ? List.of("n") : List.of(), createdFor(actions));
    assertEquals(gets ? 1 : 0, writtenStatus(actions).desiredNumberScheduled());
  }

  /**
   * Rows: a node that has a daemon pod; whether the pod is deleted, and whether it counts as misscheduled (the
   * status describes what was observed, before the delete lands).
   */
  static Stream<Arguments> existingPods() {
    return Stream.of(
        Arguments.of("still eligible", node("n").label("disk", "ssd"), false, 0),
        Arguments.of("cordoned since", node("n").label("disk", "ssd").cordoned(), false, 0),
        Arguments.of("lost the selected label", node("n").label("disk", "hdd"), true, 1),
        Arguments.of("NoExecute taint since", node("n").label("disk", "ssd").taint("k", "v", "NoExecute"), true, 1),
        Arguments.of("NoSchedule taint since: kept, misscheduled", node("n").label("disk", "ssd")
            .taint("k", "v", "NoSchedule"), false, 1),
        Arguments.of("node being deleted", node("n").label("disk", "ssd").deleting(), true, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("existingPods")
  void podsOnNodesThatStopQualifying(String why, DaemonSetFixtures.Node node, boolean deleted, int misscheduled) {
    KubeObject ds = editPodSpec(DS, spec -> spec.putObject("nodeSelector").put("disk", "ssd"));
    List<Action> actions = reconcile(ds, built(node), built(pod("p", ds, "n")));
    assertEquals(deleted ? List.of("p") : List.of(), deletedNames(actions));
    assertEquals(List.of(), created(actions));
    assertEquals(misscheduled, writtenStatus(actions).numberMisscheduled());
  }

  @Test
  void podsOfNodesThatAreGoneAreDeleted() {
    List<Action> actions = reconcile(DS, built(node("a")),
        built(pod("pa", DS, "a"), pod("gone", DS, "b"), pod("pinned", DS, "x").pinnedTo("c")));
    assertEquals(List.of("gone", "pinned"), deletedNames(actions));
    assertEquals(List.of(), created(actions));
  }

  @Test
  void nodesJoiningAndLeaving() {
    SimulatedCluster cluster = new SimulatedCluster(DS, built(node("a"), node("b")));
    cluster.converge(5);
    assertEquals(List.of("a", "b"), List.copyOf(cluster.hashesByNode().keySet()));

    cluster.nodes.put("c", node("c").build());
    List<Action> joined = cluster.step();
    assertEquals(List.of("c"), createdFor(joined));
    cluster.converge(5);
    assertEquals(List.of("a", "b", "c"), List.copyOf(cluster.hashesByNode().keySet()));

    cluster.nodes.remove("a");
    List<Action> left = cluster.step();
    assertEquals(1, only(left, Action.Delete.class).size());
    cluster.converge(5);
    assertEquals(List.of("b", "c"), List.copyOf(cluster.hashesByNode().keySet()));
    DaemonSetStatus status = DaemonSetStatus.observed(cluster.daemonSet.status());
    assertEquals(new DaemonSetStatus(2, 2, 0, 2, 2, 0, 2, 1), status);
  }

  @Test
  void duplicatesOnANodeKeepTheOldest() {
    List<Action> actions = reconcile(DS, built(node("a")), built(
        pod("young", DS, "a").created(NOW.minusSeconds(10)),
        pod("old", DS, "a").created(NOW.minusSeconds(500)),
        pod("middle", DS, "a").created(NOW.minusSeconds(100))));
    assertEquals(List.of("middle", "young"), deletedNames(actions));
    assertEquals(List.of("SuccessfulDelete: Deleted pod: middle", "SuccessfulDelete: Deleted pod: young"),
        eventMessages(actions));
  }

  @Test
  void aBoundDuplicateIsKeptOverAnOlderUnboundOne() {
    List<Action> actions = reconcile(DS, built(node("a")), built(
        pod("bound", DS, "a").created(NOW.minusSeconds(10)),
        pod("pending", DS, "x").pinnedTo("a").created(NOW.minusSeconds(500))));
    assertEquals(List.of("pending"), deletedNames(actions));
  }

  @Test
  void aPodNotYetBoundCountsForItsNode() {
    List<Action> actions = reconcile(DS, built(node("a")), built(pod("p", DS, "x").pinnedTo("a").notReady()));
    assertEquals(List.of(), created(actions));
    assertEquals(List.of(), deletedNames(actions));
    assertEquals(new DaemonSetStatus(1, 1, 0, 0, 0, 1, 1, 1), writtenStatus(actions));
  }

  @Test
  void aPodBeingDeletedBlocksItsReplacementUntilGone() {
    List<Action> actions = reconcile(DS, built(node("a")), built(pod("p", DS, "a").deleting()));
    assertEquals(List.of(), created(actions));
    assertEquals(List.of(), deletedNames(actions));
  }

  @Test
  void aFailedPodIsDeletedWithAWarningAndReplacedNextRound() {
    List<Action> actions = reconcile(DS, built(node("a")), built(pod("p", DS, "a").phase("Failed")));
    assertEquals(List.of("p"), deletedNames(actions));
    assertEquals(List.of(), created(actions));
    Action.RecordEvent warning = only(actions, Action.RecordEvent.class).get(0);
    assertEquals("Warning", warning.type());
    assertEquals("FailedDaemonPod", warning.reason());
    assertEquals("Found failed daemon pod default/p on node a, will try to kill it", warning.message());
    assertEquals(List.of("a"), createdFor(reconcile(DS, built(node("a")), List.of())));
  }

  @Test
  void adoptsAMatchingOrphanOnANode() {
    List<Action> actions = reconcile(DS, built(node("a")), built(pod("orphan", DS, "a").orphan()));
    assertEquals(List.of(), created(actions));
    KubeObject adopted = only(actions, Action.Update.class).get(0).object();
    assertEquals(List.of(ControllerRefClaim.controllerRefTo(DS)), adopted.metadata().ownerReferences());
    assertEquals("7", adopted.metadata().resourceVersion());
  }

  @Test
  void releasesARelabelledPodAndReplacesIt() {
    List<Action> actions = reconcile(DS, built(node("a")),
        built(pod("p", DS, "a").labels(Map.of("app", "debug"))));
    assertEquals(List.of(), only(actions, Action.Update.class).get(0).object().metadata().ownerReferences());
    assertEquals(List.of("a"), createdFor(actions));
  }

  @Test
  void podsOfAnotherControllerAreLeftAlone() {
    KubeObject other = DS.withMetadata(new ObjectMeta("other", null, "default", "uid-other", "1", 1L, null, null,
        null, null, null, null, null));
    List<Action> actions = reconcile(DS, built(node("a")), built(pod("theirs", other, "a").hash("x")));
    assertEquals(List.of("a"), createdFor(actions));
    assertEquals(List.of(), deletedNames(actions));
    assertEquals(List.of(), only(actions, Action.Update.class));
  }

  @Test
  void aDaemonSetBeingDeletedDoesNothing() {
    KubeObject ds = DS.withMetadata(DS.metadata().withDeletion(Rfc3339.format(NOW), 0L));
    assertEquals(List.of(), reconcile(ds, built(node("a")), List.of()));
  }

  @Test
  void aTemplateTheSelectorDoesNotMatchCreatesNothing() {
    KubeObject ds = editSpec(DS, spec -> ((ObjectNode) spec.path("selector").path("matchLabels")).put("app", "x"));
    assertEquals(List.of(), created(reconcile(ds, built(node("a")), List.of())));
  }

  @Test
  void theTemplateHashIgnoresFieldOrderAndFollowsChanges() {
    KubeObject reordered = editSpec(DS, spec -> {
      ObjectNode template = Json.object();
      template.set("spec", spec.path("template").path("spec").deepCopy());
      template.set("metadata", spec.path("template").path("metadata").deepCopy());
      spec.set("template", template);
    });
    assertEquals(DaemonSetReconciler.templateHash(DS), DaemonSetReconciler.templateHash(reordered));
    KubeObject v2 = editPodSpec(DS, spec -> DaemonSetFixtures.container(spec).put("image", "agent:2"));
    assertNotEquals(DaemonSetReconciler.templateHash(DS), DaemonSetReconciler.templateHash(v2));
    assertTrue(DaemonSetReconciler.templateHash(DS).matches("[bcdfghjklmnpqrstvwxz2456789]+"));
  }

  /** Rows: pods on three eligible nodes a, b, c (and d, which the selector rules out), and the status. */
  static Stream<Arguments> statusCounts() {
    KubeObject ds = editPodSpec(DS, spec -> spec.putObject("nodeSelector").put("role", "worker"));
    String old = "oldhash";
    return Stream.of(
        Arguments.of("nothing yet", List.of(), new DaemonSetStatus(3, 0, 0, 0, 0, 3, 0, 2)),
        Arguments.of("all ready", List.of(pod("a", ds, "a"), pod("b", ds, "b"), pod("c", ds, "c")),
            new DaemonSetStatus(3, 3, 0, 3, 3, 0, 3, 2)),
        Arguments.of("one not ready", List.of(pod("a", ds, "a"), pod("b", ds, "b").notReady()),
            new DaemonSetStatus(3, 2, 0, 1, 1, 2, 2, 2)),
        Arguments.of("ready too recently for minReadySeconds", List.of(pod("a", ds, "a").readySince(NOW)),
            new DaemonSetStatus(3, 1, 0, 1, 0, 3, 1, 2)),
        Arguments.of("one old", List.of(pod("a", ds, "a").hash(old), pod("b", ds, "b")),
            new DaemonSetStatus(3, 2, 0, 2, 2, 1, 1, 2)),
        Arguments.of("one misscheduled", List.of(pod("a", ds, "a"), pod("d", ds, "d")),
            new DaemonSetStatus(3, 1, 1, 1, 1, 2, 1, 2)),
        Arguments.of("a duplicate counts once, by its oldest", List.of(pod("a", ds, "a").hash(old),
            pod("a2", ds, "a").created(NOW.minusSeconds(5))), new DaemonSetStatus(3, 1, 0, 1, 1, 2, 0, 2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statusCounts")
  void statusCountsNodes(String why, List<DaemonSetFixtures.Pod> pods, DaemonSetStatus expected) {
    KubeObject ds = editSpec(editPodSpec(DS, spec -> spec.putObject("nodeSelector").put("role", "worker")),
        spec -> spec.put("minReadySeconds", 10));
    List<KubeObject> nodes = built(node("a").label("role", "worker"), node("b").label("role", "worker"),
        node("c").label("role", "worker"), node("d"));
    assertEquals(expected, writtenStatus(reconcile(ds, nodes, built(pods.toArray(new DaemonSetFixtures.Pod[0])))));
  }

  @Test
  void statusIsWrittenAsKubernetesDoesAndOnlyWhenItChanged() {
    KubeObject ds = DS.withMetadata(DS.metadata().withGeneration(4L));
    KubeObject written = only(reconcile(ds, List.of(), List.of()), Action.UpdateStatus.class).get(0).object();
    assertEquals("{\"currentNumberScheduled\":0,\"numberMisscheduled\":0,\"desiredNumberScheduled\":0,"
        + "\"numberReady\":0,\"observedGeneration\":4}", written.status().toString());
    assertEquals("42", written.metadata().resourceVersion());
    assertEquals(List.of(), reconcile(written, List.of(), List.of()));
  }

  @Test
  void aConvergedDaemonSetAsksForNothingAndKeepsOtherStatusFields() {
    List<KubeObject> nodes = built(node("a"), node("b"));
    List<KubeObject> pods = built(pod("pa", DS, "a"), pod("pb", DS, "b"));
    KubeObject ds = DS.withField("status", new DaemonSetStatus(2, 2, 0, 2, 2, 0, 2, 1)
        .writeInto(Json.object().put("collisionCount", 1)));
    assertEquals(List.of(), reconcile(ds, nodes, pods));
    KubeObject stale = DS.withField("status", Json.object().put("collisionCount", 1));
    JsonNode written = only(reconcile(stale, nodes, pods), Action.UpdateStatus.class).get(0).object().status();
    assertEquals(1, written.path("collisionCount").asInt());
    assertEquals(2, written.path("numberAvailable").asInt());
  }
}
