package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.cli.client.ApiError;
import io.troupe.cli.client.KubeClient;
import io.troupe.cli.client.Kubeconfig;
import io.troupe.control.pki.CertificateAuthority;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may do what, through a real {@code troupe server} with its defaults (HTTPS, RBAC) and real credentials: the
 * admin's client certificate from the kubeconfig the server wrote, bearer tokens of a token file, a client
 * certificate signed by the cluster CA for another user, a service account's token issued by the API
 * (TokenRequest), and none. A table of subject × verb × resource × namespace → allowed or denied, each row asserted
 * as the user sees it (denied: 403 with Kubernetes' message, 401 without credentials; allowed: anything else), and
 * each resource row also asked as {@code kubectl auth can-i} asks (a SelfSubjectAccessReview of the subject's own),
 * which must agree.
 */
class RoleTableTest {
  static final Path LOGS = Path.of("target", "role-table-logs");
  static Path dir;
  static ServerProcess server;
  static Kubeconfig admin;
  static final Map<String, Kubeconfig> subjects = new LinkedHashMap<>();
  static final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("troupe-role-table");
    Path tokens = Files.writeString(dir.resolve("tokens.csv"), String.join("\n",
        "t-alice,alice,uid-alice,\"team-a-viewers\"",
        "t-bob,bob,uid-bob,",
        "t-prom,prometheus,uid-prom,\"system:monitoring\"", ""));
    Path conf = Files.writeString(dir.resolve("server.conf"),
        "troupe.api.authentication.token-auth-file = \"" + tokens + "\"\ntroupe.node.runtime = simulated\n");
    Path data = dir.resolve("data");
    server = ServerProcess.start(data, LOGS, "role-table", Duration.ofMinutes(2), List.of("--config", conf.toString()));
    admin = Kubeconfig.read(server.kubeconfig());
    KubeClient api = new KubeClient(admin);

    for (String ns : List.of("team-a", "team-b")) {
      api.create("/api/v1/namespaces", object("v1", "Namespace", null, ns));
      api.create("/api/v1/namespaces/" + ns + "/configmaps", object("v1", "ConfigMap", ns, "settings"));
      api.create("/api/v1/namespaces/" + ns + "/secrets", object("v1", "Secret", ns, "password"));
      ObjectNode deployment = object("apps/v1", "Deployment", ns, "web");
      deployment.set("spec", json("{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
          + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":"
          + "[{\"name\":\"main\",\"image\":\"host\",\"command\":[\"sleep\",\"3600\"]}]}}}"));
      api.create("/apis/apps/v1/namespaces/" + ns + "/deployments", deployment);
    }
    // alice's group views team-a; bob edits team-a; carol's group (from her certificate) administers team-b
    api.create("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings",
        binding("team-a", "viewers", "ClusterRole", "view", "Group", "team-a-viewers", null));
    api.create("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings",
        binding("team-a", "bob-edits", "ClusterRole", "edit", "User", "bob", null));
    api.create("/apis/rbac.authorization.k8s.io/v1/namespaces/team-b/rolebindings",
        binding("team-b", "admins", "ClusterRole", "admin", "Group", "team-b-admins", null));
    // a service account that scales deployments of team-a, and nothing else
    api.create("/api/v1/namespaces/team-a/serviceaccounts", object("v1", "ServiceAccount", "team-a", "deployer"));
    ObjectNode role = object("rbac.authorization.k8s.io/v1", "Role", "team-a", "deployer");
    role.set("rules", json("[{\"apiGroups\":[\"apps\"],\"resources\":[\"deployments\"],"
        + "\"verbs\":[\"get\",\"list\",\"watch\"]},{\"apiGroups\":[\"apps\"],\"resources\":[\"deployments/scale\"],"
        + "\"verbs\":[\"get\",\"update\",\"patch\"]}]"));
    api.create("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles", role);
    api.create("/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings",
        binding("team-a", "deployer", "Role", "deployer", "ServiceAccount", "deployer", "team-a"));
    String saToken = api.create("/api/v1/namespaces/team-a/serviceaccounts/deployer/token",
            Json.object().put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest"))
        .path("status").path("token").asText();
    assertTrue(saToken.split("\\.").length == 3, "a JWT: " + saToken);

    CertificateAuthority ca = CertificateAuthority.load(data.resolve("pki/ca.crt"), data.resolve("pki/ca.key"));
    CertificateAuthority.KeyedCertificate carol = ca.issueClient("carol", List.of("team-b-admins"));
    subjects.put("admin", admin);
    subjects.put("alice", with(Kubeconfig.Credentials.ofToken("t-alice")));
    subjects.put("bob", with(Kubeconfig.Credentials.ofToken("t-bob")));
    subjects.put("carol", with(new Kubeconfig.Credentials(null, null, carol.certificatePem(), carol.keyPem())));
    subjects.put("deployer", with(Kubeconfig.Credentials.ofToken(saToken)));
    subjects.put("prometheus", with(Kubeconfig.Credentials.ofToken("t-prom")));
    subjects.put("anonymous", with(Kubeconfig.Credentials.NONE));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
  }

  static Kubeconfig with(Kubeconfig.Credentials credentials) {
    return new Kubeconfig(admin.server(), null, credentials, admin.trust(), null);
  }

  static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static ObjectNode object(String apiVersion, String kind, String namespace, String name) {
    ObjectNode o = Json.object().put("apiVersion", apiVersion).put("kind", kind);
    ObjectNode meta = o.putObject("metadata").put("name", name);
    if (namespace != null) meta.put("namespace", namespace);
    return o;
  }

  static ObjectNode binding(String ns, String name, String roleKind, String role, String subjectKind,
      String subject, String subjectNamespace) {
    ObjectNode b = object("rbac.authorization.k8s.io/v1", "RoleBinding", ns, name);
    b.putObject("roleRef").put("apiGroup", "rbac.authorization.k8s.io").put("kind", roleKind).put("name", role);
    ObjectNode s = b.putArray("subjects").addObject().put("kind", subjectKind).put("name", subject);
    if (subjectNamespace != null) s.put("namespace", subjectNamespace);
    else s.put("apiGroup", "rbac.authorization.k8s.io");
    return b;
  }

  /** One row: {@code subject} does {@code verb} on {@code resource} (a path below the namespace, or a URL). */
  record Row(String subject, String verb, String group, String resource, String namespace, boolean allowed) {
    @Override
    public String toString() {
      return subject + " " + verb + " " + resource + (namespace == null ? "" : " in " + namespace) + " → "
          + (allowed ? "allowed" : "denied");
    }
  }

  static final List<Row> TABLE = new ArrayList<>();

  static void row(String subject, String verb, String resource, String namespace, boolean allowed) {
    String group = resource.startsWith("deployments") ? "apps"
        : resource.startsWith("rolebindings") ? "rbac.authorization.k8s.io" : "";
    TABLE.add(new Row(subject, verb, group, resource, namespace, allowed));
  }

  static {
    // the admin (system:masters, client certificate): everything
    row("admin", "list", "secrets", null, true);
    row("admin", "delete", "configmaps", "team-b", true);
    row("admin", "list", "nodes", null, true);
    row("admin", "get", "/metrics", null, true);
    // alice (view in team-a through her group)
    row("alice", "get", "configmaps", "team-a", true);
    row("alice", "list", "configmaps", "team-a", true);
    row("alice", "watch", "pods", "team-a", true);
    row("alice", "get", "deployments/scale", "team-a", true);
    row("alice", "get", "pods/log", "team-a", true);
    row("alice", "get", "secrets", "team-a", false);
    row("alice", "create", "configmaps", "team-a", false);
    row("alice", "patch", "configmaps", "team-a", false);
    row("alice", "delete", "configmaps", "team-a", false);
    row("alice", "patch", "deployments/scale", "team-a", false);
    row("alice", "get", "configmaps", "team-b", false);
    row("alice", "list", "configmaps", null, false);
    row("alice", "list", "nodes", null, false);
    row("alice", "get", "/metrics", null, false);
    row("alice", "get", "/ui/", null, true);
    // bob (edit in team-a)
    row("bob", "create", "configmaps", "team-a", true);
    row("bob", "patch", "configmaps", "team-a", true);
    row("bob", "delete", "configmaps", "team-a", true);
    row("bob", "get", "secrets", "team-a", true);
    row("bob", "patch", "deployments/scale", "team-a", true);
    row("bob", "create", "rolebindings", "team-a", false);
    row("bob", "patch", "pods/status", "team-a", false);
    row("bob", "list", "configmaps", "team-b", false);
    row("bob", "list", "secrets", null, false);
    // carol (admin in team-b through the group of her client certificate)
    row("carol", "create", "rolebindings", "team-b", true);
    row("carol", "get", "secrets", "team-b", true);
    row("carol", "delete", "configmaps", "team-b", true);
    row("carol", "watch", "deployments", "team-b", true);
    row("carol", "get", "configmaps", "team-a", false);
    row("carol", "list", "nodes", null, false);
    row("carol", "create", "namespaces", null, false);
    // the deployer service account (a Role in team-a: read deployments, scale them)
    row("deployer", "list", "deployments", "team-a", true);
    row("deployer", "watch", "deployments", "team-a", true);
    row("deployer", "patch", "deployments/scale", "team-a", true);
    row("deployer", "delete", "deployments", "team-a", false);
    row("deployer", "patch", "deployments", "team-a", false);
    row("deployer", "get", "configmaps", "team-a", false);
    row("deployer", "list", "deployments", "team-b", false);
    // prometheus (group system:monitoring)
    row("prometheus", "get", "/metrics", null, true);
    row("prometheus", "list", "pods", "team-a", false);
    // no credentials: the health and version paths, the dashboard's files, nothing else
    row("anonymous", "get", "/healthz", null, true);
    row("anonymous", "get", "/readyz", null, true);
    row("anonymous", "get", "/version", null, true);
    row("anonymous", "get", "/ui/", null, true);
    row("anonymous", "get", "/metrics", null, false);
    row("anonymous", "get", "/api", null, false);
    row("anonymous", "list", "configmaps", "team-a", false);
    row("anonymous", "list", "namespaces", null, false);
  }

  @Test
  void eachSubjectDoesExactlyWhatItsRolesAllow() {
    List<String> wrong = new ArrayList<>();
    for (Row row : TABLE) {
      int code = attempt(row);
      boolean denied = code == 401 || code == 403;
      if (denied == row.allowed()) wrong.add(row + ", but the API answered " + code);
      if (!row.allowed()) {
        int expected = row.subject().equals("anonymous") ? 401 : 403;
        if (code != expected) wrong.add(row + ": expected " + expected + ", got " + code);
      }
      if (!row.resource().startsWith("/") && !row.subject().equals("anonymous")) {
        boolean canI = canI(row);
        if (canI != row.allowed()) wrong.add(row + ", but auth can-i says " + (canI ? "yes" : "no"));
      }
    }
    assertTrue(wrong.isEmpty(), wrong.size() + " of " + TABLE.size() + " rows wrong:\n" + String.join("\n", wrong));
  }

  @Test
  void aDeniedRequestSaysWhoCannotDoWhatWhere() {
    ApiError e = org.junit.jupiter.api.Assertions.assertThrows(ApiError.class,
        () -> new KubeClient(subjects.get("alice")).get("/api/v1/namespaces/team-b/configmaps"));
    assertEquals(403, e.code());
    assertEquals("Error from server (Forbidden): configmaps is forbidden: User \"alice\" cannot list resource "
        + "\"configmaps\" in API group \"\" in the namespace \"team-b\"", e.getMessage());
  }

  @Test
  void kubectlAuthCanIAnswersForAServiceAccountToken() throws Exception {
    Path kubectl = Path.of(System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl"));
    Assumptions.assumeTrue(Files.isExecutable(kubectl), "no kubectl at " + kubectl);
    List<String> base = List.of(kubectl.toString(), "--kubeconfig", server.kubeconfig().toString(),
        "--cache-dir", dir.resolve("kubectl-cache").toString());
    // kubectl create token (TokenRequest in protobuf), then that token asks can-i
    String token = run(concat(base, "create", "token", "deployer", "-n", "team-a")).trim();
    // only the token: the admin's kubeconfig would add its client certificate, which is read first
    List<String> asDeployer = List.of(kubectl.toString(), "--kubeconfig", "/dev/null", "--cache-dir",
        dir.resolve("kubectl-cache").toString(), "--server", admin.server().toString(), "--certificate-authority",
        dir.resolve("data/pki/ca.crt").toString(), "--token", token, "-n", "team-a");
    assertEquals("system:serviceaccount:team-a:deployer", run(concat(asDeployer, "auth", "whoami", "-o",
        "jsonpath={.status.userInfo.username}")).trim());
    assertEquals("yes", run(concat(asDeployer, "auth", "can-i", "patch", "deployments.apps/web", "--subresource",
        "scale")).trim());
    assertEquals("no", run(concat(asDeployer, "auth", "can-i", "delete", "deployments.apps")).trim());
  }

  private static List<String> concat(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all;
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
    return out;
  }

  /** Does what the row says as its subject; the HTTP status. */
  private static int attempt(Row row) {
    KubeClient client = new KubeClient(subjects.get(row.subject()));
    KubeClient admins = new KubeClient(admin);
    try {
      if (row.resource().startsWith("/")) {
        try (var body = client.stream(row.resource())) {
          body.readAllBytes();
        }
        return 200;
      }
      String[] parts = row.resource().split("/");
      String plural = parts[0];
      String subresource = parts.length > 1 ? parts[1] : null;
      String collection = collection(row.group(), plural, row.namespace());
      switch (row.verb()) {
        case "list" -> client.get(collection);
        case "watch" -> client.lines(collection + "?watch=1&timeoutSeconds=1", "application/json").count();
        case "get" -> client.get(collection + "/" + existing(plural) + (subresource == null ? "" : "/" + subresource));
        case "create" -> client.create(collection, newObject(row, "by-" + row.subject() + "-" + names.incrementAndGet()));
        case "patch" -> client.patch(collection + "/" + existing(plural) + (subresource == null ? "" : "/" + subresource),
            "application/merge-patch+json", subresource != null && subresource.equals("scale")
                ? json("{\"spec\":{\"replicas\":1}}")
                : json("{\"metadata\":{\"labels\":{\"touched-by\":\"" + row.subject() + "\"}}}"));
        case "delete" -> {
          // a fresh object for each delete, made by the admin
          String name = "doomed-" + names.incrementAndGet();
          admins.create(collection, newObject(row, name));
          client.delete(collection + "/" + name);
        }
        default -> throw new IllegalArgumentException(row.verb());
      }
      return 200;
    } catch (ApiError e) {
      return e.code();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String collection(String group, String plural, String namespace) {
    String prefix = group.isEmpty() ? "/api/v1" : "/apis/" + group + "/v1";
    return prefix + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
  }

  /** The name of an object of that kind the setup made (a pod's log or status: one that is not there, 404). */
  private static String existing(String plural) {
    return switch (plural) {
      case "configmaps" -> "settings";
      case "secrets" -> "password";
      case "deployments" -> "web";
      default -> "absent";
    };
  }

  private static JsonNode newObject(Row row, String name) {
    return switch (row.resource()) {
      case "configmaps" -> object("v1", "ConfigMap", row.namespace(), name);
      case "namespaces" -> object("v1", "Namespace", null, name);
      case "rolebindings" -> binding(row.namespace(), name, "ClusterRole", "view", "User", "someone", null);
      case "deployments" -> {
        ObjectNode d = object("apps/v1", "Deployment", row.namespace(), name);
        d.set("spec", json("{\"replicas\":0,\"selector\":{\"matchLabels\":{\"app\":\"" + name + "\"}},"
            + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"" + name + "\"}},\"spec\":{\"containers\":"
            + "[{\"name\":\"main\",\"image\":\"host\"}]}}}"));
        yield d;
      }
      default -> throw new IllegalArgumentException("no object for " + row.resource());
    };
  }

  /** {@code kubectl auth can-i} as the row's subject: a SelfSubjectAccessReview. */
  private static boolean canI(Row row) {
    String[] parts = row.resource().split("/");
    ObjectNode attributes = Json.object().put("verb", row.verb()).put("group", row.group()).put("resource", parts[0]);
    if (parts.length > 1) attributes.put("subresource", parts[1]);
    if (row.namespace() != null) attributes.put("namespace", row.namespace());
    ObjectNode review = Json.object().put("apiVersion", "authorization.k8s.io/v1").put("kind", "SelfSubjectAccessReview");
    review.putObject("spec").set("resourceAttributes", attributes);
    return new KubeClient(subjects.get(row.subject()))
        .create("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review)
        .path("status").path("allowed").asBoolean();
  }
}
