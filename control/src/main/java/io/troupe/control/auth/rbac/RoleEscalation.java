package io.troupe.control.auth.rbac;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.api.ApiException;
import io.troupe.control.auth.Attributes;
import io.troupe.control.auth.Authorizer;
import io.troupe.control.auth.UserInfo;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * RBAC's escalation check on writes of roles and bindings (Kubernetes' policy-based RBAC storage): one may only
 * grant what one holds. A Role or ClusterRole whose rules the writer does not all hold (in the role's namespace,
 * or cluster-wide for a ClusterRole) is refused with 403, unless the writer may {@code escalate} that role; a
 * binding is refused unless the writer holds every rule of the role it refers to, or may {@code bind} that role.
 * Members of {@code system:masters} are never refused; under an authorizer that allows everything, neither is
 * anyone (it allows {@code escalate} and {@code bind}).
 */
public final class RoleEscalation {
  private static final String GROUP = "rbac.authorization.k8s.io";
  private static final List<PolicyRule> FULL_AUTHORITY = List.of(
      PolicyRule.resources(List.of("*"), List.of("*"), List.of("*")), PolicyRule.urls(List.of("*"), List.of("*")));

  private final Authorizer authorizer;
  private final RbacAuthorizer rules;

  /** {@code authorizer} decides escalate and bind; {@code rules} tells which rules a user holds. */
  public RoleEscalation(Authorizer authorizer, RbacAuthorizer rules) {
    this.authorizer = authorizer;
    this.rules = rules;
  }

  /** Nothing when the write may go on; a 403 {@link ApiException} otherwise. {@code old} is null on create. */
  public void check(UserInfo user, KubeObject object, KubeObject old) {
    String kind = object.kind();
    boolean role = kind.equals("Role") || kind.equals("ClusterRole");
    boolean binding = kind.equals("RoleBinding") || kind.equals("ClusterRoleBinding");
    if (!role && !binding) return;
    if (user.groups().contains(UserInfo.MASTERS)) return;
    String namespace = kind.startsWith("Cluster") ? null : object.metadata().namespace();
    String name = object.metadata().name();
    String plural = kind.toLowerCase(java.util.Locale.ROOT) + "s";
    if (role) {
      if (allowed(user, "escalate", plural, namespace, name)) return;
      // only what is granted counts: an update that leaves rules and aggregation as they were grants nothing new
      if (old != null && Objects.equals(old.body().get("rules"), object.body().get("rules"))
          && Objects.equals(old.body().get("aggregationRule"), object.body().get("aggregationRule"))) {
        return;
      }
      JsonNode aggregation = object.body().get("aggregationRule");
      if (aggregation != null && !aggregation.isNull() && !missing(user, null, FULL_AUTHORITY).isEmpty()) {
        throw forbidden(plural, name, "must have cluster-admin privileges to use the aggregationRule");
      }
      List<PolicyRule> granted = new ArrayList<>();
      for (JsonNode rule : object.body().path("rules")) granted.add(PolicyRule.fromJson(rule));
      refuseEscalation(user, namespace, granted, plural, name);
      return;
    }
    JsonNode ref = object.body().path("roleRef");
    String refKind = ref.path("kind").asText();
    String refName = ref.path("name").asText();
    String refPlural = refKind.equals("ClusterRole") ? "clusterroles" : "roles";
    if (allowed(user, "bind", refPlural, namespace, refName)) return;
    RbacPolicy policy = rules.policy();
    List<PolicyRule> granted = (refKind.equals("ClusterRole") ? policy.clusterRoleRules(refName)
        : policy.roleRules(namespace, refName))
        .orElseThrow(() -> forbidden(plural, name, refKind.toLowerCase(java.util.Locale.ROOT) + "." + GROUP + " \""
            + refName + "\" not found"));
    refuseEscalation(user, namespace, granted, plural, name);
  }

  private boolean allowed(UserInfo user, String verb, String resource, String namespace, String name) {
    return authorizer.authorize(Attributes.resource(user, verb, GROUP, resource, null, namespace, name)).allowed();
  }

  private List<PolicyRule> missing(UserInfo user, String namespace, List<PolicyRule> granted) {
    return RuleCoverage.uncovered(rules.policy().rulesFor(user, namespace).rules(), granted);
  }

  /** ConfirmNoEscalation, with its message. */
  private void refuseEscalation(UserInfo user, String namespace, List<PolicyRule> granted, String plural,
      String name) {
    RbacPolicy.Rules held = rules.policy().rulesFor(user, namespace);
    List<PolicyRule> missing = RuleCoverage.uncovered(held.rules(), granted);
    if (missing.isEmpty()) return;
    String message = "user \"" + user.name() + "\" (groups=" + RuleCoverage.goStrings(user.groups())
        + ") is attempting to grant RBAC permissions not currently held:\n" + RuleCoverage.describe(missing);
    if (!held.errors().isEmpty()) message += "; resolution errors: [" + String.join(", ", held.errors()) + "]";
    throw forbidden(plural, name, message);
  }

  private static ApiException forbidden(String plural, String name, String reason) {
    return ApiException.forbidden(plural, GROUP, name, plural + "." + GROUP + " \"" + name + "\" is forbidden: "
        + reason);
  }
}
