package io.troupe.control.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.model.QuantityFormatException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of an object's JSON tree for the validators. Kubernetes would reject a value of the
 * wrong JSON type while decoding; here the object is already a tree, so a wrong type becomes an
 * Invalid cause at the field's path and the read returns null, and the rules for that field are
 * skipped instead of failing on a ClassCastException. An absent field and JSON null read as null.
 */
final class JsonFields {

  private JsonFields() {
  }

  /** The member, or null when the parent is not an object, the member is absent, or it is JSON null. */
  static JsonNode member(JsonNode parent, String name) {
    if (parent == null || !parent.isObject()) {
      return null;
    }
    JsonNode node = parent.get(name);
    return node == null || node.isNull() ? null : node;
  }

  static String text(JsonNode parent, String name, String path, List<Cause> causes) {
    JsonNode node = member(parent, name);
    if (node == null) {
      return null;
    }
    if (!node.isTextual()) {
      causes.add(Cause.invalid(path, node, "must be a string"));
      return null;
    }
    return node.textValue();
  }

  /** Absent or null text reads as the empty string, as an unset Go string field would. */
  static String textOrEmpty(JsonNode parent, String name, String path, List<Cause> causes) {
    String text = text(parent, name, path, causes);
    return text == null ? "" : text;
  }

  static Long integer(JsonNode parent, String name, String path, List<Cause> causes) {
    JsonNode node = member(parent, name);
    if (node == null) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      causes.add(Cause.invalid(path, node, "must be an integer"));
      return null;
    }
    return node.longValue();
  }

  static Boolean bool(JsonNode parent, String name, String path, List<Cause> causes) {
    JsonNode node = member(parent, name);
    if (node == null) {
      return null;
    }
    if (!node.isBoolean()) {
      causes.add(Cause.invalid(path, node, "must be a boolean"));
      return null;
    }
    return node.booleanValue();
  }

  /**
   * A resource quantity ({@code 10Gi}); one that does not parse gets the cause Kubernetes' decoder
   * gives ({@code quantities must match the regular expression ...}) and reads as null.
   */
  static Quantity quantity(JsonNode parent, String name, String path, List<Cause> causes) {
    JsonNode node = member(parent, name);
    if (node == null) {
      return null;
    }
    try {
      return Quantity.parse(node);
    } catch (QuantityFormatException e) {
      // the reason without Quantity's "invalid quantity <input>: " prefix, which the cause already shows
      String message = String.valueOf(e.getMessage());
      int reason = Math.max(message.indexOf("quantities must"), message.indexOf("unable to parse"));
      causes.add(Cause.invalid(path, node, reason >= 0 ? message.substring(reason) : message));
      return null;
    }
  }

  static ObjectNode object(JsonNode parent, String name, String path, List<Cause> causes) {
    JsonNode node = member(parent, name);
    if (node == null) {
      return null;
    }
    if (!node.isObject()) {
      causes.add(Cause.invalid(path, node, "must be an object"));
      return null;
    }
    return (ObjectNode) node;
  }

  static ArrayNode array(JsonNode parent, String name, String path, List<Cause> causes) {
    JsonNode node = member(parent, name);
    if (node == null) {
      return null;
    }
    if (!node.isArray()) {
      causes.add(Cause.invalid(path, node, "must be an array"));
      return null;
    }
    return (ArrayNode) node;
  }

  /**
   * The elements of an array of objects, index for index; an element that is not an object gets a
   * cause and a null entry, so that paths of the others keep their real index. Absent reads as empty.
   */
  static List<ObjectNode> objects(JsonNode parent, String name, String path, List<Cause> causes) {
    List<ObjectNode> objects = new ArrayList<>();
    ArrayNode array = array(parent, name, path, causes);
    if (array == null) {
      return objects;
    }
    for (int i = 0; i < array.size(); i++) {
      JsonNode element = array.get(i);
      if (element.isObject()) {
        objects.add((ObjectNode) element);
      } else {
        causes.add(Cause.invalid(index(path, i), element, "must be an object"));
        objects.add(null);
      }
    }
    return objects;
  }

  /** A map of strings such as labels; entries whose value is not a string get a cause and are left out. */
  static Map<String, String> stringMap(JsonNode parent, String name, String path, List<Cause> causes) {
    Map<String, String> map = new LinkedHashMap<>();
    ObjectNode object = object(parent, name, path, causes);
    if (object == null) {
      return map;
    }
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      JsonNode value = entry.getValue();
      if (value.isTextual()) {
        map.put(entry.getKey(), value.textValue());
      } else if (!value.isNull()) {
        causes.add(Cause.invalid(key(path, entry.getKey()), value, "must be a string"));
      }
    }
    return map;
  }

  static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  static String index(String path, int index) {
    return path + "[" + index + "]";
  }

  static String key(String path, String key) {
    return path + "[" + key + "]";
  }
}
