package io.troupe.control.scheduler.plugins.interpodaffinity;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodAffinityTerm;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.ScorePlugin;
import io.troupe.control.scheduler.ScorePlugin.NodeScorer;
import io.troupe.control.scheduler.WeightedPodAffinityTerm;
import java.util.List;

/**
 * One pod's inter-pod affinity scoring (kube-scheduler's InterPodAffinity PreScore, Score, NormalizeScore): every
 * domain gains the weight of each preferred affinity term (the pod's towards existing pods, and existing pods'
 * towards it) that a pod in it matches, and loses the weight of each such anti-affinity term; existing pods'
 * required affinity towards the pod counts {@link #HARD_POD_AFFINITY_WEIGHT}. A node scores the sum over its
 * domains, then scores are scaled between the lowest (0) and the highest (100).
 */
final class PreferredAffinity implements NodeScorer {

  /** kube-scheduler's default hardPodAffinityWeight. */
  static final int HARD_POD_AFFINITY_WEIGHT = 1;

  private final TopologyCounts scores = new TopologyCounts();

  private PreferredAffinity(PodInfo pod, ClusterView view) {
    boolean hasPreferred = !pod.preferredAffinityTerms().isEmpty() || !pod.preferredAntiAffinityTerms().isEmpty();
    // The pod's own preferences concern every pod; otherwise only pods with terms of their own can matter.
    List<NodeInfo> nodes = hasPreferred ? view.nodes() : view.nodesWithPodsWithAffinity();
    for (int n = 0, size = nodes.size(); n < size; n++) {
      NodeInfo node = nodes.get(n);
      List<PodInfo> candidates = hasPreferred ? node.pods() : node.podsWithAffinity();
      if (node.labels().isEmpty()) continue;
      for (int p = 0, count = candidates.size(); p < count; p++) {
        PodInfo existing = candidates.get(p);
        add(pod.preferredAffinityTerms(), existing, view, node, 1);
        add(pod.preferredAntiAffinityTerms(), existing, view, node, -1);
        for (PodAffinityTerm term : existing.requiredAffinityTerms()) {
          if (term.matches(pod, view)) scores.add(node, term.topologyKey(), HARD_POD_AFFINITY_WEIGHT);
        }
        add(existing.preferredAffinityTerms(), pod, view, node, 1);
        add(existing.preferredAntiAffinityTerms(), pod, view, node, -1);
      }
    }
  }

  /** The scorer for {@code pod}, or null when no term anywhere concerns it. */
  static PreferredAffinity prepare(PodInfo pod, ClusterView view) {
    PreferredAffinity scorer = new PreferredAffinity(pod, view);
    return scorer.scores.isEmpty() ? null : scorer;
  }

  private void add(List<WeightedPodAffinityTerm> terms, PodInfo candidate, ClusterView view, NodeInfo node,
      int sign) {
    for (int i = 0, n = terms.size(); i < n; i++) {
      WeightedPodAffinityTerm term = terms.get(i);
      if (term.weight() != 0 && term.podAffinityTerm().matches(candidate, view)) {
        scores.add(node, term.podAffinityTerm().topologyKey(), (long) sign * term.weight());
      }
    }
  }

  @Override
  public long score(NodeInfo node) {
    long sum = 0;
    for (String key : scores.topologyKeys()) sum += scores.get(node, key);
    return sum;
  }

  @Override
  public void normalize(long[] values, List<NodeInfo> nodes) {
    int count = nodes.size();
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < count; i++) {
      min = Math.min(min, values[i]);
      max = Math.max(max, values[i]);
    }
    long range = max - min;
    for (int i = 0; i < count; i++) {
      values[i] = range > 0 ? (long) (ScorePlugin.MAX_NODE_SCORE * ((double) (values[i] - min) / range)) : 0;
    }
  }
}
