package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.cluster.ClusterMember;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Node object a node agent registers and the status it heartbeats, as the kubelet writes them: capacity and
 * allocatable, the Ready and pressure conditions with {@code lastHeartbeatTime}, addresses, the kubelet
 * endpoint, node info. Pure: the time comes in as an argument.
 */
public final class NodeStatus {
  private static final List<String> PRESSURE = List.of("MemoryPressure", "DiskPressure", "PIDPressure");

  /** The Node annotation that says where the local-path provisioner's volumes live on this node. */
  public static final String LOCAL_PATH_ROOT = "troupe.io/local-path-root";

  /**
   * The taint a Node without a pod CIDR is registered with (Kubernetes' {@code TaintNodeNetworkUnavailable}): the
   * scheduler sends it no pod until the node-ipam controller, which writes the CIDR, removes it in the same write.
   */
  public static final String NETWORK_UNAVAILABLE_TAINT = "node.kubernetes.io/network-unavailable";

  /**
   * What one node reports about itself.
   *
   * @param podCidr the pod CIDR it brings (configured, or assigned earlier); null when the node-ipam controller is to
   *     assign one
   * @param localPathRoot the absolute directory of this node under which local-path volumes are made
   */
  public record Facts(String name, String zone, Map<String, String> labels, String member, String podCidr,
      String cpu, String memory, int pods, String address, int kubeletPort, String runtime, String localPathRoot) {

    public Facts {
      if (podCidr != null && podCidr.isBlank()) podCidr = null;
    }

    public Facts withPodCidr(String cidr) {
      return new Facts(name, zone, labels, member, cidr, cpu, memory, pods, address, kubeletPort, runtime,
          localPathRoot);
    }
  }

  private NodeStatus() {}

  /**
   * The Node to write at registration: {@code existing} (a node registered before, with the spec users and
   * controllers wrote: unschedulable, taints, the pod CIDR) keeps its spec, labels and annotations, with ours set
   * over them. A Node without a pod CIDR is registered tainted {@value #NETWORK_UNAVAILABLE_TAINT}:NoSchedule and
   * with the condition NetworkUnavailable True.
   */
  public static KubeObject registration(Facts facts, KubeObject existing, String now) {
    Map<String, String> labels = new HashMap<>(existing == null ? Map.of() : existing.metadata().labels());
    labels.putAll(facts.labels());
    labels.put("kubernetes.io/hostname", facts.name());
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", arch());
    if (!facts.zone().isEmpty()) labels.put("topology.kubernetes.io/zone", facts.zone());
    Map<String, String> annotations = new HashMap<>(existing == null ? Map.of() : existing.metadata().annotations());
    annotations.put(ClusterMember.ANNOTATION, facts.member());
    annotations.put(LOCAL_PATH_ROOT, facts.localPathRoot());
    ObjectMeta meta = existing == null
        ? ObjectMeta.named(null, facts.name()).withCreation(UUID.randomUUID().toString(), now)
        : existing.metadata();
    meta = new ObjectMeta(meta.name(), meta.generateName(), meta.namespace(), meta.uid(), meta.resourceVersion(),
        meta.generation(), meta.creationTimestamp(), meta.deletionTimestamp(), meta.deletionGracePeriodSeconds(),
        labels, annotations, meta.ownerReferences(), meta.finalizers());
    ObjectNode spec = existing != null && existing.spec() instanceof ObjectNode s ? s.deepCopy() : Json.object();
    if (!spec.has("podCIDR") && facts.podCidr() != null) {
      spec.put("podCIDR", facts.podCidr());
      spec.putArray("podCIDRs").add(facts.podCidr());
    }
    networkUnavailableTaint(spec, !spec.has("podCIDR"));
    ObjectNode body = existing == null ? Json.object() : existing.body().deepCopy();
    body.set("spec", spec);
    body.set("status", status(facts, existing == null ? null : existing.status(), now, spec.has("podCIDR")));
    return new KubeObject("v1", "Node", meta, body);
  }

  /** Puts the network-unavailable taint into {@code spec} or takes it out; other taints stay as they are. */
  private static void networkUnavailableTaint(ObjectNode spec, boolean wanted) {
    ArrayNode taints = Json.MAPPER.createArrayNode();
    boolean present = false;
    for (JsonNode t : spec.path("taints")) {
      if (!NETWORK_UNAVAILABLE_TAINT.equals(t.path("key").asText())) taints.add(t);
      else if (wanted && !present) {
        taints.add(t);
        present = true;
      }
    }
    if (wanted && !present) taints.addObject().put("key", NETWORK_UNAVAILABLE_TAINT).put("effect", "NoSchedule");
    if (taints.isEmpty()) spec.remove("taints");
    else spec.set("taints", taints);
  }

  /** The pod CIDR a Node holds ({@code spec.podCIDR}); null when none is assigned yet. */
  public static String podCidr(KubeObject node) {
    String cidr = node == null ? null : io.troupe.persistence.model.Json.text(node.body(), "spec.podCIDR");
    return cidr == null || cidr.isBlank() ? null : cidr;
  }

