package io.troupe.node.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.RunningContainer;
import io.troupe.persistence.model.Json;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The pod phase and conditions from what a worker knows of its containers, as the kubelet computes them. */
class PodStatusBuilderTest {
  static final Instant T = Instant.parse("2026-12-04T10:00:00Z");

  static ContainerRun fresh(String name, boolean init) {
    return new ContainerRun(name, init, Json.object().put("name", name).put("image", "host"));
  }

  static ContainerRun running(String name) {
    ContainerRun c = fresh(name, false);
    c.attempts = 1;
    c.running = new RunningContainer("uid", name, 0, 1, T, false, new CompletableFuture<>());
    c.started = true;
    c.ready = true;
    return c;
  }

  static ContainerRun ended(String name, boolean init, int code) {
    ContainerRun c = fresh(name, init);
    c.attempts = 1;
    c.terminated = new ContainerRun.Ended(0, ContainerExit.of(code, T), T);
    return c;
  }

  static ContainerRun restarting(String name) {
    ContainerRun c = fresh(name, false);
    c.attempts = 1;
    c.last = new ContainerRun.Ended(0, ContainerExit.of(1, T), T);
    c.waiting = new ContainerRun.Waiting("CrashLoopBackOff", "back-off");
    return c;
  }

  @Test
  void phases() {
    assertEquals("Pending", PodStatusBuilder.phase(List.of(), List.of(fresh("a", false)), "Always"));
    ContainerRun creating = fresh("a", false);
    creating.starting = true; // its process may exist already, but it has not started yet
    assertEquals("Pending", PodStatusBuilder.phase(List.of(), List.of(creating), "Always"));
    assertEquals("Pending", PodStatusBuilder.phase(List.of(fresh("i", true)), List.of(fresh("a", false)), "Always"));
    assertEquals("Failed", PodStatusBuilder.phase(List.of(ended("i", true, 1)), List.of(fresh("a", false)), "Never"));
    assertEquals("Running", PodStatusBuilder.phase(List.of(ended("i", true, 0)), List.of(running("a")), "Always"));
    assertEquals("Running", PodStatusBuilder.phase(List.of(), List.of(restarting("a")), "Always"));
    assertEquals("Pending", PodStatusBuilder.phase(List.of(), List.of(running("a"), fresh("b", false)), "Always"));
    assertEquals("Succeeded", PodStatusBuilder.phase(List.of(), List.of(ended("a", false, 0)), "Never"));
    assertEquals("Failed", PodStatusBuilder.phase(List.of(), List.of(ended("a", false, 0), ended("b", false, 2)),
        "Never"));
    assertEquals("Running", PodStatusBuilder.phase(List.of(), List.of(running("a"), ended("b", false, 0)), "Never"));
  }

  @Test
  void conditionsKeepTheirTransitionTimeWhileUnchanged() {
    var facts = new PodStatusBuilder.PodFacts("127.1.0.2", "127.0.0.1", "2026-12-04T09:00:00Z", "Always", "uid");
    var first = PodStatusBuilder.build(null, List.of(), List.of(running("a")), facts, T);
    var again = PodStatusBuilder.build(first, List.of(), List.of(running("a")), facts, T.plusSeconds(60));
    assertEquals(first, again);
    ContainerRun notReady = running("a");
    notReady.ready = false;
    var changed = PodStatusBuilder.build(again, List.of(), List.of(notReady), facts, T.plusSeconds(90));
    for (var c : changed.path("conditions")) {
      if (c.path("type").asText().equals("Ready")) {
        assertEquals("False", c.path("status").asText());
        assertEquals("2026-12-04T10:01:30Z", c.path("lastTransitionTime").asText());
      }
    }
    assertEquals("127.1.0.2", changed.path("podIP").asText());
    assertEquals("BestEffort", changed.path("qosClass").asText());
  }

  @Test
  void aPodScheduledConditionIsKept() {
    var previous = Json.object();
    previous.putArray("conditions").addObject().put("type", "PodScheduled").put("status", "True");
    var facts = new PodStatusBuilder.PodFacts("127.1.0.2", "127.0.0.1", "2026-12-04T09:00:00Z", "Always", "uid");
    var status = PodStatusBuilder.build(previous, List.of(), List.of(running("a")), facts, T);
    assertEquals("PodScheduled", status.path("conditions").get(0).path("type").asText());
    assertEquals(4, status.path("conditions").size());
  }
}
