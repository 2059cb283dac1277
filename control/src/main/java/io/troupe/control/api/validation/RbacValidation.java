package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.array;
import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.object;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.textOrEmpty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.selector.NameSyntax;
import java.util.ArrayList;
import java.util.List;

/**
 * Role, ClusterRole, RoleBinding and ClusterRoleBinding (rbac.authorization.k8s.io/v1) as Kubernetes validates
 * them ({@code pkg/apis/rbac/validation}): every rule has verbs, a resource rule has API groups and resources, a
 * non-resource rule only URLs (and only in a ClusterRole); a binding refers to a Role or ClusterRole of the RBAC
 * group by a valid name, and its subjects are Users, Groups or ServiceAccounts. Expects defaulted objects (a
 * binding's roleRef.apiGroup and a User's or Group's apiGroup filled in).
 */
final class RbacValidation {
  static final String GROUP = "rbac.authorization.k8s.io";

  private RbacValidation() {
  }

  static void validateRole(ObjectNode role, List<Cause> causes) {
    validateRules(role, true, causes);
  }

  static void validateClusterRole(ObjectNode role, List<Cause> causes) {
    validateRules(role, false, causes);
    ObjectNode aggregation = object(role, "aggregationRule", "aggregationRule", causes);
    if (aggregation == null) {
      return;
    }
    String path = "aggregationRule.clusterRoleSelectors";
    ArrayNode selectors = array(aggregation, "clusterRoleSelectors", path, causes);
    if (selectors == null || selectors.isEmpty()) {
      causes.add(Cause.required(path, "at least one clusterRoleSelector required if aggregationRule is non-nil"));
      return;
    }
    for (int i = 0; i < selectors.size(); i++) {
      LabelSelectorValidation.validate(selectors.get(i), index(path, i), causes);
    }
  }

  static void validateRoleBinding(ObjectNode binding, List<Cause> causes) {
    validateBinding(binding, true, causes);
  }

  static void validateClusterRoleBinding(ObjectNode binding, List<Cause> causes) {
    validateBinding(binding, false, causes);
  }

  /** ValidateRoleBindingUpdate: the role a binding grants never changes (delete and create it again). */
  static void validateBindingUpdate(ObjectNode old, ObjectNode updated, List<Cause> causes) {
    JsonNode before = old.path("roleRef");
    JsonNode after = updated.path("roleRef");
    if (!before.equals(after)) {
      causes.add(Cause.invalid("roleRef", new GoLiteral("rbac.RoleRef{APIGroup:" + quoted(after, "apiGroup")
          + ", Kind:" + quoted(after, "kind") + ", Name:" + quoted(after, "name") + "}"), "cannot change roleRef"));
    }
  }