  /**
   * The full status: capacity, conditions (Ready with this heartbeat; NetworkUnavailable False once the node's
   * network is ready, that is once it has a pod CIDR), addresses, endpoint, node info.
   */
  public static ObjectNode status(Facts facts, JsonNode previous, String now, boolean networkReady) {
    ObjectNode status = Json.object();
    ObjectNode capacity = status.putObject("capacity");
    capacity.put("cpu", facts.cpu());
    capacity.put("memory", facts.memory());
    capacity.put("pods", String.valueOf(facts.pods()));
    status.set("allocatable", capacity.deepCopy());
    status.set("conditions", heartbeat(previous, now, networkReady).path("conditions"));
    ArrayNode addresses = status.putArray("addresses");
    addresses.addObject().put("type", "InternalIP").put("address", facts.address());
    addresses.addObject().put("type", "Hostname").put("address", facts.name());
    status.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", facts.kubeletPort());
    ObjectNode info = status.putObject("nodeInfo");
    info.put("kubeletVersion", "v1.32.0-troupe");
    info.put("kubeProxyVersion", "");
    info.put("containerRuntimeVersion", facts.runtime() + "://0.1.0");
    info.put("operatingSystem", "linux");
    info.put("architecture", arch());
    info.put("osImage", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    info.put("kernelVersion", System.getProperty("os.version"));
    return status;
  }

  /**
   * {@code previous} with every condition of the kubelet's refreshed: Ready True, no pressure, and NetworkUnavailable
   * (False once the node has its pod CIDR, {@code networkReady}), each with {@code lastHeartbeatTime = now} and its
   * {@code lastTransitionTime} kept unless its status changes.
   *
   * <p>Why not Ready False until the CIDR comes, as a kubelet whose network plugin is not ready reports it: the node
   * lifecycle controller answers Ready False with a NoExecute taint, an Event, and the taint's removal moments later,
   * four writes more per Node; 5,000 simulated Nodes registering at once then overran the H2 journal (10,000 writes
   * failed, Ready after 44 s instead of 5 s). The NoSchedule taint keeps pods off just as well.
   */
  public static ObjectNode heartbeat(JsonNode previous, String now, boolean networkReady) {
    ObjectNode status = previous instanceof ObjectNode p ? p.deepCopy() : Json.object();
    Map<String, JsonNode> before = new HashMap<>();
    ArrayNode kept = Json.MAPPER.createArrayNode();
    for (JsonNode c : status.path("conditions")) {
      String type = c.path("type").asText();
      if (type.equals("Ready") || type.equals("NetworkUnavailable") || PRESSURE.contains(type)) before.put(type, c);
      else kept.add(c);
    }
    ArrayNode conditions = Json.MAPPER.createArrayNode();
    for (String type : PRESSURE) {
      conditions.add(condition(type, "False", "KubeletHas" + (type.equals("PIDPressure") ? "SufficientPID"
          : type.equals("MemoryPressure") ? "SufficientMemory" : "NoDiskPressure"),
          "kubelet has no " + type.replace("Pressure", "").toLowerCase() + " pressure", before.get(type), now));
    }
    conditions.add(networkReady
        ? condition("NetworkUnavailable", "False", "PodCIDRAssigned", "the node has its pod CIDR",
            before.get("NetworkUnavailable"), now)
        : condition("NetworkUnavailable", "True", "NoPodCIDR", "no pod CIDR assigned to the node yet (spec.podCIDR)",
            before.get("NetworkUnavailable"), now));
    conditions.add(condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", before.get("Ready"),
        now));
    conditions.addAll(kept);
    status.set("conditions", conditions);
    return status;
  }

  private static ObjectNode condition(String type, String value, String reason, String message, JsonNode before,
      String now) {
    ObjectNode c = Json.object();
    c.put("type", type);
    c.put("status", value);
    c.put("lastHeartbeatTime", now);
    boolean same = before != null && value.equals(before.path("status").asText());
    c.put("lastTransitionTime", same ? before.path("lastTransitionTime").asText(now) : now);
    c.put("reason", reason);
    c.put("message", message);
    return c;
  }

  /**
   * {@code status.images} as the kubelet reports it: the largest images first, at most 50, each with at most 5 of
   * its names (kubelet's nodeStatusMaxImages and MaxNamesPerImageInNodeStatus) and its size.
   */
  public static ArrayNode images(java.util.List<io.troupe.node.image.ImageSummary> held) {
    ArrayNode images = Json.MAPPER.createArrayNode();
    held.stream().filter(i -> !i.names().isEmpty())
        .sorted(java.util.Comparator.comparingLong(io.troupe.node.image.ImageSummary::sizeBytes).reversed())
        .limit(50).forEach(i -> {
          ObjectNode image = images.addObject();
          ArrayNode names = image.putArray("names");
          i.names().stream().limit(5).forEach(names::add);
          image.put("sizeBytes", i.sizeBytes());
        });
    return images;
  }

  private static String arch() {
    String arch = System.getProperty("os.arch");
    return "x86_64".equals(arch) ? "amd64" : "aarch64".equals(arch) ? "arm64" : arch;
  }
}
