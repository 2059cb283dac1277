package io.troupe.control.scheduler;

import java.util.List;

/**
 * One term of a node selector: every expression (over the node's labels) and every field requirement (over
 * {@code metadata.name}, the one node field Kubernetes supports) must hold. An empty term matches no node, as in
 * Kubernetes.
 */
public record NodeSelectorTerm(List<NodeSelectorRequirement> matchExpressions,
    List<NodeSelectorRequirement> matchFields) {

  /** The only field a term may select on. */
  public static final String NAME_FIELD = "metadata.name";

  public NodeSelectorTerm {
    matchExpressions = matchExpressions == null ? List.of() : List.copyOf(matchExpressions);
    matchFields = matchFields == null ? List.of() : List.copyOf(matchFields);
    for (NodeSelectorRequirement field : matchFields) {
      boolean equality = field.operator() == NodeSelectorRequirement.Operator.IN
          || field.operator() == NodeSelectorRequirement.Operator.NOT_IN;
      if (!equality || field.values().size() != 1) {
        throw new IllegalArgumentException("matchFields: " + field.key()
            + " supports only In and NotIn with a single value");
      }
    }
  }

  public boolean matches(NodeInfo node) {
    if (matchExpressions.isEmpty() && matchFields.isEmpty()) return false;
    for (int i = 0, n = matchExpressions.size(); i < n; i++) {
      if (!matchExpressions.get(i).matches(node.labels())) return false;
    }
    for (int i = 0, n = matchFields.size(); i < n; i++) {
      NodeSelectorRequirement field = matchFields.get(i);
      if (!field.matchesValue(NAME_FIELD.equals(field.key()) ? node.name() : null)) return false;
    }
    return true;
  }
}