  private static void validateRules(ObjectNode role, boolean namespaced, List<Cause> causes) {
    List<ObjectNode> rules = objects(role, "rules", "rules", causes);
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i) != null) {
        validatePolicyRule(rules.get(i), namespaced, index("rules", i), causes);
      }
    }
  }

  /** ValidatePolicyRule. */
  private static void validatePolicyRule(ObjectNode rule, boolean namespaced, String path, List<Cause> causes) {
    List<String> verbs = strings(rule, "verbs", path + ".verbs", causes);
    List<String> apiGroups = strings(rule, "apiGroups", path + ".apiGroups", causes);
    List<String> resources = strings(rule, "resources", path + ".resources", causes);
    List<String> resourceNames = strings(rule, "resourceNames", path + ".resourceNames", causes);
    List<String> urls = strings(rule, "nonResourceURLs", path + ".nonResourceURLs", causes);
    if (verbs.isEmpty()) {
      causes.add(Cause.required(path + ".verbs", "verbs must contain at least one value"));
    }
    if (!urls.isEmpty()) {
      GoLiteral value = new GoLiteral(goStrings(urls));
      if (namespaced) {
        causes.add(Cause.invalid(path + ".nonResourceURLs", value,
            "namespaced rules cannot apply to non-resource URLs"));
      }
      if (!apiGroups.isEmpty() || !resources.isEmpty() || !resourceNames.isEmpty()) {
        causes.add(Cause.invalid(path + ".nonResourceURLs", value,
            "rules cannot apply to both regular resources and non-resource URLs"));
      }
      return;
    }
    if (apiGroups.isEmpty()) {
      causes.add(Cause.required(path + ".apiGroups", "resource rules must supply at least one api group"));
    }
    if (resources.isEmpty()) {
      causes.add(Cause.required(path + ".resources", "resource rules must supply at least one resource"));
    }
  }

  private static void validateBinding(ObjectNode binding, boolean namespaced, List<Cause> causes) {
    ObjectNode roleRef = object(binding, "roleRef", "roleRef", causes);
    String apiGroup = textOrEmpty(roleRef, "apiGroup", "roleRef.apiGroup", causes);
    if (!apiGroup.equals(GROUP)) {
      causes.add(Cause.notSupported("roleRef.apiGroup", apiGroup, List.of(GROUP)));
    }
    String kind = textOrEmpty(roleRef, "kind", "roleRef.kind", causes);
    List<String> kinds = namespaced ? List.of("Role", "ClusterRole") : List.of("ClusterRole");
    if (!kinds.contains(kind)) {
      causes.add(Cause.notSupported("roleRef.kind", kind, kinds));
    }
    String name = textOrEmpty(roleRef, "name", "roleRef.name", causes);
    if (name.isEmpty()) {
      causes.add(Cause.required("roleRef.name", ""));
    } else {
      for (String message : MetadataValidation.NameRule.PATH_SEGMENT.check(name, false)) {
        causes.add(Cause.invalid("roleRef.name", name, message));
      }
    }
    List<ObjectNode> subjects = objects(binding, "subjects", "subjects", causes);
    for (int i = 0; i < subjects.size(); i++) {
      if (subjects.get(i) != null) {
        validateSubject(subjects.get(i), namespaced, index("subjects", i), causes);
      }
    }
  }

  /** ValidateRoleBindingSubject. */
  private static void validateSubject(ObjectNode subject, boolean namespaced, String path, List<Cause> causes) {
    String name = textOrEmpty(subject, "name", path + ".name", causes);
    String kind = textOrEmpty(subject, "kind", path + ".kind", causes);
    String apiGroup = textOrEmpty(subject, "apiGroup", path + ".apiGroup", causes);
    String namespace = textOrEmpty(subject, "namespace", path + ".namespace", causes);
    if (name.isEmpty()) {
      causes.add(Cause.required(path + ".name", ""));
    }
    switch (kind) {
      case "ServiceAccount":
        if (!name.isEmpty()) {
          for (String message : NameSyntax.isDns1123Subdomain(name)) {
            causes.add(Cause.invalid(path + ".name", name, message));
          }
        }
        if (!apiGroup.isEmpty()) {
          causes.add(Cause.notSupported(path + ".apiGroup", apiGroup, List.of("")));
        }
        if (!namespaced && namespace.isEmpty()) {
          causes.add(Cause.required(path + ".namespace", ""));
        }
        break;
      case "User":
      case "Group":
        if (!apiGroup.equals(GROUP)) {
          causes.add(Cause.notSupported(path + ".apiGroup", apiGroup, List.of(GROUP)));
        }
        break;
      default:
        causes.add(Cause.notSupported(path + ".kind", kind, List.of("ServiceAccount", "User", "Group")));
        break;
    }
  }

  /** A list of strings; an element that is not a string gets a cause and is left out. */
  private static List<String> strings(JsonNode parent, String name, String path, List<Cause> causes) {
    List<String> out = new ArrayList<>();
    ArrayNode values = array(parent, name, path, causes);
    if (values == null) {
      return out;
    }
    for (int i = 0; i < values.size(); i++) {
      JsonNode value = values.get(i);
      if (value.isTextual()) {
        out.add(value.textValue());
      } else {
        causes.add(Cause.invalid(index(path, i), value, "must be a string"));
      }
    }
    return out;
  }

  private static String quoted(JsonNode node, String field) {
    return Cause.goQuote(node.path(field).asText(""));
  }

  /** Go's {@code %#v} of a {@code []string}: {@code []string{"/a", "/b"}}. */
  private static String goStrings(List<String> values) {
    List<String> quoted = new ArrayList<>();
    for (String value : values) {
      quoted.add(Cause.goQuote(value));
    }
    return "[]string{" + String.join(", ", quoted) + "}";
  }

  /** A value printed as Go prints a struct or slice in a field error, as is. */
  private record GoLiteral(String text) {
    @Override
    public String toString() {
      return text;
    }
  }
}
