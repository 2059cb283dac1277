package io.troupe.control.auth.rbac;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.admission.Admission;
import io.troupe.control.auth.UserInfo;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClusterRoles and ClusterRoleBindings every cluster has (kube-apiserver's bootstrap policy,
 * {@code plugin/pkg/auth/authorizer/rbac/bootstrappolicy}), created at each start of a control JVM when missing:
 * a deleted one comes back, one an administrator changed is left as it is. {@code admin}, {@code edit} and
 * {@code view} carry the rules Kubernetes 1.32's aggregation gives them, for the kinds Troupe serves (and
 * ServiceAccounts), and their aggregationRules: the authorizer adds the rules of ClusterRoles labelled
 * {@code rbac.authorization.k8s.io/aggregate-to-view} (and so on) to them, as Kubernetes' aggregation does.
 */
public final class BootstrapPolicy {
  private static final Logger log = LoggerFactory.getLogger(BootstrapPolicy.class);
  static final String GROUP = "rbac.authorization.k8s.io";
  private static final List<String> READ = List.of("get", "list", "watch");
  private static final List<String> WRITE = List.of("create", "delete", "deletecollection", "patch", "update");
  private static final List<String> READ_WRITE =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  private BootstrapPolicy() {}

  /** The bootstrap ClusterRoles: name → rules. */
  public static Map<String, List<PolicyRule>> clusterRoles() {
    Map<String, List<PolicyRule>> roles = new LinkedHashMap<>();
    roles.put("cluster-admin", List.of(
        PolicyRule.resources(List.of("*"), List.of("*"), List.of("*")),
        PolicyRule.urls(List.of("*"), List.of("*"))));
    roles.put("system:discovery", List.of(PolicyRule.urls(List.of("get"), List.of("/livez", "/readyz", "/healthz",
        "/version", "/version/", "/openapi", "/openapi/*", "/api", "/api/*", "/apis", "/apis/*"))));
    roles.put("system:basic-user", List.of(
        PolicyRule.resources(List.of("create"), List.of("authorization.k8s.io"),
            List.of("selfsubjectaccessreviews", "selfsubjectrulesreviews")),
        PolicyRule.resources(List.of("create"), List.of("authentication.k8s.io"), List.of("selfsubjectreviews"))));
    roles.put("system:public-info-viewer", List.of(PolicyRule.urls(List.of("get"),
        List.of("/livez", "/readyz", "/healthz", "/version", "/version/"))));
    // Kubernetes': what a Prometheus of group system:monitoring (a token file user, or a bound service account) reads
    roles.put("system:monitoring", List.of(PolicyRule.urls(List.of("get"), List.of("/metrics", "/metrics/*",
        "/livez", "/readyz", "/healthz", "/livez/*", "/readyz/*", "/healthz/*"))));
    // Troupe's: the dashboard's page and scripts, for everyone (they hold no data; what the page shows it reads
    // from the API with the credentials the user signs in with)
    roles.put("troupe:dashboard-files", List.of(PolicyRule.urls(List.of("get"), List.of("/ui", "/ui/*"))));
    roles.put("admin", concat(edit(), List.of(
        PolicyRule.resources(List.of("create"), List.of("authorization.k8s.io"), List.of("localsubjectaccessreviews")),
        PolicyRule.resources(READ_WRITE, List.of(GROUP), List.of("rolebindings", "roles")))));
    roles.put("edit", edit());
    roles.put("view", view());
    return roles;
  }

  /** system:aggregate-to-view: read access to what does not let one escalate (no Secrets). */
  private static List<PolicyRule> view() {
    return List.of(
        PolicyRule.resources(READ, List.of(""), List.of("configmaps", "endpoints", "persistentvolumeclaims",
            "persistentvolumeclaims/status", "pods", "serviceaccounts", "services", "services/status")),
        PolicyRule.resources(READ, List.of(""), List.of("events", "namespaces/status", "pods/log", "pods/status",
            "resourcequotas", "resourcequotas/status")),
        PolicyRule.resources(READ, List.of(""), List.of("namespaces")),
        PolicyRule.resources(READ, List.of("apps"), List.of("daemonsets", "daemonsets/status", "deployments",
            "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status")),
        PolicyRule.resources(READ, List.of("networking.k8s.io"), List.of("ingresses", "ingresses/status",
            "networkpolicies")));
  }

