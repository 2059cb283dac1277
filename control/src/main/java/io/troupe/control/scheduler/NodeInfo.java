package io.troupe.control.scheduler;

import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.model.QuantityFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node as the scheduler sees it: the fields of the Node it filters and scores on, and the pods bound (or
 * assumed) to it with what they add up to (kube-scheduler's {@code framework.NodeInfo}).
 *
 * <p>Immutable: {@link #withPod} returns a new node, so a scheduling decision is taken against a consistent
 * snapshot while the scheduler records the pods it has just placed. The last five components are derived from
 * {@code pods}; build nodes with {@link #from} or {@link #of}, which compute them.
 *
 * @param ready the status of the Ready condition; Unknown when the node has never reported one
 * @param allocatable {@code status.allocatable} (or {@code status.capacity} when allocatable is unset, as the API
 *     server defaults it): cpu, memory and the number of pods
 * @param requested the summed requests of the pods; {@code pods} is their number
 * @param nonZeroRequested the summed non-zero requests, for scoring
 * @param podsWithAffinity the pods with any pod (anti-)affinity term
 * @param podsWithRequiredAntiAffinity the pods with a required anti-affinity term
 * @param podsPerOwner how many pods each controller (by uid) has here, for spreading
 */
public record NodeInfo(
    String name,
    Map<String, String> labels,
    ConditionStatus ready,
    boolean unschedulable,
    List<Taint> taints,
    Resources allocatable,
    List<PodInfo> pods,
    Resources requested,
    Resources nonZeroRequested,
    List<PodInfo> podsWithAffinity,
    List<PodInfo> podsWithRequiredAntiAffinity,
    Map<String, Integer> podsPerOwner) {

  public static final String LABEL_HOSTNAME = "kubernetes.io/hostname";
  public static final String LABEL_ZONE = "topology.kubernetes.io/zone";
  public static final String LABEL_REGION = "topology.kubernetes.io/region";
  private static final String LABEL_ZONE_BETA = "failure-domain.beta.kubernetes.io/zone";
  private static final String LABEL_REGION_BETA = "failure-domain.beta.kubernetes.io/region";

  public NodeInfo {
    Objects.requireNonNull(name, "name");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    Objects.requireNonNull(ready, "ready");
    taints = taints == null ? List.of() : List.copyOf(taints);
    Objects.requireNonNull(allocatable, "allocatable");
    pods = pods == null ? List.of() : List.copyOf(pods);
    Objects.requireNonNull(requested, "requested");
    Objects.requireNonNull(nonZeroRequested, "nonZeroRequested");
    podsWithAffinity = podsWithAffinity == null ? List.of() : List.copyOf(podsWithAffinity);
    podsWithRequiredAntiAffinity =
        podsWithRequiredAntiAffinity == null ? List.of() : List.copyOf(podsWithRequiredAntiAffinity);
    podsPerOwner = podsPerOwner == null ? Map.of() : Map.copyOf(podsPerOwner);
  }

  /**
   * Whether {@code other} places pods as this node does: the same name, labels, Ready status, unschedulable flag,
   * taints and allocatable resources (its pods aside). A Node status write that only moves heartbeat times leaves
   * them all equal.
   */
  public boolean sameSchedulingProperties(NodeInfo other) {
    return name.equals(other.name) && ready == other.ready && unschedulable == other.unschedulable
        && labels.equals(other.labels) && taints.equals(other.taints) && allocatable.equals(other.allocatable);
  }

  /**
   * Reads a Node manifest; {@code pods} are the pods bound to it that have not finished.
   *
   * @throws QuantityFormatException when an allocatable quantity is malformed
   */
  public static NodeInfo from(KubeObject node, List<PodInfo> pods) {
    JsonNode spec = node.spec() == null ? MissingNode.getInstance() : node.spec();
    JsonNode status = node.status() == null ? MissingNode.getInstance() : node.status();
    ConditionStatus ready = ConditionStatus.UNKNOWN;
    for (JsonNode condition : status.path("conditions")) {
      if ("Ready".equals(condition.path("type").asText())) {
        ready = ConditionStatus.of(condition.path("status").asText());
      }
    }
    List<Taint> taints = new ArrayList<>();
    for (JsonNode taint : spec.path("taints")) {
      taints.add(new Taint(PodSpecReader.textOrNull(taint.get("key")), PodSpecReader.textOrNull(taint.get("value")),
          PodSpecReader.textOrNull(taint.get("effect"))));
    }
    boolean hasAllocatable = status.path("allocatable").isObject();
    JsonNode allocatable = hasAllocatable ? status.path("allocatable") : status.path("capacity");
    String field = hasAllocatable ? "status.allocatable." : "status.capacity.";
    Resources resources = new Resources(
        quantity(allocatable, "cpu", field).milliValue(),
        quantity(allocatable, "memory", field).value(),
        quantity(allocatable, "pods", field).value());
    return of(node.metadata().name(), node.metadata().labels(), ready, spec.path("unschedulable").asBoolean(false),
        taints, resources, pods);
  }

  /** A node with its pods; the sums and subsets are computed here. */
  public static NodeInfo of(String name, Map<String, String> labels, ConditionStatus ready, boolean unschedulable,
      List<Taint> taints, Resources allocatable, List<PodInfo> pods) {
    Resources requested = Resources.ZERO;
    Resources nonZero = Resources.ZERO;
    List<PodInfo> withAffinity = new ArrayList<>();
    List<PodInfo> withAntiAffinity = new ArrayList<>();
    Map<String, Integer> perOwner = new HashMap<>();
    for (PodInfo pod : pods) {
      requested = requested.plus(pod.requests());
      nonZero = nonZero.plus(pod.nonZeroRequests());
      if (pod.hasPodAffinity()) withAffinity.add(pod);
      if (pod.hasRequiredAntiAffinity()) withAntiAffinity.add(pod);
      if (pod.ownerUid() != null) perOwner.merge(pod.ownerUid(), 1, Integer::sum);
    }
    return new NodeInfo(name, labels, ready, unschedulable, taints, allocatable, pods, requested, nonZero,
        withAffinity, withAntiAffinity, perOwner);
  }

  /** This node with one more pod: what the scheduler assumes once it has chosen this node for {@code pod}. */
  public NodeInfo withPod(PodInfo pod) {
    Map<String, Integer> perOwner = podsPerOwner;
    String owner = pod.ownerUid();
    if (owner != null) {
      Map<String, Integer> copy = new HashMap<>(podsPerOwner);
      copy.merge(owner, 1, Integer::sum);
      perOwner = copy;
    }
    return new NodeInfo(name, labels, ready, unschedulable, taints, allocatable, append(pods, pod),
        requested.plus(pod.requests()), nonZeroRequested.plus(pod.nonZeroRequests()),
        pod.hasPodAffinity() ? append(podsWithAffinity, pod) : podsWithAffinity,
        pod.hasRequiredAntiAffinity() ? append(podsWithRequiredAntiAffinity, pod) : podsWithRequiredAntiAffinity,
        perOwner);
  }

  /** This node without {@code pod} (matched by uid, or namespace/name): a pod deleted or a bind that failed. */
  public NodeInfo withoutPod(PodInfo pod) {
    List<PodInfo> kept = new ArrayList<>(pods.size());
    for (PodInfo existing : pods) {
      if (!existing.isSamePod(pod)) kept.add(existing);
    }
    if (kept.size() == pods.size()) return this;
    return of(name, labels, ready, unschedulable, taints, allocatable, kept);
  }

  /** What is left to request: allocatable minus requested. */
  public Resources free() {
    return allocatable.minus(requested);
  }

  /**
   * The node's zone for spreading: region and zone together (a zone name is unique only within its region), the
   * zone alone when there is no region label (sparing a string per node), or null when the node has neither label.
   * Kubernetes' {@code GetZoneKey}, with the beta labels as fallback.
   */
  public String zoneKey() {
    String zone = labels.get(LABEL_ZONE);
    if (zone == null) zone = labels.get(LABEL_ZONE_BETA);
    String region = labels.get(LABEL_REGION);
    if (region == null) region = labels.get(LABEL_REGION_BETA);
    if (region == null) return zone;
    // Label values cannot hold \0, so a bare zone never equals a region-qualified one.
    return region + ":\0:" + (zone == null ? "" : zone);
  }

  private static Quantity quantity(JsonNode resources, String resource, String field) {
    JsonNode value = resources.get(resource);
    if (value == null || value.isNull()) return new Quantity(java.math.BigDecimal.ZERO);
    try {
      return Quantity.parse(value);
    } catch (QuantityFormatException e) {
      throw new QuantityFormatException(field + resource + ": " + e.getMessage());
    }
  }

  private static List<PodInfo> append(List<PodInfo> list, PodInfo pod) {
    PodInfo[] array = list.toArray(new PodInfo[list.size() + 1]);
    array[list.size()] = pod;
    return List.of(array);
  }
}
