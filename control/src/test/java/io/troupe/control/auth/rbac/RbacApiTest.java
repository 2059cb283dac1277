package io.troupe.control.auth.rbac;

import static io.troupe.control.auth.StaticTokens.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.auth.StaticTokens;
import io.troupe.control.auth.TokenClient;
import io.troupe.control.auth.TokenClient.Answer;
import io.troupe.control.auth.UserInfo;
import io.troupe.persistence.TestSystems;
import java.nio.file.Files;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RBAC through the real API (troupe.api.authorization.mode = RBAC), users told apart by bearer tokens of a test
 * authenticator ({@link StaticTokens}): who may do what, where, with Kubernetes' 403 messages word for word.
 */
class RbacApiTest {
  private static final Map<String, UserInfo> TOKENS = Map.of(
      "admin-token", user("admin", UserInfo.MASTERS),
      "alice-token", user("alice"),
      "bob-token", user("bob"),
      "carol-token", user("carol", "auditors"),
      "dave-token", user("dave"),
      "erin-token", user("erin"),
      "frank-token", user("frank"),
      "grace-token", user("grace"),
      "builder-token", user("system:serviceaccount:dev:builder", "system:serviceaccounts",
          "system:serviceaccounts:dev"));
  private static ControlPlane plane;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    plane = ControlPlane.start(TestSystems.singleJvm(Files.createTempDirectory("troupe-rbac"), Map.of(
        "troupe.api.port", 0, "troupe.controllers.enabled", false, "troupe.api.authorization.mode", "RBAC",
        "troupe.api.tls.enabled", false)),
        new StaticTokens(TOKENS));
    url = "http://127.0.0.1:" + plane.apiAddress().getPort();
    TokenClient admin = as("admin");
    for (String ns : new String[] {"dev", "prod"}) {
      created(admin.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}"));
    }
    created(admin.post("/api/v1/namespaces/dev/pods", POD.formatted("web")));
    created(admin.post("/apis/apps/v1/namespaces/dev/deployments", DEPLOYMENT.formatted("web")));
    created(admin.post("/apis/apps/v1/namespaces/prod/deployments", DEPLOYMENT.formatted("web")));
    created(admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", """
        {"metadata":{"name":"pod-reader"},"rules":[
          {"apiGroups":[""],"resources":["pods"],"verbs":["get","list","watch"]},
          {"apiGroups":[""],"resources":["pods/log"],"verbs":["get"]}]}"""));
    created(admin.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", """
        {"metadata":{"name":"metrics-reader"},"rules":[{"nonResourceURLs":["/metrics"],"verbs":["get"]}]}"""));
    created(admin.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", """
        {"metadata":{"name":"web-scaler"},"rules":[{"apiGroups":["apps"],"resources":["deployments/scale"],
          "resourceNames":["web"],"verbs":["get","update","patch"]}]}"""));
    bind(admin, "dev", "alice-reads-pods", "Role", "pod-reader", "User", "alice");
    bind(admin, null, "alice-reads-metrics", "ClusterRole", "metrics-reader", "User", "alice");
    bind(admin, "dev", "bob-edits", "ClusterRole", "edit", "User", "bob");
    bind(admin, null, "auditors-view", "ClusterRole", "view", "Group", "auditors");
    bind(admin, "prod", "dave-scales-web", "ClusterRole", "web-scaler", "User", "dave");
    created(admin.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", """
        {"metadata":{"name":"web-watcher"},"rules":[{"apiGroups":["apps"],"resources":["deployments"],
          "resourceNames":["web"],"verbs":["list","watch"]}]}"""));
    bind(admin, "prod", "dave-watches-web", "ClusterRole", "web-watcher", "User", "dave");
    bind(admin, "dev", "builder-edits", "ClusterRole", "edit", "ServiceAccount", "builder");
    bind(admin, "dev", "erin-ghost", "ClusterRole", "does-not-exist", "User", "erin");
    // frank administers dev; he may also bind node-viewer there; grace administers dev and may escalate roles there
    created(admin.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", """
        {"metadata":{"name":"node-viewer"},"rules":[{"apiGroups":[""],"resources":["nodes"],"verbs":["get","list"]}]}"""));
    created(admin.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", """
        {"metadata":{"name":"node-viewer-binder"},"rules":[{"apiGroups":["rbac.authorization.k8s.io"],
          "resources":["clusterroles"],"resourceNames":["node-viewer"],"verbs":["bind"]}]}"""));
    created(admin.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", """
        {"metadata":{"name":"role-escalator"},"rules":[{"apiGroups":["rbac.authorization.k8s.io"],
          "resources":["roles"],"verbs":["escalate"]}]}"""));
    bind(admin, "dev", "frank-admin", "ClusterRole", "admin", "User", "frank");
    bind(admin, "dev", "frank-binds-node-viewer", "ClusterRole", "node-viewer-binder", "User", "frank");
    bind(admin, "dev", "grace-admin", "ClusterRole", "admin", "User", "grace");
    bind(admin, "dev", "grace-escalates", "ClusterRole", "role-escalator", "User", "grace");
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  static final String POD = """
      {"metadata":{"name":"%s"},"spec":{"containers":[{"name":"app","image":"busybox"}]}}""";
  static final String DEPLOYMENT = """
      {"metadata":{"name":"%s"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
        "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"busybox"}]}}}}""";
  static final String CONFIG_MAP = "{\"metadata\":{\"name\":\"%s\"},\"data\":{\"k\":\"v\"}}";

  static TokenClient as(String name) {
    return new TokenClient(url, name == null ? null : name + "-token");
  }

  private static void created(Answer answer) {
    assertEquals(201, answer.code(), answer.body());
  }

  private static void bind(TokenClient admin, String namespace, String name, String roleKind, String role,
      String subjectKind, String subject) {
    String subjectJson = subjectKind.equals("ServiceAccount")
        ? "{\"kind\":\"ServiceAccount\",\"name\":\"" + subject + "\"}"
        : "{\"kind\":\"" + subjectKind + "\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"name\":\"" + subject + "\"}";
    String body = "{\"metadata\":{\"name\":\"" + name + "\"},\"roleRef\":{\"kind\":\"" + roleKind + "\",\"name\":\""
        + role + "\"},\"subjects\":[" + subjectJson + "]}";
    created(admin.post(namespace == null ? "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"
        : "/apis/rbac.authorization.k8s.io/v1/namespaces/" + namespace + "/rolebindings", body));
  }

  private static Arguments row(String user, String method, String path, Object body, int code) {
    return Arguments.of(user, method, path, body, code, null);
  }

  private static Arguments denied(String user, String method, String path, Object body, String message) {
    return Arguments.of(user, method, path, body, 403, message);
  }

  static Stream<Arguments> requests() {
    String devPods = "/api/v1/namespaces/dev/pods";
    String devDeployments = "/apis/apps/v1/namespaces/dev/deployments";
    String prodDeployments = "/apis/apps/v1/namespaces/prod/deployments";
    String sa = "system:serviceaccount:dev:builder";
    return Stream.of(
        // a Role in one namespace: pods and their log, nothing else, nowhere else
        row("alice", "GET", devPods, null, 200),
        row("alice", "GET", devPods + "/web", null, 200),
        row("alice", "GET", devPods + "?watch=true", null, 200),
        denied("alice", "GET", "/api/v1/pods", null, "pods is forbidden: User \"alice\" cannot list resource "
            + "\"pods\" in API group \"\" at the cluster scope"),
        denied("alice", "GET", "/api/v1/pods?watch=1", null, "pods is forbidden: User \"alice\" cannot watch "
            + "resource \"pods\" in API group \"\" at the cluster scope"),
        denied("alice", "GET", "/api/v1/namespaces/prod/pods", null, "pods is forbidden: User \"alice\" cannot "
            + "list resource \"pods\" in API group \"\" in the namespace \"prod\""),
        denied("alice", "POST", devPods, POD.formatted("alice-pod"), "pods is forbidden: User \"alice\" cannot "
            + "create resource \"pods\" in API group \"\" in the namespace \"dev\""),
        denied("alice", "DELETE", devPods + "/web", null, "pods \"web\" is forbidden: User \"alice\" cannot delete "
            + "resource \"pods\" in API group \"\" in the namespace \"dev\""),
        denied("alice", "GET", devPods + "/web/status", null, "pods \"web\" is forbidden: User \"alice\" cannot get "
            + "resource \"pods/status\" in API group \"\" in the namespace \"dev\""),
        denied("alice", "GET", "/api/v1/namespaces/dev/secrets", null, "secrets is forbidden: User \"alice\" cannot "
            + "list resource \"secrets\" in API group \"\" in the namespace \"dev\""),
        denied("alice", "GET", devDeployments, null, "deployments.apps is forbidden: User \"alice\" cannot list "
            + "resource \"deployments\" in API group \"apps\" in the namespace \"dev\""),
        // non-resource URLs: discovery for every authenticated user, /metrics for the one bound to it
        row("alice", "GET", "/metrics", null, 200),
        row("alice", "GET", "/api", null, 200),
        row("alice", "GET", "/apis/rbac.authorization.k8s.io/v1", null, 200),
        row("alice", "GET", "/openapi/v2", null, 200),
        denied("bob", "GET", "/metrics", null, "forbidden: User \"bob\" cannot get path \"/metrics\""),
        // edit through a RoleBinding: writes in dev, scale, secrets; no RBAC, nothing in prod, no cluster scope
        row("bob", "POST", devDeployments, DEPLOYMENT.formatted("bob-app"), 201),
        row("bob", "GET", devDeployments + "/web/scale", null, 200),
        row("bob", "PATCH", devDeployments + "/web/scale", "{\"spec\":{\"replicas\":2}}", 200),
        row("bob", "GET", "/api/v1/namespaces/dev/secrets", null, 200),
        row("bob", "GET", devPods + "/web/status", null, 200),
        row("bob", "GET", "/api/v1/namespaces/dev", null, 200),
        denied("bob", "GET", "/api/v1/namespaces/prod", null, "namespaces \"prod\" is forbidden: User \"bob\" cannot "
            + "get resource \"namespaces\" in API group \"\" in the namespace \"prod\""),
        denied("bob", "GET", "/api/v1/namespaces", null, "namespaces is forbidden: User \"bob\" cannot list "
            + "resource \"namespaces\" in API group \"\" at the cluster scope"),
        denied("bob", "PUT", devPods + "/web/status", POD.formatted("web"), "pods \"web\" is forbidden: User \"bob\" "
            + "cannot update resource \"pods/status\" in API group \"\" in the namespace \"dev\""),
        denied("bob", "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", null, "roles.rbac"
            + ".authorization.k8s.io is forbidden: User \"bob\" cannot list resource \"roles\" in API group \"rbac"
            + ".authorization.k8s.io\" in the namespace \"dev\""),
        denied("bob", "GET", prodDeployments, null, "deployments.apps is forbidden: User \"bob\" cannot list "
            + "resource \"deployments\" in API group \"apps\" in the namespace \"prod\""),
        // view cluster-wide through a group: reads everywhere, no secrets, no writes
        row("carol", "GET", "/api/v1/pods", null, 200),
        row("carol", "GET", "/api/v1/pods?watch=true", null, 200),
        row("carol", "GET", "/apis/apps/v1/deployments", null, 200),
        row("carol", "GET", prodDeployments + "/web/scale", null, 200),
        row("carol", "GET", "/api/v1/namespaces", null, 200),
        denied("carol", "GET", "/api/v1/namespaces/dev/secrets", null, "secrets is forbidden: User \"carol\" cannot "
            + "list resource \"secrets\" in API group \"\" in the namespace \"dev\""),
        denied("carol", "DELETE", devPods + "/web", null, "pods \"web\" is forbidden: User \"carol\" cannot delete "
            + "resource \"pods\" in API group \"\" in the namespace \"dev\""),
        denied("carol", "PATCH", prodDeployments + "/web/scale", "{\"spec\":{\"replicas\":3}}", "deployments.apps "
            + "\"web\" is forbidden: User \"carol\" cannot patch resource \"deployments/scale\" in API group \"apps\" "
            + "in the namespace \"prod\""),
        // resourceNames: one deployment's scale, not another's, not the deployment itself
        row("dave", "GET", prodDeployments + "/web/scale", null, 200),
        row("dave", "PATCH", prodDeployments + "/web/scale", "{\"spec\":{\"replicas\":3}}", 200),
        denied("dave", "GET", prodDeployments + "/api/scale", null, "deployments.apps \"api\" is forbidden: User "
            + "\"dave\" cannot get resource \"deployments/scale\" in API group \"apps\" in the namespace \"prod\""),
        denied("dave", "GET", prodDeployments + "/web", null, "deployments.apps \"web\" is forbidden: User \"dave\" "
            + "cannot get resource \"deployments\" in API group \"apps\" in the namespace \"prod\""),
        // resourceNames on a list or watch: the name a fieldSelector asks for (kubectl get deployment web -w)
        row("dave", "GET", prodDeployments + "?watch=1&fieldSelector=metadata.name%3Dweb", null, 200),
        row("dave", "GET", prodDeployments + "?fieldSelector=metadata.name%3D%3Dweb", null, 200),
        denied("dave", "GET", prodDeployments + "?watch=1", null, "deployments.apps is forbidden: User \"dave\" "
            + "cannot watch resource \"deployments\" in API group \"apps\" in the namespace \"prod\""),
        denied("dave", "GET", prodDeployments + "?fieldSelector=metadata.name%3Dapi", null, "deployments.apps \"api\" "
            + "is forbidden: User \"dave\" cannot list resource \"deployments\" in API group \"apps\" in the namespace "
            + "\"prod\""),
        // a ServiceAccount subject (namespace from its RoleBinding)
        row("builder", "POST", "/api/v1/namespaces/dev/configmaps", CONFIG_MAP.formatted("built"), 201),
        denied("builder", "POST", "/api/v1/namespaces/prod/configmaps", CONFIG_MAP.formatted("built"), "configmaps "
            + "is forbidden: User \"" + sa + "\" cannot create resource \"configmaps\" in API group \"\" in the "
            + "namespace \"prod\""),
        // a binding to a role that does not exist: the reason says so
        denied("erin", "GET", devPods, null, "pods is forbidden: User \"erin\" cannot list resource \"pods\" in API "
            + "group \"\" in the namespace \"dev\": RBAC: clusterrole.rbac.authorization.k8s.io \"does-not-exist\" "
            + "not found"),
        // anonymous: health and version only
        row(null, "GET", "/healthz", null, 200),
        row(null, "GET", "/livez", null, 200),
        row(null, "GET", "/readyz", null, 200),
        row(null, "GET", "/version", null, 200),
        // everything else without credentials: 401, the client must authenticate
        row(null, "GET", "/api", null, 401),
        row(null, "GET", devPods, null, 401),
        row(null, "POST", "/api/v1/namespaces/dev/configmaps", CONFIG_MAP.formatted("anonymous"), 401),
        // system:masters: cluster-admin
        row("admin", "GET", "/api/v1/pods", null, 200),
        row("admin", "GET", "/metrics", null, 200),
        row("admin", "DELETE", "/api/v1/namespaces/dev/configmaps/built", null, 200));
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {4}")
  @MethodSource("requests")
  void authorizes(String user, String method, String path, Object body, int code, String message) {
    Answer answer = as(user).send(method, path, body);
    assertEquals(code, answer.code(), answer.body());
    if (message != null) {
      assertEquals(message, answer.message());
      assertEquals("Forbidden", answer.json().path("reason").asText());
    }
  }

  @Test
  void anUnknownTokenIsUnauthorized() {
    Answer answer = new TokenClient(url, "stolen").get("/healthz");
    assertEquals(401, answer.code(), answer.body());
    assertEquals("Unauthorized", answer.message());
  }

  @Test
  void theBootstrapPolicyIsThere() {
    Answer roles = as("admin").get("/apis/rbac.authorization.k8s.io/v1/clusterroles/view");
    assertEquals(200, roles.code(), roles.body());
    assertEquals("rbac-defaults", roles.json().path("metadata").path("labels").path("kubernetes.io/bootstrapping")
        .asText());
    Answer binding = as("admin").get("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/cluster-admin");
    assertEquals("system:masters", binding.json().path("subjects").path(0).path("name").asText(), binding.body());
  }

  private static final String ROLES = "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles";
  private static final String ROLE_BINDINGS = "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings";
  private static final String FRANK = "user \"frank\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC "
      + "permissions not currently held:\n";

  private static String roleGranting(String name, String resource) {
    return "{\"metadata\":{\"name\":\"" + name + "\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"" + resource
        + "\"],\"verbs\":[\"get\",\"list\"]}]}";
  }

  private static String bindingTo(String name, String clusterRole) {
    return "{\"metadata\":{\"name\":\"" + name + "\"},\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\""
        + clusterRole + "\"},\"subjects\":[{\"kind\":\"User\",\"apiGroup\":\"rbac.authorization.k8s.io\","
        + "\"name\":\"zoe\"}]}";
  }

  @Test
  void aRoleMayGrantOnlyWhatItsWriterHolds() {
    created(as("frank").post(ROLES, roleGranting("pod-lister", "pods")));
    Answer refused = as("frank").post(ROLES, roleGranting("node-lister", "nodes"));
    assertEquals(403, refused.code(), refused.body());
    assertEquals("roles.rbac.authorization.k8s.io \"node-lister\" is forbidden: " + FRANK
        + "{APIGroups:[\"\"], Resources:[\"nodes\"], Verbs:[\"get\" \"list\"]}", refused.message());
    // raising a role he may edit above what he holds is the same escalation
    Answer raised = as("frank").send("PUT", ROLES + "/pod-lister", roleGranting("pod-lister", "nodes"));
    assertEquals(403, raised.code(), raised.body());
    Answer patched = as("frank").send("PATCH", ROLES + "/pod-lister",
        "{\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"secrets\",\"nodes\"],\"verbs\":[\"get\"]}]}");
    assertEquals(403, patched.code(), patched.body());
    assertEquals("roles.rbac.authorization.k8s.io \"pod-lister\" is forbidden: " + FRANK
        + "{APIGroups:[\"\"], Resources:[\"nodes\"], Verbs:[\"get\"]}", patched.message());
    // with escalate on roles, grace may
    created(as("grace").post(ROLES, roleGranting("grace-node-lister", "nodes")));
  }

  @Test
  void aBindingMayGrantOnlyWhatItsWriterHoldsOrMayBind() {
    created(as("frank").post(ROLE_BINDINGS, bindingTo("zoe-edits", "edit")));
    Answer refused = as("frank").post(ROLE_BINDINGS, bindingTo("zoe-is-admin", "cluster-admin"));
    assertEquals(403, refused.code(), refused.body());
    assertEquals("rolebindings.rbac.authorization.k8s.io \"zoe-is-admin\" is forbidden: " + FRANK
        + "{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}",
        refused.message());
    Answer missing = as("frank").post(ROLE_BINDINGS, bindingTo("zoe-ghost", "no-such-role"));
    assertEquals(403, missing.code(), missing.body());
    assertEquals("rolebindings.rbac.authorization.k8s.io \"zoe-ghost\" is forbidden: clusterrole.rbac"
        + ".authorization.k8s.io \"no-such-role\" not found", missing.message());
    // bind on node-viewer lets him grant it without holding it; grace may escalate roles but not bind
    created(as("frank").post(ROLE_BINDINGS, bindingTo("zoe-views-nodes", "node-viewer")));
    assertEquals(403, as("grace").post(ROLE_BINDINGS, bindingTo("zoe-views-nodes-2", "node-viewer")).code());
  }

  @Test
  void kubectlTablesOfBindingsAndRoles() {
    String table = "application/json;as=Table;v=v1;g=meta.k8s.io";
    Answer bindings = as("admin").send("GET", ROLE_BINDINGS + "/builder-edits", null, table);
    assertEquals(200, bindings.code(), bindings.body());
    JsonNode row = bindings.json().path("rows").path(0).path("cells");
    assertEquals("builder-edits", row.path(0).asText());
    assertEquals("ClusterRole/edit", row.path(1).asText());
    assertEquals("builder", row.path(5).asText(), bindings.body());
    Answer roles = as("admin").send("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view", null, table);
    assertEquals("Created At", roles.json().path("columnDefinitions").path(1).path("name").asText(), roles.body());
  }

  @Test
  void aClusterRoleLabelledToAggregateExtendsViewEditAndAdmin() {
    String networkPolicies = "/apis/networking.k8s.io/v1/networkpolicies";
    assertEquals(200, as("carol").get(networkPolicies).code());
    assertEquals(403, as("carol").get("/api/v1/nodes").code());
    created(as("admin").post("/apis/rbac.authorization.k8s.io/v1/clusterroles", """
        {"metadata":{"name":"nodes-for-viewers","labels":{"rbac.authorization.k8s.io/aggregate-to-view":"true"}},
         "rules":[{"apiGroups":[""],"resources":["nodes"],"verbs":["get","list"]}]}"""));
    assertEquals(200, as("carol").get("/api/v1/nodes").code());
    // view is aggregated into edit, edit into admin: bob (edit in dev) and frank (admin in dev) get it there
    TokenClient frank = as("frank");
    Answer review = frank.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "{\"spec\":{"
        + "\"resourceAttributes\":{\"namespace\":\"dev\",\"verb\":\"get\",\"resource\":\"nodes\"}}}");
    assertEquals(true, review.json().path("status").path("allowed").asBoolean(), review.body());
  }
}
