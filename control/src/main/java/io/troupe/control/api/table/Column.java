package io.troupe.control.api.table;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;

/** One column of a meta.k8s.io/v1 Table (a TableColumnDefinition); priority 0 is shown always, 1 with -o wide. */
public record Column(String name, String type, String format, String description, int priority) {

  static Column of(String name, String description) {
    return new Column(name, "string", "", description, 0);
  }

  static Column wide(String name, String description) {
    return new Column(name, "string", "", description, 1);
  }

  static Column integer(String name, String description) {
    return new Column(name, "integer", "", description, 0);
  }

  static Column nameColumn() {
    return new Column("Name", "string", "name", "Name must be unique within a namespace. Cannot be updated.", 0);
  }

  static Column ageColumn() {
    return new Column("Age", "string", "", "CreationTimestamp is a timestamp representing the server time when "
        + "this object was created. Populated by the system. Read-only. Null for lists.", 0);
  }

  ObjectNode toJson() {
    ObjectNode o = Json.object();
    o.put("name", name);
    o.put("type", type);
    o.put("format", format);
    o.put("description", description);
    o.put("priority", priority);
    return o;
  }
}
