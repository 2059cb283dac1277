package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.serviceaccount.ServiceAccountSigningKey;
import io.troupe.persistence.serviceaccount.ServiceAccountTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ServiceAccounts, their admission into pods and their tokens through the real API: TokenRequest, and requests
 * authenticated with the token it gives (the author of what they write is the service account), or refused with
 * 401 when the token is expired, for another audience, forged, or its account or pod is gone.
 */
class ServiceAccountTokensApiTest {
  private static final String NS = "/api/v1/namespaces/default";
  private static ControlPlane plane;
  private static HttpApi api;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  private static ObjectNode account(String name) {
    ObjectNode sa = Json.object();
    sa.put("apiVersion", "v1");
    sa.put("kind", "ServiceAccount");
    sa.putObject("metadata").put("name", name);
    return sa;
  }

  private static ObjectNode pod(String name, String serviceAccount) {
    ObjectNode pod = Json.object();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    pod.putObject("metadata").put("name", name);
    ObjectNode spec = pod.putObject("spec");
    if (serviceAccount != null) spec.put("serviceAccountName", serviceAccount);
    spec.putArray("containers").addObject().put("name", "main").put("image", "host");
    return pod;
  }

  private static ObjectNode tokenRequest(List<String> audiences, Long seconds, ObjectNode bound) {
    ObjectNode tr = Json.object();
    tr.put("apiVersion", "authentication.k8s.io/v1");
    tr.put("kind", "TokenRequest");
    ObjectNode spec = tr.putObject("spec");
    audiences.forEach(spec.putArray("audiences")::add);
    if (seconds != null) spec.put("expirationSeconds", seconds);
    if (bound != null) spec.set("boundObjectRef", bound);
    return tr;
  }

  private static String token(String account, ObjectNode request) {
    HttpApi.Answer answer = api.post(NS + "/serviceaccounts/" + account + "/token", request);
    assertEquals(201, answer.code(), answer.body());
    return answer.json().path("status").path("token").asText();
  }

  private static void configMap(HttpApi as, String name, int code) {
    ObjectNode cm = Json.object();
    cm.put("apiVersion", "v1");
    cm.put("kind", "ConfigMap");
    cm.putObject("metadata").put("name", name);
    HttpApi.Answer answer = as.post(NS + "/configmaps", cm);
    assertEquals(code, answer.code(), answer.body());
  }

  private static String author(String configMap) {
    JsonNode history = api.get("/apis/history.troupe.io/v1/namespaces/default/configmaps/" + configMap).json();
    return history.path("entries").get(0).path("author").asText();
  }

  @Test
  void discoveryListsServiceAccountsAndTheirTokenSubresource() {
    JsonNode resources = api.get("/api/v1").json().path("resources");
    boolean accounts = false;
    boolean token = false;
    for (JsonNode r : resources) {
      if (r.path("name").asText().equals("serviceaccounts")) {
        accounts = r.path("shortNames").toString().equals("[\"sa\"]") && r.path("kind").asText().equals("ServiceAccount");
      }
      if (r.path("name").asText().equals("serviceaccounts/token")) {
        token = r.path("kind").asText().equals("TokenRequest") && r.path("group").asText().equals("authentication.k8s.io")
            && r.path("verbs").toString().equals("[\"create\"]");
      }
    }
    assertTrue(accounts && token, resources::toString);
  }

