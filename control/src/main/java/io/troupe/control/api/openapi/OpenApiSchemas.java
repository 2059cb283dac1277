package io.troupe.control.api.openapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.openapi.ApiTypes.Definition;
import io.troupe.control.api.openapi.ApiTypes.Field;
import io.troupe.control.api.openapi.ApiTypes.FieldType;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.ResourceType;

/**
 * JSON schemas of the {@link ApiTypes} as Kubernetes publishes them: OpenAPI v2 definitions ({@code #/definitions/})
 * or v3 component schemas ({@code #/components/schemas/}, references wrapped in {@code allOf} so that a field's
 * own extensions stand beside them), with {@code x-kubernetes-group-version-kind} on kinds and the
 * strategic-merge-patch extensions on the fields that have them.
 */
final class OpenApiSchemas {
  static final String GVK = "x-kubernetes-group-version-kind";

  private final boolean v3;

  private OpenApiSchemas(boolean v3) {
    this.v3 = v3;
  }

  static OpenApiSchemas v2() {
    return new OpenApiSchemas(false);
  }

  static OpenApiSchemas v3() {
    return new OpenApiSchemas(true);
  }

  String ref(String id) {
    return (v3 ? "#/components/schemas/" : "#/definitions/") + id;
  }

  /** A reference to a definition, as a field's schema. */
  ObjectNode refSchema(String id) {
    ObjectNode r = Json.object().put("$ref", ref(id));
    if (!v3) return r;
    ObjectNode wrapped = Json.object();
    wrapped.putArray("allOf").add(r);
    return wrapped;
  }

  ObjectNode definition(Definition d) {
    ObjectNode s = Json.object();
    if (!d.description().isEmpty()) s.put("description", d.description());
    s.put("type", "object");
    ArrayNode required = Json.MAPPER.createArrayNode();
    if (!d.fields().isEmpty()) {
      ObjectNode properties = s.putObject("properties");
      for (Field f : d.fields()) {
        properties.set(f.name(), field(f));
        if (f.required()) required.add(f.name());
      }
    }
    if (!required.isEmpty()) s.set("required", required);
    d.kind().ifPresent(kind -> gvkList(s, kind, kind.kind()));
    return s;
  }

  /** The list of a kind ({@code PodList}), which Kubernetes publishes beside the kind. */
  ObjectNode listDefinition(Definition d, String listMetaId) {
    ResourceType kind = d.kind().orElseThrow();
    ObjectNode s = Json.object();
    s.put("description", kind.listKind() + " is a list of " + kind.kind() + " objects.");
    s.put("type", "object");
    ObjectNode properties = s.putObject("properties");
    properties.set("apiVersion", scalar("string"));
    properties.set("kind", scalar("string"));
    properties.set("metadata", refSchema(listMetaId));
    ObjectNode items = properties.putObject("items").put("type", "array");
    items.set("items", refSchema(d.id()));
    s.putArray("required").add("items");
    gvkList(s, kind, kind.listKind());
    return s;
  }

  private static void gvkList(ObjectNode s, ResourceType type, String kind) {
    s.putArray(GVK).add(gvk(type, kind));
  }

  static ObjectNode gvk(ResourceType type, String kind) {
    return Json.object().put("group", type.group()).put("kind", kind).put("version", type.version());
  }

  ObjectNode field(Field f) {
    ObjectNode s = type(f.type());
    if (f.mergeKey() != null) s.put("x-kubernetes-patch-merge-key", f.mergeKey());
    if (!f.strategies().isEmpty()) s.put("x-kubernetes-patch-strategy", String.join(",", f.strategies()));
    if (f.set()) s.put("x-kubernetes-list-type", "set");
    if (f.mergeKey() != null) {
      s.put("x-kubernetes-list-type", "map");
      s.putArray("x-kubernetes-list-map-keys").add(f.mergeKey());
    }
    return s;
  }

  ObjectNode type(FieldType t) {
    if (t instanceof FieldType.Ref ref) return refSchema(ref.id());
    if (t instanceof FieldType.ListOf list) {
      ObjectNode s = Json.object().put("type", "array");
      s.set("items", type(list.item()));
      return s;
    }
    if (t instanceof FieldType.MapOf map) {
      ObjectNode s = Json.object().put("type", "object");
      s.set("additionalProperties", type(map.value()));
      return s;
    }
    return scalar(((FieldType.Scalar) t).name());
  }

  private static ObjectNode scalar(String name) {
    switch (name) {
      case "int32":
      case "int64":
        return Json.object().put("type", "integer").put("format", name);
      case "number":
        return Json.object().put("type", "number").put("format", "double");
      case "time":
        return Json.object().put("type", "string").put("format", "date-time");
      case "byte":
        return Json.object().put("type", "string").put("format", "byte");
      case "quantity":
        return Json.object().put("type", "string").put("format", "quantity");
      case "int-or-string":
        return Json.object().put("type", "string").put("format", "int-or-string");
      default:
        return Json.object().put("type", name);
    }
  }
}
