package io.troupe.control.api.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.openapi.ApiTypes.Definition;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenAPI documents of the API: {@code /openapi/v2} (Swagger 2.0, every path and definition) and one OpenAPI
 * 3.0 document per group-version ({@code /openapi/v3/api/v1}, {@code /openapi/v3/apis/apps/v1}, ...), with the
 * paths and verbs Troupe serves for each kind and the schemas of its {@link ApiTypes}. kubectl reads them to
 * validate, to compute {@code apply}'s strategic merge patches and to {@code explain}; it checks that each PATCH
 * operation declares the {@code fieldValidation} parameter before it lets the server validate.
 */
public final class OpenApiDocuments {
  static final String TITLE = "Kubernetes";
  static final String VERSION = "v1.32.0";
  static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
  static final List<String> PATCH_TYPES = List.of(
      "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json");
  private static final List<String> LIST_PARAMETERS = List.of("allowWatchBookmarks", "continue", "fieldSelector",
      "labelSelector", "limit", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds",
      "watch");
  private static final List<String> WRITE_PARAMETERS = List.of("dryRun", "fieldManager", "fieldValidation");
  private static final List<String> PATCH_PARAMETERS = List.of("dryRun", "fieldManager", "fieldValidation", "force");
  private static final List<String> DELETE_PARAMETERS =
      List.of("dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy");

  private final ApiTypes types;

  public OpenApiDocuments(ApiTypes types) {
    this.types = types;
  }

  /** The Swagger 2.0 document of the whole API. */
  public ObjectNode v2() {
    OpenApiSchemas schemas = OpenApiSchemas.v2();
    ObjectNode doc = Json.object();
    doc.put("swagger", "2.0");
    doc.putObject("info").put("title", TITLE).put("version", VERSION);
    ObjectNode paths = doc.putObject("paths");
    for (ResourceType type : ResourceTypes.ALL) {
      if (types.of(type).isPresent()) new Operations(type, schemas).addTo(paths);
    }
    ObjectNode definitions = doc.putObject("definitions");
    new TreeMap<>(allSchemas(schemas)).forEach(definitions::set);
    return doc;
  }

  /** The OpenAPI 3.0 documents, by their path under {@code /openapi/v3/}: {@code api/v1}, {@code apis/apps/v1}. */
  public Map<String, ObjectNode> v3() {
    Map<String, ObjectNode> docs = new LinkedHashMap<>();
    ResourceTypes.byGroupVersion().forEach((gv, kinds) -> docs.put(kinds.get(0).groupVersionPath().substring(1),
        v3(kinds)));
    return docs;
  }

  private ObjectNode v3(List<ResourceType> kinds) {
    OpenApiSchemas schemas = OpenApiSchemas.v3();
    ObjectNode doc = Json.object();
    doc.put("openapi", "3.0.0");
    doc.putObject("info").put("title", TITLE).put("version", VERSION);
    ObjectNode paths = doc.putObject("paths");
    for (ResourceType type : kinds) {
      if (types.of(type).isPresent()) new Operations(type, schemas).addTo(paths);
    }
    // only the schemas this document refers to, as Kubernetes does
    Map<String, ObjectNode> all = allSchemas(schemas);
    Map<String, ObjectNode> used = new TreeMap<>();
    Deque<JsonNode> todo = new ArrayDeque<>();
    todo.add(paths);
    while (!todo.isEmpty()) {
      JsonNode node = todo.pop();
      if (node.isTextual() || !node.isContainerNode()) continue;
      JsonNode ref = node.get("$ref");
      if (ref != null && ref.isTextual()) {
        String id = ref.textValue().substring(ref.textValue().lastIndexOf('/') + 1);
        if (!used.containsKey(id)) {
          used.put(id, all.get(id));
          todo.add(all.get(id));
        }
      }
      node.forEach(todo::add);
    }
    doc.putObject("components").set("schemas", Json.MAPPER.valueToTree(used));
    return doc;
  }

  /** Every definition by id, plus the list of each kind. */
  private Map<String, ObjectNode> allSchemas(OpenApiSchemas schemas) {
    Map<String, ObjectNode> all = new LinkedHashMap<>();
    for (Definition d : types.definitions().values()) {
      all.put(d.id(), schemas.definition(d));
      if (d.kind().isPresent()) all.put(d.id() + "List", schemas.listDefinition(d, META + "ListMeta"));
    }
    return all;
  }

  /** The paths and operations of one kind, as the API serves them. */
  private final class Operations {
    private final ResourceType type;
    private final OpenApiSchemas schemas;
    private final String id;
    private final boolean v3;

    Operations(ResourceType type, OpenApiSchemas schemas) {
      this.type = type;
      this.schemas = schemas;
      this.id = types.of(type).orElseThrow().id();
      this.v3 = schemas.ref("x").startsWith("#/components");
    }

