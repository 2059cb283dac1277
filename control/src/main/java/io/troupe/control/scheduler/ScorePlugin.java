package io.troupe.control.scheduler;

import java.util.List;

/**
 * A score extension point (kube-scheduler's PreScore + Score + NormalizeScore): ranks the nodes that passed every
 * filter. Each plugin ends with scores in 0..{@link #MAX_NODE_SCORE}; the scheduler sums them by weight.
 */
public interface ScorePlugin {

  int MAX_NODE_SCORE = 100;

  /** The plugin's name, as kube-scheduler names it. */
  String name();

  /**
   * Prepares the scoring of {@code pod} on {@code nodes}, the feasible nodes of {@code view}.
   *
   * @return the scorer, or null when the plugin has no opinion on this pod (kube-scheduler's Skip: 0 everywhere)
   */
  NodeScorer prepare(PodInfo pod, ClusterView view, List<NodeInfo> nodes);

  /** One pod's scoring. */
  interface NodeScorer {

    /** The raw score of one node. */
    long score(NodeInfo node);

    /** Brings the raw scores, {@code scores[i]} for {@code nodes.get(i)}, into 0..100 in place. */
    default void normalize(long[] scores, List<NodeInfo> nodes) {}
  }

  /**
   * Kubernetes' {@code DefaultNormalizeScore}: scales to 0..100 by the highest score; with {@code reverse}, the
   * highest raw score becomes 0. When every score is 0, they stay 0 (or all become 100 reversed).
   */
  static void defaultNormalize(long[] scores, int count, boolean reverse) {
    long max = 0;
    for (int i = 0; i < count; i++) max = Math.max(max, scores[i]);
    if (max == 0) {
      if (reverse) {
        for (int i = 0; i < count; i++) scores[i] = MAX_NODE_SCORE;
      }
      return;
    }
    for (int i = 0; i < count; i++) {
      long score = MAX_NODE_SCORE * scores[i] / max;
      scores[i] = reverse ? MAX_NODE_SCORE - score : score;
    }
  }
}
