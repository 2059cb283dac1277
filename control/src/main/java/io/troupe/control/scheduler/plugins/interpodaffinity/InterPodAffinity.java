package io.troupe.control.scheduler.plugins.interpodaffinity;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.FilterPlugin;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.ScorePlugin;
import io.troupe.control.scheduler.Status;
import java.util.List;

/**
 * Pod affinity and anti-affinity by topology domain ({@code kubernetes.io/hostname}, {@code
 * topology.kubernetes.io/zone}, or any node label). Filter, in Kubernetes' order: the pod's required affinity
 * (a matching pod must be in the node's domain), its required anti-affinity (none may be), and existing pods'
 * required anti-affinity towards it. Score: preferred terms, both ways.
 *
 * <p>Preparing costs a pass over the cluster's pods when the pod has terms of its own (over only the pods with
 * terms otherwise); checking a node is then a few map lookups.
 */
public final class InterPodAffinity implements FilterPlugin, ScorePlugin {

  public static final String NAME = "InterPodAffinity";
  public static final String AFFINITY_REASON = "node(s) didn't match pod affinity rules";
  public static final String ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules";
  public static final String EXISTING_ANTI_AFFINITY_REASON =
      "node(s) didn't satisfy existing pods anti-affinity rules";

  @Override
  public String name() {
    return NAME;
  }

  /** The filter for one node; prepares the whole cluster's counts each time, so for tests and explanations. */
  public static Status fits(PodInfo pod, NodeInfo node, ClusterView view) {
    RequiredAffinity check = RequiredAffinity.prepare(pod, view);
    return check == null ? Status.SUCCESS : check.filter(node);
  }

  @Override
  public NodeFilter prepare(PodInfo pod, ClusterView view) {
    return RequiredAffinity.prepare(pod, view);
  }

  @Override
  public NodeScorer prepare(PodInfo pod, ClusterView view, List<NodeInfo> nodes) {
    return PreferredAffinity.prepare(pod, view);
  }
}
