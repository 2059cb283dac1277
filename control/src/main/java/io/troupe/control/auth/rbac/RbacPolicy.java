package io.troupe.control.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.auth.Attributes;
import io.troupe.control.auth.Authorizer.Decision;
import io.troupe.control.auth.UserInfo;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster's Roles, ClusterRoles and their bindings at one moment, indexed by subject: for each User, Group
 * and ServiceAccount named in a ClusterRoleBinding (cluster-wide) or a RoleBinding (in its namespace), the rules
 * of the role it is bound to, resolved once. A check then looks at the grants of the request's user and groups
 * only, not at every binding, as Kubernetes' RBAC authorizer does on each request.
 *
 * <p>Immutable; {@link RbacAuthorizer} builds a new one when one of the four kinds changed.
 */
public final class RbacPolicy {
  /**
   * What one binding gives one subject: the rules of its role, or (when the role does not exist) none and the
   * error Kubernetes reports ({@code clusterrole.rbac.authorization.k8s.io "x" not found}).
   */
  record Grant(String describe, List<PolicyRule> rules, String error) {
    /** The same grant, described for one subject: {@code ... to Group "system:masters"}. */
    Grant forSubject(String key) {
      int colon = key.indexOf(':');
      return new Grant(describe + " to " + key.substring(0, colon) + " \"" + key.substring(colon + 1) + "\"", rules,
          error);
    }
  }

  /** Rules a user holds in a namespace (or cluster-wide) and what could not be resolved. */
  public record Rules(List<PolicyRule> rules, List<String> errors) {
    public Rules {
      rules = List.copyOf(rules);
      errors = List.copyOf(errors);
    }
  }

  private final Map<String, List<Grant>> clusterWide;
  private final Map<String, Map<String, List<Grant>>> byNamespace;
  private final Map<String, List<PolicyRule>> roleRules;
  private final Map<String, List<PolicyRule>> clusterRoleRules;

  private RbacPolicy(Map<String, List<Grant>> clusterWide, Map<String, Map<String, List<Grant>>> byNamespace,
      Map<String, List<PolicyRule>> roleRules, Map<String, List<PolicyRule>> clusterRoleRules) {
    this.clusterWide = clusterWide;
    this.byNamespace = byNamespace;
    this.roleRules = roleRules;
    this.clusterRoleRules = clusterRoleRules;
  }

  public static RbacPolicy empty() {
    return new RbacPolicy(Map.of(), Map.of(), Map.of(), Map.of());
  }

  /** The rules of the Role {@code namespace/name}, if it exists. */
  public java.util.Optional<List<PolicyRule>> roleRules(String namespace, String name) {
    return java.util.Optional.ofNullable(roleRules.get(namespace + "/" + name));
  }

  /** The rules of the ClusterRole {@code name}, if it exists. */
  public java.util.Optional<List<PolicyRule>> clusterRoleRules(String name) {
    return java.util.Optional.ofNullable(clusterRoleRules.get(name));
  }

