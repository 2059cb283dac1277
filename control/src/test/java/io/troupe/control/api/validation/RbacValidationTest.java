package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.ValidationCase.SUBDOMAIN;
import static io.troupe.control.api.validation.ValidationCase.of;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Roles, ClusterRoles and their bindings as Kubernetes validates them (pkg/apis/rbac/validation). */
class RbacValidationTest {
  private static final String GROUP = "\"rbac.authorization.k8s.io\"";

  static Stream<ValidationCase> roles() {
    return Stream.of(
        of("Role", "valid"),
        of("Role", "no rules at all").remove("rules"),
        of("Role", "name with a colon").set("metadata.name", "\"system:pod-reader\""),
        of("Role", "name with a slash").set("metadata.name", "\"a/b\"")
            .expect("metadata.name: Invalid value: \"a/b\": may not contain '/'"),
        of("Role", "rule without verbs").set("rules[0].verbs", "[]")
            .expect("rules[0].verbs: Required value: verbs must contain at least one value"),
        of("Role", "rule without groups or resources").remove("rules[0].apiGroups").remove("rules[0].resources")
            .expect("rules[0].apiGroups: Required value: resource rules must supply at least one api group",
                "rules[0].resources: Required value: resource rules must supply at least one resource"),
        of("Role", "non-resource URLs in a namespaced role")
            .set("rules", "[{\"nonResourceURLs\":[\"/healthz\"],\"verbs\":[\"get\"]}]")
            .expect("rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot "
                + "apply to non-resource URLs"),
        of("Role", "verb not a string").set("rules[0].verbs", "[\"get\",3]")
            .expect("rules[0].verbs[1]: Invalid value: 3: must be a string"));
  }

  static Stream<ValidationCase> clusterRoles() {
    return Stream.of(
        of("ClusterRole", "valid"),
        of("ClusterRole", "URLs and resources in one rule").set("rules[1].resources", "[\"pods\"]")
            .expect("rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\", \"/livez/*\"}: rules cannot "
                + "apply to both regular resources and non-resource URLs"),
        of("ClusterRole", "aggregated").set("aggregationRule",
            "{\"clusterRoleSelectors\":[{\"matchLabels\":{\"rbac.example.com/aggregate-to-monitoring\":\"true\"}}]}"),
        of("ClusterRole", "aggregation without selectors").set("aggregationRule", "{\"clusterRoleSelectors\":[]}")
            .expect("aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector "
                + "required if aggregationRule is non-nil"),
        of("ClusterRole", "namespace given").set("metadata.namespace", "\"default\"")
            .expect("metadata.namespace: Forbidden: not allowed on this type"));
  }

  static Stream<ValidationCase> bindings() {
    return Stream.of(
        of("RoleBinding", "valid"),
        of("RoleBinding", "to a ClusterRole").set("roleRef.kind", "\"ClusterRole\""),
        of("RoleBinding", "no subjects").remove("subjects"),
        of("RoleBinding", "roleRef of another group").set("roleRef.apiGroup", "\"example.com\"")
            .expect("roleRef.apiGroup: Unsupported value: \"example.com\": supported values: " + GROUP),
        of("RoleBinding", "roleRef of another kind").set("roleRef.kind", "\"Pod\"")
            .expect("roleRef.kind: Unsupported value: \"Pod\": supported values: \"Role\", \"ClusterRole\""),
        of("RoleBinding", "roleRef without name").remove("roleRef.name")
            .expect("roleRef.name: Required value"),
        of("RoleBinding", "roleRef name with a slash").set("roleRef.name", "\"a/b\"")
            .expect("roleRef.name: Invalid value: \"a/b\": may not contain '/'"),
        of("RoleBinding", "subject without name").remove("subjects[0].name")
            .expect("subjects[0].name: Required value"),
        of("RoleBinding", "subject of an unknown kind").set("subjects[1].kind", "\"Team\"")
            .expect("subjects[1].kind: Unsupported value: \"Team\": supported values: \"ServiceAccount\", "
                + "\"User\", \"Group\""),
        of("RoleBinding", "user of another group").set("subjects[0].apiGroup", "\"\"")
            .expect("subjects[0].apiGroup: Unsupported value: \"\": supported values: " + GROUP),
        of("RoleBinding", "service account with a group").set("subjects[2].apiGroup", GROUP)
            .expect("subjects[2].apiGroup: Unsupported value: " + GROUP + ": supported values: \"\""),
        of("RoleBinding", "service account with a bad name").set("subjects[2].name", "\"Builder\"")
            .expect("subjects[2].name: Invalid value: \"Builder\": " + SUBDOMAIN),
        of("ClusterRoleBinding", "valid"),
        of("ClusterRoleBinding", "to a Role").set("roleRef.kind", "\"Role\"")
            .expect("roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\""),
        of("ClusterRoleBinding", "service account without namespace").remove("subjects[0].namespace")
            .expect("subjects[0].namespace: Required value"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"roles", "clusterRoles", "bindings"})
  void validates(ValidationCase c) {
    c.check();
  }

  @Test
  void theRoleOfABindingNeverChanges() {
    var old = Manifests.valid("RoleBinding");
    var same = Manifests.valid("RoleBinding");
    Manifests.edit(same, "subjects", "[]");
    ValidationCase.assertCauses(List.of(), ObjectValidation.validateUpdate(old, same));
    var other = Manifests.valid("RoleBinding");
    Manifests.edit(other, "roleRef.name", "\"admin\"");
    Manifests.edit(other, "roleRef.kind", "\"ClusterRole\"");
    ValidationCase.assertCauses(List.of("roleRef: Invalid value: rbac.RoleRef{APIGroup:" + GROUP
        + ", Kind:\"ClusterRole\", Name:\"admin\"}: cannot change roleRef"), ObjectValidation.validateUpdate(old, other));
  }
}
