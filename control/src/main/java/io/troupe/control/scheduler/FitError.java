package io.troupe.control.scheduler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Why a pod fits no node, as kube-scheduler's {@code FitError} tells it: how many nodes there are, then how many
 * nodes failed for each reason.
 *
 * @param reasons the number of nodes per reason; a node failing for several reasons (cpu and memory) counts under
 *     each
 */
public record FitError(int numAllNodes, Map<String, Integer> reasons) {

  /** What Kubernetes says when the cluster has no node at all. */
  public static final String NO_NODES = "no nodes available to schedule pods";

  public FitError {
    reasons = Map.copyOf(reasons);
  }

  /** Counts the reasons of the failed statuses (null entries are nodes that were not rejected). */
  public static FitError of(int numAllNodes, Status[] failures) {
    Map<String, Integer> counts = new HashMap<>();
    if (failures != null) {
      for (Status failure : failures) {
        if (failure == null) continue;
        for (String reason : failure.reasons()) counts.merge(reason, 1, Integer::sum);
      }
    }
    return new FitError(numAllNodes, counts);
  }

  /**
   * "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector."
   *
   * <p>The entries are sorted as whole strings, count first, because that is what kube-scheduler does
   * ({@code sort.Strings} over {@code fmt.Sprintf("%v %v", count, reason)} in {@code FitError.Error()}): users
   * and tools that match these messages see the same order as on Kubernetes.
   */
  public String message() {
    if (numAllNodes == 0) return NO_NODES;
    List<String> entries = new ArrayList<>(reasons.size());
    reasons.forEach((reason, count) -> entries.add(count + " " + reason));
    Collections.sort(entries);
    return "0/" + numAllNodes + " nodes are available: " + String.join(", ", entries) + ".";
  }
}
