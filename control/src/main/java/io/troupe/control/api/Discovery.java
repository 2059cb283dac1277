package io.troupe.control.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The discovery documents clients read first: /api, /apis, one APIResourceList per group-version, /version. */
final class Discovery {
  static final String KUBERNETES_VERSION = "v1.32.0";
  private static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  private Discovery() {}

  /** The document at {@code path}, if it is a discovery path. */
  static Optional<ObjectNode> at(String path, String serverAddress) {
    String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    if (p.equals("/api")) return Optional.of(apiVersions(serverAddress));
    if (p.equals("/apis")) return Optional.of(groupList());
    if (p.equals("/version")) return Optional.of(version());
    if (p.equals("/apis/" + AccessReviews.GROUP)) {
      return Optional.of(reviewGroupBody().put("kind", "APIGroup").put("apiVersion", "v1"));
    }
    if (p.equals("/apis/" + AccessReviews.API_VERSION)) return Optional.of(reviewResources());
    for (Map.Entry<String, List<ResourceType>> gv : ResourceTypes.byGroupVersion().entrySet()) {
      ResourceType first = gv.getValue().get(0);
      if (p.equals(first.groupVersionPath())) return Optional.of(resourceList(gv.getKey(), gv.getValue()));
      if (!first.group().isEmpty() && p.equals("/apis/" + first.group())) return Optional.of(group(first.group()));
    }
    return Optional.empty();
  }

  private static ObjectNode apiVersions(String serverAddress) {
    ObjectNode o = Json.object();
    o.put("kind", "APIVersions");
    o.putArray("versions").add("v1");
    ObjectNode cidr = o.putArray("serverAddressByClientCIDRs").addObject();
    cidr.put("clientCIDR", "0.0.0.0/0");
    cidr.put("serverAddress", serverAddress);
    return o;
  }

  private static ObjectNode groupList() {
    ObjectNode o = Json.object();
    o.put("kind", "APIGroupList");
    o.put("apiVersion", "v1");
    ArrayNode groups = o.putArray("groups");
    ResourceTypes.byGroupVersion().values().stream()
        .map(types -> types.get(0).group())
        .filter(g -> !g.isEmpty())
        .distinct()
        .forEach(g -> groups.add(groupBody(g)));
    groups.add(reviewGroupBody());
    return o;
  }

  private static ObjectNode group(String name) {
    ObjectNode o = groupBody(name);
    o.put("kind", "APIGroup");
    o.put("apiVersion", "v1");
    return o;
  }

  private static ObjectNode groupBody(String name) {
    ObjectNode g = Json.object();
    g.put("name", name);
    ArrayNode versions = g.putArray("versions");
    ObjectNode preferred = null;
    for (ResourceType t : ResourceTypes.ALL) {
      if (!t.group().equals(name)) continue;
      if (preferred != null && preferred.path("version").asText().equals(t.version())) continue;
      ObjectNode v = versions.addObject();
      v.put("groupVersion", t.apiVersion());
      v.put("version", t.version());
      if (preferred == null) preferred = v.deepCopy();
    }
    g.set("preferredVersion", preferred);
    return g;
  }

  /** authorization.k8s.io: the access reviews, answered and never stored, so not among the stored kinds. */
  private static ObjectNode reviewGroupBody() {
    ObjectNode g = Json.object();
    g.put("name", AccessReviews.GROUP);
    ObjectNode v = g.putArray("versions").addObject();
    v.put("groupVersion", AccessReviews.API_VERSION);
    v.put("version", "v1");
    g.set("preferredVersion", v.deepCopy());
    return g;
  }

  private static ObjectNode reviewResources() {
    ObjectNode o = Json.object();
    o.put("kind", "APIResourceList");
    o.put("apiVersion", "v1");
    o.put("groupVersion", AccessReviews.API_VERSION);
    ArrayNode resources = o.putArray("resources");
    for (String[] r : AccessReviews.RESOURCES) {
      ObjectNode resource = resources.addObject();
      resource.put("name", r[0]);
      resource.put("singularName", r[1].toLowerCase(java.util.Locale.ROOT));
      resource.put("namespaced", Boolean.parseBoolean(r[2]));
      resource.put("kind", r[1]);
      resource.putArray("verbs").add("create");
    }
    return o;
  }

  private static ObjectNode resourceList(String groupVersion, List<ResourceType> types) {
    ObjectNode o = Json.object();
    o.put("kind", "APIResourceList");
    o.put("apiVersion", "v1");
    o.put("groupVersion", groupVersion);
    ArrayNode resources = o.putArray("resources");
    for (ResourceType t : types) {
      ObjectNode r = resources.addObject();
      r.put("name", t.plural());
      r.put("singularName", t.singular());
      r.put("namespaced", t.namespaced());
      r.put("kind", t.kind());
      ArrayNode verbs = r.putArray("verbs");
      VERBS.forEach(verbs::add);
      ArrayNode shortNames = r.putArray("shortNames");
      t.shortNames().forEach(shortNames::add);
      if (t.kind().equals("Pod")) subresource(resources, t, "log", t.kind(), null, List.of("get"));
      if (t.kind().equals("Node")) {
        subresource(resources, t, "proxy", "NodeProxyOptions", null,
            List.of("create", "delete", "get", "patch", "update"));
      }
      if (t.hasStatus()) subresource(resources, t, "status", t.kind(), null);
      if (t.hasScale()) subresource(resources, t, "scale", "Scale", "autoscaling");
      if (t == ResourceTypes.SERVICE_ACCOUNT) {
        subresource(resources, t, "token", "TokenRequest", "authentication.k8s.io", List.of("create"));
      }
    }
    return o;
  }

  private static void subresource(ArrayNode resources, ResourceType t, String name, String kind, String group) {
    subresource(resources, t, name, kind, group, List.of("get", "patch", "update"));
  }

  private static void subresource(ArrayNode resources, ResourceType t, String name, String kind, String group,
      List<String> verbs) {
    ObjectNode r = resources.addObject();
    r.put("name", t.plural() + "/" + name);
    r.put("singularName", "");
    r.put("namespaced", t.namespaced());
    if (group != null) {
      r.put("group", group);
      r.put("version", "v1");
    }
    r.put("kind", kind);
    verbs.forEach(r.putArray("verbs")::add);
  }

  private static ObjectNode version() {
    ObjectNode o = Json.object();
    o.put("major", "1");
    o.put("minor", "32");
    o.put("gitVersion", KUBERNETES_VERSION + "+troupe");
    o.put("gitCommit", "troupe");
    o.put("gitTreeState", "clean");
    o.put("buildDate", "2026-11-25T00:00:00Z");
    o.put("goVersion", "java" + Runtime.version().feature());
    o.put("compiler", "javac");
    o.put("platform", System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT) + "/"
        + System.getProperty("os.arch"));
    return o;
  }
}
