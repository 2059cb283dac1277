package io.troupe.control.scheduler;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * The scheduler's snapshot of the cluster: every node with its pods, in name order, the labels of the namespaces
 * (which pod affinity terms may select by {@code namespaceSelector}), and which nodes hold pods with affinity terms
 * (kube-scheduler's {@code HavePodsWithAffinityNodeInfoList} and {@code HavePodsWithRequiredAntiAffinityNodeInfoList}).
 *
 * <p>Immutable. A final class rather than a record because those indexes are private and must agree with the nodes:
 * they let a decision visit only the few nodes whose pods carry terms, and {@link #withPod} (the scheduler's
 * "assume") cost one array copy, with no re-sorting, re-checking or hashing of thousands of names. Name order makes
 * a decision independent of the order nodes were learnt in and lets a node be found by binary search.
 */
public final class ClusterView {

  private static final Comparator<NodeInfo> BY_NAME = Comparator.comparing(NodeInfo::name);
  private static final int[] NONE = new int[0];

  private final NodeInfo[] nodes;
  private final Map<String, Map<String, String>> namespaceLabels;
  /** Positions in {@code nodes}, ascending, of the nodes with a pod that has any pod (anti-)affinity term. */
  private final int[] withAffinity;
  /** Positions, ascending, of the nodes with a pod that has a required anti-affinity term. */
  private final int[] withRequiredAntiAffinity;

  private ClusterView(NodeInfo[] nodes, Map<String, Map<String, String>> namespaceLabels, int[] withAffinity,
      int[] withRequiredAntiAffinity) {
    this.nodes = nodes;
    this.namespaceLabels = namespaceLabels;
    this.withAffinity = withAffinity;
    this.withRequiredAntiAffinity = withRequiredAntiAffinity;
  }

  public static ClusterView of(List<NodeInfo> nodes) {
    return of(nodes, Map.of());
  }

  /**
   * @throws IllegalArgumentException when two nodes have the same name
   */
  public static ClusterView of(List<NodeInfo> nodes, Map<String, Map<String, String>> namespaceLabels) {
    NodeInfo[] sorted = nodes.toArray(new NodeInfo[0]);
    Arrays.sort(sorted, BY_NAME);
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i - 1].name().equals(sorted[i].name())) {
        throw new IllegalArgumentException("two nodes are named " + sorted[i].name());
      }
    }
    Map<String, Map<String, String>> labels = new HashMap<>();
    namespaceLabels.forEach((namespace, map) -> labels.put(namespace, Map.copyOf(map)));
    return indexed(sorted, Map.copyOf(labels));
  }

  private static ClusterView indexed(NodeInfo[] sorted, Map<String, Map<String, String>> namespaceLabels) {
    int[] affinity = new int[sorted.length];
    int[] antiAffinity = new int[sorted.length];
    int affinityCount = 0;
    int antiAffinityCount = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (!sorted[i].podsWithAffinity().isEmpty()) affinity[affinityCount++] = i;
      if (!sorted[i].podsWithRequiredAntiAffinity().isEmpty()) antiAffinity[antiAffinityCount++] = i;
    }
    return new ClusterView(sorted, namespaceLabels, Arrays.copyOf(affinity, affinityCount),
        Arrays.copyOf(antiAffinity, antiAffinityCount));
  }

  /** Every node, in name order. */
  public List<NodeInfo> nodes() {
    return new Positions(nodes, null);
  }

  /** The nodes with a pod that has any pod affinity or anti-affinity term, required or preferred. */
  public List<NodeInfo> nodesWithPodsWithAffinity() {
    return new Positions(nodes, withAffinity);
  }

  /** The nodes with a pod that has a required anti-affinity term. */
  public List<NodeInfo> nodesWithPodsWithRequiredAntiAffinity() {
    return new Positions(nodes, withRequiredAntiAffinity);
  }

  public int size() {
    return nodes.length;
  }

  /** The node with this name, or null. */
  public NodeInfo node(String name) {
    int index = indexOf(name);
    return index >= 0 ? nodes[index] : null;
  }

  /** The labels of every namespace known to have labels. */
  public Map<String, Map<String, String>> namespaceLabels() {
    return namespaceLabels;
  }

  /** The labels of a namespace; empty when the namespace is unknown. */
  public Map<String, String> labelsOfNamespace(String namespace) {
    Map<String, String> labels = namespaceLabels.get(namespace);
    return labels == null ? Map.of() : labels;
  }

  /** This view with {@code node} added, or replacing the node of the same name. */
  public ClusterView withNode(NodeInfo node) {
    int index = indexOf(node.name());
    if (index < 0) {
      int insertion = -index - 1;
      NodeInfo[] array = new NodeInfo[nodes.length + 1];
      System.arraycopy(nodes, 0, array, 0, insertion);
      array[insertion] = node;
      System.arraycopy(nodes, insertion, array, insertion + 1, nodes.length - insertion);
      return indexed(array, namespaceLabels);
    }
    NodeInfo[] array = nodes.clone();
    array[index] = node;
    return new ClusterView(array, namespaceLabels,
        update(withAffinity, index, !node.podsWithAffinity().isEmpty()),
        update(withRequiredAntiAffinity, index, !node.podsWithRequiredAntiAffinity().isEmpty()));
  }

  /** This view without the named node (and its pods). */
  public ClusterView withoutNode(String name) {
    int index = indexOf(name);
    if (index < 0) return this;
    NodeInfo[] array = new NodeInfo[nodes.length - 1];
    System.arraycopy(nodes, 0, array, 0, index);
    System.arraycopy(nodes, index + 1, array, index, nodes.length - index - 1);
    return indexed(array, namespaceLabels);
  }

  /**
   * This view with {@code pod} on node {@code nodeName}: the scheduler's assumption between its decision and the
   * bind's success. The pod carries the node name from then on.
   *
   * @throws IllegalArgumentException when there is no such node
   */
  public ClusterView withPod(String nodeName, PodInfo pod) {
    NodeInfo node = node(nodeName);
    if (node == null) throw new IllegalArgumentException("no node " + nodeName);
    return withNode(node.withPod(nodeName.equals(pod.nodeName()) ? pod : pod.withNodeName(nodeName)));
  }

  /** This view without {@code pod} on its node ({@code pod.nodeName()}); unchanged when it is not there. */
  public ClusterView withoutPod(PodInfo pod) {
    NodeInfo node = pod.nodeName() == null ? null : node(pod.nodeName());
    if (node == null) return this;
    NodeInfo updated = node.withoutPod(pod);
    return updated == node ? this : withNode(updated);
  }

  /** This view with a namespace's labels set (or replaced). */
  public ClusterView withNamespace(String namespace, Map<String, String> labels) {
    Map<String, Map<String, String>> copy = new HashMap<>(namespaceLabels);
    copy.put(namespace, Map.copyOf(labels));
    return new ClusterView(nodes, Map.copyOf(copy), withAffinity, withRequiredAntiAffinity);
  }

  /**
   * The pods in one topology domain: on the nodes whose label {@code topologyKey} has {@code value} (one node for
   * {@code kubernetes.io/hostname}, a zone's nodes for {@code topology.kubernetes.io/zone}). A scan of all nodes,
   * for callers outside the scheduling loop; the InterPodAffinity plugin counts all domains in one pass instead.
   */
  public List<PodInfo> podsInDomain(String topologyKey, String value) {
    List<PodInfo> pods = new ArrayList<>();
    for (NodeInfo node : nodes) {
      if (value.equals(node.labels().get(topologyKey))) pods.addAll(node.pods());
    }
    return pods;
  }

  @Override
  public String toString() {
    return "ClusterView[" + nodes.length + " nodes, " + withAffinity.length + " with affinity pods]";
  }

  private int indexOf(String name) {
    int low = 0;
    int high = nodes.length - 1;
    while (low <= high) {
      int middle = (low + high) >>> 1;
      int order = nodes[middle].name().compareTo(name);
      if (order < 0) low = middle + 1;
      else if (order > 0) high = middle - 1;
      else return middle;
    }
    return -(low + 1);
  }

  /** {@code positions} with {@code index} present or absent, sharing the array when nothing changes. */
  private static int[] update(int[] positions, int index, boolean present) {
    int at = Arrays.binarySearch(positions, index);
    if ((at >= 0) == present) return positions;
    if (present) {
      int insertion = -at - 1;
      int[] copy = new int[positions.length + 1];
      System.arraycopy(positions, 0, copy, 0, insertion);
      copy[insertion] = index;
      System.arraycopy(positions, insertion, copy, insertion + 1, positions.length - insertion);
      return copy;
    }
    if (positions.length == 1) return NONE;
    int[] copy = new int[positions.length - 1];
    System.arraycopy(positions, 0, copy, 0, at);
    System.arraycopy(positions, at + 1, copy, at, positions.length - at - 1);
    return copy;
  }

  /** A read-only list over the nodes array, whole or at some positions; no copy. */
  private static final class Positions extends AbstractList<NodeInfo> implements RandomAccess {
    private final NodeInfo[] nodes;
    private final int[] positions;

    Positions(NodeInfo[] nodes, int[] positions) {
      this.nodes = nodes;
      this.positions = positions;
    }

    @Override
    public NodeInfo get(int index) {
      return positions == null ? nodes[index] : nodes[positions[index]];
    }

    @Override
    public int size() {
      return positions == null ? nodes.length : positions.length;
    }
  }
}
