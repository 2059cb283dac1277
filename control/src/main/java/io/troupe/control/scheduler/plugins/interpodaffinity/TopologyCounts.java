package io.troupe.control.scheduler.plugins.interpodaffinity;

import io.troupe.control.scheduler.NodeInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A number per topology domain, a domain being a (topologyKey, value) pair: how many matching pods a zone or a
 * host has, or what a domain scores. Kept by key, then value, so that checking a node costs one lookup per
 * topology key in use rather than one per node label.
 */
final class TopologyCounts {

  private final Map<String, Map<String, long[]>> counts = new HashMap<>();

  /** Adds {@code delta} to the domain of {@code node} for {@code topologyKey}; nothing when it has no such label. */
  void add(NodeInfo node, String topologyKey, long delta) {
    String value = node.labels().get(topologyKey);
    if (value == null) return;
    counts.computeIfAbsent(topologyKey, k -> new HashMap<>()).computeIfAbsent(value, v -> new long[1])[0] += delta;
  }

  long get(String topologyKey, String value) {
    Map<String, long[]> values = counts.get(topologyKey);
    if (values == null) return 0;
    long[] count = values.get(value);
    return count == null ? 0 : count[0];
  }

  /** The count of the node's domain for {@code topologyKey}; 0 when the node has no such label. */
  long get(NodeInfo node, String topologyKey) {
    String value = node.labels().get(topologyKey);
    return value == null ? 0 : get(topologyKey, value);
  }

  boolean isEmpty() {
    return counts.isEmpty();
  }

  Set<String> topologyKeys() {
    return counts.keySet();
  }
}
