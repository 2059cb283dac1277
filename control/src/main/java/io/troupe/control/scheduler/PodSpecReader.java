package io.troupe.control.scheduler;

import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.model.QuantityFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.troupe.persistence.selector.LabelSelector;
import io.troupe.persistence.selector.SelectorException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the scheduling fields of a pod spec. Lenient about shape (a missing or mistyped list is read as empty:
 * validation owns shapes), strict about values that would change a decision (quantities, selectors, operators),
 * which fail with the field's path.
 */
final class PodSpecReader {

  /** What Kubernetes assumes a container without a cpu request uses, when scoring (100m). */
  static final long DEFAULT_MILLI_CPU_REQUEST = 100;
  /** What Kubernetes assumes a container without a memory request uses, when scoring (200Mi). */
  static final long DEFAULT_MEMORY_REQUEST = 200L * 1024 * 1024;

  private PodSpecReader() {}

  /** The pod's requests and its non-zero requests, computed as Kubernetes' {@code PodRequests} does. */
  static Resources[] requests(JsonNode spec) {
    Resources sum = Resources.ZERO;
    Resources nonZeroSum = Resources.ZERO;
    JsonNode containers = array(spec.path("containers"));
    for (int i = 0; i < containers.size(); i++) {
      String path = "spec.containers[" + i + "].resources";
      sum = sum.plus(request(containers.get(i), path, false));
      nonZeroSum = nonZeroSum.plus(request(containers.get(i), path, true));
    }
    // Init containers run one after the other before the containers start; sidecars (restartPolicy Always) start
    // among them and keep running, so each later step and the containers themselves run beside them.
    Resources initMax = Resources.ZERO;
    Resources nonZeroInitMax = Resources.ZERO;
    Resources sidecars = Resources.ZERO;
    Resources nonZeroSidecars = Resources.ZERO;
    JsonNode initContainers = array(spec.path("initContainers"));
    for (int i = 0; i < initContainers.size(); i++) {
      JsonNode container = initContainers.get(i);
      String path = "spec.initContainers[" + i + "].resources";
      Resources request = request(container, path, false);
      Resources nonZero = request(container, path, true);
      if ("Always".equals(container.path("restartPolicy").asText())) {
        sum = sum.plus(request);
        nonZeroSum = nonZeroSum.plus(nonZero);
        sidecars = sidecars.plus(request);
        nonZeroSidecars = nonZeroSidecars.plus(nonZero);
        request = sidecars;
        nonZero = nonZeroSidecars;
      } else {
        request = request.plus(sidecars);
        nonZero = nonZero.plus(nonZeroSidecars);
      }
      initMax = initMax.max(request);
      nonZeroInitMax = nonZeroInitMax.max(nonZero);
    }
    Resources overhead = overhead(spec.path("overhead"));
    Resources one = new Resources(0, 0, 1);
    return new Resources[] {
        sum.max(initMax).plus(overhead).plus(one),
        nonZeroSum.max(nonZeroInitMax).plus(overhead).plus(one)};
  }

  // A request left out takes the limit (the API server's defaulting); with neither, a non-zero request takes the
  // scoring default.
  private static Resources request(JsonNode container, String path, boolean nonZero) {
    JsonNode resources = container.path("resources");
    JsonNode requests = resources.path("requests");
    JsonNode limits = resources.path("limits");
    JsonNode cpu = requests.has("cpu") ? requests.get("cpu") : limits.get("cpu");
    String cpuPath = path + (requests.has("cpu") ? ".requests.cpu" : ".limits.cpu");
    JsonNode memory = requests.has("memory") ? requests.get("memory") : limits.get("memory");
    String memoryPath = path + (requests.has("memory") ? ".requests.memory" : ".limits.memory");
    long milliCpu = cpu == null || cpu.isNull()
        ? (nonZero ? DEFAULT_MILLI_CPU_REQUEST : 0)
        : quantity(cpu, cpuPath).milliValue();
    long bytes = memory == null || memory.isNull()
        ? (nonZero ? DEFAULT_MEMORY_REQUEST : 0)
        : quantity(memory, memoryPath).value();
    return new Resources(milliCpu, bytes, 0);
  }

  private static Resources overhead(JsonNode overhead) {
    JsonNode cpu = overhead.get("cpu");
    JsonNode memory = overhead.get("memory");
    return new Resources(
        cpu == null ? 0 : quantity(cpu, "spec.overhead.cpu").milliValue(),
        memory == null ? 0 : quantity(memory, "spec.overhead.memory").value(),
        0);
  }

  private static Quantity quantity(JsonNode value, String path) {
    try {
      return Quantity.parse(value);
    } catch (QuantityFormatException e) {
      throw new QuantityFormatException(path + ": " + e.getMessage());
    }
  }

