package io.troupe.control.scheduler.plugins.selectorspread;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.Manifests;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.ScorePlugin.NodeScorer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SelectorSpreadTest {

  private static int pods;

  private static PodInfo owned(String owner) {
    pods++;
    return Manifests.pod("""
        metadata:
          name: p%d
          namespace: default
          uid: u%d
          ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: %s, uid: %s, controller: true}]
        spec: {containers: [{name: app}]}
        """.formatted(pods, pods, owner, owner));
  }

  /** A node named {@code name} in {@code zone} ("" for none) with pods of the owners listed ("rs-1", "rs-2"...). */
  private static NodeInfo node(String name, String zone, String... owners) {
    NodeInfo node = zone.isEmpty() ? Manifests.readyNode(name, "4", "8Gi")
        : Manifests.readyNode(name, "4", "8Gi", "topology.kubernetes.io/zone=" + zone);
    for (String owner : owners) node = node.withPod(owned(owner));
    return node;
  }

  static Stream<Arguments> spread() {
    return Stream.of(
        Arguments.of("the first pod: every node is as good",
            List.of(node("a1", "a"), node("a2", "a"), node("b1", "b")), new long[] {100, 100, 100}),
        Arguments.of("one pod in zone a: its node is worst, its zone second",
            List.of(node("a1", "a", "rs-1"), node("a2", "a"), node("b1", "b")), new long[] {0, 33, 100}),
        Arguments.of("one pod per zone: the empty node wins",
            List.of(node("a1", "a", "rs-1"), node("a2", "a"), node("b1", "b", "rs-1")), new long[] {0, 33, 0}),
        Arguments.of("zones outweigh nodes: an empty node in a full zone loses to a busier zone's node",
            List.of(node("a1", "a", "rs-1", "rs-1"), node("a2", "a"), node("b1", "b", "rs-1")),
            new long[] {0, 33, 50}),
        Arguments.of("without zones, nodes only",
            List.of(node("n1", "", "rs-1", "rs-1"), node("n2", "", "rs-1"), node("n3", "")),
            new long[] {0, 50, 100}),
        Arguments.of("other owners' pods do not count",
            List.of(node("n1", "", "rs-2", "rs-2"), node("n2", "", "rs-1"), node("n3", "")),
            new long[] {100, 0, 100}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void spread(String description, List<NodeInfo> nodes, long[] expected) {
    NodeScorer scorer = new SelectorSpread().prepare(owned("rs-1"), ClusterView.of(nodes), nodes);
    long[] scores = new long[nodes.size()];
    for (int i = 0; i < scores.length; i++) scores[i] = scorer.score(nodes.get(i));
    scorer.normalize(scores, nodes);
    assertArrayEquals(expected, scores);
  }

  @Test
  void podsWithoutAControllerAreNotSpread() {
    NodeInfo node = node("n1", "");
    assertNull(new SelectorSpread().prepare(Manifests.podRequesting("p", null, null), ClusterView.of(List.of(node)),
        List.of(node)));
  }
}
