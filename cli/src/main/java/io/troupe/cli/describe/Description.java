package io.troupe.cli.describe;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.cli.get.Output;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The text of a describe: "Key:  value" lines, aligned per level as kubectl's PrefixWriter aligns them. */
final class Description {
  private final List<String[]> lines = new ArrayList<>(); // level, key, value; or a raw line

  void line(int level, String key, String value) {
    lines.add(new String[] {Integer.toString(level), key, value});
  }

  void raw(String text) {
    lines.add(new String[] {null, null, text});
  }

  String text() {
    int width = 0;
    for (String[] l : lines) {
      if (l[0] != null) width = Math.max(width, Integer.parseInt(l[0]) * 2 + l[1].length() + 1);
    }
    StringBuilder b = new StringBuilder();
    for (String[] l : lines) {
      if (l[0] == null) {
        b.append(l[2]).append('\n');
        continue;
      }
      String head = "  ".repeat(Integer.parseInt(l[0])) + (l[1].isEmpty() ? "" : l[1] + ":");
      b.append(l[2].isEmpty() ? head : head + " ".repeat(width - head.length() + 2) + l[2]).append('\n');
    }
    return b.toString();
  }

  /** The fields kubectl shows first for every object, then those of its kind, then the rest as YAML. */
  static void of(String kind, JsonNode o, Description d) {
    JsonNode meta = o.path("metadata");
    d.line(0, "Name", meta.path("name").asText());
    if (meta.has("namespace")) d.line(0, "Namespace", meta.path("namespace").asText());
    map(d, "Labels", meta.path("labels"));
    map(d, "Annotations", meta.path("annotations"));
    d.line(0, "CreationTimestamp", meta.path("creationTimestamp").asText());
    if (meta.has("deletionTimestamp")) d.line(0, "DeletionTimestamp", meta.path("deletionTimestamp").asText());
    switch (kind) {
      case "Pod": Workloads.pod(o, d); break;
      case "Deployment": Workloads.deployment(o, d); break;
      case "ReplicaSet": Workloads.replicaSet(o, d); break;
      case "Node": Workloads.node(o, d); break;
      case "Service": Workloads.service(o, d); break;
      default: rest(o, d); break;
    }
  }

  static void map(Description d, String key, JsonNode map) {
    Map<String, String> sorted = new TreeMap<>();
    map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
    sorted.remove("kubectl.kubernetes.io/last-applied-configuration");
    if (sorted.isEmpty()) {
      d.line(0, key, "<none>");
      return;
    }
    boolean first = true;
    for (var e : sorted.entrySet()) {
      if (first) d.line(0, key, e.getKey() + "=" + e.getValue());
      else d.line(0, "", e.getKey() + "=" + e.getValue());
      first = false;
    }
  }

  /** A kind without a view of its own: its other top-level fields as YAML, indented. */
  static void rest(JsonNode o, Description d) {
    o.fields().forEachRemaining(e -> {
      if (List.of("apiVersion", "kind", "metadata").contains(e.getKey())) return;
      d.line(0, capitalize(e.getKey()), e.getValue().isValueNode() ? e.getValue().asText() : "");
      if (!e.getValue().isValueNode()) {
        Output.yaml(e.getValue()).lines().forEach(l -> d.raw("  " + l));
      }
    });
  }

  static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