  static Map<String, String> stringMap(JsonNode node) {
    if (!node.isObject()) return Map.of();
    Map<String, String> map = new HashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      if (!entry.getValue().isNull()) map.put(entry.getKey(), entry.getValue().asText());
    }
    return map;
  }

  static NodeSelector requiredNodeAffinity(JsonNode nodeAffinity) {
    JsonNode required = nodeAffinity.path("requiredDuringSchedulingIgnoredDuringExecution");
    if (!required.isObject()) return null;
    return nodeSelector(required, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution");
  }

  /** A NodeSelector object ({@code nodeSelectorTerms}) found at {@code path}. */
  static NodeSelector nodeSelector(JsonNode selector, String path) {
    JsonNode terms = array(selector.path("nodeSelectorTerms"));
    List<NodeSelectorTerm> list = new ArrayList<>();
    for (int i = 0; i < terms.size(); i++) {
      list.add(nodeSelectorTerm(terms.get(i), path + ".nodeSelectorTerms[" + i + "]"));
    }
    return new NodeSelector(list);
  }

  static List<PreferredSchedulingTerm> preferredNodeAffinity(JsonNode nodeAffinity) {
    JsonNode preferred = array(nodeAffinity.path("preferredDuringSchedulingIgnoredDuringExecution"));
    List<PreferredSchedulingTerm> list = new ArrayList<>();
    for (int i = 0; i < preferred.size(); i++) {
      String path = "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[" + i + "]";
      JsonNode term = preferred.get(i);
      list.add(new PreferredSchedulingTerm(term.path("weight").asInt(0),
          nodeSelectorTerm(term.path("preference"), path + ".preference")));
    }
    return list;
  }

  private static NodeSelectorTerm nodeSelectorTerm(JsonNode term, String path) {
    try {
      return new NodeSelectorTerm(requirements(term.path("matchExpressions"), path + ".matchExpressions"),
          requirements(term.path("matchFields"), path + ".matchFields"));
    } catch (IllegalArgumentException e) {
      throw e.getMessage().startsWith(path) ? e : new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  private static List<NodeSelectorRequirement> requirements(JsonNode expressions, String path) {
    List<NodeSelectorRequirement> list = new ArrayList<>();
    JsonNode entries = array(expressions);
    for (int i = 0; i < entries.size(); i++) {
      JsonNode expression = entries.get(i);
      List<String> values = new ArrayList<>();
      for (JsonNode value : expression.path("values")) {
        values.add(value.asText());
      }
      try {
        list.add(new NodeSelectorRequirement(textOrNull(expression.get("key")),
            NodeSelectorRequirement.Operator.fromApiName(expression.path("operator").asText()), values));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(path + "[" + i + "]: " + e.getMessage(), e);
      }
    }
    return list;
  }

  static List<PodAffinityTerm> podAffinityTerms(JsonNode affinity, String namespace, String kind) {
    JsonNode required = array(affinity.path("requiredDuringSchedulingIgnoredDuringExecution"));
    List<PodAffinityTerm> list = new ArrayList<>();
    for (int i = 0; i < required.size(); i++) {
      String path = "spec.affinity." + kind + ".requiredDuringSchedulingIgnoredDuringExecution[" + i + "]";
      list.add(podAffinityTerm(required.get(i), namespace, path));
    }
    return list;
  }

  static List<WeightedPodAffinityTerm> weightedPodAffinityTerms(JsonNode affinity, String namespace, String kind) {
    JsonNode preferred = array(affinity.path("preferredDuringSchedulingIgnoredDuringExecution"));
    List<WeightedPodAffinityTerm> list = new ArrayList<>();
    for (int i = 0; i < preferred.size(); i++) {
      String path = "spec.affinity." + kind + ".preferredDuringSchedulingIgnoredDuringExecution[" + i + "]";
      JsonNode weighted = preferred.get(i);
      list.add(new WeightedPodAffinityTerm(weighted.path("weight").asInt(0),
          podAffinityTerm(weighted.path("podAffinityTerm"), namespace, path + ".podAffinityTerm")));
    }
    return list;
  }

  private static PodAffinityTerm podAffinityTerm(JsonNode term, String namespace, String path) {
    try {
      LabelSelector selector = LabelSelector.fromJson(term.get("labelSelector"));
      LabelSelector namespaceSelector = LabelSelector.fromJson(term.get("namespaceSelector"));
      Set<String> namespaces = new HashSet<>();
      for (JsonNode name : term.path("namespaces")) {
        namespaces.add(name.asText());
      }
      // Neither namespaces nor a namespace selector: the term looks in the pod's own namespace.
      if (namespaces.isEmpty() && namespaceSelector.selectsNothing()) namespaces.add(namespace);
      return new PodAffinityTerm(selector, namespaces, namespaceSelector, textOrNull(term.get("topologyKey")));
    } catch (SelectorException | IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  static List<Toleration> tolerations(JsonNode tolerations) {
    List<Toleration> list = new ArrayList<>();
    for (JsonNode toleration : array(tolerations)) {
      JsonNode seconds = toleration.get("tolerationSeconds");
      list.add(new Toleration(textOrNull(toleration.get("key")), textOrNull(toleration.get("operator")),
          textOrNull(toleration.get("value")), textOrNull(toleration.get("effect")),
          seconds == null || !seconds.canConvertToLong() ? null : seconds.asLong()));
    }
    return list;
  }

  /** The node when it is an array, else an empty node: indexing an object by position would give nulls. */
  private static JsonNode array(JsonNode node) {
    return node.isArray() ? node : MissingNode.getInstance();
  }

  static String textOrNull(JsonNode node) {
    return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
  }
}
