package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The discovery documents kubectl and client libraries read before anything else. */
class DiscoveryTest {
  private static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
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

  private static JsonNode ok(String path) {
    HttpApi.Answer answer = api.get(path);
    assertEquals(200, answer.code(), () -> path + ": " + answer.body());
    assertTrue(answer.contentType().startsWith("application/json"), answer::contentType);
    return answer.json();
  }

  @Test
  void apiListsTheCoreVersion() {
    JsonNode versions = ok("/api");
    assertEquals("APIVersions", versions.path("kind").asText());
    assertEquals(List.of("v1"), texts(versions.path("versions")));
    JsonNode address = versions.path("serverAddressByClientCIDRs").path(0);
    assertEquals("0.0.0.0/0", address.path("clientCIDR").asText());
    assertFalse(address.path("serverAddress").asText().isEmpty());
  }

  @Test
  void apisListsTheGroupsWithTheirPreferredVersion() {
    JsonNode list = ok("/apis");
    assertEquals("APIGroupList", list.path("kind").asText());
    assertEquals("v1", list.path("apiVersion").asText());
    for (String group : List.of("apps", "networking.k8s.io")) {
      JsonNode g = find(list.path("groups"), "name", group);
      assertEquals(group + "/v1", g.path("preferredVersion").path("groupVersion").asText(), g::toString);
      assertEquals("v1", g.path("preferredVersion").path("version").asText(), g::toString);
      assertEquals(group + "/v1", find(g.path("versions"), "version", "v1").path("groupVersion").asText());
    }
    // the core group is served under /api, not listed here
    for (JsonNode g : list.path("groups")) assertFalse(g.path("name").asText().isEmpty(), g::toString);

    JsonNode apps = ok("/apis/apps");
    assertEquals("APIGroup", apps.path("kind").asText());
    assertEquals("apps/v1", apps.path("preferredVersion").path("groupVersion").asText());
  }

  @Test
  void coreResourcesAreListedWithTheirVerbsAndShortNames() {
    JsonNode list = resourceList("/api/v1", "v1");
    JsonNode pods = find(list.path("resources"), "name", "pods");
    assertEquals("pod", pods.path("singularName").asText());
    assertTrue(pods.path("namespaced").asBoolean());
    assertEquals("Pod", pods.path("kind").asText());
    assertEquals(ALL_VERBS, sorted(texts(pods.path("verbs"))));
    assertEquals(List.of("po"), texts(pods.path("shortNames")));

    JsonNode status = find(list.path("resources"), "name", "pods/status");
    assertEquals("Pod", status.path("kind").asText());
    assertTrue(status.path("namespaced").asBoolean());
    assertEquals(List.of("get", "patch", "update"), sorted(texts(status.path("verbs"))));
    JsonNode log = find(list.path("resources"), "name", "pods/log");
    assertEquals("Pod", log.path("kind").asText());
    assertTrue(log.path("namespaced").asBoolean());
    assertEquals(List.of("get"), texts(log.path("verbs")));

    JsonNode namespaces = find(list.path("resources"), "name", "namespaces");
    assertFalse(namespaces.path("namespaced").asBoolean());
    assertEquals(List.of("ns"), texts(namespaces.path("shortNames")));
    assertFalse(find(list.path("resources"), "name", "nodes").path("namespaced").asBoolean());
    for (String name : List.of("services", "configmaps", "endpoints", "events")) {
      JsonNode r = find(list.path("resources"), "name", name);
      assertTrue(r.path("namespaced").asBoolean(), r::toString);
      assertTrue(texts(r.path("verbs")).contains("watch"), r::toString);
    }
    // every kind is served under exactly one group-version: no apps kinds in the core list
    assertTrue(findAll(list.path("resources"), "name", "deployments").isEmpty());
  }

