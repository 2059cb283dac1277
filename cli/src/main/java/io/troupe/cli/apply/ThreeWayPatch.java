package io.troupe.cli.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * kubectl apply's three-way strategic merge patch, computed client-side: from the configuration last applied
 * ({@code original}), the one applied now ({@code modified}) and the live object ({@code current}). A field
 * that {@code modified} sets differently from {@code current} is set; a field {@code original} had and
 * {@code modified} dropped is deleted (null), so fields others set (controllers, {@code kubectl scale}) survive.
 * Lists merged by key on the server (containers, env, volumes, ports...) are patched element by element
 * ({@code $patch: delete} for an element dropped, {@code $setElementOrder} for the order); other lists are
 * replaced whole when they differ.
 */
public final class ThreeWayPatch {
  private ThreeWayPatch() {}

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  public static ObjectNode of(JsonNode original, JsonNode modified, JsonNode current) {
    return object(obj(original), obj(modified), obj(current), "");
  }

  private static ObjectNode obj(JsonNode n) {
    return n != null && n.isObject() ? (ObjectNode) n : F.objectNode();
  }

  private static ObjectNode object(ObjectNode original, ObjectNode modified, ObjectNode current, String field) {
    ObjectNode patch = F.objectNode();
    modified.fields().forEachRemaining(e -> {
      String key = e.getKey();
      JsonNode m = e.getValue();
      JsonNode c = current.get(key);
      JsonNode o = original.get(key);
      if (m.isObject() && c != null && c.isObject()) {
        ObjectNode sub = object(obj(o), (ObjectNode) m, (ObjectNode) c, key);
        if (!sub.isEmpty()) patch.set(key, sub);
      } else if (m.isArray() && c != null && c.isArray() && mergeKey(key, field) != null && objects(m)) {
        String mergeKey = mergeKey(key, field);
        ArrayNode sub = list((ArrayNode) m, o != null && o.isArray() ? (ArrayNode) o : F.arrayNode(),
            (ArrayNode) c, key, mergeKey);
        if (!sub.isEmpty()) {
          patch.set(key, sub);
          ArrayNode order = patch.putArray("$setElementOrder/" + key);
          m.forEach(el -> order.addObject().set(mergeKey, el.get(mergeKey)));
        }
      } else if (!m.equals(c)) {
        patch.set(key, m);
      }
    });
    original.fieldNames().forEachRemaining(key -> {
      if (!modified.has(key) && current.has(key)) patch.putNull(key);
    });
    return patch;
  }

  private static ArrayNode list(ArrayNode modified, ArrayNode original, ArrayNode current, String field,
      String mergeKey) {
    ArrayNode patch = F.arrayNode();
    List<JsonNode> keys = new ArrayList<>();
    for (JsonNode m : modified) {
      JsonNode key = m.get(mergeKey);
      keys.add(key);
      JsonNode c = find(current, mergeKey, key);
      if (c == null) {
        patch.add(m);
        continue;
      }
      ObjectNode sub = object(obj(find(original, mergeKey, key)), (ObjectNode) m, (ObjectNode) c, field);
      if (!sub.isEmpty()) {
        sub.set(mergeKey, key);
        patch.add(sub);
      }
    }
    for (JsonNode o : original) {
      JsonNode key = o.get(mergeKey);
      if (key != null && !keys.contains(key) && find(current, mergeKey, key) != null) {
        ObjectNode delete = patch.addObject();
        delete.set(mergeKey, key);
        delete.put("$patch", "delete");
      }
    }
    return patch;
  }

  private static JsonNode find(ArrayNode list, String mergeKey, JsonNode key) {
    if (key == null) return null;
    for (JsonNode e : list) {
      if (key.equals(e.get(mergeKey))) return e;
    }
    return null;
  }

  private static boolean objects(JsonNode array) {
    for (JsonNode e : array) {
      if (!e.isObject()) return false;
    }
    return true;
  }

  /** The merge keys of the lists the server merges by key (Kubernetes' patchMergeKey); null: replaced whole. */
  static String mergeKey(String field, String parent) {
    switch (field) {
      case "containers": case "initContainers": case "ephemeralContainers": case "env": case "volumes":
      case "imagePullSecrets":
        return "name";
      case "volumeMounts": return "mountPath";
      case "volumeDevices": return "devicePath";
      case "hostAliases": return "ip";
      case "topologySpreadConstraints": return "topologyKey";
      case "ports":
        return parent.equals("containers") || parent.equals("initContainers") || parent.equals("ephemeralContainers")
            ? "containerPort" : parent.equals("spec") ? "port" : null;
      default: return null;
    }
  }
}
