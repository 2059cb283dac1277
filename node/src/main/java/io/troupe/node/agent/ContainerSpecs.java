package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.node.image.PullPolicy;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.DnsConfig;
import io.troupe.node.runtime.Mount;
import io.troupe.node.volume.PodVolumes;
import io.troupe.node.volume.VolumeException;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.model.QuantityFormatException;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Stored;
import java.util.HashMap;
import java.util.List;
import java.util.function.Function;
import java.util.Map;

/**
 * Turns a container of a pod's spec into what the runtime starts: image, working dir, the environment and
 * command line {@link ContainerEnvironment} resolves (ConfigMaps, Secrets and the Services' variables read from the
 * watch cache), the memory limit, the volume mounts. Also the pod's DNS settings ({@link PodDns}).
 *
 * <p>Every container also gets {@code TROUPE_DNS_SERVER} and {@code TROUPE_DNS_PORT}, the cluster DNS server's
 * address and port, while the cluster has one (a Troupe addition: without root a pod has no resolv.conf of its
 * own, and its programs ask that server by name).
 */
final class ContainerSpecs {
  static final String DNS_SERVER = "TROUPE_DNS_SERVER";
  static final String DNS_PORT = "TROUPE_DNS_PORT";

  /** The spec to start, or why it cannot be made ({@code CreateContainerConfigError}). */
  record Resolved(ContainerSpec spec, String error) {}

  private final Store store;
  private final String nodeName;
  private final PodVolumes volumes;
  private final PodDns.Settings dns;

  ContainerSpecs(Store store, String nodeName, PodVolumes volumes, PodDns.Settings dns) {
    this.store = store;
    this.nodeName = nodeName;
    this.volumes = volumes;
    this.dns = dns;
  }

  /** @param prepared the pod's volumes as set up on this node; null where volumes are not set up */
  Resolved resolve(KubeObject pod, ObjectNode container, String podIp, String hostIp, PodVolumes.Prepared prepared) {
    String namespace = pod.metadata().namespace();
    Map<String, String> services = ServiceLinks.of(pod, store.cache().items("Service", namespace),
        store.get(ObjectKey.of("Service", ServiceLinks.MASTER_NAMESPACE, ServiceLinks.MASTER_SERVICE))
            .map(Stored::object).orElse(null));
    var result = ContainerEnvironment.resolve(pod, container, podIp, hostIp, allocatable(),
        name -> store.get(ObjectKey.of("ConfigMap", namespace, name)).map(ContainerSpecs::data),
        name -> store.get(ObjectKey.of("Secret", namespace, name)).map(ContainerSpecs::secretData), services);
    if (result instanceof ContainerEnvironment.Failed f) return new Resolved(null, f.message());
    ContainerEnvironment.Resolved r = (ContainerEnvironment.Resolved) result;
    Map<String, String> env = r.env();
    String dnsServer = clusterDns();
    if (dnsServer != null && !env.containsKey(DNS_SERVER)) {
      env = new HashMap<>(env);
      env.put(DNS_SERVER, dnsServer);
      env.putIfAbsent(DNS_PORT, Integer.toString(dns.port()));
    }
    List<Mount> mounts;
    try {
      mounts = volumes == null || prepared == null ? List.of() : volumes.mounts(container, prepared);
    } catch (VolumeException e) {
      return new Resolved(null, e.getMessage());
    }
    long memory = 0;
    JsonNode limit = container.path("resources").path("limits").get("memory");
    try {
      if (limit != null) memory = Quantity.parse(limit).value();
    } catch (QuantityFormatException e) {
      return new Resolved(null, "invalid memory limit: " + e.getMessage());
    }
    long cpuMillis = 0;
    JsonNode cpuLimit = container.path("resources").path("limits").get("cpu");
    try {
      if (cpuLimit != null) cpuMillis = Quantity.parse(cpuLimit).milliValue();
    } catch (QuantityFormatException e) {
      return new Resolved(null, "invalid cpu limit: " + e.getMessage());
    }
    PullPolicy pullPolicy;
    try {
      String policy = container.path("imagePullPolicy").asText("");
      pullPolicy = policy.isEmpty() ? null : PullPolicy.valueOf(policy);
    } catch (IllegalArgumentException e) {
      return new Resolved(null, "invalid imagePullPolicy \"" + container.path("imagePullPolicy").asText() + "\"");
    }
    return new Resolved(new ContainerSpec(container.path("name").asText(), container.path("image").asText(),
        r.command(), r.args(), container.path("workingDir").asText(""), env, memory, mounts, pullPolicy,
        PullSecrets.credentials(pod, name -> store.get(ObjectKey.of("Secret", namespace, name)).map(Stored::object)),
        cpuMillis, securityContext(pod, container)), null);
  }

