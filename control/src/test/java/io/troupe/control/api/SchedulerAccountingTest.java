package io.troupe.control.api;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.controller.TestNodeAgent;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scheduler counts the pods already on a node (here bound before the node registered) and reports, on the
 * pod and as an Event, why a pod fits nowhere.
 */
class SchedulerAccountingTest {
  static ControlPlane plane;
  static HttpApi api;
  static TestNodeAgent agent;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true));
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) agent.close();
    plane.close();
  }

  static ObjectNode pod(String name, String cpu, String nodeName) {
    ObjectNode pod = HttpApi.pod(name);
    ObjectNode container = (ObjectNode) pod.path("spec").path("containers").get(0);
    container.putObject("resources").putObject("requests").put("cpu", cpu);
    if (nodeName != null) ((ObjectNode) pod.path("spec")).put("nodeName", nodeName);
    return pod;
  }

  @Test
  void aPodThatFitsNowhereSaysWhyOnItsConditionAndInAnEvent() throws Exception {
    // 4 cpu already taken on node "late" (capacity 4) before the node registers
    for (int i = 0; i < 4; i++) {
      assertEquals(201, api.post("/api/v1/namespaces/default/pods", pod("early-" + i, "1", "late")).code());
    }
    agent = TestNodeAgent.start(plane.system(), plane.store(), Map.of("late", "zone-a"));
    assertEquals(201, api.post("/api/v1/namespaces/default/pods", pod("one-more", "1", null)).code());
    awaitUntil(Duration.ofSeconds(20), () -> message("one-more") != null,
        () -> "not reported unschedulable: " + api.get("/api/v1/namespaces/default/pods/one-more").body());
    assertEquals("0/1 nodes are available: 1 Insufficient cpu.", message("one-more"));
    // the event is written after the condition
    String events = "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Done-more";
    awaitUntil(Duration.ofSeconds(20), () -> api.get(events).json().path("items").size() > 0, () -> "an event");
    assertEquals("FailedScheduling", api.get(events).json().path("items").get(0).path("reason").asText());
  }

  private static String message(String pod) {
    for (JsonNode c : api.get("/api/v1/namespaces/default/pods/" + pod).json().path("status").path("conditions")) {
      if (c.path("type").asText().equals("PodScheduled") && c.path("status").asText().equals("False")) {
        return c.path("message").asText();
      }
    }
    return null;
  }
}
