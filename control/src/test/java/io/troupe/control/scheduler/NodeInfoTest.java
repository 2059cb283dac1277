package io.troupe.control.scheduler;

import io.troupe.persistence.model.QuantityFormatException;
import static io.troupe.control.scheduler.Manifests.node;
import static io.troupe.control.scheduler.Manifests.pod;
import static io.troupe.control.scheduler.Manifests.podRequesting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeInfoTest {

  private static final long GI = 1024L * 1024 * 1024;

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      [{type: Ready, status: "True"}]                                      | TRUE
      [{type: Ready, status: "False"}]                                     | FALSE
      [{type: Ready, status: Unknown}]                                     | UNKNOWN
      [{type: MemoryPressure, status: "False"}, {type: Ready, status: "True"}] | TRUE
      [{type: MemoryPressure, status: "True"}]                             | UNKNOWN
      []                                                                   | UNKNOWN
      """)
  void readyCondition(String conditions, ConditionStatus ready) {
    assertEquals(ready, node("metadata: {name: n1}\nstatus: {conditions: " + conditions + "}").ready());
  }

  @Test
  void readsANode() {
    NodeInfo node = node("""
        metadata:
          name: n1
          labels: {kubernetes.io/hostname: n1, topology.kubernetes.io/zone: eu-1a}
        spec:
          unschedulable: true
          taints:
          - {key: dedicated, value: gpu, effect: NoSchedule}
          - {key: maintenance, effect: PreferNoSchedule}
        status:
          capacity: {cpu: "8", memory: 32Gi, pods: "250"}
          allocatable: {cpu: 7800m, memory: 30Gi, pods: "110"}
          conditions: [{type: Ready, status: "True"}]
        """);
    assertEquals("n1", node.name());
    assertEquals("eu-1a", node.labels().get(NodeInfo.LABEL_ZONE));
    assertTrue(node.unschedulable());
    assertEquals(List.of(new Taint("dedicated", "gpu", "NoSchedule"), new Taint("maintenance", "", "PreferNoSchedule")),
        node.taints());
    assertEquals(new Resources(7800, 30 * GI, 110), node.allocatable());
    assertEquals(Resources.ZERO, node.requested());
    assertEquals("eu-1a", node.zoneKey());
  }

  @Test
  void capacityStandsInForAMissingAllocatable() {
    NodeInfo node = node("metadata: {name: n1}\nstatus: {capacity: {cpu: \"4\", memory: 8Gi, pods: \"110\"}}");
    assertEquals(new Resources(4000, 8 * GI, 110), node.allocatable());
  }

  @Test
  void aNodeWithoutStatusHasNothingToOffer() {
    NodeInfo node = node("metadata: {name: n1}");
    assertEquals(Resources.ZERO, node.allocatable());
    assertEquals(ConditionStatus.UNKNOWN, node.ready());
    assertFalse(node.unschedulable());
    assertNull(node.zoneKey());
  }

  @Test
  void aMalformedAllocatableNamesTheField() {
    QuantityFormatException e = assertThrows(QuantityFormatException.class,
        () -> node("metadata: {name: n1}\nstatus: {allocatable: {memory: lots}}"));
    assertTrue(e.getMessage().startsWith("status.allocatable.memory: invalid quantity \"lots\""), e.getMessage());
  }

  @Test
  void podsAddUp() {
    PodInfo a = podRequesting("a", "500m", "1Gi");
    PodInfo b = podRequesting("b", null, null);
    NodeInfo node = node("metadata: {name: n1}\nstatus: {allocatable: {cpu: \"4\", memory: 8Gi, pods: \"110\"}}", a, b);
    assertEquals(new Resources(500, GI, 2), node.requested());
    assertEquals(new Resources(600, GI + 200L * 1024 * 1024, 2), node.nonZeroRequested());
    assertEquals(new Resources(3500, 7 * GI, 108), node.free());
  }

  @Test
  void withPodReturnsANewNodeAndLeavesTheOldOneAlone() {
    NodeInfo empty = Manifests.readyNode("n1", "4", "8Gi");
    PodInfo web = pod("""
        metadata:
          name: web-1
          uid: w1
          labels: {app: web}
          ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web, uid: rs-1, controller: true}]
        spec:
          affinity:
            podAntiAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
              - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
          containers: [{name: web, resources: {requests: {cpu: "1", memory: 1Gi}}}]
        """);
    NodeInfo one = empty.withPod(web);
    NodeInfo two = one.withPod(web.withNodeName("n1"));

    assertEquals(List.of(), empty.pods());
    assertEquals(Resources.ZERO, empty.requested());
    assertEquals(Map.of(), empty.podsPerOwner());

    assertEquals(List.of(web), one.pods());
    assertEquals(new Resources(1000, GI, 1), one.requested());
    assertEquals(List.of(web), one.podsWithAffinity());
    assertEquals(List.of(web), one.podsWithRequiredAntiAffinity());
    assertEquals(Map.of("rs-1", 1), one.podsPerOwner());

    assertEquals(new Resources(2000, 2 * GI, 2), two.requested());
    assertEquals(Map.of("rs-1", 2), two.podsPerOwner());
    assertEquals(two, NodeInfo.of("n1", two.labels(), ConditionStatus.TRUE, false, List.of(), two.allocatable(),
        two.pods()), "incremental sums agree with a recount");
  }

  @Test
  void withoutPodRemovesByUidAndRecounts() {
    PodInfo a = podRequesting("a", "1", "1Gi");
    PodInfo b = podRequesting("b", "2", "1Gi");
    NodeInfo node = Manifests.readyNode("n1", "4", "8Gi").withPod(a).withPod(b);
    NodeInfo withoutA = node.withoutPod(a);
    assertEquals(List.of(b), withoutA.pods());
    assertEquals(new Resources(2000, GI, 1), withoutA.requested());
    assertSame(withoutA, withoutA.withoutPod(a), "removing a pod that is not there changes nothing");
  }

  @Test
  void zoneKeyJoinsRegionAndZone() {
    assertEquals("eu:\0:eu-1a",
        Manifests.readyNode("n1", "1", "1Gi", "topology.kubernetes.io/region=eu", "topology.kubernetes.io/zone=eu-1a")
            .zoneKey());
    assertEquals("old", Manifests.readyNode("n1", "1", "1Gi", "failure-domain.beta.kubernetes.io/zone=old")
        .zoneKey());
  }

  @Test
  void aHeartbeatKeepsTheSchedulingPropertiesAndAnythingAPodIsPlacedByChangesThem() {
    String base = "metadata: {name: n1, labels: {zone: a}}\nspec: {%s}\nstatus: {allocatable: {cpu: \"%s\", "
        + "memory: 8Gi, pods: \"110\"}, conditions: [{type: Ready, status: \"%s\", lastHeartbeatTime: \"%s\"}]}";
    NodeInfo before = node(String.format(base, "", "4", "True", "2026-12-05T10:00:00Z"));
    NodeInfo heartbeat = node(String.format(base, "", "4", "True", "2026-12-05T10:00:30Z"),
        podRequesting("p", "1", "1Gi"));
    assertTrue(before.sameSchedulingProperties(heartbeat), "a heartbeat, and pods, do not count");
    for (NodeInfo changed : List.of(
        node(String.format(base, "", "4", "False", "2026-12-05T10:00:30Z")),
        node(String.format(base, "", "8", "True", "2026-12-05T10:00:30Z")),
        node(String.format(base, "unschedulable: true", "4", "True", "2026-12-05T10:00:30Z")),
        node(String.format(base, "taints: [{key: k, effect: NoSchedule}]", "4", "True", "2026-12-05T10:00:30Z")),
        node(String.format(base, "", "4", "True", "2026-12-05T10:00:30Z").replace("zone: a", "zone: b")))) {
      assertFalse(before.sameSchedulingProperties(changed), changed.toString());
    }
  }
}
