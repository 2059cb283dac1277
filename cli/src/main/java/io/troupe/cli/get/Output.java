package io.troupe.cli.get;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.cli.client.CliException;
import io.troupe.cli.client.Manifest;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Objects as {@code -o yaml} and {@code -o json} print them: keys sorted in YAML, four-space JSON. */
public final class Output {
  private Output() {}

  public static String yaml(JsonNode o) {
    try {
      return Manifest.YAML.writeValueAsString(sorted(o));
    } catch (IOException e) {
      throw new CliException("error: " + e.getMessage());
    }
  }

  public static String json(JsonNode o) {
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
        .withObjectIndenter(new DefaultIndenter("    ", "\n"))
        .withArrayIndenter(new DefaultIndenter("    ", "\n"));
    try {
      return Json.MAPPER.writer(printer).writeValueAsString(o);
    } catch (IOException e) {
      throw new CliException("error: " + e.getMessage());
    }
  }

  /** A list of objects as kubectl prints several: {@code kind: List}. */
  public static ObjectNode list(List<JsonNode> items) {
    ObjectNode list = Json.object();
    list.put("apiVersion", "v1");
    list.putArray("items").addAll(items);
    list.put("kind", "List");
    list.putObject("metadata").put("resourceVersion", "");
    return list;
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (String n : names) out.set(n, sorted(node.get(n)));
      return out;
    }
    if (node.isArray()) {
      var out = JsonNodeFactory.instance.arrayNode();
      node.forEach(e -> out.add(sorted(e)));
      return out;
    }
    return node;
  }
}
