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
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Secrets through the API: stringData is write-only and lands base64 in data; bad data is a 422 that shows none. */
class SecretApiTest {
  private static final String SECRETS = "/api/v1/namespaces/default/secrets";
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

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static ObjectNode secret(String name) {
    ObjectNode secret = Json.object();
    secret.put("apiVersion", "v1");
    secret.put("kind", "Secret");
    secret.putObject("metadata").put("name", name);
    return secret;
  }

  @Test
  void stringDataLandsBase64InDataAndIsNotStored() {
    ObjectNode secret = secret("db");
    secret.putObject("data").put("user", base64("admin")).put("host", base64("db.local"));
    secret.putObject("stringData").put("user", "root").put("password", "pässword");
    JsonNode created = api.post(SECRETS, secret).json();
    for (JsonNode answer : new JsonNode[] {created, api.get(SECRETS + "/db").json()}) {
      assertEquals(base64("root"), answer.path("data").path("user").asText(), "stringData wins: " + answer);
      assertEquals(base64("pässword"), answer.path("data").path("password").asText());
      assertEquals(base64("db.local"), answer.path("data").path("host").asText());
      assertFalse(answer.has("stringData"), answer::toString);
      assertEquals("Opaque", answer.path("type").asText());
    }
  }

  @Test
  void stringDataOfAnUpdateOrAPatchIsMergedToo() {
    ObjectNode secret = secret("api-token");
    secret.putObject("data").put("token", base64("one"));
    assertEquals(201, api.post(SECRETS, secret).code());

    ObjectNode replaced = api.get(SECRETS + "/api-token").json().deepCopy();
    replaced.putObject("stringData").put("token", "two");
    JsonNode put = api.put(SECRETS + "/api-token", replaced).json();
    assertEquals(base64("two"), put.path("data").path("token").asText(), put::toString);
    assertFalse(put.has("stringData"), put::toString);

    JsonNode patched = api.mergePatch(SECRETS + "/api-token", "{\"stringData\":{\"extra\":\"three\"}}").json();
    assertEquals(base64("two"), patched.path("data").path("token").asText(), patched::toString);
    assertEquals(base64("three"), patched.path("data").path("extra").asText(), patched::toString);
    assertFalse(api.get(SECRETS + "/api-token").json().has("stringData"));
  }

  @Test
  void dataThatIsNotBase64IsA422ThatDoesNotShowIt() {
    ObjectNode secret = secret("bad-data");
    secret.putObject("data").put("password", "hunter2!");
    HttpApi.Answer answer = api.post(SECRETS, secret);
    JsonNode status = assertStatus(answer, 422, "Invalid");
    JsonNode cause = status.path("details").path("causes").path(0);
    assertEquals("data[password]", cause.path("field").asText(), status::toString);
    assertEquals("Invalid value: \"<secret contents redacted>\": illegal base64 data at input byte 7",
        cause.path("message").asText());
    assertFalse(answer.body().contains("hunter2"), answer::body);
    assertStatus(api.get(SECRETS + "/bad-data"), 404, "NotFound");
  }

  @Test
  void aTlsSecretNeedsItsKeysAndKeepsItsType() {
    ObjectNode tls = secret("web-tls");
    tls.put("type", "kubernetes.io/tls");
    tls.putObject("stringData").put("tls.crt", "CERT");
    JsonNode status = assertStatus(api.post(SECRETS, tls), 422, "Invalid");
    assertEquals("data[tls.key]", status.path("details").path("causes").path(0).path("field").asText(),
        status::toString);

    ((ObjectNode) tls.path("stringData")).put("tls.key", "KEY");
    assertEquals(201, api.post(SECRETS, tls).code());
    ObjectNode retyped = api.get(SECRETS + "/web-tls").json().deepCopy();
    retyped.put("type", "Opaque");
    JsonNode refused = assertStatus(api.put(SECRETS + "/web-tls", retyped), 422, "Invalid");
    assertTrue(refused.path("message").asText().contains("type: Invalid value: \"Opaque\": field is immutable"),
        refused::toString);
  }
}
