package io.troupe.control.scheduler;

import io.troupe.control.scheduler.FilterPlugin.NodeFilter;
import io.troupe.control.scheduler.ScorePlugin.NodeScorer;
import io.troupe.control.scheduler.plugins.interpodaffinity.InterPodAffinity;
import io.troupe.control.scheduler.plugins.nodeaffinity.NodeAffinity;
import io.troupe.control.scheduler.plugins.nodeready.NodeReady;
import io.troupe.control.scheduler.plugins.noderesources.NodeResourcesBalancedAllocation;
import io.troupe.control.scheduler.plugins.noderesources.NodeResourcesFit;
import io.troupe.control.scheduler.plugins.noderesources.NodeResourcesLeastAllocated;
import io.troupe.control.scheduler.plugins.nodeunschedulable.NodeUnschedulable;
import io.troupe.control.scheduler.plugins.selectorspread.SelectorSpread;
import io.troupe.control.scheduler.plugins.tainttoleration.TaintToleration;
import io.troupe.control.scheduler.plugins.volumebinding.VolumeBinding;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The scheduling algorithm, pure: one pod, one snapshot of the cluster, a source of randomness in; a node or the
 * reasons why none fits out. No actor, no I/O, no clock; the scheduler singleton owns the queue, the view and the
 * binds.
 *
 * <p>As kube-scheduler's {@code schedulePod}: filters run in a fixed order and a node counts under the first filter
 * it fails; on a large cluster the search stops once enough feasible nodes are found
 * ({@code percentageOfNodesToScore}), starting at a random node so that successive pods look at different nodes;
 * the feasible nodes are scored by every score plugin, the weighted sum ranks them, and ties are broken at random.
 */
public final class Scheduler {

  /** A score plugin and what its 0..100 counts for in the sum. */
  public record WeightedScorePlugin(ScorePlugin plugin, int weight) {
    public WeightedScorePlugin {
      Objects.requireNonNull(plugin, "plugin");
      if (weight < 0) throw new IllegalArgumentException("weight must not be negative");
    }
  }

  /** Below this many nodes every node is examined (kube-scheduler's minFeasibleNodesToFind). */
  static final int MIN_FEASIBLE_NODES_TO_FIND = 100;
  /** The adaptive percentage never goes below this (minFeasibleNodesPercentageToFind). */
  static final int MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

  private final FilterPlugin[] filters;
  private final WeightedScorePlugin[] scorers;
  private final int percentageOfNodesToScore;

  /**
   * @param filters in the order they run
   * @param percentageOfNodesToScore 1..100: stop looking once this share of the nodes (at least 100) is feasible;
   *     0: Kubernetes' adaptive default, 50% minus 1% per 125 nodes, at least 5%
   */
  public Scheduler(List<FilterPlugin> filters, List<WeightedScorePlugin> scorers, int percentageOfNodesToScore) {
    if (percentageOfNodesToScore < 0 || percentageOfNodesToScore > 100) {
      throw new IllegalArgumentException("percentageOfNodesToScore must be within 0..100");
    }
    this.filters = filters.toArray(new FilterPlugin[0]);
    this.scorers = scorers.stream().filter(s -> s.weight() > 0).toArray(WeightedScorePlugin[]::new);
    this.percentageOfNodesToScore = percentageOfNodesToScore;
  }

  /** Kubernetes' default plugins, order and weights, with the adaptive percentage of nodes to score. */
  public static Scheduler withDefaultPlugins() {
    return withDefaultPlugins(0);
  }

  /** Kubernetes' default plugins, order and weights. */
  public static Scheduler withDefaultPlugins(int percentageOfNodesToScore) {
    TaintToleration taints = new TaintToleration();
    NodeAffinity nodeAffinity = new NodeAffinity();
    InterPodAffinity podAffinity = new InterPodAffinity();
    return new Scheduler(
        List.of(new NodeUnschedulable(), new NodeReady(), taints, nodeAffinity, new NodeResourcesFit(),
            new VolumeBinding(), podAffinity),
        List.of(
            new WeightedScorePlugin(taints, 3),
            new WeightedScorePlugin(nodeAffinity, 2),
            new WeightedScorePlugin(new NodeResourcesLeastAllocated(), 1),
            new WeightedScorePlugin(new SelectorSpread(), 2),
            new WeightedScorePlugin(podAffinity, 2),
            new WeightedScorePlugin(new NodeResourcesBalancedAllocation(), 1)),
        percentageOfNodesToScore);
  }

