package io.troupe.control.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.pki.CertificateAuthority;
import io.troupe.control.pki.CertificateAuthority.KeyedCertificate;
import io.troupe.control.pki.Pem;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API over HTTPS with its own CA, through real TLS connections of the JDK's HTTP client: who each kind of
 * credential makes the caller (as {@code kubectl auth whoami} asks: a SelfSubjectReview), 401 for bad ones and, with
 * anonymous requests off, for none; a certificate of another CA gets nowhere; the PKI is kept across restarts.
 */
class ApiAuthenticationTest {
  static Path dir;
  static ControlPlane open;
  static ControlPlane closed;
  static X509Certificate ca;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("troupe-authn");
    Path tokens = dir.resolve("tokens.csv");
    Files.writeString(tokens, "t-alice,alice,uid-1,\"dev,ops\"\nt-bob,bob,uid-2\n");
    open = TestControlPlane.start(dir.resolve("open"), Map.of("troupe.api.tls.enabled", true,
        "troupe.api.authentication.token-auth-file", tokens.toString()));
    ca = open.tls().orElseThrow().ca().certificate();
    // a second API server of the same cluster CA, without anonymous requests
    closed = TestControlPlane.start(dir.resolve("closed"), Map.of("troupe.api.tls.enabled", true,
        "troupe.api.tls.ca-cert-file", dir.resolve("open/pki/ca.crt").toString(),
        "troupe.api.tls.ca-key-file", dir.resolve("open/pki/ca.key").toString(),
        "troupe.api.authentication.anonymous", false,
        "troupe.api.authentication.token-auth-file", tokens.toString()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (closed != null) closed.close();
    if (open != null) open.close();
  }

  static HttpResponse<String> whoAmI(HttpClient client, ControlPlane plane, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(plane.apiUrl()
            + "/apis/authentication.k8s.io/v1/selfsubjectreviews"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}"));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode userInfo(HttpResponse<String> r) throws IOException {
    assertEquals(201, r.statusCode(), r::body);
    JsonNode review = Json.MAPPER.readTree(r.body());
    assertEquals("SelfSubjectReview", review.path("kind").asText());
    return review.path("status").path("userInfo");
  }

  static List<String> groups(JsonNode info) {
    List<String> groups = new ArrayList<>();
    info.path("groups").forEach(g -> groups.add(g.asText()));
    return groups;
  }

  static void assertUnauthorized(HttpResponse<String> r) throws IOException {
    assertEquals(401, r.statusCode(), r::body);
    JsonNode status = Json.MAPPER.readTree(r.body());
    assertEquals("Status", status.path("kind").asText());
    assertEquals("Unauthorized", status.path("reason").asText());
    assertEquals(401, status.path("code").asInt());
  }

  @Test
  void servesHttpsWithACertificateOfItsCaForItsNames() throws Exception {
    assertTrue(open.apiUrl().startsWith("https://127.0.0.1:"), open.apiUrl());
    HttpClient client = TlsClients.trusting(ca);
    for (String host : List.of("127.0.0.1", "localhost")) {
      var r = client.send(HttpRequest.newBuilder(URI.create("https://" + host + ":" + open.apiAddress().getPort()
          + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r::body);
    }
    X509Certificate serving = open.tls().orElseThrow().serving().certificate();
    List<String> names = CertificateAuthority.subjectAltNames(serving);
    assertTrue(names.containsAll(List.of("localhost", "127.0.0.1", "kubernetes.default.svc", "127.32.0.1")),
        names::toString);
    // a client that does not trust the cluster CA does not get through
    try {
      HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(open.apiUrl() + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString());
      fail("a client without the cluster CA connected");
    } catch (javax.net.ssl.SSLHandshakeException expected) {
      // PKIX path building failed
    }
  }

  @Test
  void withoutCredentialsTheCallerIsAnonymous() throws Exception {
    JsonNode info = userInfo(whoAmI(TlsClients.trusting(ca), open, null));
    assertEquals("system:anonymous", info.path("username").asText());
    assertEquals(List.of(UserInfo.UNAUTHENTICATED), groups(info));
  }

  @Test
  void aTokenOfTheFileIsItsUser() throws Exception {
    JsonNode info = userInfo(whoAmI(TlsClients.trusting(ca), open, "t-alice"));
    assertEquals("alice", info.path("username").asText());
    assertEquals("uid-1", info.path("uid").asText());
    assertEquals(List.of("dev", "ops", UserInfo.AUTHENTICATED), groups(info));
  }

  @Test
  void aTokenNotInTheFileIs401EvenWithAnonymousRequestsAllowed() throws Exception {
    assertUnauthorized(whoAmI(TlsClients.trusting(ca), open, "t-mallory"));
    assertUnauthorized(whoAmI(TlsClients.trusting(ca), open, ""));
  }

  @Test
  void aLargeBodyRefusedBeforeItIsReadStillGetsItsAnswer() throws Exception {
    // 2 MB, under the 3 MiB limit: the server refuses it (401) before reading it, reads it away, then answers on the
    // same connection (answering first made Pekko HTTP close the connection under the client still sending)
    String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"big\"},"
        + "\"data\":{\"k\":\"" + "v".repeat(2_000_000) + "\"}}";
    HttpClient client = TlsClients.trusting(ca);
    for (int i = 0; i < 5; i++) {
      HttpRequest request = HttpRequest.newBuilder(URI.create(open.apiUrl() + "/api/v1/namespaces/default/configmaps"))
          .header("Content-Type", "application/json").header("Authorization", "Bearer t-mallory")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      assertUnauthorized(client.send(request, HttpResponse.BodyHandlers.ofString()));
    }
  }

  @Test
  void aClientCertificateOfTheCaIsItsCommonNameWithItsOrganizationsAsGroups() throws Exception {
    KeyedCertificate bob = open.tls().orElseThrow().ca().issueClient("bob", List.of("team-a", "team-b"));
    JsonNode info = userInfo(whoAmI(TlsClients.with(ca, bob), open, null));
    assertEquals("bob", info.path("username").asText());
    assertEquals(List.of("team-a", "team-b", UserInfo.AUTHENTICATED), groups(info));
    // the admin certificate of the kubeconfig: system:masters
    JsonNode admin = userInfo(whoAmI(TlsClients.with(ca, open.tls().orElseThrow().adminCertificate()), closed, null));
    assertEquals("troupe-admin", admin.path("username").asText());
    assertEquals(List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED), groups(admin));
  }

  @Test
  void aClientCertificateOfAnotherCaGetsNowhere() throws Exception {
    KeyedCertificate mallory = CertificateAuthority.create("other-ca").issueClient("mallory",
        List.of(UserInfo.MASTERS));
    try {
      var r = whoAmI(TlsClients.with(ca, mallory), open, null);
      assertUnauthorized(r);
    } catch (IOException refusedInTheHandshake) {
      // the server's trust manager refused the certificate: the TLS handshake failed
    }
  }

  @Test
  void withAnonymousRequestsOffNoCredentialsIs401() throws Exception {
    HttpClient client = TlsClients.trusting(ca);
    assertUnauthorized(whoAmI(client, closed, null));
    assertUnauthorized(client.send(HttpRequest.newBuilder(URI.create(closed.apiUrl() + "/api/v1/namespaces"))
        .build(), HttpResponse.BodyHandlers.ofString()));
    assertEquals("bob", userInfo(whoAmI(client, closed, "t-bob")).path("username").asText());
    var list = client.send(HttpRequest.newBuilder(URI.create(closed.apiUrl() + "/api/v1/namespaces"))
        .header("Authorization", "Bearer t-bob").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, list.statusCode(), list::body);
    // the other server's certificate is of the same CA: one trust for the whole cluster
    assertNotEquals(open.tls().orElseThrow().serving().certificate(), closed.tls().orElseThrow().serving().certificate());
    assertEquals(ca, closed.tls().orElseThrow().ca().certificate());
  }

  @Test
  void aWriteWithATokenIsItsUsersInTheObjectsHistory() throws Exception {
    HttpClient client = TlsClients.trusting(ca);
    var created = client.send(HttpRequest.newBuilder(URI.create(open.apiUrl()
            + "/api/v1/namespaces/default/configmaps"))
        .header("Authorization", "Bearer t-alice").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"by-alice\"},\"data\":{\"k\":\"v\"}}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, created.statusCode(), created::body);
    var history = client.send(HttpRequest.newBuilder(URI.create(open.apiUrl()
            + "/apis/history.troupe.io/v1/namespaces/default/configmaps/by-alice")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, history.statusCode(), history::body);
    assertTrue(history.body().contains("\"author\":\"alice\""), history::body);
  }

  @Test
  void theCaAndTheServingCertificateAreKeptAcrossRestarts() throws Exception {
    Path data = dir.resolve("restart");
    byte[] caBefore;
    byte[] servingBefore;
    try (ControlPlane first = TestControlPlane.start(data, Map.of("troupe.api.tls.enabled", true))) {
      caBefore = Files.readAllBytes(data.resolve("pki/ca.crt"));
      servingBefore = Files.readAllBytes(data.resolve("pki/apiserver.crt"));
      assertEquals(first.tls().orElseThrow().ca().certificate(), Pem.certificates(new String(caBefore)).get(0));
    }
    try (ControlPlane second = TestControlPlane.start(data, Map.of("troupe.api.tls.enabled", true))) {
      assertArrayEquals(caBefore, Files.readAllBytes(data.resolve("pki/ca.crt")));
      assertArrayEquals(servingBefore, Files.readAllBytes(data.resolve("pki/apiserver.crt")));
      X509Certificate kept = second.tls().orElseThrow().ca().certificate();
      var r = TlsClients.trusting(kept).send(HttpRequest.newBuilder(URI.create(second.apiUrl() + "/readyz"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r::body);
    }
    // other names: the serving certificate is issued again, by the same CA
    try (ControlPlane third = TestControlPlane.start(data, Map.of("troupe.api.tls.enabled", true,
        "troupe.api.tls.subject-alt-names", List.of("localhost", "127.0.0.1", "api.example.test")))) {
      assertArrayEquals(caBefore, Files.readAllBytes(data.resolve("pki/ca.crt")));
      X509Certificate serving = third.tls().orElseThrow().serving().certificate();
      assertTrue(CertificateAuthority.subjectAltNames(serving).contains("api.example.test"));
      assertTrue(third.tls().orElseThrow().ca().signed(serving));
    }
  }
}
