package io.troupe.control.scheduler.plugins.selectorspread;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.ScorePlugin;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Spreads the pods of one controller (a ReplicaSet, a StatefulSet...) across nodes and zones, so that losing one
 * node or zone loses few of them: a node scores higher the fewer of the controller's pods it has, and the fewer its
 * zone has; with zones, the zone counts for two thirds (kube-scheduler's SelectorSpread).
 *
 * <p>SelectorSpread finds "the same workload" through the selectors of the Services and controllers that select
 * the pod; here it is the pods sharing the controller ownerReference, which every controller sets, and which a
 * node keeps counted so that scoring a node is one lookup.
 */
public final class SelectorSpread implements ScorePlugin {

  public static final String NAME = "SelectorSpread";
  /** The share of the zone spread in the score when nodes have zones. */
  static final double ZONE_WEIGHTING = 2.0 / 3.0;

  @Override
  public String name() {
    return NAME;
  }

  /** How many pods of the controller {@code ownerUid} the node has. */
  public static long count(String ownerUid, NodeInfo node) {
    Integer count = node.podsPerOwner().get(ownerUid);
    return count == null ? 0 : count;
  }

  @Override
  public NodeScorer prepare(PodInfo pod, ClusterView view, List<NodeInfo> nodes) {
    String owner = pod.ownerUid();
    if (owner == null) return null;
    return new NodeScorer() {
      @Override
      public long score(NodeInfo node) {
        return node.podsPerOwner().isEmpty() ? 0 : count(owner, node);
      }

      @Override
      public void normalize(long[] scores, List<NodeInfo> scored) {
        spread(scores, scored);
      }
    };
  }

  /** Turns per-node counts into 0..100 scores, blending in the per-zone counts of the same nodes. */
  static void spread(long[] scores, List<NodeInfo> nodes) {
    int count = nodes.size();
    long maxByNode = 0;
    for (int i = 0; i < count; i++) maxByNode = Math.max(maxByNode, scores[i]);
    if (maxByNode == 0) {
      // None of the controller's pods on these nodes (its first pod): every node and zone is as good.
      for (int i = 0; i < count; i++) scores[i] = MAX_NODE_SCORE;
      return;
    }
    String[] zones = new String[count];
    Map<String, Long> byZone = new HashMap<>();
    for (int i = 0; i < count; i++) {
      zones[i] = nodes.get(i).zoneKey();
      if (zones[i] != null) byZone.merge(zones[i], scores[i], Long::sum);
    }
    long maxByZone = 0;
    for (long zoneCount : byZone.values()) maxByZone = Math.max(maxByZone, zoneCount);
    boolean haveZones = !byZone.isEmpty();
    for (int i = 0; i < count; i++) {
      double score = MAX_NODE_SCORE * ((double) (maxByNode - scores[i]) / maxByNode);
      if (haveZones && zones[i] != null) {
        double zoneScore = MAX_NODE_SCORE;
        if (maxByZone > 0) zoneScore = MAX_NODE_SCORE * ((double) (maxByZone - byZone.get(zones[i])) / maxByZone);
        score = score * (1.0 - ZONE_WEIGHTING) + ZONE_WEIGHTING * zoneScore;
      }
      scores[i] = (long) score;
    }
  }
}
