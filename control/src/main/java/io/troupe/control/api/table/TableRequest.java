package io.troupe.control.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A read that asked for a meta.k8s.io/v1 Table ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io},
 * as kubectl sends first, with fallbacks after commas), and what each row carries as its {@code object}
 * ({@code includeObject}: None, Metadata (the default, a PartialObjectMetadata) or Object).
 */
public record TableRequest(Include include) {

  public enum Include { NONE, METADATA, OBJECT }

  /**
   * A Table request when the first media type of {@code accept} that the server can answer is the v1 Table;
   * empty when plain JSON comes first (or the header is absent). A v1beta1 Table is not served: its fallback is.
   */
  public static Optional<TableRequest> of(String accept, Optional<String> includeObject) {
    if (accept == null) return Optional.empty();
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String media = parts[0].strip().toLowerCase(Locale.ROOT);
      String as = null;
      String version = null;
      String group = null;
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].strip().split("=", 2);
        if (kv.length != 2) continue;
        switch (kv[0].strip()) {
          case "as": as = kv[1].strip(); break;
          case "v": version = kv[1].strip(); break;
          case "g": group = kv[1].strip(); break;
          default: break;
        }
      }
      boolean json = media.equals("application/json") || media.equals("application/*") || media.equals("*/*");
      if (!json) continue;
      if (as == null) return Optional.empty();
      if (as.equals("Table") && "v1".equals(version) && "meta.k8s.io".equals(group)) {
        return Optional.of(new TableRequest(include(includeObject.orElse("Metadata"))));
      }
    }
    return Optional.empty();
  }

  private static Include include(String value) {
    switch (value) {
      case "None": return Include.NONE;
      case "Object": return Include.OBJECT;
      default: return Include.METADATA;
    }
  }

  /** The Table of {@code objects} (each a whole object as on the wire) of one kind, with the list's metadata. */
  public ObjectNode table(String kind, List<? extends JsonNode> objects, ObjectNode listMetadata, Instant now) {
    Printer printer = Printers.of(kind);
    ObjectNode table = Json.object();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    table.set("metadata", listMetadata == null ? Json.object() : listMetadata);
    ArrayNode columns = table.putArray("columnDefinitions");
    printer.columns().forEach(c -> columns.add(c.toJson()));
    ArrayNode rows = table.putArray("rows");
    for (JsonNode o : objects) rows.add(row(printer, o, now));
    return table;
  }

  /** The Table of one object (a get, or one watch event). */
  public ObjectNode table(String kind, JsonNode object, Instant now) {
    ObjectNode meta = Json.object();
    String rv = object.path("metadata").path("resourceVersion").asText("");
    if (!rv.isEmpty()) meta.put("resourceVersion", rv);
    return table(kind, List.of(object), meta, now);
  }

  private ObjectNode row(Printer printer, JsonNode o, Instant now) {
    ObjectNode row = Json.object();
    ArrayNode cells = row.putArray("cells");
    for (Object cell : printer.cells().of(o, now)) {
      if (cell instanceof Number n) cells.add(n.longValue());
      else if (cell instanceof Boolean b) cells.add(b);
      else cells.add(String.valueOf(cell));
    }
    if (include == Include.OBJECT) {
      row.set("object", o);
    } else if (include == Include.METADATA) {
      ObjectNode partial = row.putObject("object");
      partial.put("kind", "PartialObjectMetadata");
      partial.put("apiVersion", "meta.k8s.io/v1");
      partial.set("metadata", o.path("metadata").deepCopy());
    }
    return row;
  }
}
