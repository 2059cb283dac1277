package io.troupe.control.scheduler.plugins.tainttoleration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.Manifests;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.ScorePlugin.NodeScorer;
import io.troupe.control.scheduler.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TaintTolerationTest {

  private static NodeInfo tainted(String name, String taints) {
    return Manifests.node("""
        metadata: {name: %s}
        spec: {taints: %s}
        status: {conditions: [{type: Ready, status: "True"}]}
        """.formatted(name, taints));
  }

  /** Taints and tolerations as YAML flow lists; the untolerated taint Kubernetes would report, or "". */
  @ParameterizedTest(name = "taints {0}, tolerations {1} -> ''{2}''")
  @CsvSource(delimiter = '|', textBlock = """
      []                                    | []                                           | ''
      [{key: gpu, value: t4, effect: NoSchedule}] | []                                     | {gpu: t4}
      [{key: gpu, value: t4, effect: NoExecute}]  | []                                     | {gpu: t4}
      [{key: gpu, value: t4, effect: PreferNoSchedule}] | []                               | ''
      [{key: gpu, effect: NoSchedule}]      | []                                           | '{gpu: }'
      [{key: gpu, value: t4, effect: NoSchedule}] | [{key: gpu, operator: Equal, value: t4, effect: NoSchedule}] | ''
      [{key: gpu, value: t4, effect: NoSchedule}] | [{key: gpu, value: t4}]                | ''
      [{key: gpu, value: t4, effect: NoSchedule}] | [{key: gpu, operator: Equal, value: a100}] | {gpu: t4}
      [{key: gpu, value: t4, effect: NoSchedule}] | [{key: gpu, operator: Exists}]         | ''
      [{key: gpu, value: t4, effect: NoSchedule}] | [{key: gpu, operator: Exists, effect: NoExecute}] | {gpu: t4}
      [{key: gpu, value: t4, effect: NoSchedule}] | [{operator: Exists}]                   | ''
      [{key: gpu, value: t4, effect: NoSchedule}] | [{operator: Exists, effect: NoSchedule}] | ''
      [{key: gpu, value: t4, effect: NoSchedule}] | [{key: tpu, operator: Exists}]         | {gpu: t4}
      [{key: a, effect: NoSchedule}, {key: b, value: x, effect: NoExecute}] | [{key: a, operator: Exists}] | {b: x}
      [{key: a, effect: NoSchedule}, {key: b, value: x, effect: NoExecute}] | []           | '{a: }'
      """)
  void filter(String taints, String tolerations, String reason) {
    NodeInfo node = tainted("n1", taints);
    PodInfo pod = Manifests.pod("p", "", "tolerations: " + tolerations);
    Status status = new TaintToleration().filter(pod, node, ClusterView.of(List.of(node)));
    assertEquals(reason.isEmpty() ? List.of() : List.of("node(s) had untolerated taint " + reason), status.reasons());
    assertEquals(status, TaintToleration.fits(pod, node));
  }

  @Test
  void fewerUntoleratedPreferNoScheduleTaintsScoreHigher() {
    List<NodeInfo> nodes = List.of(
        tainted("clean", "[]"),
        tainted("one", "[{key: a, effect: PreferNoSchedule}]"),
        tainted("two", "[{key: a, effect: PreferNoSchedule}, {key: b, effect: PreferNoSchedule}]"),
        tainted("tolerated", "[{key: c, effect: PreferNoSchedule}, {key: d, effect: NoSchedule}]"));
    PodInfo pod = Manifests.pod("p", "", """
        tolerations:
        - {key: c, operator: Exists, effect: PreferNoSchedule}
        - {key: d, operator: Exists}""");
    assertArrayEquals(new long[] {100, 50, 0, 100}, scores(pod, nodes));
  }

  @Test
  void noPreferNoScheduleTaintsAnywhereScoresEveryNodeTheSame() {
    List<NodeInfo> nodes = List.of(tainted("a", "[]"), tainted("b", "[{key: x, effect: NoSchedule}]"));
    assertArrayEquals(new long[] {100, 100}, scores(Manifests.pod("p", "", "{}"), nodes));
  }

  private static long[] scores(PodInfo pod, List<NodeInfo> nodes) {
    NodeScorer scorer = new TaintToleration().prepare(pod, ClusterView.of(nodes), nodes);
    long[] scores = new long[nodes.size()];
    for (int i = 0; i < scores.length; i++) scores[i] = scorer.score(nodes.get(i));
    scorer.normalize(scores, nodes);
    return scores;
  }
}
