package io.troupe.control.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** How one kind is printed: its columns, and the cells of an object's row (as kubectl's printers.go). */
public record Printer(List<Column> columns, Cells cells) {

  public Printer {
    columns = List.copyOf(columns);
  }

  /** The cells of one object's row, in the columns' order. */
  @FunctionalInterface
  public interface Cells {
    List<Object> of(JsonNode object, Instant now);
  }

  /** NAME AGE, for kinds without a printer of their own. */
  static final Printer DEFAULT = new Printer(List.of(Column.nameColumn(), Column.ageColumn()),
      (o, now) -> List.of(name(o), age(o, now)));

  static String name(JsonNode o) {
    return o.path("metadata").path("name").asText();
  }

  static String age(JsonNode o, Instant now) {
    return Age.since(o.path("metadata").path("creationTimestamp").asText(null), now);
  }

  static String text(JsonNode node, String orElse) {
    return node.isValueNode() && !node.asText().isEmpty() ? node.asText() : orElse;
  }

  static String none(JsonNode node) {
    return text(node, "<none>");
  }

  static long number(JsonNode node) {
    return node.asLong(0);
  }

  static List<JsonNode> items(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    if (array != null && array.isArray()) array.forEach(out::add);
    return out;
  }

  static Map<String, String> strings(JsonNode object) {
    Map<String, String> out = new TreeMap<>();
    if (object != null && object.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        var e = it.next();
        out.put(e.getKey(), e.getValue().asText());
      }
    }
    return out;
  }

  /** A label selector as kubectl prints it: a=b,c in (d),... or {@code <none>}. */
  static String selector(JsonNode selector) {
    List<String> parts = new ArrayList<>();
    JsonNode labels = selector.has("matchLabels") || selector.has("matchExpressions")
        ? selector.path("matchLabels") : selector;
    strings(labels).forEach((k, v) -> parts.add(k + "=" + v));
    for (JsonNode e : items(selector.path("matchExpressions"))) {
      String key = e.path("key").asText();
      List<String> values = new ArrayList<>();
      e.path("values").forEach(v -> values.add(v.asText()));
      switch (e.path("operator").asText()) {
        case "In": parts.add(key + " in (" + String.join(",", values) + ")"); break;
        case "NotIn": parts.add(key + " notin (" + String.join(",", values) + ")"); break;
        case "Exists": parts.add(key); break;
        case "DoesNotExist": parts.add("!" + key); break;
        default: break;
      }
    }
    return parts.isEmpty() ? "<none>" : String.join(",", parts);
  }

  /** The containers' names and images of a pod template, joined with commas. */
  static List<String> containersAndImages(JsonNode podSpec) {
    List<String> names = new ArrayList<>();
    List<String> images = new ArrayList<>();
    for (JsonNode c : items(podSpec.path("containers"))) {
      names.add(c.path("name").asText());
      images.add(c.path("image").asText());
    }
    return List.of(String.join(",", names), String.join(",", images));
  }
}
