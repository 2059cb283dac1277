package io.troupe.control.scheduler.plugins.nodeaffinity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.Manifests;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.ScorePlugin.NodeScorer;
import io.troupe.control.scheduler.Status;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeAffinityTest {

  private static final String REQUIRED = """
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
      """;

  /** A required node affinity with one term of the given expressions (YAML flow list). */
  private static String required(String expressions) {
    return terms("{matchExpressions: " + expressions + "}");
  }

  /** A required node affinity with these terms (YAML flow maps). */
  private static String terms(String... terms) {
    StringBuilder yaml = new StringBuilder(REQUIRED);
    for (String term : terms) yaml.append("      - ").append(term).append('\n');
    return yaml.toString();
  }

  static Stream<Arguments> filter() {
    return Stream.of(
        Arguments.of("no selector, no affinity", "{}", true),
        Arguments.of("nodeSelector matches", "nodeSelector: {disktype: ssd}", true),
        Arguments.of("nodeSelector value differs", "nodeSelector: {disktype: hdd}", false),
        Arguments.of("nodeSelector label missing", "nodeSelector: {gpu: \"true\"}", false),
        Arguments.of("nodeSelector needs every label", "nodeSelector: {disktype: ssd, zone: b}", false),
        Arguments.of("In matches", required("[{key: zone, operator: In, values: [a, b]}]"), true),
        Arguments.of("In misses", required("[{key: zone, operator: In, values: [b, c]}]"), false),
        Arguments.of("In on a missing label", required("[{key: rack, operator: In, values: [r1]}]"), false),
        Arguments.of("NotIn matches", required("[{key: zone, operator: NotIn, values: [b]}]"), true),
        Arguments.of("NotIn misses", required("[{key: zone, operator: NotIn, values: [a]}]"), false),
        Arguments.of("NotIn on a missing label", required("[{key: rack, operator: NotIn, values: [r1]}]"), true),
        Arguments.of("Exists", required("[{key: disktype, operator: Exists}]"), true),
        Arguments.of("Exists on a missing label", required("[{key: gpu, operator: Exists}]"), false),
        Arguments.of("DoesNotExist", required("[{key: gpu, operator: DoesNotExist}]"), true),
        Arguments.of("DoesNotExist on a present label", required("[{key: zone, operator: DoesNotExist}]"), false),
        Arguments.of("Gt", required("[{key: cores, operator: Gt, values: [\"4\"]}]"), true),
        Arguments.of("Gt is strict", required("[{key: cores, operator: Gt, values: [\"8\"]}]"), false),
        Arguments.of("Lt", required("[{key: cores, operator: Lt, values: [\"16\"]}]"), true),
        Arguments.of("Lt is strict", required("[{key: cores, operator: Lt, values: [\"8\"]}]"), false),
        Arguments.of("Gt on a label that is not a number", required("[{key: zone, operator: Gt, values: [\"1\"]}]"),
            false),
        Arguments.of("Lt on a missing label", required("[{key: rack, operator: Lt, values: [\"1\"]}]"), false),
        Arguments.of("expressions of a term are ANDed",
            required("[{key: zone, operator: In, values: [a]}, {key: gpu, operator: Exists}]"), false),
        Arguments.of("terms are ORed", terms("{matchExpressions: [{key: gpu, operator: Exists}]}",
            "{matchExpressions: [{key: zone, operator: In, values: [a]}]}"), true),
        Arguments.of("an empty term matches nothing", terms("{}"), false),
        Arguments.of("matchFields on the node name",
            terms("{matchFields: [{key: metadata.name, operator: In, values: [n1]}]}"), true),
        Arguments.of("matchFields on another name",
            terms("{matchFields: [{key: metadata.name, operator: In, values: [n2]}]}"), false),
        Arguments.of("matchFields NotIn",
            terms("{matchFields: [{key: metadata.name, operator: NotIn, values: [n2]}]}"), true),
        Arguments.of("expressions and fields of a term are ANDed", terms(
            "{matchExpressions: [{key: zone, operator: In, values: [a]}], "
                + "matchFields: [{key: metadata.name, operator: In, values: [n2]}]}"), false),
        Arguments.of("nodeSelector and affinity must both hold",
            "nodeSelector: {disktype: hdd}\n" + required("[{key: zone, operator: In, values: [a]}]"), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void filter(String description, String spec, boolean fits) {
    NodeInfo node = Manifests.readyNode("n1", "4", "8Gi", "zone=a", "disktype=ssd", "cores=8");
    PodInfo pod = Manifests.pod("p", "", spec);
    Status status = new NodeAffinity().filter(pod, node, ClusterView.of(List.of(node)));
    assertEquals(fits ? List.of() : List.of("node(s) didn't match Pod's node affinity/selector"), status.reasons());
    assertEquals(fits, NodeAffinity.fits(pod, node));
  }

  @Test
  void aPodWithoutSelectorOrAffinityIsNotChecked() {
    assertNull(new NodeAffinity().prepare(Manifests.pod("p", "", "{}"), ClusterView.of(List.of())));
  }

  static Stream<Arguments> preferred() {
    return Stream.of(
        Arguments.of("weights of matching terms add up; the best node gets 100", """
            - {weight: 80, preference: {matchExpressions: [{key: zone, operator: In, values: [a]}]}}
            - {weight: 20, preference: {matchExpressions: [{key: disktype, operator: In, values: [ssd]}]}}
            """, new long[] {100, 80, 20, 0}),
        Arguments.of("no node matches: all 0", """
            - {weight: 50, preference: {matchExpressions: [{key: gpu, operator: Exists}]}}
            """, new long[] {0, 0, 0, 0}),
        Arguments.of("scaled to the best", """
            - {weight: 10, preference: {matchExpressions: [{key: zone, operator: In, values: [b]}]}}
            - {weight: 30, preference: {matchExpressions: [{key: disktype, operator: DoesNotExist}]}}
            """, new long[] {0, 0, 33, 100}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void preferred(String description, String terms, long[] expected) {
    List<NodeInfo> nodes = List.of(
        Manifests.readyNode("a-ssd", "4", "8Gi", "zone=a", "disktype=ssd"),
        Manifests.readyNode("a-hdd", "4", "8Gi", "zone=a", "disktype=hdd"),
        Manifests.readyNode("b-ssd", "4", "8Gi", "zone=b", "disktype=ssd"),
        Manifests.readyNode("c-none", "4", "8Gi", "zone=c"));
    PodInfo pod = Manifests.pod("p", "", """
        affinity:
          nodeAffinity:
            preferredDuringSchedulingIgnoredDuringExecution:
        """ + terms.indent(4));
    NodeScorer scorer = new NodeAffinity().prepare(pod, ClusterView.of(nodes), nodes);
    long[] scores = new long[nodes.size()];
    for (int i = 0; i < scores.length; i++) scores[i] = scorer.score(nodes.get(i));
    scorer.normalize(scores, nodes);
    assertArrayEquals(expected, scores);
  }
}