  /** The container's {@code securityContext} over the pod's ({@code runAsUser}, {@code runAsGroup}). */
  static ContainerSpec.SecurityContext securityContext(KubeObject pod, ObjectNode container) {
    JsonNode podContext = pod.spec() == null ? Json.object() : pod.spec().path("securityContext");
    JsonNode own = container.path("securityContext");
    Long user = number(own, "runAsUser", number(podContext, "runAsUser", null));
    Long group = number(own, "runAsGroup", number(podContext, "runAsGroup", null));
    List<String> add = new java.util.ArrayList<>();
    own.path("capabilities").path("add").forEach(c -> add.add(c.asText()));
    List<String> drop = new java.util.ArrayList<>();
    own.path("capabilities").path("drop").forEach(c -> drop.add(c.asText()));
    return new ContainerSpec.SecurityContext(user, group, own.path("readOnlyRootFilesystem").asBoolean(false),
        own.path("privileged").asBoolean(false), add, drop);
  }

  private static Long number(JsonNode node, String field, Long otherwise) {
    JsonNode value = node.get(field);
    return value != null && value.canConvertToLong() ? Long.valueOf(value.asLong()) : otherwise;
  }

  /** The pod's resolv.conf settings; null for the node's own. */
  DnsConfig dns(KubeObject pod) {
    return PodDns.of(pod.spec() == null ? Json.object() : pod.spec(), pod.metadata().namespace(), dns, clusterDns());
  }

  /** The cluster DNS server's address: the ClusterIP of its Service, while it has one; else null. */
  private String clusterDns() {
    String ip = store.get(ObjectKey.of("Service", dns.serviceNamespace(), dns.serviceName()))
        .map(s -> s.object().spec() == null ? "" : s.object().spec().path("clusterIP").asText(""))
        .orElse("");
    return ip.isEmpty() || ip.equals("None") ? null : ip;
  }

  /** What a downwardAPI volume item of this pod holds. */
  Function<JsonNode, String> downwardApi(KubeObject pod) {
    Map<String, String> allocatable = allocatable();
    return item -> ContainerEnvironment.downwardApiFile(pod, item, allocatable);
  }

  private Map<String, String> allocatable() {
    Map<String, String> out = new HashMap<>();
    store.get(ObjectKey.of("Node", null, nodeName)).map(Stored::object)
        .ifPresent(node -> node.body().path("status").path("allocatable").fields()
            .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText())));
    return out;
  }

  /** A Secret's values, decoded (as the kubelet puts them in variables). */
  private static Map<String, String> secretData(Stored secret) {
    Map<String, String> out = new HashMap<>();
    secret.object().body().path("data").fields().forEachRemaining(e -> out.put(e.getKey(),
        new String(java.util.Base64.getDecoder().decode(e.getValue().asText()), java.nio.charset.StandardCharsets.UTF_8)));
    return out;
  }

  private static Map<String, String> data(Stored configMap) {
    Map<String, String> out = new HashMap<>();
    configMap.object().body().path("data").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
