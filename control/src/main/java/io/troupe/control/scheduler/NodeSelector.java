package io.troupe.control.scheduler;

import java.util.List;

/** Required node affinity ({@code requiredDuringSchedulingIgnoredDuringExecution}): any one term must match. */
public record NodeSelector(List<NodeSelectorTerm> nodeSelectorTerms) {

  public NodeSelector {
    nodeSelectorTerms = List.copyOf(nodeSelectorTerms);
  }

  public boolean matches(NodeInfo node) {
    for (int i = 0, n = nodeSelectorTerms.size(); i < n; i++) {
      if (nodeSelectorTerms.get(i).matches(node)) return true;
    }
    return false;
  }
}
