package io.troupe.control.scheduler;

import static io.troupe.control.scheduler.Manifests.podRequesting;
import static io.troupe.control.scheduler.Manifests.readyNode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterViewTest {

  private final NodeInfo a1 = readyNode("a1", "4", "8Gi", "topology.kubernetes.io/zone=a");
  private final NodeInfo a2 = readyNode("a2", "4", "8Gi", "topology.kubernetes.io/zone=a");
  private final NodeInfo b1 = readyNode("b1", "4", "8Gi", "topology.kubernetes.io/zone=b");

  @Test
  void nodesAreKeptInNameOrder() {
    ClusterView view = ClusterView.of(List.of(b1, a2, a1));
    assertEquals(List.of("a1", "a2", "b1"), view.nodes().stream().map(NodeInfo::name).toList());
    assertSame(a2, view.node("a2"));
    assertNull(view.node("c1"));
    assertEquals(3, view.size());
  }

  @Test
  void duplicateNamesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> ClusterView.of(List.of(a1, b1, a1)));
  }

  @Test
  void withPodAssumesThePodOnItsNode() {
    ClusterView view = ClusterView.of(List.of(a1, a2, b1));
    PodInfo pod = podRequesting("web-1", "1", "1Gi");
    ClusterView assumed = view.withPod("a2", pod);

    assertEquals(List.of(), view.node("a2").pods(), "the old view is unchanged");
    assertEquals(List.of(pod.withNodeName("a2")), assumed.node("a2").pods());
    assertEquals(1000, assumed.node("a2").requested().milliCpu());
    assertSame(view.node("a1"), assumed.node("a1"), "other nodes are shared, not copied");
    assertThrows(IllegalArgumentException.class, () -> view.withPod("c1", pod));

    ClusterView released = assumed.withoutPod(pod.withNodeName("a2"));
    assertEquals(List.of(), released.node("a2").pods());
    assertSame(released, released.withoutPod(pod.withNodeName("a2")));
  }

  @Test
  void nodesComeAndGo() {
    ClusterView view = ClusterView.of(List.of(a1, b1));
    ClusterView added = view.withNode(a2);
    assertEquals(List.of("a1", "a2", "b1"), added.nodes().stream().map(NodeInfo::name).toList());
    NodeInfo cordoned = NodeInfo.of("a2", a2.labels(), ConditionStatus.TRUE, true, List.of(), a2.allocatable(),
        List.of());
    assertSame(cordoned, added.withNode(cordoned).node("a2"));
    assertEquals(List.of("a1", "b1"), added.withoutNode("a2").nodes().stream().map(NodeInfo::name).toList());
    assertSame(view, view.withoutNode("zz"));
  }

  @Test
  void podsByTopologyDomain() {
    PodInfo p1 = podRequesting("p1", "1", null);
    PodInfo p2 = podRequesting("p2", "1", null);
    PodInfo p3 = podRequesting("p3", "1", null);
    ClusterView view = ClusterView.of(List.of(a1, a2, b1)).withPod("a1", p1).withPod("a2", p2).withPod("b1", p3);
    assertEquals(List.of("p1", "p2"),
        view.podsInDomain(NodeInfo.LABEL_ZONE, "a").stream().map(PodInfo::name).toList());
    assertEquals(List.of("p2"),
        view.podsInDomain(NodeInfo.LABEL_HOSTNAME, "a2").stream().map(PodInfo::name).toList());
    assertEquals(List.of(), view.podsInDomain(NodeInfo.LABEL_ZONE, "c"));
  }

  @Test
  void nodesWithAffinityPodsAreTracked() {
    PodInfo plain = podRequesting("plain", "1", null);
    PodInfo avoiding = Manifests.pod("avoiding", "app=web", """
        affinity:
          podAntiAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
            - {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
        """);
    PodInfo preferring = Manifests.pod("preferring", "app=api", """
        affinity:
          podAffinity:
            preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 5
              podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
        """);
    ClusterView view = ClusterView.of(List.of(a1, a2, b1)).withPod("a1", plain).withPod("b1", avoiding)
        .withPod("a2", preferring);
    assertEquals(List.of("a2", "b1"), names(view.nodesWithPodsWithAffinity()));
    assertEquals(List.of("b1"), names(view.nodesWithPodsWithRequiredAntiAffinity()));
    assertSame(view.node("b1"), view.nodesWithPodsWithRequiredAntiAffinity().get(0),
        "the current node, not a stale one");

    ClusterView released = view.withoutPod(avoiding.withNodeName("b1"));
    assertEquals(List.of("a2"), names(released.nodesWithPodsWithAffinity()));
    assertEquals(List.of(), names(released.nodesWithPodsWithRequiredAntiAffinity()));
    ClusterView grown = released.withNode(readyNode("a0", "1", "1Gi")).withNode(readyNode("c1", "1", "1Gi"));
    assertEquals(List.of("a2"), names(grown.nodesWithPodsWithAffinity()), "positions follow inserted nodes");
    assertEquals(List.of("a2"), names(grown.withoutNode("a0").nodesWithPodsWithAffinity()));
    assertEquals(ClusterView.of(grown.nodes()).nodesWithPodsWithAffinity(), grown.nodesWithPodsWithAffinity(),
        "incremental and rebuilt indexes agree");
  }

  private static List<String> names(List<NodeInfo> nodes) {
    return nodes.stream().map(NodeInfo::name).toList();
  }

  @Test
  void namespaceLabels() {
    ClusterView view = ClusterView.of(List.of(a1), Map.of("shop", Map.of("team", "red")));
    assertEquals(Map.of("team", "red"), view.labelsOfNamespace("shop"));
    assertEquals(Map.of(), view.labelsOfNamespace("other"));
    assertEquals(Map.of("team", "blue"),
        view.withNamespace("other", Map.of("team", "blue")).labelsOfNamespace("other"));
  }
}
