package io.troupe.control.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.auth.Attributes;
import io.troupe.persistence.model.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * One rule of a Role or ClusterRole (rbac/v1 PolicyRule) and what it allows, with Kubernetes' matching
 * ({@code RuleAllows} in its RBAC authorizer): {@code *} matches every verb, group and resource; a resource is
 * matched with its subresource ({@code pods/log}), or by a star and the subresource (any resource's log);
 * {@code resourceNames}, when given, restrict
 * the rule to those names (so never to a list or a create, which have none); a non-resource URL matches exactly
 * or, ending in {@code *}, by prefix.
 */
public record PolicyRule(List<String> verbs, List<String> apiGroups, List<String> resources,
    List<String> resourceNames, List<String> nonResourceURLs) {
  public static final String ALL = "*";

  public PolicyRule {
    verbs = List.copyOf(verbs);
    apiGroups = List.copyOf(apiGroups);
    resources = List.copyOf(resources);
    resourceNames = List.copyOf(resourceNames);
    nonResourceURLs = List.copyOf(nonResourceURLs);
  }

  /** A resource rule. */
  public static PolicyRule resources(List<String> verbs, List<String> apiGroups, List<String> resources) {
    return new PolicyRule(verbs, apiGroups, resources, List.of(), List.of());
  }

  /** A non-resource rule. */
  public static PolicyRule urls(List<String> verbs, List<String> urls) {
    return new PolicyRule(verbs, List.of(), List.of(), List.of(), urls);
  }

  public PolicyRule withResourceNames(List<String> names) {
    return new PolicyRule(verbs, apiGroups, resources, names, nonResourceURLs);
  }

  /** A rule as stored (validated: lists of strings); anything not a string list reads as empty. */
  public static PolicyRule fromJson(JsonNode rule) {
    return new PolicyRule(strings(rule.get("verbs")), strings(rule.get("apiGroups")), strings(rule.get("resources")),
        strings(rule.get("resourceNames")), strings(rule.get("nonResourceURLs")));
  }

  public ObjectNode toJson() {
    ObjectNode rule = Json.object();
    put(rule, "verbs", verbs);
    put(rule, "apiGroups", apiGroups);
    put(rule, "resources", resources);
    put(rule, "resourceNames", resourceNames);
    put(rule, "nonResourceURLs", nonResourceURLs);
    return rule;
  }

  /** Whether this rule allows what the request asks. */
  public boolean allows(Attributes a) {
    if (!verbMatches(a.verb())) return false;
    if (!a.resourceRequest()) return urlMatches(a.path());
    String group = a.apiGroup() == null ? "" : a.apiGroup();
    String sub = a.subresource() == null || a.subresource().isEmpty() ? null : a.subresource();
    String combined = sub == null ? a.resource() : a.resource() + "/" + sub;
    return groupMatches(group) && resourceMatches(combined, sub) && nameMatches(a.name());
  }

  boolean verbMatches(String verb) {
    return verbs.contains(ALL) || verbs.contains(verb);
  }

  boolean groupMatches(String group) {
    return apiGroups.contains(ALL) || apiGroups.contains(group);
  }

  boolean resourceMatches(String combined, String subresource) {
    for (String r : resources) {
      if (r.equals(ALL) || r.equals(combined)) return true;
      if (subresource != null && r.equals("*/" + subresource)) return true;
    }
    return false;
  }

  boolean nameMatches(String name) {
    return resourceNames.isEmpty() || (name != null && resourceNames.contains(name));
  }

  boolean urlMatches(String path) {
    if (path == null) return false;
    for (String url : nonResourceURLs) {
      if (url.equals(ALL) || url.equals(path)) return true;
      if (url.endsWith("*") && path.startsWith(url.substring(0, url.length() - 1))) return true;
    }
    return false;
  }

  private static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node instanceof ArrayNode array) {
      for (JsonNode n : array) if (n.isTextual()) out.add(n.textValue());
    }
    return out;
  }

  private static void put(ObjectNode rule, String name, List<String> values) {
    if (values.isEmpty()) return;
    ArrayNode array = rule.putArray(name);
    values.forEach(array::add);
  }
}