  @Test
  void theIssuerPublishesItsKeySoOthersCanCheckTokens() throws Exception {
    JsonNode configuration = api.get("/.well-known/openid-configuration").json();
    assertEquals("https://kubernetes.default.svc.cluster.local", configuration.path("issuer").asText());
    assertEquals("https://kubernetes.default.svc.cluster.local/openid/v1/jwks",
        configuration.path("jwks_uri").asText());
    assertEquals("[\"RS256\"]", configuration.path("id_token_signing_alg_values_supported").toString());
    HttpApi.Answer keys = api.get("/openid/v1/jwks");
    assertEquals(200, keys.code());
    assertEquals("application/jwk-set+json", keys.contentType());
    var jwks = com.nimbusds.jose.jwk.JWKSet.parse(keys.body());
    assertEquals(1, jwks.getKeys().size());
    assertFalse(jwks.getKeys().get(0).isPrivate());
    assertEquals(201, api.post(NS + "/serviceaccounts", account("checked")).code());
    var jwt = com.nimbusds.jwt.SignedJWT.parse(token("checked", tokenRequest(List.of(), null, null)));
    assertEquals(jwks.getKeys().get(0).getKeyID(), jwt.getHeader().getKeyID());
    assertTrue(jwt.verify(new com.nimbusds.jose.crypto.RSASSAVerifier(jwks.getKeys().get(0).toRSAKey())));
  }

  @Test
  void podsRunAsDefaultUnlessTheyNameAnotherAccountThatMustExist() {
    // no controllers here: admission makes the namespace's default account itself
    JsonNode created = api.post(NS + "/pods", pod("plain", null)).json();
    assertEquals("default", created.path("spec").path("serviceAccountName").asText(), created::toString);
    assertEquals("default", created.path("spec").path("serviceAccount").asText());
    assertEquals(200, api.get(NS + "/serviceaccounts/default").code());

    JsonNode refused = assertStatus(api.post(NS + "/pods", pod("orphan", "missing")), 403, "Forbidden");
    assertEquals("pods \"orphan\" is forbidden: error looking up service account default/missing: serviceaccount "
        + "\"missing\" not found", refused.path("message").asText());
    assertEquals(404, api.get(NS + "/pods/orphan").code());

    assertEquals(201, api.post(NS + "/serviceaccounts", account("builder")).code());
    assertEquals("builder", api.post(NS + "/pods", pod("build", "builder")).json().path("spec")
        .path("serviceAccountName").asText());
    // the deprecated alias names the account when serviceAccountName does not
    ObjectNode aliased = pod("aliased", null);
    ((ObjectNode) aliased.path("spec")).put("serviceAccount", "builder");
    assertEquals("builder", api.post(NS + "/pods", aliased).json().path("spec").path("serviceAccountName").asText());
  }

  @Test
  void aTokenRequestGivesATokenThatAuthenticatesAsTheServiceAccount() {
    assertEquals(201, api.post(NS + "/serviceaccounts", account("robot")).code());
    HttpApi.Answer answer = api.post(NS + "/serviceaccounts/robot/token", tokenRequest(List.of(), null, null));
    assertEquals(201, answer.code(), answer.body());
    JsonNode tr = answer.json();
    assertEquals("authentication.k8s.io/v1", tr.path("apiVersion").asText());
    assertEquals("TokenRequest", tr.path("kind").asText());
    assertEquals(3600, tr.path("spec").path("expirationSeconds").asLong());
    assertEquals("[\"https://kubernetes.default.svc.cluster.local\"]", tr.path("spec").path("audiences").toString());
    Instant expires = Instant.parse(tr.path("status").path("expirationTimestamp").asText());
    assertTrue(Duration.between(Instant.now(), expires).toMinutes() >= 58, expires::toString);

    HttpApi robot = new HttpApi(TestControlPlane.url(plane), tr.path("status").path("token").asText());
    configMap(robot, "by-robot", 201);
    assertEquals("system:serviceaccount:default:robot", author("by-robot"));
    // without a token the request is anonymous (the API is open until #8 turns authentication on)
    configMap(api, "by-nobody", 201);
    assertTrue(author("by-nobody").startsWith("Java-http-client/"), author("by-nobody"));
  }

