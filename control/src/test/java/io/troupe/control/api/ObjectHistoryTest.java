package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.journal.JournalCompaction;
import io.troupe.persistence.journal.JournalRetention;
import io.troupe.persistence.store.JournalDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An object's history from the journal, through the real API: every change, its time, author and diff. */
class ObjectHistoryTest {
  private static final String CM = "/api/v1/namespaces/default/configmaps";
  private static final String HISTORY = "/apis/history.troupe.io/v1/namespaces/default/configmaps/";
  private static ControlPlane plane;
  private static HttpApi api;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true));
    api = new HttpApi(TestControlPlane.url(plane));
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) client.close();
    if (plane != null) plane.close();
  }

  static List<String> types(JsonNode history) {
    List<String> out = new ArrayList<>();
    history.path("entries").forEach(e -> out.add(e.path("type").asText()));
    return out;
  }

  @Test
  void everyChangeWithItsTimeAuthorAndDiffAcrossIncarnations() {
    assertEquals(201, api.post(CM, HttpApi.configMap("settings", "one")).code());
    ObjectNode changed = HttpApi.configMap("settings", "two");
    assertEquals(200, api.put(CM + "/settings", changed).code());
    assertEquals(200, api.delete(CM + "/settings").code());
    assertEquals(201, api.post(CM, HttpApi.configMap("settings", "three")).code());

    JsonNode history = api.get(HISTORY + "settings").json();
    assertEquals("history.troupe.io/v1", history.path("apiVersion").asText());
    assertEquals("ObjectHistory", history.path("kind").asText());
    assertEquals("ConfigMap", history.path("target").path("kind").asText());
    assertEquals(List.of("Created", "Updated", "Deleted", "Created"), types(history));
    JsonNode entries = history.path("entries");
    JsonNode created = entries.get(0);
    assertTrue(created.path("author").asText().startsWith("Java-http-client/"), created.toString());
    assertEquals("one", created.path("diff").get(0).path("value").path("data").path("key").asText());
    List<String> updated = new ArrayList<>();
    entries.get(1).path("diff").forEach(op -> updated.add(op.path("op").asText() + " " + op.path("path").asText()
        + " " + op.path("value")));
    assertEquals(List.of("replace /metadata/generation 2", "replace /data/key \"two\""), updated,
        "the value changed, and with it the generation");
    assertNotEquals(created.path("uid").asText(), entries.get(3).path("uid").asText(), "a new incarnation");
    assertEquals(created.path("time").asText(), history.path("historyStartsAt").asText());
    long first = Long.parseLong(created.path("resourceVersion").asText());
    long last = Long.parseLong(entries.get(3).path("resourceVersion").asText());
    assertTrue(first < last, "resourceVersions grow: " + first + " < " + last);
  }

  @Test
  void asOfReadsTheObjectAsItWas() {
    assertEquals(201, api.post(CM, HttpApi.configMap("dated", "before")).code());
    JsonNode history = api.get(HISTORY + "dated").json();
    String createdAt = history.path("entries").get(0).path("time").asText();
    assertEquals(200, api.put(CM + "/dated", HttpApi.configMap("dated", "after")).code());

    JsonNode then = api.get(HISTORY + "dated?asOf=" + createdAt).json();
    assertEquals("ConfigMap", then.path("kind").asText());
    assertEquals("before", then.path("data").path("key").asText());
    assertEquals(history.path("entries").get(0).path("resourceVersion").asText(),
        then.path("metadata").path("resourceVersion").asText());
    assertEquals("after", api.get(HISTORY + "dated?asOf=" + Instant.now().plusSeconds(1)).json()
        .path("data").path("key").asText());
    assertStatus(api.get(HISTORY + "dated?asOf=" + Instant.parse(createdAt).minusSeconds(60)), 404, "NotFound");
  }

  @Test
  void controllersSignTheirWrites() {
    client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder().withNewMetadata()
        .withName("signed").endMetadata().withNewSpec().withReplicas(1).withNewSelector()
        .addToMatchLabels("app", "signed").endSelector().withNewTemplate().withNewMetadata()
        .addToLabels("app", "signed").endMetadata().withNewSpec().addNewContainer().withName("main")
        .withImage("busybox").endContainer().endSpec().endTemplate().endSpec().build()).create();
    Fabric8Clients.awaitUntil(Duration.ofSeconds(30), () -> !client.apps().replicaSets().inNamespace("default")
        .withLabel("app", "signed").list().getItems().isEmpty(), () -> "the Deployment's ReplicaSet");
    String rs = client.apps().replicaSets().inNamespace("default").withLabel("app", "signed").list().getItems()
        .get(0).getMetadata().getName();
    JsonNode history = api.get("/apis/history.troupe.io/v1/namespaces/default/replicasets/" + rs).json();
    assertEquals("deployment-controller", history.path("entries").get(0).path("author").asText());
    JsonNode deployment = api.get("/apis/history.troupe.io/v1/namespaces/default/deployments/signed").json();
    assertTrue(deployment.path("entries").get(0).path("author").asText().startsWith("fabric8-kubernetes-client/"),
        deployment.path("entries").get(0).toString());
    Fabric8Clients.awaitUntil(Duration.ofSeconds(30), () -> types(api.get(
        "/apis/history.troupe.io/v1/namespaces/default/deployments/signed").json()).contains("StatusUpdated"),
        () -> "the deployment controller wrote the Deployment's status");
  }

  @Test
  void afterCompactionHistorySaysWhereItStarts() throws Exception {
    assertEquals(201, api.post(CM, HttpApi.configMap("busy", "0")).code());
    for (int i = 1; i <= 5; i++) {
      assertEquals(200, api.put(CM + "/busy", HttpApi.configMap("busy", Integer.toString(i))).code());
    }
    assertTrue(api.get(HISTORY + "busy").json().path("complete").asBoolean(), "every change kept so far");
    var keepTwo = new JournalRetention(Duration.ofHours(1), 2, Duration.ZERO, Duration.ofHours(1), 1000);
    try (var c = JournalDatabase.of(plane.system().settings().config()).connect()) {
      new JournalCompaction(keepTwo).run(c, Instant.now().plusSeconds(1));
    }
    JsonNode history = api.get(HISTORY + "busy").json();
    assertEquals(false, history.path("complete").asBoolean());
    JsonNode first = history.path("entries").get(0);
    assertEquals(2, history.path("entries").size(), history.toString());
    assertEquals(first.path("time").asText(), history.path("historyStartsAt").asText());
    assertEquals(first.path("resourceVersion").asText(), history.path("historyStartsAtResourceVersion").asText());
    assertEquals("", first.path("diff").get(0).path("path").asText(), "the first kept state, whole");
    assertEquals("4", first.path("diff").get(0).path("value").path("data").path("key").asText());
  }

  @Test
  void badRequestsGetAStatus() {
    assertStatus(api.get(HISTORY + "never-was"), 404, "NotFound");
    assertEquals("configmaps \"never-was\" not found", api.get(HISTORY + "never-was").json().path("message")
        .asText());
    assertStatus(api.get(HISTORY + "x?asOf=yesterday"), 400, "BadRequest");
    assertStatus(api.get("/apis/history.troupe.io/v1/namespaces/default/widgets/x"), 404, "NotFound");
    assertStatus(api.get("/apis/history.troupe.io/v1/configmaps/x"), 404, "NotFound"); // namespaced kind
    assertStatus(api.delete(HISTORY + "x"), 405, "MethodNotAllowed");
  }
}
