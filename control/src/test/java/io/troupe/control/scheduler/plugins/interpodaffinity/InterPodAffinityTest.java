package io.troupe.control.scheduler.plugins.interpodaffinity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.Manifests;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.ScorePlugin.NodeScorer;
import io.troupe.control.scheduler.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Zone a has nodes a1 (a cache pod) and a2 (a logger and a follower), zone b has b1 (web-1, which keeps other web
 * pods off its host), and node "nozone" has no zone label.
 */
class InterPodAffinityTest {

  private static final String AFFINITY = "node(s) didn't match pod affinity rules";
  private static final String ANTI = "node(s) didn't match pod anti-affinity rules";
  private static final String EXISTING = "node(s) didn't satisfy existing pods anti-affinity rules";
  private static final String ZONE = "topology.kubernetes.io/zone";
  private static final String HOST = "kubernetes.io/hostname";

  private static final ClusterView CLUSTER = ClusterView.of(List.of(
          Manifests.readyNode("a1", "4", "8Gi", ZONE + "=a"),
          Manifests.readyNode("a2", "4", "8Gi", ZONE + "=a"),
          Manifests.readyNode("b1", "4", "8Gi", ZONE + "=b"),
          Manifests.readyNode("nozone", "4", "8Gi")))
      .withPod("a1", Manifests.pod("cache", "app=cache", "{}"))
      .withPod("a2", Manifests.pod("logger", "app=logger", """
          affinity:
            podAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 10
                podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname}
          """))
      .withPod("a2", Manifests.pod("follower", "app=follower", """
          affinity:
            podAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
              - {labelSelector: {matchLabels: {app: web}}, topologyKey: topology.kubernetes.io/zone}
          """))
      .withPod("b1", Manifests.pod("web-1", "app=web", antiAffinity("app: web", HOST)));

  private static String required(String kind, String selector, String topologyKey, String extra) {
    return """
        affinity:
          %s:
            requiredDuringSchedulingIgnoredDuringExecution:
            - {labelSelector: {matchLabels: {%s}}, topologyKey: %s%s}
        """.formatted(kind, selector, topologyKey, extra);
  }

  private static String affinity(String selector, String topologyKey) {
    return required("podAffinity", selector, topologyKey, "");
  }

  private static String antiAffinity(String selector, String topologyKey) {
    return required("podAntiAffinity", selector, topologyKey, "");
  }

  static Stream<Arguments> filter() {
    return Stream.of(
        Arguments.of("no terms, selected by no one", "app=db", "{}", List.of("", "", "", "")),
        Arguments.of("no terms, but web-1 keeps web pods off its host", "app=web", "{}",
            List.of("", "", EXISTING, "")),
        Arguments.of("a web pod that avoids web pods: its own rule is reported first", "app=web",
            antiAffinity("app: web", HOST), List.of("", "", ANTI, "")),
        Arguments.of("affinity to the cache's zone", "app=api", affinity("app: cache", ZONE),
            List.of("", "", AFFINITY, AFFINITY)),
        Arguments.of("affinity to the cache's host", "app=api", affinity("app: cache", HOST),
            List.of("", AFFINITY, AFFINITY, AFFINITY)),
        Arguments.of("anti-affinity to the cache's zone; a node without zone is in no zone", "app=api",
            antiAffinity("app: cache", ZONE), List.of(ANTI, ANTI, "", "")),
        Arguments.of("anti-affinity to the cache's host", "app=api", antiAffinity("app: cache", HOST),
            List.of(ANTI, "", "", "")),
        Arguments.of("the first of a group that wants to be together may go anywhere with the label", "app=batch",
            affinity("app: batch", ZONE), List.of("", "", "", AFFINITY)),
        Arguments.of("affinity to pods that do not exist, and not to itself", "app=x",
            affinity("app: batch", ZONE), List.of(AFFINITY, AFFINITY, AFFINITY, AFFINITY)),
        Arguments.of("the cache is not in the namespace the term names", "app=api",
            required("podAffinity", "app: cache", ZONE, ", namespaces: [other]"),
            List.of(AFFINITY, AFFINITY, AFFINITY, AFFINITY)),
        Arguments.of("an empty namespace selector looks in every namespace", "app=api",
            required("podAffinity", "app: cache", ZONE, ", namespaces: [other], namespaceSelector: {}"),
            List.of("", "", AFFINITY, AFFINITY)),
        Arguments.of("affinity and anti-affinity together", "app=api",
            affinity("app: cache", ZONE) + """
                  podAntiAffinity:
                    requiredDuringSchedulingIgnoredDuringExecution:
                    - {labelSelector: {matchLabels: {app: cache}}, topologyKey: kubernetes.io/hostname}
                """, List.of(ANTI, "", AFFINITY, AFFINITY)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void filter(String description, String labels, String spec, List<String> reasons) {
    PodInfo pod = Manifests.pod("incoming", labels, spec);
    InterPodAffinity plugin = new InterPodAffinity();
    List<String> actual = new ArrayList<>();
    for (NodeInfo node : CLUSTER.nodes()) {
      Status status = plugin.filter(pod, node, CLUSTER);
      assertEquals(status, InterPodAffinity.fits(pod, node, CLUSTER));
      actual.add(status.isSuccess() ? "" : String.join(";", status.reasons()));
    }
    assertEquals(reasons, actual);
  }

  @Test
  void nothingToCheckWhenNoRequiredTermConcernsThePod() {
    assertNull(new InterPodAffinity().prepare(Manifests.pod("p", "app=db", "{}"), CLUSTER));
  }

  static Stream<Arguments> score() {
    return Stream.of(
        Arguments.of("preferred affinity to the cache's zone", "app=api", """
            affinity:
              podAffinity:
                preferredDuringSchedulingIgnoredDuringExecution:
                - weight: 100
                  podAffinityTerm:
                    labelSelector: {matchLabels: {app: cache}}
                    topologyKey: topology.kubernetes.io/zone
            """, new long[] {100, 100, 0, 0}),
        Arguments.of("preferred anti-affinity to the cache's host", "app=api", """
            affinity:
              podAntiAffinity:
                preferredDuringSchedulingIgnoredDuringExecution:
                - weight: 50
                  podAffinityTerm: {labelSelector: {matchLabels: {app: cache}}, topologyKey: kubernetes.io/hostname}
            """, new long[] {0, 100, 100, 100}),
        Arguments.of("existing pods' terms towards the pod: logger prefers it (10), follower requires it (1)",
            "app=web", "{}", new long[] {9, 100, 0, 0}),
        Arguments.of("both ways at once", "app=web", """
            affinity:
              podAffinity:
                preferredDuringSchedulingIgnoredDuringExecution:
                - weight: 20
                  podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: topology.kubernetes.io/zone}
            """, new long[] {5, 55, 100, 0}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void score(String description, String labels, String spec, long[] expected) {
    PodInfo pod = Manifests.pod("incoming", labels, spec);
    List<NodeInfo> nodes = CLUSTER.nodes();
    NodeScorer scorer = new InterPodAffinity().prepare(pod, CLUSTER, nodes);
    long[] scores = new long[nodes.size()];
    for (int i = 0; i < scores.length; i++) scores[i] = scorer.score(nodes.get(i));
    scorer.normalize(scores, nodes);
    assertArrayEquals(expected, scores);
  }

  @Test
  void noScoreWhenNoTermConcernsThePod() {
    assertNull(new InterPodAffinity().prepare(Manifests.pod("p", "app=db", "{}"), CLUSTER, CLUSTER.nodes()));
  }
}
