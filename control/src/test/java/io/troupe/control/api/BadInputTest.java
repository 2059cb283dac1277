package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.assertNoStackTrace;
import static io.troupe.control.api.HttpApi.assertStatus;
import static io.troupe.control.api.HttpApi.assertStatusObject;
import static io.troupe.control.api.HttpApi.configMap;
import static io.troupe.control.api.HttpApi.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every refusal is a Kubernetes {@code Status} with the right code and reason, never a stack trace, and a refused
 * write leaves nothing behind (each test reads the store back after the refusal).
 */
class BadInputTest {
  private static final String NS = "/api/v1/namespaces/default";
  private static ControlPlane plane;
  private static HttpApi api;

  @BeforeAll
  static void start() {
    // a small watch window, so that a watch can fall behind it
    plane = TestControlPlane.start(Map.of("troupe.watch-cache.window-size", 20));
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  private static void assertAbsent(String path) {
    assertStatus(api.get(path), 404, "NotFound");
  }

  @Test
  void malformedJsonIsA400AndWritesNothing() {
    var answer = api.send("POST", NS + "/configmaps", HttpApi.JSON, "{\"metadata\": {\"name\": \"broken-json\"");
    JsonNode status = assertStatus(answer, 400, "BadRequest");
    assertTrue(status.path("message").asText().contains("JSON"), status::toString);
    assertAbsent(NS + "/configmaps/broken-json");
  }

  @Test
  void malformedYamlIsA400AndWritesNothing() {
    String yaml = "metadata:\n  name: broken-yaml\ndata: [unclosed\n  key: : value\n";
    JsonNode status = assertStatus(api.send("POST", NS + "/configmaps", "application/yaml", yaml), 400,
        "BadRequest");
    assertTrue(status.path("message").asText().contains("YAML"), status::toString);
    assertAbsent(NS + "/configmaps/broken-yaml");
  }

  @Test
  void bodyThatIsNotAnObjectIsA400() {
    var array = api.send("POST", NS + "/configmaps", HttpApi.JSON, "[" + configMap("in-array", "v") + "]");
    assertStatus(array, 400, "BadRequest");
    assertStatus(api.send("POST", NS + "/configmaps", HttpApi.JSON, "\"just a string\""), 400, "BadRequest");
    assertStatus(api.send("POST", NS + "/configmaps", HttpApi.JSON, ""), 400, "BadRequest");
    assertAbsent(NS + "/configmaps/in-array");
  }

  @Test
  void kindOrApiVersionNotOfTheEndpointIsA400() {
    ObjectNode wrongKind = configMap("wrong-kind", "v");
    assertStatus(api.post(NS + "/pods", wrongKind), 400, "BadRequest");
    ObjectNode wrongVersion = pod("wrong-version");
    wrongVersion.put("apiVersion", "apps/v1");
    assertStatus(api.post(NS + "/pods", wrongVersion), 400, "BadRequest");
    assertAbsent(NS + "/pods/wrong-kind");
    assertAbsent(NS + "/configmaps/wrong-kind");
    assertAbsent(NS + "/pods/wrong-version");
  }

  @Test
  void namespaceInTheBodyDifferentFromThePathIsA400() {
    ObjectNode cm = configMap("elsewhere", "v");
    ((ObjectNode) cm.get("metadata")).put("namespace", "kube-system");
    JsonNode status = assertStatus(api.post(NS + "/configmaps", cm), 400, "BadRequest");
    assertTrue(status.path("message").asText().contains("namespace"), status::toString);
    assertAbsent(NS + "/configmaps/elsewhere");
    assertAbsent("/api/v1/namespaces/kube-system/configmaps/elsewhere");
  }

  @Test
  void unknownObjectIsA404ForEveryVerb() {
    String path = NS + "/pods/x";
    List<HttpApi.Answer> answers = List.of(
        api.get(path),
        api.put(path, pod("x")),
        api.mergePatch(path, Map.of("metadata", Map.of("labels", Map.of("a", "b")))),
        api.delete(path));
    for (HttpApi.Answer answer : answers) {
      JsonNode status = assertStatus(answer, 404, "NotFound");
      assertEquals("pods \"x\" not found", status.path("message").asText());
      assertEquals("x", status.path("details").path("name").asText(), status::toString);
      assertEquals("pods", status.path("details").path("kind").asText(), status::toString);
    }
    assertAbsent(path);
  }

  @Test
  void unknownResourcePathIsA404() {
    for (String path : List.of(NS + "/widgets", NS + "/widgets/w", "/apis/nope.example.com/v1/things",
        "/api/v2/pods", "/apis/apps/v1/namespaces/default/pods", NS + "/pods/x/exec-nope", "/nothing/here")) {
      assertStatus(api.get(path), 404, "NotFound");
    }
    assertStatus(api.post(NS + "/widgets", Map.of("metadata", Map.of("name", "w"))), 404, "NotFound");
  }

  @Test
  void objectInAMissingNamespaceIsA404() {
    JsonNode status = assertStatus(api.post("/api/v1/namespaces/nope/configmaps", configMap("lost", "v")), 404,
        "NotFound");
    assertEquals("namespaces \"nope\" not found", status.path("message").asText());
    assertEquals("nope", status.path("details").path("name").asText());
    assertAbsent("/api/v1/namespaces/nope/configmaps/lost");
    assertEquals(0, api.get("/api/v1/configmaps?fieldSelector=metadata.name%3Dlost").json().path("items").size());
  }

  @Test
  void invalidObjectsAre422WithEveryCause() {
    ObjectNode bad = pod("Bad_Name");
    ((ObjectNode) bad.get("metadata")).putObject("labels").put("bad key!", "ok").put("tier", "-not-valid-");
    ((ObjectNode) bad.get("spec").get("containers").get(0)).remove("image");
    JsonNode status = assertStatus(api.post(NS + "/pods", bad), 422, "Invalid");
    assertEquals("Pod", status.path("details").path("kind").asText(), status::toString);
    assertEquals("Bad_Name", status.path("details").path("name").asText(), status::toString);
    List<String> causes = causes(status);
    assertTrue(causes.contains("metadata.name FieldValueInvalid"), causes::toString);
    assertTrue(causes.contains("metadata.labels FieldValueInvalid"), causes::toString);
    assertTrue(causes.contains("spec.containers[0].image FieldValueRequired"), causes::toString);
    // both the bad key and the bad value are reported
    assertTrue(causes.stream().filter(c -> c.equals("metadata.labels FieldValueInvalid")).count() >= 2,
        causes::toString);
    for (JsonNode cause : status.path("details").path("causes")) {
      assertTrue(cause.hasNonNull("field") && cause.hasNonNull("reason") && !cause.path("message").asText().isEmpty(),
          cause::toString);
    }
    assertAbsent(NS + "/pods/Bad_Name");

    ObjectNode noContainers = pod("no-containers");
    ((ObjectNode) noContainers.get("spec")).remove("containers");
    assertTrue(causes(assertStatus(api.post(NS + "/pods", noContainers), 422, "Invalid"))
        .contains("spec.containers FieldValueRequired"));
    assertAbsent(NS + "/pods/no-containers");

    String longName = "a".repeat(254);
    assertTrue(causes(assertStatus(api.post(NS + "/configmaps", configMap(longName, "v")), 422, "Invalid"))
        .contains("metadata.name FieldValueInvalid"));
    assertStatus(api.post(NS + "/configmaps", configMap("UpperCase", "v")), 422, "Invalid");
    assertAbsent(NS + "/configmaps/UpperCase");
  }

  @Test
  void aProbeOrEnvTheNodeAgentCannotRunIs422WithKubernetesMessage() {
    ObjectNode bad = pod("bad-probe");
    ObjectNode container = (ObjectNode) bad.get("spec").get("containers").get(0);
    container.putObject("livenessProbe").put("successThreshold", 2).putObject("tcpSocket").put("port", 8080);
    container.putArray("env").addObject().put("name", "PHASE").putObject("valueFrom").putObject("fieldRef")
        .put("fieldPath", "status.phase");
    JsonNode status = assertStatus(api.post(NS + "/pods", bad), 422, "Invalid");
    assertEquals("Pod \"bad-probe\" is invalid: [spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: "
        + "Unsupported value: \"status.phase\": supported values: \"metadata.name\", \"metadata.namespace\", "
        + "\"metadata.uid\", \"spec.nodeName\", \"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", "
        + "\"status.podIP\", \"status.podIPs\", spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: "
        + "must be 1]", status.path("message").asText());
    assertAbsent(NS + "/pods/bad-probe");
  }

  @Test
  void invalidUpdateIs422AndLeavesTheObjectAsItWas() {
    assertEquals(201, api.post(NS + "/pods", pod("valid-pod")).code());
    JsonNode stored = api.get(NS + "/pods/valid-pod").json();
    ObjectNode update = stored.deepCopy();
    ((ObjectNode) update.get("metadata")).putObject("labels").put("ok", "not valid!");
    assertStatus(api.put(NS + "/pods/valid-pod", update), 422, "Invalid");
    var patch = Map.of("metadata", Map.of("labels", Map.of("-bad-key", "v")));
    assertStatus(api.mergePatch(NS + "/pods/valid-pod", patch), 422, "Invalid");
    JsonNode after = api.get(NS + "/pods/valid-pod").json();
    assertEquals(stored.path("metadata").path("resourceVersion"), after.path("metadata").path("resourceVersion"));
    assertTrue(after.path("metadata").path("labels").isMissingNode());
  }

  private static List<String> causes(JsonNode status) {
    List<String> causes = new ArrayList<>();
    for (JsonNode c : status.path("details").path("causes")) {
      causes.add(c.path("field").asText() + " " + c.path("reason").asText());
    }
    return causes;
  }

  @Test
  void wrongContentTypeIsA415() {
    var plain = api.send("POST", NS + "/configmaps", "text/plain", configMap("plain-text", "v").toString());
    assertStatus(plain, 415, "UnsupportedMediaType");
    assertAbsent(NS + "/configmaps/plain-text");
    assertEquals(201, api.post(NS + "/configmaps", configMap("patched-as-json", "v")).code());
    var jsonPatch = api.send("PATCH", NS + "/configmaps/patched-as-json", HttpApi.JSON, "{\"data\":{\"key\":\"w\"}}");
    assertStatus(jsonPatch, 415, "UnsupportedMediaType");
    assertEquals("v", api.get(NS + "/configmaps/patched-as-json").json().path("data").path("key").asText());
  }

  @Test
  void selectorsAndPagingParametersThatCannotBeReadAre400() {
    assertStatus(api.get(NS + "/pods?labelSelector=a%20in%20(b"), 400, "BadRequest");
    assertStatus(api.get(NS + "/pods?labelSelector=!!"), 400, "BadRequest");
    JsonNode field = assertStatus(api.get(NS + "/pods?fieldSelector=spec.foo%3Dbar"), 400, "BadRequest");
    assertEquals("field label not supported: spec.foo", field.path("message").asText());
    assertStatus(api.get(NS + "/configmaps?fieldSelector=data.key%3Dv"), 400, "BadRequest");
    assertStatus(api.get(NS + "/pods?limit=-1"), 400, "BadRequest");
    assertStatus(api.get(NS + "/pods?limit=ten"), 400, "BadRequest");
    assertStatus(api.get(NS + "/pods?continue=not-a-token"), 400, "BadRequest");
    assertStatus(api.get(NS + "/pods?limit=1&continue=%25%25%25"), 400, "BadRequest");
    assertStatus(api.get(NS + "/pods?resourceVersion=yesterday"), 400, "BadRequest");
    // the same selectors are refused on a watch before its stream opens
    assertStatus(api.get(NS + "/pods?watch=true&fieldSelector=spec.foo%3Dbar"), 400, "BadRequest");
    assertStatus(api.get(NS + "/pods?watch=true&timeoutSeconds=soon"), 400, "BadRequest");
  }

  @Test
  void dryRunIsRefusedOnEveryWriteAndWritesNothing() {
    assertStatus(api.post(NS + "/configmaps?dryRun=All", configMap("dry-create", "v")), 400, "BadRequest");
    assertAbsent(NS + "/configmaps/dry-create");

    assertEquals(201, api.post(NS + "/configmaps", configMap("dry-target", "v")).code());
    JsonNode stored = api.get(NS + "/configmaps/dry-target").json();
    ObjectNode changed = stored.deepCopy();
    ((ObjectNode) changed.get("data")).put("key", "dry");
    assertStatus(api.put(NS + "/configmaps/dry-target?dryRun=All", changed), 400, "BadRequest");
    assertStatus(api.mergePatch(NS + "/configmaps/dry-target?dryRun=All", Map.of("data", Map.of("key", "dry"))),
        400, "BadRequest");
    assertStatus(api.delete(NS + "/configmaps/dry-target?dryRun=All"), 400, "BadRequest");
    assertStatus(api.send("DELETE", NS + "/configmaps/dry-target", HttpApi.JSON,
        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"dryRun\":[\"All\"]}"), 400, "BadRequest");
    assertStatus(api.delete(NS + "/configmaps?dryRun=All"), 400, "BadRequest");
    JsonNode after = api.get(NS + "/configmaps/dry-target").json();
    assertEquals("v", after.path("data").path("key").asText());
    assertEquals(stored.path("metadata").path("resourceVersion"), after.path("metadata").path("resourceVersion"));
  }

  @Test
  void listOptionsThatCannotBeHonouredAre422() {
    JsonNode initial = assertStatus(api.get(NS + "/configmaps?watch=true&sendInitialEvents=true"
        + "&allowWatchBookmarks=true"), 422, "Invalid");
    assertEquals("resourceVersionMatch", initial.path("details").path("causes").path(0).path("field").asText());
    assertStatus(api.get(NS + "/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
        + "&resourceVersionMatch=Exact"), 422, "Invalid");
    // a list's resourceVersionMatch is one of two values, and needs a resourceVersion (ValidateListOptions)
    JsonNode unknown = assertStatus(api.get(NS + "/configmaps?resourceVersion=1&resourceVersionMatch=Newest"), 422,
        "Invalid");
    assertTrue(causes(unknown).contains("resourceVersionMatch FieldValueNotSupported"), unknown::toString);
    assertStatus(api.get(NS + "/configmaps?resourceVersionMatch=NotOlderThan"), 422, "Invalid");
    assertStatus(api.get(NS + "/configmaps?resourceVersionMatch=Exact&resourceVersion=0"), 422, "Invalid");
  }

  /** Requests a client could send by mistake: each gets a 4xx Status, never a 500 or a Java exception. */
  @Test
  void oddRequestsGetA4xxStatusAndNoStackTrace() {
    assertEquals(201, api.post(NS + "/configmaps", configMap("odd-target", "v")).code());
    String target = NS + "/configmaps/odd-target";
    List<HttpApi.Answer> answers = List.of(
        api.send("POST", NS + "/configmaps", HttpApi.JSON, "{\"metadata\": \"odd\"}"),
        api.send("POST", NS + "/configmaps", HttpApi.JSON, "{\"metadata\": {\"name\": 7, \"labels\": 3}}"),
        api.send("POST", NS + "/configmaps", HttpApi.JSON, "{\"metadata\": {\"name\": \"odd-1\"}, \"data\": []}"),
        api.send("POST", NS + "/pods", HttpApi.JSON, "{\"metadata\": {\"name\": \"odd-2\"}, \"spec\": []}"),
        api.send("POST", NS + "/configmaps", HttpApi.JSON, "{\"metadata\": {\"name\": \"odd-3\"}} trailing"),
        api.send("POST", NS + "/configmaps", HttpApi.JSON, "\u0000\u0001binary"),
        api.send("POST", NS + "/configmaps", null, configMap("odd-4", "v").toString()),
        api.send("PUT", target, HttpApi.JSON, configMap("another-name", "v").toString()),
        api.send("PATCH", target, "application/json-patch+json", "[{\"op\": \"explode\", \"path\": \"/data\"}]"),
        api.send("PATCH", target, "application/json-patch+json", "[{\"op\": \"test\", \"path\": \"/data/key\", "
            + "\"value\": \"other\"}]"),
        api.send("PATCH", target, "application/json-patch+json", "{\"op\": \"add\"}"),
        api.send("PATCH", target, HttpApi.MERGE_PATCH, "{not json"),
        api.send("PATCH", target, "application/strategic-merge-patch+json", "[1, 2]"),
        api.send("PATCH", target, "application/apply-patch+yaml", "data: {key: v}"),
        api.send("DELETE", target, HttpApi.JSON, "{broken"),
        api.send("DELETE", target + "?propagationPolicy=Sometimes", null, null),
        api.send("POST", target, HttpApi.JSON, configMap("odd-target", "v").toString()),
        api.send("PUT", NS + "/configmaps", HttpApi.JSON, configMap("odd-target", "v").toString()),
        api.get(NS + "/configmaps/odd-target/status"),
        api.get("/api/v1/namespaces/default/configmaps/odd-target/a/b/c/d"));
    for (HttpApi.Answer answer : answers) {
      assertTrue(answer.code() >= 400 && answer.code() < 500, () -> answer.code() + " " + answer.body());
      assertNoStackTrace(answer.body());
      assertStatusObject(answer.json(), answer.code(), answer.json().path("reason").asText());
    }
    JsonNode after = api.get(target).json();
    assertEquals("v", after.path("data").path("key").asText());
    for (String name : List.of("odd-1", "odd-2", "odd-3", "odd-4", "another-name")) {
      assertStatus(api.get(NS + "/configmaps/" + name), 404, "NotFound");
    }
  }

  @Test
  void watchOfAnUnknownResourceIsA404BeforeAnyStream() {
    try (HttpApi.Watch watch = api.watch(NS + "/widgets?watch=true")) {
      assertEquals(404, watch.code());
      JsonNode status = watch.next(Duration.ofSeconds(10));
      assertStatusObject(status, 404, "NotFound");
    }
  }
  @Test
  void duplicateCreateIsA409AlreadyExists() {
    assertEquals(201, api.post(NS + "/configmaps", configMap("twice", "first")).code());
    JsonNode status = assertStatus(api.post(NS + "/configmaps", configMap("twice", "second")), 409, "AlreadyExists");
    assertEquals("configmaps \"twice\" already exists", status.path("message").asText());
    assertEquals("twice", status.path("details").path("name").asText());
    assertEquals("first", api.get(NS + "/configmaps/twice").json().path("data").path("key").asText());
  }

  @Test
  void staleResourceVersionOnPutOrPatchIsA409Conflict() {
    String path = NS + "/configmaps/contested";
    assertEquals(201, api.post(NS + "/configmaps", configMap("contested", "v1")).code());
    JsonNode first = api.get(path).json();
    ObjectNode second = first.deepCopy();
    ((ObjectNode) second.get("data")).put("key", "v2");
    assertEquals(200, api.put(path, second).code());
    ObjectNode stale = first.deepCopy();
    ((ObjectNode) stale.get("data")).put("key", "stale");
    JsonNode status = assertStatus(api.put(path, stale), 409, "Conflict");
    assertEquals("contested", status.path("details").path("name").asText(), status::toString);
    String oldVersion = first.path("metadata").path("resourceVersion").asText();
    var patch = Map.of("metadata", Map.of("resourceVersion", oldVersion), "data", Map.of("key", "stale"));
    assertStatus(api.mergePatch(path, patch), 409, "Conflict");
    assertEquals("v2", api.get(path).json().path("data").path("key").asText());
  }

  @Test
  void bodyOver3MiBIsA413() {
    ObjectNode huge = configMap("huge", "x".repeat(3 * 1024 * 1024 + 10));
    assertStatus(api.post(NS + "/configmaps", huge), 413, "RequestEntityTooLarge");
    assertAbsent(NS + "/configmaps/huge");
    // the connection and the server are fine afterwards
    assertEquals(201, api.post(NS + "/configmaps", configMap("after-huge", "v")).code());
  }

  @Test
  void deletingTheDefaultNamespaceIsA403() {
    JsonNode status = assertStatus(api.delete("/api/v1/namespaces/default"), 403, "Forbidden");
    assertEquals("default", status.path("details").path("name").asText());
    JsonNode ns = api.get("/api/v1/namespaces/default").json();
    assertTrue(ns.path("metadata").path("deletionTimestamp").isMissingNode(), ns::toString);
  }

  @Test
  void versionsOlderThanTheWatchWindowAre410Expired() {
    String old = api.get(NS + "/configmaps").json().path("metadata").path("resourceVersion").asText();
    for (int i = 0; i < 25; i++) {
      assertEquals(201, api.post(NS + "/configmaps", configMap("churn-" + i, "v")).code());
    }
    // as the Kubernetes watch cache: the stream opens (200) and carries one ERROR event with a 410 Status
    try (HttpApi.Watch watch = api.watch(NS + "/configmaps?watch=true&resourceVersion=" + old)) {
      assertEquals(200, watch.code());
      JsonNode event = watch.next(Duration.ofSeconds(10));
      assertEquals("ERROR", event.path("type").asText(), event::toString);
      assertStatusObject(event.path("object"), 410, "Expired");
      assertNoStackTrace(event.toString());
      assertTrue(watch.endsWithin(Duration.ofSeconds(10)), "the stream ends after the ERROR event");
    }
    assertStatus(api.get(NS + "/configmaps?resourceVersionMatch=Exact&resourceVersion=" + old), 410, "Expired");
  }
}