  /** Indexes the given objects (each list of one kind, as the watch cache holds them). */
  public static RbacPolicy of(List<KubeObject> roles, List<KubeObject> clusterRoles, List<KubeObject> roleBindings,
      List<KubeObject> clusterRoleBindings) {
    Map<String, List<PolicyRule>> roleRules = new HashMap<>();
    for (KubeObject role : roles) {
      roleRules.put(role.metadata().namespace() + "/" + role.metadata().name(), rules(role));
    }
    Map<String, KubeObject> clusterRolesByName = new java.util.TreeMap<>();
    for (KubeObject role : clusterRoles) clusterRolesByName.put(role.metadata().name(), role);
    Map<String, List<PolicyRule>> clusterRoleRules = new HashMap<>();
    for (String name : clusterRolesByName.keySet()) {
      aggregated(name, clusterRolesByName, clusterRoleRules, new java.util.HashSet<>());
    }

    Map<String, List<Grant>> clusterWide = new HashMap<>();
    for (KubeObject binding : clusterRoleBindings) {
      JsonNode ref = binding.body().path("roleRef");
      if (!ref.path("kind").asText().equals("ClusterRole")) continue;
      Grant grant = grant(binding, clusterRoleRules.get(ref.path("name").asText()), null);
      for (String subject : subjectKeys(binding, null)) {
        clusterWide.computeIfAbsent(subject, s -> new ArrayList<>()).add(grant.forSubject(subject));
      }
    }
    Map<String, Map<String, List<Grant>>> byNamespace = new HashMap<>();
    for (KubeObject binding : roleBindings) {
      String namespace = binding.metadata().namespace();
      JsonNode ref = binding.body().path("roleRef");
      String kind = ref.path("kind").asText();
      String name = ref.path("name").asText();
      List<PolicyRule> rules = kind.equals("Role") ? roleRules.get(namespace + "/" + name)
          : kind.equals("ClusterRole") ? clusterRoleRules.get(name) : null;
      Grant grant = grant(binding, rules, namespace);
      for (String subject : subjectKeys(binding, namespace)) {
        byNamespace.computeIfAbsent(namespace, n -> new HashMap<>())
            .computeIfAbsent(subject, s -> new ArrayList<>()).add(grant.forSubject(subject));
      }
    }
    return new RbacPolicy(clusterWide, byNamespace, roleRules, clusterRoleRules);
  }

  /**
   * Allowed when a rule of a ClusterRoleBinding of the user (or one of its groups), or of a RoleBinding in the
   * request's namespace, allows the request; otherwise denied, with the bindings whose role is missing as reason
   * (empty when there is none: Kubernetes' 403 then says no more than who cannot do what).
   */
  public Decision authorize(Attributes a) {
    List<String> keys = userKeys(a.user());
    List<String> errors = new ArrayList<>();
    Decision allowed = allowedBy(clusterWide, keys, a, errors);
    if (allowed != null) return allowed;
    if (a.resourceRequest() && a.namespace() != null && !a.namespace().isEmpty()) {
      allowed = allowedBy(byNamespace.getOrDefault(a.namespace(), Map.of()), keys, a, errors);
      if (allowed != null) return allowed;
    }
    return Decision.deny(errors.isEmpty() ? "" : "RBAC: " + String.join(", ", new LinkedHashSet<>(errors)));
  }

  /** Every rule the user holds cluster-wide and, when {@code namespace} is given, in that namespace. */
  public Rules rulesFor(UserInfo user, String namespace) {
    List<PolicyRule> rules = new ArrayList<>();
    Set<String> errors = new LinkedHashSet<>();
    List<String> keys = userKeys(user);
    collect(clusterWide, keys, rules, errors);
    if (namespace != null && !namespace.isEmpty()) {
      collect(byNamespace.getOrDefault(namespace, Map.of()), keys, rules, errors);
    }
    return new Rules(rules, List.copyOf(errors));
  }

  private static void collect(Map<String, List<Grant>> grants, List<String> keys, List<PolicyRule> rules,
      Set<String> errors) {
    for (String key : keys) {
      for (Grant g : grants.getOrDefault(key, List.of())) {
        rules.addAll(g.rules());
        if (g.error() != null) errors.add(g.error());
      }
    }
  }

  private static Decision allowedBy(Map<String, List<Grant>> grants, List<String> keys, Attributes a,
      List<String> errors) {
    for (String key : keys) {
      for (Grant g : grants.getOrDefault(key, List.of())) {
        if (g.error() != null) errors.add(g.error());
        for (PolicyRule rule : g.rules()) {
          if (rule.allows(a)) return Decision.allow("RBAC: allowed by " + g.describe());
        }
      }
    }
    return null;
  }

  /** The keys a user's grants are filed under: its name, and each of its groups. */
  static List<String> userKeys(UserInfo user) {
    List<String> keys = new ArrayList<>(user.groups().size() + 1);
    keys.add("User:" + user.name());
    for (String group : user.groups()) keys.add("Group:" + group);
    return keys;
  }

