package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.auth.ApiSecurity;
import io.troupe.control.auth.Authorizer;
import io.troupe.control.auth.ServiceAccountTokenAuthenticator;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.serviceaccount.ServiceAccountTokens;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service account authenticator in an API that requires authentication (no anonymous requests) and lets only
 * service accounts of the namespace {@code default} in: a second API server over the same store, wired with an
 * {@link ApiSecurity} as #8's composite will wire it. Without a token: 401; with a token: the user and groups reach
 * the authorizer (a 403 names the user when its groups do not fit).
 */
class ServiceAccountAuthenticationTest {
  private static ControlPlane plane;
  private static ServerBinding closed;
  private static HttpApi open;
  private static String closedUrl;

  @BeforeAll
  static void start() throws Exception {
    plane = TestControlPlane.start();
    open = new HttpApi(TestControlPlane.url(plane));
    ServiceAccountTokens tokens = ServiceAccountTokens.fromConfig(plane.system().settings().config());
    Authorizer defaultAccountsOnly = a -> a.user().groups().contains("system:serviceaccounts:default")
        && a.user().groups().contains("system:serviceaccounts") && a.user().groups().contains("system:authenticated")
        ? Authorizer.Decision.allow("test") : Authorizer.Decision.deny("test");
    ApiSecurity security = new ApiSecurity(new ServiceAccountTokenAuthenticator(plane.store(), tokens,
        java.time.Clock.systemUTC()), false, defaultAccountsOnly);
    closed = ApiServer.bind(plane.system(), plane.store(), "127.0.0.1", 0, security, tokens,
        java.util.Optional.empty()).toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    closedUrl = "http://127.0.0.1:" + closed.localAddress().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    closed.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    plane.close();
  }

  private static String token(String namespace, String account) {
    ObjectNode sa = Json.object().put("apiVersion", "v1").put("kind", "ServiceAccount");
    sa.putObject("metadata").put("name", account);
    if (namespace.equals("other")) {
      ObjectNode ns = Json.object().put("apiVersion", "v1").put("kind", "Namespace");
      ns.putObject("metadata").put("name", "other");
      assertEquals(201, open.post("/api/v1/namespaces", ns).code());
    }
    assertEquals(201, open.post("/api/v1/namespaces/" + namespace + "/serviceaccounts", sa).code());
    ObjectNode request = Json.object().put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest");
    request.putObject("spec").put("expirationSeconds", Duration.ofHours(1).toSeconds());
    return open.post("/api/v1/namespaces/" + namespace + "/serviceaccounts/" + account + "/token", request).json()
        .path("status").path("token").asText();
  }

  @Test
  void onlyRequestsWithAValidTokenGetIn() {
    assertStatus(new HttpApi(closedUrl).get("/api/v1/namespaces/default/configmaps"), 401, "Unauthorized");
    assertStatus(new HttpApi(closedUrl, "not-a-jwt").get("/api/v1/namespaces/default/configmaps"), 401,
        "Unauthorized");
    HttpApi ci = new HttpApi(closedUrl, token("default", "ci"));
    assertEquals(200, ci.get("/api/v1/namespaces/default/configmaps").code());
    assertEquals(200, ci.get("/healthz").code());
    var denied = assertStatus(new HttpApi(closedUrl, token("other", "intruder")).get("/api/v1/namespaces/default/pods"),
        403, "Forbidden");
    assertEquals("pods is forbidden: User \"system:serviceaccount:other:intruder\" cannot list resource \"pods\" in "
        + "API group \"\" in the namespace \"default\": test", denied.path("message").asText(),
        "the authorizer's reason follows, as kube-apiserver's");
  }
}
