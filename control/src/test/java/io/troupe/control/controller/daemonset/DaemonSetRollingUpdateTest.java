package io.troupe.control.controller.daemonset;

import static io.troupe.control.controller.daemonset.DaemonSetFixtures.NOW;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.built;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.container;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.createdFor;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.daemonSet;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.deletedNames;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.editPodSpec;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.editSpec;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.node;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.only;
import static io.troupe.control.controller.daemonset.DaemonSetFixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DaemonSetRollingUpdateTest {
  private static final KubeObject DS = daemonSet();
  private static final Consumer<ObjectNode> TO_V2 = spec -> container(spec).put("image", "agent:2");

  private static SimulatedCluster convergedOn(KubeObject ds, String... nodes) {
    List<KubeObject> built = new ArrayList<>();
    for (String n : nodes) built.add(node(n).build());
    SimulatedCluster cluster = new SimulatedCluster(ds, built);
    cluster.converge(5);
    return cluster;
  }

  private static Map<String, List<String>> all(String hash, String... nodes) {
    Map<String, List<String>> out = new TreeMap<>();
    for (String n : nodes) out.put(n, List.of(hash));
    return out;
  }

  @Test
  void rollsThreeNodesOneAtATime() {
    SimulatedCluster cluster = convergedOn(DS, "a", "b", "c");
    String v1 = DaemonSetReconciler.templateHash(DS);
    cluster.editTemplate(TO_V2);
    String v2 = DaemonSetReconciler.templateHash(cluster.daemonSet);
    List<String> eligible = List.of("a", "b", "c");

    // Each node takes two rounds: its old pod is deleted, then its new one created (Ready at once).
    List<String> order = new ArrayList<>();
    for (int round = 1; round <= 6; round++) {
      List<Action> actions = cluster.step();
      List<Action.Delete> deletes = only(actions, Action.Delete.class);
      List<String> creates = createdFor(actions);
      if (round % 2 == 1) {
        assertEquals(1, deletes.size(), "round " + round + " deletes one old pod");
        assertEquals(List.of(), creates, "round " + round);
      } else {
        assertEquals(0, deletes.size(), "round " + round);
        assertEquals(1, creates.size(), "round " + round + " replaces it");
        order.add(creates.get(0));
      }
      assertTrue(cluster.nodesWithoutAvailablePod(eligible).size() <= 1,
          "round " + round + ": " + cluster.nodesWithoutAvailablePod(eligible));
    }
    assertEquals(List.of("a", "b", "c"), order);
    assertEquals(all(v2, "a", "b", "c"), cluster.hashesByNode());
    cluster.converge(3);
    assertEquals(new DaemonSetStatus(3, 3, 0, 3, 3, 0, 3, 2), DaemonSetStatus.observed(cluster.daemonSet.status()));
    assertNotEquals(v1, v2);
  }

  @Test
  void neverMoreThanOneNodeDownWhenPodsTakeTimeToBeReady() {
    SimulatedCluster cluster = convergedOn(DS, "a", "b", "c");
    cluster.editTemplate(TO_V2);
    cluster.podsReadyAtOnce = false;
    List<String> eligible = List.of("a", "b", "c");
    for (int round = 1; round <= 30; round++) {
      cluster.step();
      assertTrue(cluster.nodesWithoutAvailablePod(eligible).size() <= 1, "round " + round);
      if (round % 3 == 0) { // the kubelets report the new pods Ready now and then
        cluster.pods.replaceAll((name, pod) -> cluster.ready(pod, true));
      }
    }
    assertEquals(all(DaemonSetReconciler.templateHash(cluster.daemonSet), "a", "b", "c"), cluster.hashesByNode());
  }

  /** Rows: maxUnavailable over 4 nodes, and how many old pods the first round deletes. */
  static Stream<Arguments> budgets() {
    return Stream.of(
        Arguments.of("default", null, 1),
        Arguments.of("2", Json.MAPPER.getNodeFactory().numberNode(2), 2),
        Arguments.of("\"3\"", Json.MAPPER.getNodeFactory().textNode("3"), 3),
        Arguments.of("50%", Json.MAPPER.getNodeFactory().textNode("50%"), 2),
        Arguments.of("30% rounds up", Json.MAPPER.getNodeFactory().textNode("30%"), 2),
        Arguments.of("0 still moves", Json.MAPPER.getNodeFactory().numberNode(0), 1),
        Arguments.of("more than the nodes", Json.MAPPER.getNodeFactory().numberNode(9), 4));
  }

  @ParameterizedTest(name = "maxUnavailable {0}")
  @MethodSource("budgets")
  void maxUnavailableBoundsTheFirstRound(String why, JsonNode value, int deleted) {
    KubeObject ds = editSpec(DS, spec -> {
      ObjectNode strategy = spec.putObject("updateStrategy").put("type", "RollingUpdate");
      if (value != null) strategy.putObject("rollingUpdate").set("maxUnavailable", value);
    });
    KubeObject v2 = editPodSpec(ds, TO_V2);
    List<KubeObject> pods = built(pod("pa", ds, "a"), pod("pb", ds, "b"), pod("pc", ds, "c"), pod("pd", ds, "d"));
    List<Action> actions = new DaemonSetReconciler(new Random(1)).reconcile(v2,
        built(node("a"), node("b"), node("c"), node("d")), pods, NOW);
    assertEquals(List.of("pa", "pb", "pc", "pd").subList(0, deleted), deletedNames(actions));
  }

  @Test
  void unavailableOldPodsAreReplacedOutsideTheBudget() {
    KubeObject v2 = editPodSpec(DS, TO_V2);
    List<KubeObject> pods = built(pod("pa", DS, "a").notReady(), pod("pb", DS, "b").notReady(), pod("pc", DS, "c"));
    List<Action> actions = new DaemonSetReconciler(new Random(1)).reconcile(v2,
        built(node("a"), node("b"), node("c")), pods, NOW);
    assertEquals(List.of("pa", "pb"), deletedNames(actions),
        "two broken old pods go, and with two nodes already down the healthy one waits");
  }

  @Test
  void anUnavailableNewPodUsesTheBudget() {
    KubeObject v2 = editPodSpec(DS, TO_V2);
    List<KubeObject> pods = built(pod("pa", v2, "a").notReady(), pod("pb", DS, "b"), pod("pc", DS, "c"));
    List<Action> actions = new DaemonSetReconciler(new Random(1)).reconcile(v2,
        built(node("a"), node("b"), node("c")), pods, NOW);
    assertEquals(List.of(), deletedNames(actions));
  }

  @Test
  void rollingWaitsWhileTheCoreLoopHasWork() {
    KubeObject v2 = editPodSpec(DS, TO_V2);
    List<KubeObject> pods = built(pod("pb", DS, "b"), pod("pc", DS, "c"));
    List<Action> actions = new DaemonSetReconciler(new Random(1)).reconcile(v2,
        built(node("a"), node("b"), node("c")), pods, NOW);
    assertEquals(List.of("a"), createdFor(actions));
    assertEquals(List.of(), deletedNames(actions));
  }

  @Test
  void onDeleteReplacesOnlyWhatTheUserDeletes() {
    KubeObject ds = editSpec(DS, spec -> spec.putObject("updateStrategy").put("type", "OnDelete"));
    SimulatedCluster cluster = convergedOn(ds, "a", "b", "c");
    String v1 = DaemonSetReconciler.templateHash(ds);
    cluster.editTemplate(TO_V2);
    String v2 = DaemonSetReconciler.templateHash(cluster.daemonSet);

    List<Action> afterEdit = cluster.step();
    assertEquals(List.of(), only(afterEdit, Action.Delete.class));
    assertEquals(List.of(), only(afterEdit, Action.Create.class));
    assertEquals(0, DaemonSetStatus.observed(cluster.daemonSet.status()).updatedNumberScheduled());
    assertEquals(List.of(), cluster.step());

    String onB = null;
    for (KubeObject pod : cluster.pods.values()) {
      if ("b".equals(pod.spec().path("nodeName").asText())) onB = pod.metadata().name();
    }
    cluster.deletePod(onB);
    assertEquals(List.of("b"), createdFor(cluster.step()));
    cluster.converge(3);
    assertEquals(Map.of("a", List.of(v1), "b", List.of(v2), "c", List.of(v1)), cluster.hashesByNode());
    assertEquals(1, DaemonSetStatus.observed(cluster.daemonSet.status()).updatedNumberScheduled());
  }
}