  @Test
  void badTokenRequestsAreRefusedAsKubernetesRefusesThem() {
    assertEquals(201, api.post(NS + "/serviceaccounts", account("picky")).code());
    JsonNode tooShort = assertStatus(api.post(NS + "/serviceaccounts/picky/token", tokenRequest(List.of(), 60L, null)),
        422, "Invalid");
    assertTrue(tooShort.path("message").asText().contains("may not specify a duration less than 10 minutes"),
        tooShort::toString);
    assertStatus(api.post(NS + "/serviceaccounts/nobody/token", tokenRequest(List.of(), null, null)), 404, "NotFound");
    ObjectNode secretRef = Json.object().put("kind", "Secret").put("apiVersion", "v1").put("name", "x");
    assertStatus(api.post(NS + "/serviceaccounts/picky/token", tokenRequest(List.of(), null, secretRef)), 422,
        "Invalid");
    ObjectNode missingPod = Json.object().put("kind", "Pod").put("apiVersion", "v1").put("name", "ghost");
    assertStatus(api.post(NS + "/serviceaccounts/picky/token", tokenRequest(List.of(), null, missingPod)), 404,
        "NotFound");
    // a day and more is cut to the maximum (24h)
    JsonNode long_ = api.post(NS + "/serviceaccounts/picky/token", tokenRequest(List.of(), 10L * 86400, null)).json();
    assertEquals(86400, long_.path("spec").path("expirationSeconds").asLong(), long_::toString);
    assertEquals(405, api.get(NS + "/serviceaccounts/picky/token").code());
  }

  @Test
  void expiredForeignAudienceForgedAndOrphanedTokensGet401() throws Exception {
    assertEquals(201, api.post(NS + "/serviceaccounts", account("victim")).code());
    String uid = api.get(NS + "/serviceaccounts/victim").json().path("metadata").path("uid").asText();
    ServiceAccountTokens sameKey = ServiceAccountTokens.fromConfig(plane.system().settings().config());
    ServiceAccountTokens.Subject victim = new ServiceAccountTokens.Subject("default", "victim", uid, Optional.empty(),
        Optional.empty());
    String expired = sameKey.issue(victim, List.of(), Instant.now().minus(Duration.ofHours(2)), Duration.ofHours(1))
        .token();
    String vault = token("victim", tokenRequest(List.of("vault"), null, null));
    String forged = new ServiceAccountTokens(sameKey.settings(),
        ServiceAccountSigningKey.read(ServiceAccountSigningKey.generatePem()))
        .issue(victim, List.of(), Instant.now(), Duration.ofHours(1)).token();
    String valid = token("victim", tokenRequest(List.of(), null, null));
    configMap(new HttpApi(TestControlPlane.url(plane), valid), "victim-ok", 201);
    for (String bad : List.of(expired, vault, forged)) {
      assertStatus(new HttpApi(TestControlPlane.url(plane), bad).get(NS + "/configmaps"), 401, "Unauthorized");
    }
    // a pod-bound token lives as long as its pod
    JsonNode pod = api.post(NS + "/pods", pod("victim-pod", "victim")).json();
    ObjectNode ref = Json.object().put("kind", "Pod").put("apiVersion", "v1").put("name", "victim-pod")
        .put("uid", pod.path("metadata").path("uid").asText());
    String bound = token("victim", tokenRequest(List.of(), null, ref));
    HttpApi asPod = new HttpApi(TestControlPlane.url(plane), bound);
    assertEquals(200, asPod.get(NS + "/configmaps").code());
    ObjectNode otherUid = ref.deepCopy().put("uid", "not-the-pods");
    assertStatus(api.post(NS + "/serviceaccounts/victim/token", tokenRequest(List.of(), null, otherUid)), 409,
        "Conflict");
    assertEquals(200, api.send("DELETE", NS + "/pods/victim-pod?gracePeriodSeconds=0", null, null).code());
    assertStatus(asPod.get(NS + "/configmaps"), 401, "Unauthorized");
    // the account deleted (and made again: another uid): its old tokens are dead
    assertEquals(200, api.delete(NS + "/serviceaccounts/victim").code());
    assertStatus(new HttpApi(TestControlPlane.url(plane), valid).get(NS + "/configmaps"), 401, "Unauthorized");
    assertEquals(201, api.post(NS + "/serviceaccounts", account("victim")).code());
    assertStatus(new HttpApi(TestControlPlane.url(plane), valid).get(NS + "/configmaps"), 401, "Unauthorized");
    assertFalse(valid.isEmpty());
  }
}
