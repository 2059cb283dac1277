package io.troupe.control.api;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.controller.TestNodeAgent;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Binds in flight are bounded ({@code troupe.scheduler.max-binds-in-flight}, here 2) and the scheduler's view stays
 * consistent while binds are pending: a burst of pods fills two nodes of 4 cpu exactly, no node is given more than
 * its capacity, every pod is bound at most once (one Scheduled event each), the rest say why they fit nowhere, and a
 * node heartbeat (a status write that changes nothing the scheduler places by) leaves them unschedulable.
 */
class SchedulerBindPipelineTest {
  static ControlPlane plane;
  static HttpApi api;
  static TestNodeAgent agent;

  @BeforeAll
  static void start() throws Exception {
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true,
        "troupe.scheduler.max-binds-in-flight", 2));
    api = new HttpApi(TestControlPlane.url(plane));
    agent = TestNodeAgent.start(plane.system(), plane.store(), Map.of("pipe-a", "zone-a", "pipe-b", "zone-b"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) agent.close();
    plane.close();
  }

  @Test
  void aBurstOfPodsFillsTheNodesExactlyWithEachPodBoundOnce() {
    int pods = 14;
    for (int i = 0; i < pods; i++) {
      ObjectNode pod = HttpApi.pod("burst-" + i);
      ObjectNode container = (ObjectNode) pod.path("spec").path("containers").get(0);
      container.putObject("resources").putObject("requests").put("cpu", "1");
      assertEquals(201, api.post("/api/v1/namespaces/default/pods", pod).code());
    }
    awaitUntil(Duration.ofSeconds(60), () -> {
      Map<String, Integer> state = state();
      return state.getOrDefault("pipe-a", 0) + state.getOrDefault("pipe-b", 0) == 8
          && state.getOrDefault("unschedulable", 0) == 6;
    }, () -> "pods by node: " + state());
    assertEquals(Map.of("pipe-a", 4, "pipe-b", 4, "unschedulable", 6), state());

    Map<String, Integer> scheduledEvents = new TreeMap<>();
    awaitUntil(Duration.ofSeconds(20), () -> {
      scheduledEvents.clear();
      for (JsonNode e : api.get("/api/v1/namespaces/default/events").json().path("items")) {
        if (e.path("reason").asText().equals("Scheduled")) {
          scheduledEvents.merge(e.path("involvedObject").path("name").asText(), e.path("count").asInt(1),
              Integer::sum);
        }
      }
      return scheduledEvents.size() == 8;
    }, () -> "Scheduled events: " + scheduledEvents);
    scheduledEvents.forEach((pod, count) -> assertEquals(1, count, pod + " scheduled " + count + " times"));

    // heartbeats of both nodes (the test agent writes one a second): still full, the 6 stay unschedulable and
    // nothing is bound over capacity
    String before = resourceVersion("pipe-a") + "/" + resourceVersion("pipe-b");
    awaitUntil(Duration.ofSeconds(20), () -> !resourceVersion("pipe-a").equals(before.split("/")[0])
        && !resourceVersion("pipe-b").equals(before.split("/")[1]), () -> "no heartbeat since " + before);
    assertEquals(Map.of("pipe-a", 4, "pipe-b", 4, "unschedulable", 6), state());
  }

  private static String resourceVersion(String node) {
    return api.get("/api/v1/nodes/" + node).json().path("metadata").path("resourceVersion").asText();
  }

  /** How many pods each node has, and how many are reported unschedulable for lack of cpu. */
  private static Map<String, Integer> state() {
    Map<String, Integer> byNode = new HashMap<>();
    for (JsonNode pod : api.get("/api/v1/namespaces/default/pods").json().path("items")) {
      if (!pod.path("metadata").path("name").asText().startsWith("burst-")) continue;
      String node = pod.path("spec").path("nodeName").asText("");
      if (!node.isEmpty()) {
        byNode.merge(node, 1, Integer::sum);
        continue;
      }
      for (JsonNode c : pod.path("status").path("conditions")) {
        if (c.path("type").asText().equals("PodScheduled") && c.path("message").asText().contains("Insufficient cpu")) {
          byNode.merge("unschedulable", 1, Integer::sum);
        }
      }
    }
    return new LinkedHashMap<>(byNode);
  }
}
