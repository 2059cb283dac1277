package io.troupe.control.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.troupe.control.controller.volume.Claims;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.OwnerReference;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the scheduler needs of a pod, read once from its manifest so that filtering and scoring never touch JSON
 * (kube-scheduler's {@code framework.PodInfo}).
 *
 * @param requests what the pod asks for: containers summed, the largest init container step if larger (sidecars,
 *     init containers with {@code restartPolicy: Always}, keep running), plus {@code spec.overhead}; pods is 1
 * @param nonZeroRequests the same with 100m cpu and 200Mi memory for each container that asks for none, as
 *     Kubernetes scores nodes, so that pods without requests do not all pile onto one node
 * @param nodeSelector {@code spec.nodeSelector}; every label must be on the node
 * @param requiredNodeAffinity null when the pod has none
 * @param owner the controller ownerReference (the ReplicaSet, StatefulSet...), null when none; pods with the same
 *     owner are spread
 * @param nodeName {@code spec.nodeName}: null while the pod waits to be scheduled
 * @param claims the PersistentVolumeClaims its volumes name ({@code spec.volumes[].persistentVolumeClaim})
 * @param volumes what those claims demand of a node, as the scheduler looked them up for this attempt; null until it
 *     has (a pod without claims needs none)
 */
public record PodInfo(
    String namespace,
    String name,
    String uid,
    Map<String, String> labels,
    Resources requests,
    Resources nonZeroRequests,
    Map<String, String> nodeSelector,
    NodeSelector requiredNodeAffinity,
    List<PreferredSchedulingTerm> preferredNodeAffinity,
    List<PodAffinityTerm> requiredAffinityTerms,
    List<PodAffinityTerm> requiredAntiAffinityTerms,
    List<WeightedPodAffinityTerm> preferredAffinityTerms,
    List<WeightedPodAffinityTerm> preferredAntiAffinityTerms,
    List<Toleration> tolerations,
    OwnerReference owner,
    String nodeName,
    List<String> claims,
    PodVolumes volumes) {

  /** The namespace of a pod whose manifest names none (what the API server fills in from the path). */
  public static final String DEFAULT_NAMESPACE = "default";

  public PodInfo {
    namespace = namespace == null ? DEFAULT_NAMESPACE : namespace;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(nonZeroRequests, "nonZeroRequests");
    nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    preferredNodeAffinity = preferredNodeAffinity == null ? List.of() : List.copyOf(preferredNodeAffinity);
    requiredAffinityTerms = requiredAffinityTerms == null ? List.of() : List.copyOf(requiredAffinityTerms);
    requiredAntiAffinityTerms = requiredAntiAffinityTerms == null ? List.of() : List.copyOf(requiredAntiAffinityTerms);
    preferredAffinityTerms = preferredAffinityTerms == null ? List.of() : List.copyOf(preferredAffinityTerms);
    preferredAntiAffinityTerms =
        preferredAntiAffinityTerms == null ? List.of() : List.copyOf(preferredAntiAffinityTerms);
    tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
    claims = claims == null ? List.of() : List.copyOf(claims);
  }

  /** A pod without PersistentVolumeClaims. */
  public PodInfo(String namespace, String name, String uid, Map<String, String> labels, Resources requests,
      Resources nonZeroRequests, Map<String, String> nodeSelector, NodeSelector requiredNodeAffinity,
      List<PreferredSchedulingTerm> preferredNodeAffinity, List<PodAffinityTerm> requiredAffinityTerms,
      List<PodAffinityTerm> requiredAntiAffinityTerms, List<WeightedPodAffinityTerm> preferredAffinityTerms,
      List<WeightedPodAffinityTerm> preferredAntiAffinityTerms, List<Toleration> tolerations, OwnerReference owner,
      String nodeName) {
    this(namespace, name, uid, labels, requests, nonZeroRequests, nodeSelector, requiredNodeAffinity,
        preferredNodeAffinity, requiredAffinityTerms, requiredAntiAffinityTerms, preferredAffinityTerms,
        preferredAntiAffinityTerms, tolerations, owner, nodeName, List.of(), null);
  }

  /**
   * Reads a Pod manifest.
   *
   * @throws IllegalArgumentException naming the field, when a quantity, selector or affinity term is malformed
   *     (a pod Kubernetes' validation would have refused; the scheduler reports it as unschedulable)
   */
  public static PodInfo from(KubeObject pod) {
    JsonNode spec = pod.spec();
    if (spec == null || !spec.isObject()) spec = MissingNode.getInstance();
    String namespace = pod.metadata().namespace() == null ? DEFAULT_NAMESPACE : pod.metadata().namespace();
    Resources[] requests = PodSpecReader.requests(spec);
    JsonNode affinity = spec.path("affinity");
    JsonNode nodeName = spec.path("nodeName");
    return new PodInfo(
        namespace,
        pod.metadata().name(),
        pod.metadata().uid(),
        pod.metadata().labels(),
        requests[0],
        requests[1],
        PodSpecReader.stringMap(spec.path("nodeSelector")),
        PodSpecReader.requiredNodeAffinity(affinity.path("nodeAffinity")),
        PodSpecReader.preferredNodeAffinity(affinity.path("nodeAffinity")),
        PodSpecReader.podAffinityTerms(affinity.path("podAffinity"), namespace, "podAffinity"),
        PodSpecReader.podAffinityTerms(affinity.path("podAntiAffinity"), namespace, "podAntiAffinity"),
        PodSpecReader.weightedPodAffinityTerms(affinity.path("podAffinity"), namespace, "podAffinity"),
        PodSpecReader.weightedPodAffinityTerms(affinity.path("podAntiAffinity"), namespace, "podAntiAffinity"),
        PodSpecReader.tolerations(spec.path("tolerations")),
        controller(pod.metadata().ownerReferences()),
        nodeName.isTextual() && !nodeName.textValue().isEmpty() ? nodeName.textValue() : null,
        Claims.claimNames(spec),
        null);
  }

  /**
   * Whether the pod has finished (phase Succeeded or Failed): such pods no longer hold resources on their node and
   * are left out of its {@link NodeInfo}, as kube-scheduler's pod informer leaves them out.
   */
  public static boolean isTerminal(KubeObject pod) {
    JsonNode phase = pod.status() == null ? null : pod.status().get("phase");
    String value = phase == null ? null : phase.asText();
    return "Succeeded".equals(value) || "Failed".equals(value);
  }

  /** The pod with {@code spec.nodeName} set: what the scheduler assumes until the bind lands. */
  public PodInfo withNodeName(String node) {
    return new PodInfo(namespace, name, uid, labels, requests, nonZeroRequests, nodeSelector, requiredNodeAffinity,
        preferredNodeAffinity, requiredAffinityTerms, requiredAntiAffinityTerms, preferredAffinityTerms,
        preferredAntiAffinityTerms, tolerations, owner, node, claims, volumes);
  }

  /** The pod with what its claims demand, as just looked up. */
  public PodInfo withVolumes(PodVolumes resolved) {
    return new PodInfo(namespace, name, uid, labels, requests, nonZeroRequests, nodeSelector, requiredNodeAffinity,
        preferredNodeAffinity, requiredAffinityTerms, requiredAntiAffinityTerms, preferredAffinityTerms,
        preferredAntiAffinityTerms, tolerations, owner, nodeName, claims, resolved);
  }

  /** namespace/name. */
  public String key() {
    return namespace + "/" + name;
  }

  /** Whether this is the same pod as {@code other}: same uid when both have one, else same namespace/name. */
  public boolean isSamePod(PodInfo other) {
    if (uid != null && other.uid != null) return uid.equals(other.uid);
    return namespace.equals(other.namespace) && Objects.equals(name, other.name);
  }

  /** The controller's uid, the key pods are spread by; null when the pod has no controller. */
  public String ownerUid() {
    return owner == null ? null : owner.uid();
  }

  /** Any pod affinity or anti-affinity term, required or preferred (kube-scheduler's PodsWithAffinity). */
  public boolean hasPodAffinity() {
    return !requiredAffinityTerms.isEmpty() || !requiredAntiAffinityTerms.isEmpty()
        || !preferredAffinityTerms.isEmpty() || !preferredAntiAffinityTerms.isEmpty();
  }

  public boolean hasRequiredAntiAffinity() {
    return !requiredAntiAffinityTerms.isEmpty();
  }

  private static OwnerReference controller(List<OwnerReference> owners) {
    for (OwnerReference owner : owners) {
      if (Boolean.TRUE.equals(owner.controller())) return owner;
    }
    return null;
  }
}