  @Test
  void appsResourcesListTheScaleSubresourceOfAutoscaling() {
    JsonNode list = resourceList("/apis/apps/v1", "apps/v1");
    JsonNode deployments = find(list.path("resources"), "name", "deployments");
    assertEquals("deployment", deployments.path("singularName").asText());
    assertEquals("Deployment", deployments.path("kind").asText());
    assertTrue(deployments.path("namespaced").asBoolean());
    assertEquals(ALL_VERBS, sorted(texts(deployments.path("verbs"))));
    assertEquals(List.of("deploy"), texts(deployments.path("shortNames")));

    JsonNode scale = find(list.path("resources"), "name", "deployments/scale");
    assertEquals("Scale", scale.path("kind").asText());
    assertEquals("autoscaling", scale.path("group").asText());
    assertEquals("v1", scale.path("version").asText());
    assertEquals(List.of("get", "patch", "update"), sorted(texts(scale.path("verbs"))));
    find(list.path("resources"), "name", "replicasets/scale");
    find(list.path("resources"), "name", "deployments/status");
    JsonNode daemonSets = find(list.path("resources"), "name", "daemonsets");
    assertEquals(List.of("ds"), texts(daemonSets.path("shortNames")));
    assertTrue(findAll(list.path("resources"), "name", "daemonsets/scale").isEmpty(), "DaemonSets do not scale");
  }

  @Test
  void networkingResourcesAreListed() {
    JsonNode list = resourceList("/apis/networking.k8s.io/v1", "networking.k8s.io/v1");
    JsonNode ingresses = find(list.path("resources"), "name", "ingresses");
    assertEquals("Ingress", ingresses.path("kind").asText());
    assertEquals("ingress", ingresses.path("singularName").asText());
    assertEquals(List.of("ing"), texts(ingresses.path("shortNames")));
    JsonNode policies = find(list.path("resources"), "name", "networkpolicies");
    assertEquals("NetworkPolicy", policies.path("kind").asText());
    assertTrue(policies.path("namespaced").asBoolean());
  }

  @Test
  void everyListedResourceAnswersAList() {
    for (String groupVersionPath : List.of("/api/v1", "/apis/apps/v1", "/apis/networking.k8s.io/v1")) {
      for (JsonNode r : ok(groupVersionPath).path("resources")) {
        String name = r.path("name").asText();
        if (name.contains("/")) continue;
        JsonNode list = ok(groupVersionPath + "/" + name);
        assertEquals(r.path("kind").asText() + "List", list.path("kind").asText(), name);
        assertTrue(list.path("items").isArray(), name);
      }
    }
  }

  @Test
  void versionSaysWhichKubernetesItSpeaks() {
    JsonNode version = ok("/version");
    assertEquals("1", version.path("major").asText());
    assertTrue(version.path("minor").asText().matches("\\d+\\+?"), version::toString);
    assertTrue(version.path("gitVersion").asText().startsWith("v1." + version.path("minor").asText()),
        version::toString);
    assertNotNull(version.get("platform"));
  }

  @Test
  void unknownGroupVersionIsA404Status() {
    assertStatus(api.get("/apis/apps/v2"), 404, "NotFound");
    assertStatus(api.get("/apis/batch"), 404, "NotFound");
    assertStatus(api.get("/api/v2"), 404, "NotFound");
  }

  private static JsonNode resourceList(String path, String groupVersion) {
    JsonNode list = ok(path);
    assertEquals("APIResourceList", list.path("kind").asText());
    assertEquals("v1", list.path("apiVersion").asText());
    assertEquals(groupVersion, list.path("groupVersion").asText());
    return list;
  }

  private static JsonNode find(JsonNode array, String field, String value) {
    List<JsonNode> found = findAll(array, field, value);
    assertEquals(1, found.size(), () -> "one " + field + "=" + value + " in " + array);
    return found.get(0);
  }

  private static List<JsonNode> findAll(JsonNode array, String field, String value) {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode n : array) if (n.path(field).asText().equals(value)) found.add(n);
    return found;
  }

  private static List<String> texts(JsonNode array) {
    assertTrue(array.isArray(), () -> "not an array: " + array);
    List<String> texts = new ArrayList<>();
    for (JsonNode n : array) texts.add(n.asText());
    return texts;
  }

  private static List<String> sorted(List<String> list) {
    List<String> copy = new ArrayList<>(list);
    copy.sort(null);
    return copy;
  }
}
