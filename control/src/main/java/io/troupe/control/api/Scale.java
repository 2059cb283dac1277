package io.troupe.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.selector.LabelSelector;

/** The {@code scale} subresource (autoscaling/v1 Scale) of Deployments and ReplicaSets. */
final class Scale {
  private Scale() {}

  static ObjectNode of(KubeObject o) {
    ObjectNode scale = Json.object();
    scale.put("kind", "Scale");
    scale.put("apiVersion", "autoscaling/v1");
    ObjectNode meta = scale.putObject("metadata");
    meta.put("name", o.metadata().name());
    meta.put("namespace", o.metadata().namespace());
    meta.put("uid", o.metadata().uid());
    if (o.metadata().resourceVersion() != null) meta.put("resourceVersion", o.metadata().resourceVersion());
    meta.put("creationTimestamp", o.metadata().creationTimestamp());
    JsonNode spec = o.spec() == null ? Json.object() : o.spec();
    scale.putObject("spec").put("replicas", spec.path("replicas").asInt(1));
    ObjectNode status = scale.putObject("status");
    status.put("replicas", o.status() == null ? 0 : o.status().path("replicas").asInt(0));
    status.put("selector", LabelSelector.fromJson(spec.get("selector")).toString());
    return scale;
  }

  /** The object with the replicas a Scale asks for. */
  static KubeObject applyTo(KubeObject o, ObjectNode scale) {
    JsonNode replicas = scale.path("spec").path("replicas");
    if (!replicas.canConvertToInt() || replicas.asInt() < 0 || !replicas.isIntegralNumber()) {
      throw ApiException.invalid("Scale", "autoscaling", o.metadata().name(), java.util.List.of(
          new io.troupe.control.api.validation.Cause("spec.replicas", "FieldValueInvalid",
              "Invalid value: " + replicas + ": must be greater than or equal to 0")));
    }
    ObjectNode spec = o.spec() instanceof ObjectNode s ? s.deepCopy() : Json.object();
    spec.put("replicas", replicas.asInt());
    return o.withField("spec", spec);
  }
}
