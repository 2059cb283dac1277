package io.troupe.control.scheduler;

import io.troupe.persistence.selector.LabelSelector;
import java.util.Objects;
import java.util.Set;

/**
 * A pod (anti-)affinity term: the pods selected by {@code labelSelector} in the term's namespaces, counted per
 * topology domain (the nodes sharing a value of {@code topologyKey}).
 *
 * @param namespaces the namespaces named by the term; the owning pod's namespace when the term names none and has
 *     no namespace selector (filled in when the pod is read)
 * @param namespaceSelector more namespaces, by their labels; {@link LabelSelector#nothing()} when absent,
 *     {@link LabelSelector#everything()} for {@code {}}
 */
public record PodAffinityTerm(LabelSelector labelSelector, Set<String> namespaces, LabelSelector namespaceSelector,
    String topologyKey) {

  public PodAffinityTerm {
    Objects.requireNonNull(labelSelector, "labelSelector");
    namespaces = namespaces == null ? Set.of() : Set.copyOf(namespaces);
    namespaceSelector = namespaceSelector == null ? LabelSelector.nothing() : namespaceSelector;
    if (topologyKey == null || topologyKey.isEmpty()) throw new IllegalArgumentException("topologyKey is required");
  }

  /**
   * Whether {@code pod} is one of the pods the term selects. The namespace is checked first because it is the
   * cheaper test and rules out most pods.
   */
  public boolean matches(PodInfo pod, ClusterView view) {
    if (!namespaces.contains(pod.namespace())) {
      if (namespaceSelector.selectsNothing()) return false;
      if (!namespaceSelector.isEverything()
          && !namespaceSelector.matches(view.labelsOfNamespace(pod.namespace()))) {
        return false;
      }
    }
    return labelSelector.matches(pod.labels());
  }
}
