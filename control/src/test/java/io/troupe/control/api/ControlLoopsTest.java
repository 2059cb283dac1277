package io.troupe.control.api;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.controller.TestNodeAgent;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The namespace and endpoints controllers, seen through the API as a user sees them. */
class ControlLoopsTest {
  static final Duration DEADLINE = Duration.ofSeconds(20);
  static ControlPlane plane;
  static HttpApi api;
  static TestNodeAgent agent;

  @BeforeAll
  static void start() throws Exception {
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true));
    api = new HttpApi(TestControlPlane.url(plane));
    agent = TestNodeAgent.start(plane.system(), plane.store(), Map.of("node-1", "zone-a"));
  }

  @AfterAll
  static void stop() throws Exception {
    agent.close();
    plane.close();
  }

  @Test
  void deletingANamespaceDeletesEverythingInItThenTheNamespace() {
    assertEquals(201, api.post("/api/v1/namespaces", Map.of("metadata", Map.of("name", "doomed"))).code());
    for (int i = 0; i < 3; i++) {
      assertEquals(201, api.post("/api/v1/namespaces/doomed/configmaps", HttpApi.configMap("cm-" + i, "v")).code());
    }
    assertEquals(201, api.post("/api/v1/namespaces/doomed/pods", HttpApi.pod("p")).code());

    var deleted = api.delete("/api/v1/namespaces/doomed");
    assertEquals(202, deleted.code(), deleted.body());
    assertTrue(deleted.json().path("metadata").has("deletionTimestamp"));

    awaitUntil(DEADLINE, () -> api.get("/api/v1/namespaces/doomed").code() == 404,
        () -> "namespace still there: " + api.get("/api/v1/namespaces/doomed").body());
    assertEquals(0, api.get("/api/v1/namespaces/doomed/configmaps").json().path("items").size());
    assertEquals(0, api.get("/api/v1/namespaces/doomed/pods").json().path("items").size());
    // and the name can be used again
    assertEquals(201, api.post("/api/v1/namespaces", Map.of("metadata", Map.of("name", "doomed"))).code());
  }

  @Test
  void aServiceGetsTheAddressesOfItsReadyPods() {
    var service = Map.of("metadata", Map.of("name", "web"),
        "spec", Map.of("selector", Map.of("app", "web"),
            "ports", java.util.List.of(Map.of("name", "http", "port", 80, "targetPort", 8080))));
    assertEquals(201, api.post("/api/v1/namespaces/default/services", service).code());
    for (String name : new String[] {"web-1", "web-2"}) {
      var pod = HttpApi.pod(name);
      ((com.fasterxml.jackson.databind.node.ObjectNode) pod.path("metadata")).putObject("labels").put("app", "web");
      ((com.fasterxml.jackson.databind.node.ObjectNode) pod.path("spec")).put("nodeName", "node-1");
      assertEquals(201, api.post("/api/v1/namespaces/default/pods", pod).code());
    }
    awaitUntil(DEADLINE, () -> addresses().size() == 2,
        () -> "endpoints: " + api.get("/api/v1/namespaces/default/endpoints/web").body());
    JsonNode subset = api.get("/api/v1/namespaces/default/endpoints/web").json().path("subsets").get(0);
    assertEquals(8080, subset.path("ports").get(0).path("port").asInt());
    assertEquals("http", subset.path("ports").get(0).path("name").asText());
    assertEquals("node-1", subset.path("addresses").get(0).path("nodeName").asText());
    assertEquals("Pod", subset.path("addresses").get(0).path("targetRef").path("kind").asText());

    assertEquals(200, api.delete("/api/v1/namespaces/default/pods/web-1").code());
    awaitUntil(DEADLINE, () -> addresses().size() == 1, () -> "endpoints still list the deleted pod");
    assertEquals(200, api.delete("/api/v1/namespaces/default/services/web").code());
    awaitUntil(DEADLINE, () -> api.get("/api/v1/namespaces/default/endpoints/web").code() == 404,
        () -> "the endpoints of a deleted service remain");
  }

  @Test
  void deletingAnOwnerCascadesAsItsPropagationPolicySays() {
    for (String policy : new String[] {"Background", "Foreground", "Orphan"}) {
      String owner = "owner-" + policy.toLowerCase();
      JsonNode created = api.post("/api/v1/namespaces/default/configmaps", HttpApi.configMap(owner, "v")).json();
      var ref = Map.of("apiVersion", "v1", "kind", "ConfigMap", "name", owner,
          "uid", created.path("metadata").path("uid").asText(), "blockOwnerDeletion", true);
      for (int i = 0; i < 2; i++) {
        var dependent = HttpApi.configMap(owner + "-dep-" + i, "v");
        ((com.fasterxml.jackson.databind.node.ObjectNode) dependent.path("metadata"))
            .set("ownerReferences", io.troupe.persistence.model.Json.MAPPER.valueToTree(java.util.List.of(ref)));
        assertEquals(201, api.post("/api/v1/namespaces/default/configmaps", dependent).code());
      }
      var deleted = api.send("DELETE", "/api/v1/namespaces/default/configmaps/" + owner, HttpApi.JSON,
          "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"" + policy + "\"}");
      assertEquals(policy.equals("Background") ? 200 : 202, deleted.code(), deleted.body());
      awaitUntil(DEADLINE, () -> api.get("/api/v1/namespaces/default/configmaps/" + owner).code() == 404,
          () -> policy + ": the owner remains: " + api.get("/api/v1/namespaces/default/configmaps/" + owner).body());
      for (int i = 0; i < 2; i++) {
        String path = "/api/v1/namespaces/default/configmaps/" + owner + "-dep-" + i;
        if (policy.equals("Orphan")) {
          awaitUntil(DEADLINE, () -> api.get(path).json().path("metadata").path("ownerReferences").isMissingNode(),
              () -> "an orphaned dependent keeps its owner reference: " + api.get(path).body());
          assertEquals(200, api.get(path).code());
        } else {
          awaitUntil(DEADLINE, () -> api.get(path).code() == 404, () -> policy + ": a dependent remains");
        }
      }
    }
  }

  private static JsonNode addresses() {
    var answer = api.get("/api/v1/namespaces/default/endpoints/web");
    if (answer.code() != 200) return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    JsonNode subsets = answer.json().path("subsets");
    return subsets.size() == 0 ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode()
        : subsets.get(0).path("addresses");
  }
}