  /** The filters' names, in the order they run. */
  public List<String> filterNames() {
    return Arrays.stream(filters).map(FilterPlugin::name).toList();
  }

  /**
   * Chooses a node for {@code pod}.
   *
   * @param random breaks ties between equally good nodes and picks where the search starts on a large cluster;
   *     a seeded generator makes the decision reproducible
   */
  public Decision schedule(PodInfo pod, ClusterView view, RandomGenerator random) {
    int all = view.size();
    if (all == 0) return new Decision.Unschedulable(FitError.NO_NODES);

    NodeFilter[] checks = new NodeFilter[filters.length];
    int active = 0;
    for (FilterPlugin filter : filters) {
      NodeFilter check = filter.prepare(pod, view);
      if (check != null) checks[active++] = check;
    }

    int toFind = numFeasibleNodesToFind(percentageOfNodesToScore, all);
    int start = toFind < all ? random.nextInt(all) : 0;
    List<NodeInfo> nodes = view.nodes();
    NodeInfo[] feasible = new NodeInfo[toFind];
    int count = 0;
    Status[] failures = null;
    for (int visited = 0; visited < all && count < toFind; visited++) {
      int index = start + visited;
      if (index >= all) index -= all;
      NodeInfo node = nodes.get(index);
      Status failure = null;
      for (int f = 0; f < active; f++) {
        Status status = checks[f].filter(node);
        if (!status.isSuccess()) {
          failure = status;
          break;
        }
      }
      if (failure == null) {
        feasible[count++] = node;
      } else {
        if (failures == null) failures = new Status[all];
        failures[visited] = failure;
      }
    }

    if (count == 0) return new Decision.Unschedulable(FitError.of(all, failures).message());
    if (count == 1) return new Decision.Assign(feasible[0].name());
    return new Decision.Assign(selectHost(pod, view, feasible, count, random));
  }

  private String selectHost(PodInfo pod, ClusterView view, NodeInfo[] feasible, int count, RandomGenerator random) {
    List<NodeInfo> candidates = Arrays.asList(feasible).subList(0, count);
    long[] total = new long[count];
    long[] scores = new long[count];
    for (WeightedScorePlugin weighted : scorers) {
      NodeScorer scorer = weighted.plugin().prepare(pod, view, candidates);
      if (scorer == null) continue;
      for (int i = 0; i < count; i++) scores[i] = scorer.score(feasible[i]);
      scorer.normalize(scores, candidates);
      for (int i = 0; i < count; i++) total[i] += scores[i] * weighted.weight();
    }
    // Reservoir sampling over the best: each of k equally good nodes is chosen with probability 1/k.
    int selected = 0;
    int tied = 1;
    for (int i = 1; i < count; i++) {
      if (total[i] > total[selected]) {
        selected = i;
        tied = 1;
      } else if (total[i] == total[selected]) {
        tied++;
        if (random.nextInt(tied) == 0) selected = i;
      }
    }
    return feasible[selected].name();
  }

  /** How many feasible nodes to find before scoring (kube-scheduler's {@code numFeasibleNodesToFind}). */
  static int numFeasibleNodesToFind(int percentageOfNodesToScore, int numAllNodes) {
    if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentageOfNodesToScore >= 100) return numAllNodes;
    int percentage = percentageOfNodesToScore;
    if (percentage == 0) {
      percentage = Math.max(50 - numAllNodes / 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
    }
    int numNodes = (int) ((long) numAllNodes * percentage / 100);
    return Math.max(numNodes, MIN_FEASIBLE_NODES_TO_FIND);
  }
}
