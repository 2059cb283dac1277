package io.troupe.control.auth.rbac;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Whether the rules one holds cover the rules one grants (Kubernetes' {@code validation.Covers}, the heart of RBAC's
 * escalation check): each granted rule is broken down into atoms (one verb on one group's resource, one name, or
 * one verb on one URL), and every atom must be covered by one held rule; {@code *} covers everything, a
 * {@code *}-and-subresource rule covers that subresource of any resource, a URL ending in {@code *} covers the
 * URLs it prefixes, and a held rule with names covers only atoms with those names.
 */
public final class RuleCoverage {
  private RuleCoverage() {}

  /** The atoms of {@code requested} that {@code owned} does not cover; empty when it covers them all. */
  public static List<PolicyRule> uncovered(List<PolicyRule> owned, List<PolicyRule> requested) {
    List<PolicyRule> missing = new ArrayList<>();
    for (PolicyRule rule : requested) {
      for (PolicyRule atom : breakdown(rule)) {
        if (owned.stream().noneMatch(o -> covers(o, atom))) missing.add(atom);
      }
    }
    return missing;
  }

  /** BreakdownRule: one rule per group, resource, verb (and name), and per URL and verb. */
  static List<PolicyRule> breakdown(PolicyRule rule) {
    List<PolicyRule> atoms = new ArrayList<>();
    for (String group : rule.apiGroups()) {
      for (String resource : rule.resources()) {
        for (String verb : rule.verbs()) {
          PolicyRule atom = PolicyRule.resources(List.of(verb), List.of(group), List.of(resource));
          if (rule.resourceNames().isEmpty()) {
            atoms.add(atom);
          } else {
            for (String name : rule.resourceNames()) atoms.add(atom.withResourceNames(List.of(name)));
          }
        }
      }
    }
    for (String url : rule.nonResourceURLs()) {
      for (String verb : rule.verbs()) atoms.add(PolicyRule.urls(List.of(verb), List.of(url)));
    }
    return atoms;
  }

  /** ruleCovers. */
  static boolean covers(PolicyRule owner, PolicyRule sub) {
    boolean verbs = owner.verbs().contains(PolicyRule.ALL) || owner.verbs().containsAll(sub.verbs());
    boolean groups = owner.apiGroups().contains(PolicyRule.ALL) || owner.apiGroups().containsAll(sub.apiGroups());
    boolean names = sub.resourceNames().isEmpty() ? owner.resourceNames().isEmpty()
        : owner.resourceNames().isEmpty() || owner.resourceNames().containsAll(sub.resourceNames());
    return verbs && groups && resourcesCovered(owner.resources(), sub.resources())
        && urlsCovered(owner.nonResourceURLs(), sub.nonResourceURLs()) && names;
  }

  private static boolean resourcesCovered(List<String> owned, List<String> requested) {
    if (owned.contains(PolicyRule.ALL) || owned.containsAll(requested)) return true;
    for (String resource : requested) {
      if (owned.contains(resource)) continue;
      int slash = resource.indexOf('/');
      if (slash < 0 || !owned.contains("*" + resource.substring(slash))) return false;
    }
    return true;
  }

  private static boolean urlsCovered(List<String> owned, List<String> requested) {
    for (String url : requested) {
      boolean covered = false;
      for (String o : owned) {
        if (o.equals(url) || (o.endsWith("*") && url.startsWith(o.substring(0, o.length() - 1)))) {
          covered = true;
          break;
        }
      }
      if (!covered) return false;
    }
    return true;
  }

  /**
   * The missing atoms as Kubernetes lists them in its refusal: simple rules of one group, resource and name merged
   * with their verbs (CompactRules), each printed as CompactString, sorted, one a line.
   */
  public static String describe(List<PolicyRule> missing) {
    Map<List<Object>, PolicyRule> simple = new LinkedHashMap<>();
    List<PolicyRule> compacted = new ArrayList<>();
    for (PolicyRule rule : missing) {
      boolean isSimple = rule.nonResourceURLs().isEmpty() && rule.apiGroups().size() == 1
          && rule.resources().size() == 1 && rule.resourceNames().size() <= 1;
      if (!isSimple) {
        compacted.add(rule);
        continue;
      }
      List<Object> key = List.of(rule.apiGroups().get(0), rule.resources().get(0), rule.resourceNames());
      PolicyRule existing = simple.get(key);
      if (existing == null) {
        simple.put(key, rule);
      } else {
        List<String> verbs = new ArrayList<>(existing.verbs());
        verbs.addAll(rule.verbs());
        simple.put(key, new PolicyRule(verbs, existing.apiGroups(), existing.resources(), existing.resourceNames(),
            existing.nonResourceURLs()));
      }
    }
    compacted.addAll(simple.values());
    TreeSet<String> lines = new TreeSet<>();
    for (PolicyRule rule : compacted) lines.add(compactString(rule));
    return String.join("\n", lines);
  }

  /** rbacv1helpers.CompactString: {@code {APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "list"]}}. */
  static String compactString(PolicyRule rule) {
    List<String> parts = new ArrayList<>();
    if (!rule.apiGroups().isEmpty()) parts.add("APIGroups:" + goStrings(rule.apiGroups()));
    if (!rule.resources().isEmpty()) parts.add("Resources:" + goStrings(rule.resources()));
    if (!rule.nonResourceURLs().isEmpty()) parts.add("NonResourceURLs:" + goStrings(rule.nonResourceURLs()));
    if (!rule.resourceNames().isEmpty()) parts.add("ResourceNames:" + goStrings(rule.resourceNames()));
    if (!rule.verbs().isEmpty()) parts.add("Verbs:" + goStrings(rule.verbs()));
    return "{" + String.join(", ", parts) + "}";
  }

  /** Go's {@code %q} of a {@code []string}: {@code ["a" "b"]}. */
  static String goStrings(List<String> values) {
    List<String> quoted = new ArrayList<>();
    for (String v : values) quoted.add("\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    return "[" + String.join(" ", quoted) + "]";
  }
}
