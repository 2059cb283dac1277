package io.troupe.control.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Roles, ClusterRoles and their bindings as kubectl prints them (printers.go). */
final class RbacPrinters {
  private RbacPrinters() {}

  private static final Column CREATED_AT = new Column("Created At", "date", "", "CreationTimestamp is a timestamp "
      + "representing the server time when this object was created.", 0);

  /** NAME CREATED AT. */
  static final Printer ROLE = new Printer(List.of(Column.nameColumn(), CREATED_AT),
      (o, now) -> List.of(Printer.name(o), o.path("metadata").path("creationTimestamp").asText("")));

  /** NAME ROLE AGE, and with -o wide USERS GROUPS SERVICEACCOUNTS. */
  static final Printer BINDING = new Printer(List.of(Column.nameColumn(),
      Column.of("Role", "RoleRef can reference a Role in the current namespace or a ClusterRole in the global "
          + "namespace."),
      Column.ageColumn(),
      Column.wide("Users", "Users in the roleBinding"),
      Column.wide("Groups", "Groups in the roleBinding"),
      Column.wide("ServiceAccounts", "ServiceAccounts in the roleBinding")),
      (o, now) -> {
        JsonNode ref = o.path("roleRef");
        return List.of(Printer.name(o), ref.path("kind").asText() + "/" + ref.path("name").asText(),
            Printer.age(o, now), subjects(o, "User"), subjects(o, "Group"), subjects(o, "ServiceAccount"));
      });

  private static String subjects(JsonNode binding, String kind) {
    List<String> names = new ArrayList<>();
    for (JsonNode s : Printer.items(binding.path("subjects"))) {
      if (!s.path("kind").asText().equals(kind)) continue;
      String namespace = kind.equals("ServiceAccount") ? s.path("namespace").asText("") : "";
      names.add(namespace.isEmpty() ? s.path("name").asText() : namespace + "/" + s.path("name").asText());
    }
    return String.join(", ", names);
  }
}