  /**
   * The keys of a binding's subjects. A ServiceAccount is the user {@code system:serviceaccount:NS:NAME}, its
   * namespace defaulting to the RoleBinding's (Kubernetes' {@code appliesToUser}).
   */
  private static List<String> subjectKeys(KubeObject binding, String bindingNamespace) {
    List<String> keys = new ArrayList<>();
    for (JsonNode s : binding.body().path("subjects")) {
      String name = s.path("name").asText("");
      if (name.isEmpty()) continue;
      switch (s.path("kind").asText("")) {
        case "User":
          keys.add("User:" + name);
          break;
        case "Group":
          keys.add("Group:" + name);
          break;
        case "ServiceAccount": {
          String ns = s.path("namespace").asText("");
          if (ns.isEmpty() && bindingNamespace != null) ns = bindingNamespace;
          if (!ns.isEmpty()) keys.add("User:system:serviceaccount:" + ns + ":" + name);
          break;
        }
        default:
          break;
      }
    }
    return keys;
  }

  private static Grant grant(KubeObject binding, List<PolicyRule> rules, String namespace) {
    JsonNode ref = binding.body().path("roleRef");
    String kind = ref.path("kind").asText();
    String name = ref.path("name").asText();
    String describe = (namespace == null ? "ClusterRoleBinding \"" : "RoleBinding \"")
        + binding.metadata().name() + (namespace == null ? "\"" : "/" + namespace + "\"")
        + " of " + kind + " \"" + name + "\"";
    if (rules != null) return new Grant(describe, rules, null);
    return new Grant(describe, List.of(), kind.toLowerCase(java.util.Locale.ROOT) + ".rbac.authorization.k8s.io \""
        + name + "\" not found");
  }

  /**
   * A ClusterRole's rules; with an aggregationRule, also the rules of every ClusterRole its selectors match, and
   * theirs in turn (what Kubernetes' aggregation controller writes into the role, computed here instead; so a
   * ClusterRole labelled {@code rbac.authorization.k8s.io/aggregate-to-view} extends view, edit and admin).
   */
  private static List<PolicyRule> aggregated(String name, Map<String, KubeObject> byName,
      Map<String, List<PolicyRule>> done, Set<String> visiting) {
    List<PolicyRule> known = done.get(name);
    if (known != null) return known;
    KubeObject role = byName.get(name);
    List<PolicyRule> own = rules(role);
    JsonNode selectors = role.body().path("aggregationRule").path("clusterRoleSelectors");
    if (!selectors.isArray() || selectors.isEmpty() || !visiting.add(name)) {
      done.put(name, own);
      return own;
    }
    List<io.troupe.persistence.selector.LabelSelector> parsed = new ArrayList<>();
    for (JsonNode selector : selectors) {
      try {
        parsed.add(io.troupe.persistence.selector.LabelSelector.fromJson(selector));
      } catch (RuntimeException e) {
        // validated when written; one that does not parse selects nothing
      }
    }
    LinkedHashSet<PolicyRule> all = new LinkedHashSet<>(own);
    for (KubeObject other : byName.values()) {
      String otherName = other.metadata().name();
      if (otherName.equals(name) || visiting.contains(otherName)) continue;
      Map<String, String> labels = other.metadata().labels() == null ? Map.of() : other.metadata().labels();
      if (parsed.stream().anyMatch(selector -> selector.matches(labels))) {
        all.addAll(aggregated(otherName, byName, done, visiting));
      }
    }
    visiting.remove(name);
    List<PolicyRule> result = List.copyOf(all);
    done.put(name, result);
    return result;
  }

  private static List<PolicyRule> rules(KubeObject role) {
    List<PolicyRule> out = new ArrayList<>();
    for (JsonNode rule : role.body().path("rules")) out.add(PolicyRule.fromJson(rule));
    return List.copyOf(out);
  }
}
