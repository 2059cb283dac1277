package io.troupe.control.controller.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.controller.replicaset.PodReadiness;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one object counts against a ResourceQuota (Kubernetes' quota evaluators): every object one of
 * {@code count/<resource>[.<group>]} (and the legacy name for pods, services, configmaps, secrets...); a pod also
 * its compute requests and limits, a Service its node ports and load balancers. Resources are sorted by name.
 */
final class QuotaUsage {
  static final String PODS = "pods";
  static final String REQUESTS_CPU = "requests.cpu";
  static final String REQUESTS_MEMORY = "requests.memory";
  static final String LIMITS_CPU = "limits.cpu";
  static final String LIMITS_MEMORY = "limits.memory";

  /** Core resources whose object count has a name without {@code count/} (Kubernetes' legacy object counts). */
  private static final Set<String> LEGACY_COUNTS = Set.of("pods", "services", "replicationcontrollers",
      "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims");

  /** The compute resources a pod's containers must state when a quota limits them. */
  static final Set<String> COMPUTE = Set.of("cpu", "memory", REQUESTS_CPU, REQUESTS_MEMORY, LIMITS_CPU, LIMITS_MEMORY);

  private QuotaUsage() {}

  /**
   * The usage of {@code object}; empty for a pod that no longer counts (Succeeded, Failed or being deleted).
   *
   * @throws io.troupe.persistence.model.QuantityFormatException for a malformed request or limit
   */
  static Map<String, QuotaQuantity> of(KubeObject object) {
    Map<String, QuotaQuantity> usage = new TreeMap<>();
    if ("Pod".equals(object.kind()) && !PodReadiness.isActive(object)) return usage;
    String resource = resourceName(object);
    usage.put("count/" + resource, QuotaQuantity.ONE);
    if (LEGACY_COUNTS.contains(resource)) usage.put(resource, QuotaQuantity.ONE);
    if ("Pod".equals(object.kind())) usage.putAll(podCompute(object.spec()));
    if ("Service".equals(object.kind())) serviceUsage(object.spec(), usage);
    return usage;
  }

  /** {@code <plural>} for the core group, {@code <plural>.<group>} otherwise: the name after {@code count/}. */
  static String resourceName(KubeObject object) {
    Optional<ResourceType> type = ResourceTypes.byKind(object.kind());
    String plural = type.map(ResourceType::plural)
        .orElse(object.kind() == null ? "" : object.kind().toLowerCase(Locale.ROOT) + "s");
    String group = type.map(ResourceType::group).orElse(groupOf(object.apiVersion()));
    return group.isEmpty() ? plural : plural + "." + group;
  }

  /**
   * Kubernetes' pod evaluator Constraints: with a quota limiting compute resources ({@code required}), every
   * container and init container must state them. The message after "failed quota: name: ", or empty.
   */
  static Optional<String> missingCompute(KubeObject pod, Set<String> required) {
    Map<String, Set<String>> missing = new TreeMap<>();
    Set<String> wanted = new TreeSet<>(required);
    wanted.retainAll(COMPUTE);
    if (wanted.isEmpty() || !"Pod".equals(pod.kind())) return Optional.empty();
    for (String list : new String[] {"containers", "initContainers"}) {
      for (JsonNode c : containers(pod.spec(), list)) {
        Set<String> stated = containerCompute(c).keySet();
        for (String r : wanted) {
          if (!stated.contains(r)) missing.computeIfAbsent(r, k -> new TreeSet<>()).add(c.path("name").asText());
        }
      }
    }
    if (missing.isEmpty()) return Optional.empty();
    StringBuilder message = new StringBuilder("must specify ");
    String separator = "";
    for (Map.Entry<String, Set<String>> e : missing.entrySet()) {
      message.append(separator).append(e.getKey()).append(" for: ").append(String.join(",", e.getValue()));
      separator = "; ";
    }
    return Optional.of(message.toString());
  }

  /** max(sum over containers, each init container), resource by resource (Kubernetes' PodRequestsAndLimits). */
  private static Map<String, QuotaQuantity> podCompute(JsonNode spec) {
    Map<String, QuotaQuantity> sum = new TreeMap<>();
    for (JsonNode c : containers(spec, "containers")) {
      containerCompute(c).forEach((r, q) -> sum.merge(r, q, QuotaQuantity::plus));
    }
    for (JsonNode c : containers(spec, "initContainers")) {
      containerCompute(c).forEach((r, q) -> sum.merge(r, q, QuotaQuantity::max));
    }
    return sum;
  }

  /**
   * A container's compute usage: requests (defaulted from limits, as the API server defaults them) as both
   * {@code requests.x} and {@code x}, limits as {@code limits.x}.
   */
  private static Map<String, QuotaQuantity> containerCompute(JsonNode container) {
    Map<String, QuotaQuantity> usage = new TreeMap<>();
    JsonNode resources = container.path("resources");
    for (String r : new String[] {"cpu", "memory"}) {
      JsonNode limit = resources.path("limits").get(r);
      JsonNode request = resources.path("requests").get(r);
      if (request == null || request.isNull()) request = limit;
      if (request != null && !request.isNull()) {
        QuotaQuantity q = QuotaQuantity.parse(request);
        usage.put("requests." + r, q);
        usage.put(r, q);
      }
      if (limit != null && !limit.isNull()) usage.put("limits." + r, QuotaQuantity.parse(limit));
    }
    return usage;
  }

  private static void serviceUsage(JsonNode spec, Map<String, QuotaQuantity> usage) {
    String type = spec == null ? "ClusterIP" : spec.path("type").asText("ClusterIP");
    int ports = spec == null || !spec.path("ports").isArray() ? 0 : spec.path("ports").size();
    if ("LoadBalancer".equals(type)) {
      usage.put("services.loadbalancers", QuotaQuantity.ONE);
      usage.put("services.nodeports", QuotaQuantity.of(ports));
    } else if ("NodePort".equals(type)) {
      usage.put("services.loadbalancers", QuotaQuantity.ZERO);
      usage.put("services.nodeports", QuotaQuantity.of(ports));
    } else {
      usage.put("services.loadbalancers", QuotaQuantity.ZERO);
      usage.put("services.nodeports", QuotaQuantity.ZERO);
    }
  }

  private static Iterable<JsonNode> containers(JsonNode spec, String field) {
    JsonNode list = spec == null ? null : spec.get(field);
    return list != null && list.isArray() ? list : List.of();
  }

  private static String groupOf(String apiVersion) {
    if (apiVersion == null) return "";
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }
}
