package io.troupe.control.scheduler.plugins.interpodaffinity;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.FilterPlugin.NodeFilter;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodAffinityTerm;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Status;
import java.util.List;

/**
 * One pod's required inter-pod affinity check (kube-scheduler's InterPodAffinity PreFilter state and Filter): the
 * matching pods are counted per topology domain once, over the whole cluster, then each node is checked against
 * the counts of its own domains.
 */
final class RequiredAffinity implements NodeFilter {

  private static final Status AFFINITY_FAILED = Status.unresolvable(InterPodAffinity.AFFINITY_REASON);
  private static final Status ANTI_AFFINITY_FAILED = Status.unschedulable(InterPodAffinity.ANTI_AFFINITY_REASON);
  private static final Status EXISTING_ANTI_AFFINITY_FAILED =
      Status.unschedulable(InterPodAffinity.EXISTING_ANTI_AFFINITY_REASON);

  private final PodInfo pod;
  /** Per domain, the existing pods with a required anti-affinity term that selects the pod. */
  private final TopologyCounts existingAntiAffinity = new TopologyCounts();
  /** Per domain, the existing pods that match all of the pod's required affinity terms. */
  private final TopologyCounts affinity = new TopologyCounts();
  /** Per domain, the existing pods that match one of the pod's required anti-affinity terms. */
  private final TopologyCounts antiAffinity = new TopologyCounts();
  /** The pod matches its own affinity terms: it may be the first of a group that wants to be together. */
  private final boolean matchesOwnAffinity;

  private RequiredAffinity(PodInfo pod, ClusterView view) {
    this.pod = pod;
    List<PodAffinityTerm> affinityTerms = pod.requiredAffinityTerms();
    List<PodAffinityTerm> antiAffinityTerms = pod.requiredAntiAffinityTerms();
    List<NodeInfo> withAntiAffinity = view.nodesWithPodsWithRequiredAntiAffinity();
    for (int n = 0, size = withAntiAffinity.size(); n < size; n++) {
      NodeInfo node = withAntiAffinity.get(n);
      for (PodInfo existing : node.podsWithRequiredAntiAffinity()) {
        for (PodAffinityTerm term : existing.requiredAntiAffinityTerms()) {
          if (term.matches(pod, view)) existingAntiAffinity.add(node, term.topologyKey(), 1);
        }
      }
    }
    if (!affinityTerms.isEmpty() || !antiAffinityTerms.isEmpty()) {
      // The pod's own terms may select any pod: every pod of the cluster is looked at once.
      List<NodeInfo> nodes = view.nodes();
      for (int n = 0, size = nodes.size(); n < size; n++) {
        NodeInfo node = nodes.get(n);
        List<PodInfo> pods = node.pods();
        for (int p = 0, count = pods.size(); p < count; p++) {
          PodInfo existing = pods.get(p);
          if (!affinityTerms.isEmpty() && matchesAll(affinityTerms, existing, view)) {
            for (PodAffinityTerm term : affinityTerms) affinity.add(node, term.topologyKey(), 1);
          }
          for (int t = 0, terms = antiAffinityTerms.size(); t < terms; t++) {
            PodAffinityTerm term = antiAffinityTerms.get(t);
            if (term.matches(existing, view)) antiAffinity.add(node, term.topologyKey(), 1);
          }
        }
      }
    }
    matchesOwnAffinity = !affinityTerms.isEmpty() && matchesAll(affinityTerms, pod, view);
  }

  /** The check for {@code pod}, or null when neither it nor any existing pod has a required term that applies. */
  static RequiredAffinity prepare(PodInfo pod, ClusterView view) {
    RequiredAffinity check = new RequiredAffinity(pod, view);
    boolean incoming = !pod.requiredAffinityTerms().isEmpty() || !pod.requiredAntiAffinityTerms().isEmpty();
    return incoming || !check.existingAntiAffinity.isEmpty() ? check : null;
  }

  @Override
  public Status filter(NodeInfo node) {
    if (!satisfiesAffinity(node)) return AFFINITY_FAILED;
    if (!satisfiesAntiAffinity(node)) return ANTI_AFFINITY_FAILED;
    if (!satisfiesExistingAntiAffinity(node)) return EXISTING_ANTI_AFFINITY_FAILED;
    return Status.SUCCESS;
  }

  /**
   * Every affinity term needs a matching pod in the node's domain; the node must have every topology label. When
   * no pod anywhere matches and the pod matches its own terms, it is let through: otherwise the first replica of
   * a set that wants to be together could never start.
   */
  private boolean satisfiesAffinity(NodeInfo node) {
    List<PodAffinityTerm> terms = pod.requiredAffinityTerms();
    boolean podsExist = true;
    for (int i = 0, n = terms.size(); i < n; i++) {
      String key = terms.get(i).topologyKey();
      String value = node.labels().get(key);
      if (value == null) return false;
      if (affinity.get(key, value) <= 0) podsExist = false;
    }
    return podsExist || (affinity.isEmpty() && matchesOwnAffinity);
  }

  private boolean satisfiesAntiAffinity(NodeInfo node) {
    if (antiAffinity.isEmpty()) return true;
    List<PodAffinityTerm> terms = pod.requiredAntiAffinityTerms();
    for (int i = 0, n = terms.size(); i < n; i++) {
      if (antiAffinity.get(node, terms.get(i).topologyKey()) > 0) return false;
    }
    return true;
  }

  private boolean satisfiesExistingAntiAffinity(NodeInfo node) {
    if (existingAntiAffinity.isEmpty()) return true;
    for (String key : existingAntiAffinity.topologyKeys()) {
      if (existingAntiAffinity.get(node, key) > 0) return false;
    }
    return true;
  }

  private static boolean matchesAll(List<PodAffinityTerm> terms, PodInfo candidate, ClusterView view) {
    for (int i = 0, n = terms.size(); i < n; i++) {
      if (!terms.get(i).matches(candidate, view)) return false;
    }
    return true;
  }
}
