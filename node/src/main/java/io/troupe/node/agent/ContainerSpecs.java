package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.model.QuantityFormatException;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Stored;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a container of a pod's spec into what the runtime starts: image, working dir, the environment and
 * command line {@link ContainerEnvironment} resolves (ConfigMaps read from the watch cache), the memory limit.
 */
final class ContainerSpecs {
  /** The spec to start, or why it cannot be made ({@code CreateContainerConfigError}). */
  record Resolved(ContainerSpec spec, String error) {}

  private final Store store;
  private final String nodeName;

  ContainerSpecs(Store store, String nodeName) {
    this.store = store;
    this.nodeName = nodeName;
  }

  Resolved resolve(KubeObject pod, ObjectNode container, String podIp, String hostIp) {
    String namespace = pod.metadata().namespace();
    var result = ContainerEnvironment.resolve(pod, container, podIp, hostIp, allocatable(),
        name -> store.get(ObjectKey.of("ConfigMap", namespace, name)).map(ContainerSpecs::data));
    if (result instanceof ContainerEnvironment.Failed f) return new Resolved(null, f.message());
    ContainerEnvironment.Resolved r = (ContainerEnvironment.Resolved) result;
    long memory = 0;
    JsonNode limit = container.path("resources").path("limits").get("memory");
    try {
      if (limit != null) memory = Quantity.parse(limit).value();
    } catch (QuantityFormatException e) {
      return new Resolved(null, "invalid memory limit: " + e.getMessage());
    }
    return new Resolved(new ContainerSpec(container.path("name").asText(), container.path("image").asText(),
        r.command(), r.args(), container.path("workingDir").asText(""), r.env(), memory), null);
  }

  private Map<String, String> allocatable() {
    Map<String, String> out = new HashMap<>();
    store.get(ObjectKey.of("Node", null, nodeName)).map(Stored::object)
        .ifPresent(node -> node.body().path("status").path("allocatable").fields()
            .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText())));
    return out;
  }

  private static Map<String, String> data(Stored configMap) {
    Map<String, String> out = new HashMap<>();
    configMap.object().body().path("data").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