    void addTo(ObjectNode paths) {
      String base = type.groupVersionPath();
      String scoped = type.namespaced() ? base + "/namespaces/{namespace}/" + type.plural() : base + "/"
          + type.plural();
      String ns = type.namespaced() ? "Namespaced" : "";
      ObjectNode collection = path(paths, scoped, false);
      operation(collection, "get", "list" + ns + type.kind(), "list", id + "List", LIST_PARAMETERS);
      operation(collection, "post", "create" + ns + type.kind(), "post", id, WRITE_PARAMETERS);
      operation(collection, "delete", "deletecollection" + ns + type.kind(), "deletecollection", id + "List",
          concat(DELETE_PARAMETERS, LIST_PARAMETERS));
      ObjectNode item = path(paths, scoped + "/{name}", true);
      operation(item, "get", "read" + ns + type.kind(), "get", id, List.of());
      operation(item, "put", "replace" + ns + type.kind(), "put", id, WRITE_PARAMETERS);
      operation(item, "patch", "patch" + ns + type.kind(), "patch", id, PATCH_PARAMETERS);
      operation(item, "delete", "delete" + ns + type.kind(), "delete", id, DELETE_PARAMETERS);
      if (type.hasStatus()) {
        ObjectNode status = path(paths, scoped + "/{name}/status", true);
        operation(status, "get", "read" + ns + type.kind() + "Status", "get", id, List.of());
        operation(status, "put", "replace" + ns + type.kind() + "Status", "put", id, WRITE_PARAMETERS);
        operation(status, "patch", "patch" + ns + type.kind() + "Status", "patch", id, PATCH_PARAMETERS);
      }
      if (type.namespaced()) {
        ObjectNode everywhere = path(paths, base + "/" + type.plural(), false);
        operation(everywhere, "get", "list" + type.kind() + "ForAllNamespaces", "list", id + "List", LIST_PARAMETERS);
      }
    }

    private ObjectNode path(ObjectNode paths, String path, boolean named) {
      ObjectNode p = paths.putObject(path);
      ArrayNode parameters = p.putArray("parameters");
      if (named) parameters.add(parameter("name", "path", "name of the " + type.kind()));
      if (type.namespaced() && path.contains("{namespace}")) {
        parameters.add(parameter("namespace", "path", "object name and auth scope, such as for teams and projects"));
      }
      parameters.add(parameter("pretty", "query", "If 'true', then the output is pretty printed."));
      return p;
    }

    private void operation(ObjectNode path, String method, String operationId, String action, String responseId,
        List<String> query) {
      ObjectNode op = path.putObject(method);
      op.put("description", action + " " + (action.equals("list") || action.equals("deletecollection")
          ? "objects of kind " : "the specified ") + type.kind());
      op.put("operationId", operationId);
      ArrayNode parameters = op.putArray("parameters");
      boolean body = method.equals("post") || method.equals("put") || method.equals("patch");
      String bodyId = method.equals("patch") ? META + "Patch" : id;
      List<String> consumes = method.equals("patch") ? PATCH_TYPES : List.of("*/*");
      if (body && !v3) {
        ObjectNode b = parameter("body", "body", null);
        b.put("required", true);
        b.remove("type");
        b.set("schema", Json.object().put("$ref", schemas.ref(bodyId)));
        parameters.add(b);
      }
      query.forEach(q -> parameters.add(parameter(q, "query", null)));
      if (v3 && body) {
        ObjectNode requestBody = op.putObject("requestBody");
        ObjectNode content = requestBody.putObject("content");
        consumes.forEach(mt -> content.putObject(mt).set("schema", Json.object().put("$ref", schemas.ref(bodyId))));
        requestBody.put("required", true);
      }
      if (!v3) {
        consumes.forEach(op.putArray("consumes")::add);
        op.putArray("produces").add("application/json").add("application/yaml");
      }
      ObjectNode responses = op.putObject("responses");
      response(responses, "200", responseId);
      if (method.equals("post") || method.equals("put")) response(responses, "201", responseId);
      op.put("x-kubernetes-action", action);
      op.set(OpenApiSchemas.GVK, OpenApiSchemas.gvk(type, type.kind()));
    }

    private void response(ObjectNode responses, String code, String responseId) {
      ObjectNode r = responses.putObject(code).put("description", code.equals("201") ? "Created" : "OK");
      ObjectNode schema = Json.object().put("$ref", schemas.ref(responseId));
      if (v3) {
        r.putObject("content").putObject("application/json").set("schema", schema);
      } else {
        r.set("schema", schema);
      }
    }

    private ObjectNode parameter(String name, String in, String description) {
      ObjectNode p = Json.object();
      p.put("name", name);
      p.put("in", in);
      if (description != null) p.put("description", description);
      if (in.equals("path")) p.put("required", true);
      String scalar = name.equals("limit") || name.equals("timeoutSeconds") || name.equals("gracePeriodSeconds")
          ? "integer"
          : name.equals("watch") || name.equals("allowWatchBookmarks") || name.equals("sendInitialEvents")
              || name.equals("orphanDependents") || name.equals("force") ? "boolean" : "string";
      if (v3) {
        p.putObject("schema").put("type", scalar).put("uniqueItems", true);
      } else {
        p.put("type", scalar).put("uniqueItems", true);
      }
      return p;
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).distinct().toList();
  }
}
