package io.troupe.control.api;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.controller.TestNodeAgent;
import io.troupe.persistence.model.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The control loops with pods that stay Terminating: one Ready node ("solo", 4 cpu) whose agent never finishes a
 * deletion, so a pod deleted gracefully stays until the test deletes it with grace 0, as its agent would. The
 * controllers treat such a pod as Kubernetes' do.
 */
class TerminatingPodsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static ControlPlane plane;
  private static HttpApi api;
  private static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    // no agent heartbeats "solo": a long grace keeps it Ready for the whole test
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true,
        "troupe.node-lifecycle.grace-period", "10m"));
    api = new HttpApi(TestControlPlane.url(plane));
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
    plane.store().create(TestNodeAgent.node("solo", "zone-a")).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    plane.close();
  }

  private static String namespace(String prefix) {
    return "/api/v1/namespaces/" + Fabric8Clients.newNamespace(client, prefix);
  }

  private static ObjectNode pod(String name, String cpu) {
    ObjectNode pod = HttpApi.pod(name);
    ObjectNode container = (ObjectNode) pod.path("spec").path("containers").get(0);
    container.putObject("resources").putObject("requests").put("cpu", cpu);
    return pod;
  }

  private static String nodeName(String path) {
    return api.get(path).json().path("spec").path("nodeName").asText("");
  }

  private static boolean terminating(String path) {
    HttpApi.Answer a = api.get(path);
    return a.code() == 200 && a.json().path("metadata").has("deletionTimestamp");
  }

  private static void finish(String path) {
    HttpApi.Answer gone = api.delete(path + "?gracePeriodSeconds=0");
    assertEquals(200, gone.code(), gone::body);
  }

  @Test
  void theSchedulerCountsATerminatingPodUntilItIsGone() {
    String ns = namespace("sched");
    assertEquals(201, api.post(ns + "/pods", pod("big", "4")).code());
    awaitUntil(WAIT, () -> nodeName(ns + "/pods/big").equals("solo"), () -> "big is not bound");
    assertEquals(200, api.delete(ns + "/pods/big").code());
    assertTrue(terminating(ns + "/pods/big"));

    assertEquals(201, api.post(ns + "/pods", pod("next", "1")).code());
    awaitUntil(WAIT, () -> unschedulableMessage(ns + "/pods/next") != null,
        () -> "next: " + api.get(ns + "/pods/next").body());
    assertEquals("0/1 nodes are available: 1 Insufficient cpu.", unschedulableMessage(ns + "/pods/next"));

    finish(ns + "/pods/big");
    awaitUntil(WAIT, () -> nodeName(ns + "/pods/next").equals("solo"),
        () -> "next is not bound once big is gone: " + api.get(ns + "/pods/next").body());
  }

  @Test
  void aReplicaSetReplacesATerminatingPodAndDoesNotCountIt() {
    String ns = namespace("rs");
    ObjectNode template = Json.object();
    template.putObject("metadata").putObject("labels").put("app", "web");
    template.set("spec", HttpApi.pod("x").path("spec"));
    ObjectNode rs = Json.object();
    rs.put("apiVersion", "apps/v1");
    rs.put("kind", "ReplicaSet");
    rs.putObject("metadata").put("name", "web");
    ObjectNode spec = rs.putObject("spec");
    spec.put("replicas", 2);
    spec.putObject("selector").putObject("matchLabels").put("app", "web");
    spec.set("template", template);
    assertEquals(201, api.post(ns.replace("/api/v1/", "/apis/apps/v1/") + "/replicasets", rs).code());
    awaitUntil(WAIT, () -> bound(ns).size() == 2, () -> "pods: " + api.get(ns + "/pods").body());

    String victim = bound(ns).get(0);
    assertEquals(200, api.delete(ns + "/pods/" + victim).code());
    awaitUntil(WAIT, () -> bound(ns).size() == 2 && !bound(ns).contains(victim),
        () -> "no replacement for the terminating pod: " + api.get(ns + "/pods").body());
    assertTrue(terminating(ns + "/pods/" + victim), "the terminating pod is still there");
    awaitUntil(WAIT, () -> api.get(ns.replace("/api/v1/", "/apis/apps/v1/") + "/replicasets/web").json()
        .path("status").path("replicas").asInt() == 2, () -> "the status counts the terminating pod");
    finish(ns + "/pods/" + victim);
  }

  @Test
  void endpointsDropATerminatingPodAtOnce() {
    String ns = namespace("ep");
    var service = Map.of("metadata", Map.of("name", "web"), "spec", Map.of("selector", Map.of("app", "web"),
        "ports", List.of(Map.of("port", 80))));
    assertEquals(201, api.post(ns + "/services", service).code());
    ObjectNode pod = HttpApi.pod("web-1");
    ((ObjectNode) pod.path("metadata")).putObject("labels").put("app", "web");
    ((ObjectNode) pod.path("spec")).put("nodeName", "solo");
    JsonNode created = api.post(ns + "/pods", pod).json();
    ObjectNode running = created.deepCopy();
    ObjectNode status = running.putObject("status");
    status.put("phase", "Running");
    status.put("podIP", "10.0.0.7");
    status.putArray("conditions").addObject().put("type", "Ready").put("status", "True");
    assertEquals(200, api.put(ns + "/pods/web-1/status", running).code());
    awaitUntil(WAIT, () -> addresses(ns).size() == 1, () -> "endpoints: " + api.get(ns + "/endpoints/web").body());

    assertEquals(200, api.delete(ns + "/pods/web-1").code());
    awaitUntil(WAIT, () -> addresses(ns).isEmpty(), () -> "endpoints still list a terminating pod");
    assertTrue(terminating(ns + "/pods/web-1"));
    finish(ns + "/pods/web-1");
  }

  @Test
  void aNamespaceWaitsUntilItsTerminatingPodsAreGone() {
    String ns = namespace("doomed");
    ObjectNode pod = HttpApi.pod("last");
    ((ObjectNode) pod.path("spec")).put("nodeName", "solo");
    assertEquals(201, api.post(ns + "/pods", pod).code());
    assertEquals(201, api.post(ns + "/configmaps", HttpApi.configMap("cm", "v")).code());

    assertEquals(202, api.delete(ns).code());
    awaitUntil(WAIT, () -> terminating(ns + "/pods/last") && api.get(ns + "/configmaps/cm").code() == 404,
        () -> "the namespace controller did not delete the contents: " + api.get(ns + "/pods").body());
    HttpApi.Answer namespace = api.get(ns);
    assertEquals(200, namespace.code(), "the namespace waits for its terminating pod");
    assertEquals("Terminating", namespace.json().path("status").path("phase").asText());
    assertFalse(api.get(ns + "/pods/last").json().path("metadata").path("deletionGracePeriodSeconds").asLong() == 0,
        "the namespace controller deletes pods gracefully");

    finish(ns + "/pods/last");
    awaitUntil(WAIT, () -> api.get(ns).code() == 404, () -> "namespace still there: " + api.get(ns).body());
  }

  private static String unschedulableMessage(String path) {
    for (JsonNode c : api.get(path).json().path("status").path("conditions")) {
      if (c.path("type").asText().equals("PodScheduled") && c.path("status").asText().equals("False")) {
        return c.path("message").asText();
      }
    }
    return null;
  }

  /** The names of the pods bound to a node and not terminating. */
  private static List<String> bound(String ns) {
    List<String> names = new ArrayList<>();
    for (JsonNode p : api.get(ns + "/pods").json().path("items")) {
      if (p.path("metadata").has("deletionTimestamp")) continue;
      if (!p.path("spec").path("nodeName").asText("").isEmpty()) names.add(p.path("metadata").path("name").asText());
    }
    return names;
  }

  private static JsonNode addresses(String ns) {
    HttpApi.Answer answer = api.get(ns + "/endpoints/web");
    JsonNode subsets = answer.code() == 200 ? answer.json().path("subsets") : null;
    if (subsets == null || subsets.size() == 0) return Json.MAPPER.createArrayNode();
    return subsets.get(0).path("addresses");
  }
}
