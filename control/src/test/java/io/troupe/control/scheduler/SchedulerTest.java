package io.troupe.control.scheduler;

import static io.troupe.control.scheduler.Manifests.cluster;
import static io.troupe.control.scheduler.Manifests.podRequesting;
import static io.troupe.control.scheduler.Manifests.readyNode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SchedulerTest {

  private final Scheduler scheduler = Scheduler.withDefaultPlugins();
  private final RandomGenerator random = new SplittableRandom(42);

  private Decision schedule(PodInfo pod, ClusterView view) {
    return scheduler.schedule(pod, view, random);
  }

  private static String assigned(Decision decision) {
    return assertInstanceOf(Decision.Assign.class, decision, decision::toString).nodeName();
  }

  private static String unschedulable(Decision decision) {
    return assertInstanceOf(Decision.Unschedulable.class, decision, decision::toString).message();
  }

  /** A bunch of pods scheduled one after the other, each assumed onto its node before the next: where they went. */
  private record Placement(List<String> nodes, ClusterView view, List<String> failures) {}

  private Placement scheduleAll(ClusterView view, List<PodInfo> pods) {
    List<String> nodes = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (PodInfo pod : pods) {
      Decision decision = schedule(pod, view);
      if (decision instanceof Decision.Assign assign) {
        nodes.add(assign.nodeName());
        view = view.withPod(assign.nodeName(), pod);
      } else {
        failures.add(((Decision.Unschedulable) decision).message());
      }
    }
    return new Placement(nodes, view, failures);
  }

  private static PodInfo replica(String name, String owner, String labels, String spec) {
    return Manifests.pod("""
        metadata:
          name: %s
          namespace: default
          uid: uid-%s
          labels: {%s}
          ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: %s, uid: %s, controller: true}]
        spec:
        %s""".formatted(name, name, labels, owner, owner, spec.indent(2)));
  }

  @Test
  void resourcesFitUntilTheyRunOut() {
    ClusterView view = cluster(readyNode("n1", "2", "4Gi"), readyNode("n2", "2", "4Gi"));
    List<PodInfo> pods = new ArrayList<>();
    for (int i = 0; i < 5; i++) pods.add(podRequesting("p" + i, "1", "1Gi"));
    Placement placement = scheduleAll(view, pods);
    assertEquals(4, placement.nodes().size());
    assertEquals(2, placement.nodes().stream().filter("n1"::equals).count());
    assertEquals(List.of("0/2 nodes are available: 2 Insufficient cpu."), placement.failures());
    assertEquals(new Resources(2000, 2L << 30, 2), placement.view().node("n2").requested());
  }

  @Test
  void aPodTooBigForAnyNodeIsShortOfEverything() {
    ClusterView view = cluster(readyNode("n1", "2", "4Gi"), readyNode("n2", "1", "8Gi"), readyNode("n3", "4", "2Gi"));
    // n1 is short of both, n2 of cpu, n3 of memory: a node counts under each resource it lacks.
    assertEquals("0/3 nodes are available: 2 Insufficient cpu, 2 Insufficient memory.",
        unschedulable(schedule(podRequesting("big", "3", "5Gi"), view)));
  }

  @Test
  void nodeSelectorPicksTheLabelledNode() {
    ClusterView view = cluster(readyNode("n1", "4", "8Gi"), readyNode("n2", "4", "8Gi", "disktype=ssd"),
        readyNode("n3", "4", "8Gi", "disktype=hdd"));
    PodInfo pod = Manifests.pod("p", "", "nodeSelector: {disktype: ssd}");
    for (int i = 0; i < 20; i++) assertEquals("n2", assigned(schedule(pod, view)));
    assertEquals("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
        unschedulable(schedule(Manifests.pod("p", "", "nodeSelector: {disktype: nvme}"), view)));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      {key: tier, operator: In, values: [gold]}                   | gold
      {key: tier, operator: NotIn, values: [gold, silver, bronze]} | plain
      {key: gpu, operator: Exists}                                | silver
      {key: tier, operator: DoesNotExist}                         | plain
      {key: cores, operator: Gt, values: ["32"]}                  | gold
      {key: cores, operator: Lt, values: ["8"]}                   | bronze
      """)
  void eachNodeAffinityOperator(String expression, String node) {
    ClusterView view = cluster(
        readyNode("gold", "4", "8Gi", "tier=gold", "cores=64"),
        readyNode("silver", "4", "8Gi", "tier=silver", "cores=16", "gpu=t4"),
        readyNode("bronze", "4", "8Gi", "tier=bronze", "cores=4"),
        readyNode("plain", "4", "8Gi"));
    PodInfo pod = Manifests.pod("p", "", """
        affinity:
          nodeAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              nodeSelectorTerms:
              - matchExpressions: [%s]
        """.formatted(expression));
    for (int seed = 0; seed < 10; seed++) {
      assertEquals(node, assigned(scheduler.schedule(pod, view, new SplittableRandom(seed))));
    }
  }

  @Test
  void antiAffinitySpreadsThreeReplicasOnThreeNodesAndLeavesTheFourthPending() {
    ClusterView view = cluster(readyNode("n1", "4", "8Gi"), readyNode("n2", "4", "8Gi"), readyNode("n3", "4", "8Gi"));
    String spec = """
        affinity:
          podAntiAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: {matchLabels: {app: web}}
              topologyKey: kubernetes.io/hostname
        containers: [{name: web, image: nginx}]
        """;
    List<PodInfo> replicas = new ArrayList<>();
    for (int i = 1; i <= 4; i++) replicas.add(replica("web-" + i, "rs-web", "app: web", spec));
    Placement placement = scheduleAll(view, replicas);
    assertEquals(List.of("n1", "n2", "n3"), placement.nodes().stream().sorted().toList());
    assertEquals(List.of("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."),
        placement.failures());
  }

  @Test
  void taintsRepelPodsThatDoNotTolerateThem() {
    ClusterView view = cluster(
        Manifests.node("""
            metadata: {name: gpu-1, labels: {accelerator: gpu}}
            spec: {taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}
            status: {allocatable: {cpu: "8", memory: 32Gi, pods: "110"}, conditions: [{type: Ready, status: "True"}]}
            """),
        readyNode("small", "1", "1Gi"));
    PodInfo plain = podRequesting("plain", "500m", "512Mi");
    for (int i = 0; i < 10; i++) assertEquals("small", assigned(schedule(plain, view)));
    PodInfo trainer = Manifests.pod("trainer", "", """
        nodeSelector: {accelerator: gpu}
        tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]
        """);
    assertEquals("gpu-1", assigned(schedule(trainer, view)));
    assertEquals("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}.",
        unschedulable(schedule(podRequesting("big", "2", "512Mi"), view)));
  }

  @Test
  void notReadyAndCordonedNodesAreSkipped() {
    ClusterView view = cluster(
        Manifests.node("""
            metadata: {name: down}
            status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}, conditions: [{type: Ready, status: "False"}]}
            """),
        Manifests.node("""
            metadata: {name: lost}
            status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}, conditions: [{type: Ready, status: Unknown}]}
            """),
        Manifests.node("""
            metadata: {name: cordoned}
            spec: {unschedulable: true}
            status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}, conditions: [{type: Ready, status: "True"}]}
            """),
        readyNode("up", "4", "8Gi"));
    for (int i = 0; i < 10; i++) assertEquals("up", assigned(schedule(podRequesting("p", "1", "1Gi"), view)));
    assertEquals("0/4 nodes are available: 1 Insufficient cpu, "
            + "1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, "
            + "1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, "
            + "1 node(s) were unschedulable.",
        unschedulable(schedule(podRequesting("big", "5", "1Gi"), view)),
        "each node counts once, under the first filter it fails");
  }

  @Test
  void reasonsAreCountedAndSortedAsKubernetesPrintsThem() {
    ClusterView view = cluster(readyNode("n1", "1", "8Gi", "disktype=ssd"), readyNode("n2", "4", "8Gi"),
        readyNode("n3", "4", "8Gi"));
    // kube-scheduler sorts "<count> <reason>" strings whole, so "1 ..." comes before "2 ...".
    assertEquals("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.",
        unschedulable(schedule(Manifests.pod("p", "", """
            nodeSelector: {disktype: ssd}
            containers: [{name: app, resources: {requests: {cpu: "2"}}}]
            """), view)));
  }

  @Test
  void theLeastAllocatedNodeIsPreferred() {
    ClusterView view = cluster(readyNode("busy", "4", "8Gi"), readyNode("idle", "4", "8Gi"))
        .withPod("busy", podRequesting("existing", "2", "4Gi"));
    for (int seed = 0; seed < 20; seed++) {
      assertEquals("idle", assigned(scheduler.schedule(podRequesting("p", "500m", "512Mi"), view,
          new SplittableRandom(seed))));
    }
    ClusterView bigger = cluster(readyNode("small", "2", "4Gi"), readyNode("large", "16", "64Gi"));
    assertEquals("large", assigned(schedule(podRequesting("p", "1", "1Gi"), bigger)));
  }

  @Test
  void replicasOfOneOwnerSpreadAcrossZonesThenNodes() {
    List<NodeInfo> nodes = new ArrayList<>();
    for (String zone : List.of("a", "b", "c")) {
      for (int i = 1; i <= 3; i++) nodes.add(readyNode(zone + i, "8", "16Gi", NodeInfo.LABEL_ZONE + "=" + zone));
    }
    List<PodInfo> replicas = new ArrayList<>();
    for (int i = 1; i <= 6; i++) replicas.add(replica("web-" + i, "rs-web", "app: web", "{}"));
    Placement placement = scheduleAll(ClusterView.of(nodes), replicas);

    Map<String, Integer> perZone = new TreeMap<>();
    Map<String, Integer> perNode = new HashMap<>();
    for (String node : placement.nodes()) {
      perZone.merge(node.substring(0, 1), 1, Integer::sum);
      perNode.merge(node, 1, Integer::sum);
    }
    assertEquals(Map.of("a", 2, "b", 2, "c", 2), perZone);
    assertEquals(6, perNode.size(), "no node has two while others have none");
  }

  @Test
  void tiesAreBrokenAtRandomAndReproduciblyWithASeed() {
    ClusterView view = cluster(readyNode("n1", "4", "8Gi"), readyNode("n2", "4", "8Gi"), readyNode("n3", "4", "8Gi"),
        readyNode("n4", "4", "8Gi"));
    PodInfo pod = podRequesting("p", "1", "1Gi");
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    RandomGenerator a = new SplittableRandom(7);
    RandomGenerator b = new SplittableRandom(7);
    Map<String, Integer> chosen = new TreeMap<>();
    for (int i = 0; i < 400; i++) {
      first.add(assigned(scheduler.schedule(pod, view, a)));
      second.add(assigned(scheduler.schedule(pod, view, b)));
      chosen.merge(first.get(i), 1, Integer::sum);
    }
    assertEquals(first, second, "the same seed makes the same choices");
    assertEquals(List.of("n1", "n2", "n3", "n4"), List.copyOf(chosen.keySet()), "every tied node gets chosen");
    for (int count : chosen.values()) assertEquals(100, count, 40, "roughly evenly: " + chosen);
    List<String> other = new ArrayList<>();
    RandomGenerator c = new SplittableRandom(8);
    for (int i = 0; i < 400; i++) other.add(assigned(scheduler.schedule(pod, view, c)));
    assertNotEquals(first, other, "another seed, other choices");
  }

  @Test
  void aSingleFeasibleNodeIsChosenWithoutScoring() {
    ClusterView view = cluster(readyNode("n1", "1", "1Gi"), readyNode("n2", "4", "8Gi"));
    assertEquals("n2", assigned(schedule(podRequesting("p", "2", "1Gi"), view)));
  }

  @Test
  void anEmptyClusterHasNoNodes() {
    assertEquals("no nodes available to schedule pods",
        unschedulable(schedule(podRequesting("p", "1", "1Gi"), ClusterView.of(List.of()))));
  }

  static Stream<Arguments> feasibleNodesToFind() {
    return Stream.of(
        Arguments.of(0, 3, 3), Arguments.of(0, 99, 99), Arguments.of(0, 100, 100), Arguments.of(0, 200, 100),
        Arguments.of(0, 1000, 420), Arguments.of(0, 5000, 500), Arguments.of(0, 6000, 300),
        Arguments.of(0, 10000, 500), Arguments.of(10, 500, 100), Arguments.of(10, 5000, 500),
        Arguments.of(100, 5000, 5000), Arguments.of(50, 50, 50));
  }

  @ParameterizedTest(name = "{0}% of {1} nodes -> {2}")
  @MethodSource
  void feasibleNodesToFind(int percentage, int nodes, int expected) {
    assertEquals(expected, Scheduler.numFeasibleNodesToFind(percentage, nodes));
  }

  @Test
  void onALargeClusterTheSearchStopsEarlyButStillFindsTheOnlyFittingNode() {
    List<NodeInfo> nodes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) nodes.add(readyNode("n" + i, "1", "1Gi"));
    nodes.add(readyNode("big", "64", "256Gi"));
    ClusterView view = ClusterView.of(nodes);
    assertEquals("big", assigned(schedule(podRequesting("p", "8", "1Gi"), view)));
    Map<String, Integer> chosen = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      chosen.merge(assigned(schedule(podRequesting("q", "1", "1Gi"), view)), 1, Integer::sum);
    }
    // 420 of the 1001 nodes are looked at, from a random start: "big" wins when it is among them.
    assertTrue(chosen.size() > 1, "different pods look at different nodes: " + chosen);
    assertTrue(chosen.getOrDefault("big", 0) > 0, "the best node wins when it is looked at: " + chosen);
  }

  @Test
  void filtersRunInKubernetesOrder() {
    assertEquals(List.of("NodeUnschedulable", "NodeReady", "TaintToleration", "NodeAffinity", "NodeResourcesFit",
        "VolumeBinding", "InterPodAffinity"), scheduler.filterNames());
  }
}