  /** system:aggregate-to-edit on top of view: every user-level action in a namespace (Kubernetes 1.22 and later). */
  private static List<PolicyRule> edit() {
    return concat(List.of(
        PolicyRule.resources(READ, List.of(""), List.of("secrets")),
        PolicyRule.resources(List.of("impersonate"), List.of(""), List.of("serviceaccounts")),
        PolicyRule.resources(WRITE, List.of(""), List.of("pods")),
        PolicyRule.resources(WRITE, List.of(""), List.of("configmaps", "persistentvolumeclaims", "secrets",
            "serviceaccounts", "services")),
        PolicyRule.resources(WRITE, List.of("apps"), List.of("daemonsets", "deployments", "deployments/scale",
            "replicasets", "replicasets/scale")),
        PolicyRule.resources(WRITE, List.of("networking.k8s.io"), List.of("ingresses", "networkpolicies"))), view());
  }

  /** The bootstrap ClusterRoleBindings: name (= the ClusterRole's) → groups bound. */
  public static Map<String, List<String>> clusterRoleBindings() {
    Map<String, List<String>> bindings = new LinkedHashMap<>();
    bindings.put("cluster-admin", List.of(UserInfo.MASTERS));
    bindings.put("system:discovery", List.of(UserInfo.AUTHENTICATED));
    bindings.put("system:basic-user", List.of(UserInfo.AUTHENTICATED));
    bindings.put("system:public-info-viewer", List.of(UserInfo.AUTHENTICATED, UserInfo.UNAUTHENTICATED));
    bindings.put("system:monitoring", List.of("system:monitoring"));
    bindings.put("troupe:dashboard-files", List.of(UserInfo.AUTHENTICATED, UserInfo.UNAUTHENTICATED));
    return bindings;
  }

  /** Creates the missing roles and bindings; two JVMs starting at once may both try, the store lets one win. */
  public static void ensure(Store store) throws Exception {
    List<CompletableFuture<StoreResult>> creates = new ArrayList<>();
    clusterRoles().forEach((name, rules) -> create(store, ResourceTypes.CLUSTER_ROLE, role(name, rules), creates));
    clusterRoleBindings().forEach((name, groups) ->
        create(store, ResourceTypes.CLUSTER_ROLE_BINDING, binding(name, groups), creates));
    CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    long written = creates.stream().filter(c -> c.join() instanceof StoreResult.Written).count();
    if (written > 0) log.info("RBAC bootstrap policy: {} ClusterRoles and ClusterRoleBindings created", written);
  }

  private static void create(Store store, ResourceType type, ObjectNode body, List<CompletableFuture<StoreResult>> out) {
    String name = body.path("metadata").path("name").asText();
    if (store.get(ObjectKey.of(type.kind(), null, name)).isPresent()) return;
    out.add(store.create(Admission.forCreate(type, null, body)).toCompletableFuture());
  }

  static ObjectNode role(String name, List<PolicyRule> rules) {
    ObjectNode body = metadata(name);
    ObjectNode labels = (ObjectNode) body.path("metadata").path("labels");
    if (name.equals("edit")) labels.put(GROUP + "/aggregate-to-admin", "true");
    if (name.equals("view")) labels.put(GROUP + "/aggregate-to-edit", "true");
    String aggregates = name.equals("admin") || name.equals("edit") || name.equals("view")
        ? GROUP + "/aggregate-to-" + name : null;
    if (aggregates != null) {
      body.putObject("aggregationRule").putArray("clusterRoleSelectors").addObject().putObject("matchLabels")
          .put(aggregates, "true");
    }
    ArrayNode array = body.putArray("rules");
    rules.forEach(r -> array.add(r.toJson()));
    return body;
  }

  static ObjectNode binding(String name, List<String> groups) {
    ObjectNode body = metadata(name);
    body.putObject("roleRef").put("apiGroup", GROUP).put("kind", "ClusterRole").put("name", name);
    ArrayNode subjects = body.putArray("subjects");
    groups.forEach(g -> subjects.addObject().put("apiGroup", GROUP).put("kind", "Group").put("name", g));
    return body;
  }

  private static ObjectNode metadata(String name) {
    ObjectNode body = Json.object();
    ObjectNode metadata = body.putObject("metadata").put("name", name);
    metadata.putObject("labels").put("kubernetes.io/bootstrapping", "rbac-defaults");
    metadata.putObject("annotations").put("rbac.authorization.kubernetes.io/autoupdate", "true");
    return body;
  }

  private static List<PolicyRule> concat(List<PolicyRule> first, List<PolicyRule> second) {
    return Stream.concat(first.stream(), second.stream()).toList();
  }
}
