package io.troupe.control.auth.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.auth.Attributes;
import io.troupe.control.auth.Authorizer.Decision;
import io.troupe.control.auth.UserInfo;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The index of bindings by subject, without an API: who is granted what, where, and why not. */
class RbacPolicyTest {
  private static final RbacPolicy POLICY = RbacPolicy.of(
      List.of(object("Role", "dev", "reader", "{\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],"
          + "\"verbs\":[\"get\"]}]}")),
      List.of(object("ClusterRole", null, "lister", "{\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],"
          + "\"verbs\":[\"list\"]}]}"),
          object("ClusterRole", null, "metrics", "{\"rules\":[{\"nonResourceURLs\":[\"/metrics\"],\"verbs\":[\"get\"]}]}")),
      List.of(binding("RoleBinding", "dev", "r1", "Role", "reader", "{\"kind\":\"User\",\"name\":\"alice\"}"),
          binding("RoleBinding", "dev", "r2", "ClusterRole", "lister", "{\"kind\":\"ServiceAccount\",\"name\":\"ci\"}"),
          binding("RoleBinding", "dev", "r3", "ClusterRole", "metrics", "{\"kind\":\"User\",\"name\":\"alice\"}"),
          binding("RoleBinding", "dev", "r4", "Role", "gone", "{\"kind\":\"User\",\"name\":\"erin\"}")),
      List.of(binding("ClusterRoleBinding", null, "c1", "ClusterRole", "lister", "{\"kind\":\"Group\",\"name\":\"ops\"}"),
          binding("ClusterRoleBinding", null, "c2", "ClusterRole", "metrics",
              "{\"kind\":\"ServiceAccount\",\"name\":\"mon\",\"namespace\":\"kube-system\"}")));

  private static KubeObject object(String kind, String namespace, String name, String body) {
    ObjectNode tree;
    try {
      tree = (ObjectNode) Json.MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(body, e);
    }
    tree.put("apiVersion", "rbac.authorization.k8s.io/v1").put("kind", kind);
    ObjectNode metadata = tree.putObject("metadata").put("name", name);
    if (namespace != null) metadata.put("namespace", namespace);
    return KubeObject.fromTree(tree);
  }

  private static KubeObject binding(String kind, String namespace, String name, String roleKind, String role,
      String subject) {
    return object(kind, namespace, name, "{\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\""
        + roleKind + "\",\"name\":\"" + role + "\"},\"subjects\":[" + subject + "]}");
  }

  private static UserInfo user(String name, String... groups) {
    return new UserInfo(name, "", List.of(groups));
  }

  static Stream<Arguments> decisions() {
    UserInfo alice = user("alice", "system:authenticated");
    UserInfo ci = user("system:serviceaccount:dev:ci", "system:serviceaccounts");
    UserInfo otherCi = user("system:serviceaccount:prod:ci", "system:serviceaccounts");
    UserInfo mon = user("system:serviceaccount:kube-system:mon");
    UserInfo ops = user("olga", "ops");
    return Stream.of(
        Arguments.of(Attributes.resource(alice, "get", "", "pods", null, "dev", "web"), true,
            "RBAC: allowed by RoleBinding \"r1/dev\" of Role \"reader\" to User \"alice\""),
        Arguments.of(Attributes.resource(alice, "get", "", "pods", null, "prod", "web"), false, ""),
        Arguments.of(Attributes.resource(alice, "get", "", "pods", null, null, "web"), false, ""),
        // a RoleBinding never grants non-resource URLs, even to a ClusterRole that has them
        Arguments.of(Attributes.nonResource(alice, "get", "/metrics"), false, ""),
        Arguments.of(Attributes.resource(ci, "list", "", "pods", null, "dev", null), true,
            "RBAC: allowed by RoleBinding \"r2/dev\" of ClusterRole \"lister\" to User "
                + "\"system:serviceaccount:dev:ci\""),
        Arguments.of(Attributes.resource(otherCi, "list", "", "pods", null, "dev", null), false, ""),
        Arguments.of(Attributes.nonResource(mon, "get", "/metrics"), true,
            "RBAC: allowed by ClusterRoleBinding \"c2\" of ClusterRole \"metrics\" to User "
                + "\"system:serviceaccount:kube-system:mon\""),
        Arguments.of(Attributes.resource(ops, "list", "", "pods", null, null, null), true,
            "RBAC: allowed by ClusterRoleBinding \"c1\" of ClusterRole \"lister\" to Group \"ops\""),
        Arguments.of(Attributes.resource(ops, "get", "", "pods", null, "dev", "web"), false, ""),
        Arguments.of(Attributes.resource(user("erin"), "get", "", "pods", null, "dev", "web"), false,
            "RBAC: role.rbac.authorization.k8s.io \"gone\" not found"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("decisions")
  void decides(Attributes request, boolean allowed, String reason) {
    Decision decision = POLICY.authorize(request);
    assertEquals(allowed, decision.allowed());
    assertEquals(reason, decision.reason());
  }
}
