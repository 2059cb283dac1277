package io.troupe.control.auth.rbac;

import static io.troupe.control.auth.StaticTokens.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.auth.StaticTokens;
import io.troupe.control.auth.TokenClient;
import io.troupe.control.auth.TokenClient.Answer;
import io.troupe.control.auth.UserInfo;
import io.troupe.persistence.TestSystems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * authorization.k8s.io/v1 through the API with RBAC on: SelfSubjectAccessReview, SubjectAccessReview,
 * LocalSubjectAccessReview and SelfSubjectRulesReview answer what the authorizer decides, and the real
 * {@code kubectl auth can-i} reads them.
 */
class AccessReviewsTest {
  private static final String REVIEWS = "/apis/authorization.k8s.io/v1/";
  private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
  private static ControlPlane plane;
  private static String url;
  private static Path dir;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("troupe-reviews");
    plane = ControlPlane.start(TestSystems.singleJvm(dir, Map.of("troupe.api.port", 0,
        "troupe.controllers.enabled", false, "troupe.api.authorization.mode", "RBAC",
        "troupe.api.tls.enabled", false)), new StaticTokens(Map.of(
            "admin-token", user("admin", UserInfo.MASTERS), "alice-token", user("alice"),
            "bob-token", user("bob"), "frank-token", user("frank"))));
    url = "http://127.0.0.1:" + plane.apiAddress().getPort();
    TokenClient admin = client("admin");
    created(admin.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"dev\"}}"));
    created(admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", """
        {"metadata":{"name":"pod-reader"},"rules":[
          {"apiGroups":[""],"resources":["pods"],"verbs":["get","list","watch"]},
          {"apiGroups":[""],"resources":["pods/log"],"verbs":["get"]}]}"""));
    created(admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", """
        {"metadata":{"name":"alice"},"roleRef":{"kind":"Role","name":"pod-reader"},
         "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"}]}"""));
    created(admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", """
        {"metadata":{"name":"frank"},"roleRef":{"kind":"ClusterRole","name":"admin"},
         "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"frank"}]}"""));
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  private static TokenClient client(String name) {
    return new TokenClient(url, name + "-token");
  }

  private static void created(Answer answer) {
    assertEquals(201, answer.code(), answer.body());
  }

  private static JsonNode review(String user, String resource, String body) {
    Answer answer = client(user).post(REVIEWS + resource, body);
    assertEquals(201, answer.code(), answer.body());
    return answer.json();
  }

  private static String selfReview(String attributes) {
    return "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{"
        + attributes + "}}";
  }

  @Test
  void aSelfSubjectAccessReviewAnswersForTheAsker() {
    JsonNode allowed = review("alice", "selfsubjectaccessreviews", selfReview(
        "\"resourceAttributes\":{\"namespace\":\"dev\",\"verb\":\"get\",\"resource\":\"pods\",\"subresource\":\"log\"}"));
    assertEquals("SelfSubjectAccessReview", allowed.path("kind").asText());
    assertTrue(allowed.path("status").path("allowed").asBoolean(), allowed.toString());
    assertEquals("RBAC: allowed by RoleBinding \"alice/dev\" of Role \"pod-reader\" to User \"alice\"",
        allowed.path("status").path("reason").asText());
    JsonNode denied = review("alice", "selfsubjectaccessreviews", selfReview(
        "\"resourceAttributes\":{\"namespace\":\"dev\",\"verb\":\"list\",\"resource\":\"secrets\"}"));
    assertFalse(denied.path("status").path("allowed").asBoolean(), denied.toString());
    JsonNode discovery = review("alice", "selfsubjectaccessreviews", selfReview(
        "\"nonResourceAttributes\":{\"path\":\"/apis/apps\",\"verb\":\"get\"}"));
    assertTrue(discovery.path("status").path("allowed").asBoolean(), discovery.toString());
    Answer both = client("alice").post(REVIEWS + "selfsubjectaccessreviews", selfReview(
        "\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\"},\"nonResourceAttributes\":{\"path\":\"/x\"}"));
    assertEquals(422, both.code(), both.body());
  }

  @Test
  void aSubjectAccessReviewNeedsTheRightToAskIt() {
    String body = "{\"kind\":\"SubjectAccessReview\",\"spec\":{\"user\":\"alice\",\"resourceAttributes\":"
        + "{\"namespace\":\"dev\",\"verb\":\"watch\",\"resource\":\"pods\"}}}";
    assertTrue(review("admin", "subjectaccessreviews", body).path("status").path("allowed").asBoolean());
    Answer refused = client("alice").post(REVIEWS + "subjectaccessreviews", body);
    assertEquals(403, refused.code(), refused.body());
    assertEquals("subjectaccessreviews.authorization.k8s.io is forbidden: User \"alice\" cannot create resource "
        + "\"subjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope", refused.message());
    // admin in dev may ask about dev (LocalSubjectAccessReview), for groups too
    JsonNode local = review("frank", "namespaces/dev/localsubjectaccessreviews", "{\"spec\":{\"groups\":"
        + "[\"system:masters\"],\"resourceAttributes\":{\"verb\":\"delete\",\"resource\":\"nodes\"}}}");
    assertTrue(local.path("status").path("allowed").asBoolean(), local.toString());
    Answer nobody = client("admin").post(REVIEWS + "subjectaccessreviews",
        "{\"spec\":{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\"}}}");
    assertEquals(422, nobody.code(), nobody.body());
    assertEquals(404, client("admin").get(REVIEWS + "selfsubjectaccessreviews/x").code());
  }

  @Test
  void aSelfSubjectRulesReviewListsTheAskersRules() {
    JsonNode review = review("alice", "selfsubjectrulesreviews", "{\"spec\":{\"namespace\":\"dev\"}}");
    JsonNode status = review.path("status");
    assertFalse(status.path("incomplete").asBoolean(), review.toString());
    assertTrue(status.path("resourceRules").toString().contains("{\"verbs\":[\"get\",\"list\",\"watch\"],"
        + "\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}"), status.toString());
    assertTrue(status.path("nonResourceRules").toString().contains("\"/apis/*\""), status.toString());
  }

  @Test
  void discoveryListsTheAuthorizationGroup() {
    Answer groups = client("alice").get("/apis");
    assertTrue(groups.body().contains("\"authorization.k8s.io/v1\""), groups.body());
    assertTrue(groups.body().contains("\"rbac.authorization.k8s.io/v1\""), groups.body());
    Answer resources = client("alice").get("/apis/authorization.k8s.io/v1");
    assertEquals(200, resources.code());
    assertTrue(resources.body().contains("\"name\":\"selfsubjectaccessreviews\""), resources.body());
  }

  /**
   * kubectl sends no bearer token to a plain-HTTP server, so it asks as system:anonymous here: bound, for this
   * test, to the pod reader Role in dev and, as the unauthenticated group, to discovery and self reviews. Its
   * reviews come in protobuf.
   */
  @Test
  void kubectlAuthCanI() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(KUBECTL), "no kubectl at " + KUBECTL);
    TokenClient admin = client("admin");
    created(admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", """
        {"metadata":{"name":"anonymous"},"roleRef":{"kind":"Role","name":"pod-reader"},
         "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"system:anonymous"}]}"""));
    for (String role : new String[] {"system:discovery", "system:basic-user"}) {
      created(admin.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", """
          {"metadata":{"name":"unauthenticated-%s"},"roleRef":{"kind":"ClusterRole","name":"%s"},
           "subjects":[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"system:unauthenticated"}]}"""
          .formatted(role.substring("system:".length()), role)));
    }
    assertEquals("yes", kubectl("auth", "can-i", "list", "pods", "-n", "dev"));
    assertEquals("yes", kubectl("auth", "can-i", "get", "pods", "--subresource=log", "-n", "dev"));
    assertEquals("no", kubectl("auth", "can-i", "list", "pods", "-n", "default"));
    assertEquals("no", kubectl("auth", "can-i", "create", "deployments.apps", "-n", "dev"));
    assertEquals("yes", kubectl("auth", "can-i", "get", "/version"));
    assertEquals("no", kubectl("auth", "can-i", "get", "/metrics"));
    String list = kubectl("auth", "can-i", "--list", "-n", "dev");
    assertTrue(list.lines().anyMatch(l -> l.startsWith("pods/log ") && l.contains("[get]")), list);
    assertTrue(list.lines().anyMatch(l -> l.startsWith("pods ") && l.contains("[get list watch]")), list);
  }

  /** kubectl, anonymous: what it printed (trimmed); "yes" and "no" exit 0 and 1. */
  private static String kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(KUBECTL.toString(), "--server", url,
        "--cache-dir", dir.resolve("kubectl-cache").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("KUBECONFIG", dir.resolve("no-kubeconfig").toString());
    Process process = builder.start();
    byte[] out = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kubectl did not end");
    return new String(out, StandardCharsets.UTF_8).trim();
  }
}
