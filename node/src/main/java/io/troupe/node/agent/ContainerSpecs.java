package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a container of a pod's spec into what the runtime starts: image, command line, environment, limits. */
final class ContainerSpecs {
  /** The spec to start, or why it cannot be made ({@code CreateContainerConfigError}). */
  record Resolved(ContainerSpec spec, String error) {}

  private final Store store;

  ContainerSpecs(Store store) {
    this.store = store;
  }

  Resolved resolve(KubeObject pod, ObjectNode container, String podIp, String hostIp) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("POD_IP", podIp);
    for (JsonNode e : container.path("env")) {
      if (e.has("value")) env.put(e.path("name").asText(), e.path("value").asText());
    }
    long memory = 0;
    JsonNode limit = container.path("resources").path("limits").get("memory");
    if (limit != null) memory = Quantity.parse(limit).value();
    return new Resolved(new ContainerSpec(container.path("name").asText(), container.path("image").asText(),
        strings(container.path("command")), strings(container.path("args")),
        container.path("workingDir").asText(""), env, memory), null);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
