package io.troupe.control.controller.endpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.selector.LabelSelector;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Endpoints of a Service: for a Service with a selector, the addresses of the matching pods that have an
 * IP (ready ones in {@code addresses}, the others in {@code notReadyAddresses}) and the Service's ports with
 * their target ports resolved against each pod's containers. One subset per distinct set of resolved ports.
 */
public final class EndpointsReconciler {
  private EndpointsReconciler() {}

  /** Whether the Service selects pods: only then does this controller write its Endpoints. */
  public static boolean hasSelector(KubeObject service) {
    JsonNode selector = service.spec() == null ? null : service.spec().get("selector");
    return selector != null && selector.isObject() && !selector.isEmpty();
  }

  /**
   * @param service the Service, or null when it is gone
   * @param endpoints the Endpoints of the same name, or null
   * @param podsInNamespace the pods of the Service's namespace
   */
  public static List<Action> reconcile(KubeObject service, KubeObject endpoints, List<KubeObject> podsInNamespace) {
    if (service == null || service.metadata().isDeleting()) {
      return endpoints == null ? List.of() : List.of(new Action.Delete(endpoints.key(), endpoints.metadata().uid()));
    }
    if (!hasSelector(service)) return List.of(); // managed by hand
    Map<String, String> wanted = Json.MAPPER.convertValue(service.spec().get("selector"),
        Json.MAPPER.getTypeFactory().constructMapType(Map.class, String.class, String.class));
    LabelSelector matches = LabelSelector.fromLabels(wanted);
    ArrayNode subsets = subsets(service, podsInNamespace.stream()
        .filter(p -> !p.metadata().isDeleting() && matches.matches(p.metadata().labels()))
        .filter(p -> Json.text(p.body(), "status.podIP") != null)
        .sorted(Comparator.comparing(p -> p.metadata().name()))
        .toList());
    if (endpoints == null) {
      ObjectNode body = Json.object();
      body.set("subsets", subsets);
      ObjectMeta meta = ObjectMeta.named(service.metadata().namespace(), service.metadata().name());
      meta = new ObjectMeta(meta.name(), null, meta.namespace(), null, null, null, null, null, null,
          service.metadata().labels(), null, null, null);
      return List.of(new Action.Create(new KubeObject("v1", "Endpoints", meta, body)));
    }
    JsonNode current = endpoints.body().get("subsets");
    if (Objects.equals(current == null ? Json.MAPPER.createArrayNode() : current, subsets)) return List.of();
    return List.of(new Action.Update(endpoints.withField("subsets", subsets)));
  }

  private static ArrayNode subsets(KubeObject service, List<KubeObject> pods) {
    // pods grouped by their resolved ports, in first-seen order, as Kubernetes' endpoints controller does
    Map<ArrayNode, ObjectNode> byPorts = new java.util.LinkedHashMap<>();
    for (KubeObject pod : pods) {
      ArrayNode ports = ports(service, pod);
      if (ports == null) continue;
      ObjectNode subset = byPorts.computeIfAbsent(ports, p -> {
        ObjectNode s = Json.object();
        s.putArray("addresses");
        s.putArray("notReadyAddresses");
        s.set("ports", p);
        return s;
      });
      ((ArrayNode) subset.get(ready(pod) ? "addresses" : "notReadyAddresses")).add(address(pod));
    }
    ArrayNode subsets = Json.MAPPER.createArrayNode();
    for (ObjectNode s : byPorts.values()) {
      if (s.get("addresses").isEmpty()) s.remove("addresses");
      if (s.get("notReadyAddresses").isEmpty()) s.remove("notReadyAddresses");
      subsets.add(s);
    }
    return subsets;
  }

  /** The Service's ports as this pod serves them; null when a named target port is not on the pod. */
  private static ArrayNode ports(KubeObject service, KubeObject pod) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    JsonNode ports = service.spec().get("ports");
    if (ports == null) return out;
    for (JsonNode p : ports) {
      JsonNode target = p.has("targetPort") ? p.get("targetPort") : p.get("port");
      int number;
      if (target != null && target.isTextual() && !target.asText().matches("\\d+")) {
        Integer named = namedPort(pod, target.asText());
        if (named == null) return null;
        number = named;
      } else {
        number = target == null ? 0 : target.asInt();
      }
      ObjectNode port = out.addObject();
      if (p.has("name")) port.put("name", p.get("name").asText());
      port.put("port", number);
      port.put("protocol", p.path("protocol").asText("TCP"));
    }
    return out;
  }

  private static Integer namedPort(KubeObject pod, String name) {
    for (JsonNode c : pod.spec().path("containers")) {
      for (JsonNode port : c.path("ports")) {
        if (name.equals(port.path("name").asText())) return port.path("containerPort").asInt();
      }
    }
    return null;
  }

  private static boolean ready(KubeObject pod) {
    for (JsonNode c : pod.body().path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) return "True".equals(c.path("status").asText());
    }
    return false;
  }

  private static ObjectNode address(KubeObject pod) {
    ObjectNode a = Json.object();
    a.put("ip", Json.text(pod.body(), "status.podIP"));
    String node = Json.text(pod.body(), "spec.nodeName");
    if (node != null) a.put("nodeName", node);
    ObjectNode ref = a.putObject("targetRef");
    ref.put("kind", "Pod");
    ref.put("namespace", pod.metadata().namespace());
    ref.put("name", pod.metadata().name());
    ref.put("uid", pod.metadata().uid());
    return a;
  }
}
