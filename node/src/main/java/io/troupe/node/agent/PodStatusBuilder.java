package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pod's status as the kubelet reports it, from what its worker knows: phase, the conditions the kubelet owns
 * ({@code Initialized}, {@code ContainersReady}, {@code Ready}; others such as {@code PodScheduled} are kept),
 * container and init container statuses, IPs and start time. Pure: a condition keeps its
 * {@code lastTransitionTime} while its status does not change.
 */
final class PodStatusBuilder {
  private static final Set<String> OWNED_CONDITIONS = Set.of("Initialized", "ContainersReady", "Ready");

  /** What a pod worker knows beyond its containers. */
  record PodFacts(String podIp, String hostIp, String startTime, String restartPolicy, String podUid) {}

  private PodStatusBuilder() {}

  static String phase(List<ContainerRun> inits, List<ContainerRun> containers, String restartPolicy) {
    for (ContainerRun init : inits) {
      if (init.succeeded()) continue;
      if (init.terminated != null && "Never".equals(restartPolicy)) return "Failed";
      return "Pending";
    }
    int running = 0;
    int failed = 0;
    for (ContainerRun c : containers) {
      // as the kubelet's getPhase: a container still being created (waiting, never ended) keeps the pod Pending
      if (c.running != null || c.stopping) running++;
      else if (c.terminated != null) failed += c.succeeded() ? 0 : 1;
      else if (c.last == null) return "Pending";
      else running++; // waiting to restart
    }
    if (running > 0) return "Running";
    return failed > 0 ? "Failed" : "Succeeded";
  }

  static boolean initialized(List<ContainerRun> inits) {
    return inits.stream().allMatch(ContainerRun::succeeded);
  }

  static ObjectNode build(JsonNode previous, List<ContainerRun> inits, List<ContainerRun> containers,
      PodFacts facts, Instant now) {
    ObjectNode status = previous instanceof ObjectNode p ? p.deepCopy() : Json.object();
    String phase = phase(inits, containers, facts.restartPolicy());
    status.put("phase", phase);
    boolean initialized = initialized(inits);
    boolean containersReady = !containers.isEmpty() && containers.stream().allMatch(c -> c.ready);
    Map<String, String> wanted = new HashMap<>();
    wanted.put("Initialized", initialized ? "True" : "False");
    wanted.put("ContainersReady", containersReady ? "True" : "False");
    wanted.put("Ready", containersReady ? "True" : "False");
    status.set("conditions", conditions(previous == null ? null : previous.path("conditions"), wanted,
        initialized ? null : "ContainersNotInitialized", containersReady, timestamp(now)));
    if (facts.podIp() != null) {
      status.put("podIP", facts.podIp());
      status.putArray("podIPs").addObject().put("ip", facts.podIp());
    }
    if (facts.hostIp() != null) {
      status.put("hostIP", facts.hostIp());
      status.putArray("hostIPs").addObject().put("ip", facts.hostIp());
    }
    if (!status.hasNonNull("startTime")) status.put("startTime", facts.startTime());
    if (!inits.isEmpty()) status.set("initContainerStatuses", statuses(inits, !initialized, facts, false));
    status.set("containerStatuses", statuses(containers, !initialized, facts, true));
    status.put("qosClass", qosClass(inits, containers));
    return status;
  }

  private static ArrayNode conditions(JsonNode previous, Map<String, String> wanted, String notInitializedReason,
      boolean containersReady, String now) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    Map<String, JsonNode> before = new HashMap<>();
    if (previous != null) {
      for (JsonNode c : previous) {
        String type = c.path("type").asText();
        if (OWNED_CONDITIONS.contains(type)) before.put(type, c);
        else out.add(c);
      }
    }
    for (String type : List.of("Initialized", "Ready", "ContainersReady")) {
      ObjectNode c = out.addObject();
      c.put("type", type);
      String value = wanted.get(type);
      c.put("status", value);
      JsonNode old = before.get(type);
      boolean same = old != null && value.equals(old.path("status").asText());
      c.putNull("lastProbeTime");
      c.put("lastTransitionTime", same ? old.path("lastTransitionTime").asText(now) : now);
      if ("False".equals(value)) {
        if (type.equals("Initialized")) {
          c.put("reason", notInitializedReason);
        } else {
          c.put("reason", notInitializedReason != null ? notInitializedReason : "ContainersNotReady");
        }
      }
    }
    return out;
  }

  private static ArrayNode statuses(List<ContainerRun> runs, boolean initializing, PodFacts facts,
      boolean regular) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (ContainerRun c : runs) {
      ObjectNode s = out.addObject();
      s.put("name", c.name);
      s.put("image", c.image());
      s.put("imageID", "");
      if (c.attempts > 0) s.put("containerID", containerId(facts.podUid(), c.name, c.attempts - 1));
      s.put("ready", c.ready);
      s.put("restartCount", c.restartCount());
      if (regular) s.put("started", c.running != null && c.started);
      ObjectNode state = s.putObject("state");
      if (c.running != null) {
        state.putObject("running").put("startedAt", timestamp(c.running.startedAt()));
      } else if (c.waiting != null) {
        ObjectNode w = state.putObject("waiting").put("reason", c.waiting.reason());
        if (c.waiting.message() != null) w.put("message", c.waiting.message());
      } else if (c.terminated != null) {
        state.set("terminated", terminated(c.terminated, facts));
      } else {
        state.putObject("waiting").put("reason",
            regular && initializing ? "PodInitializing" : "ContainerCreating");
      }
      ObjectNode lastState = s.putObject("lastState");
      if (c.last != null) lastState.set("terminated", terminated(c.last, facts));
    }
    return out;
  }

  private static ObjectNode terminated(ContainerRun.Ended ended, PodFacts facts) {
    ObjectNode t = Json.object();
    t.put("exitCode", ended.exit().exitCode());
    t.put("reason", ended.exit().reason());
    if (ended.exit().message() != null) t.put("message", ended.exit().message());
    t.put("startedAt", timestamp(ended.startedAt()));
    t.put("finishedAt", timestamp(ended.exit().finishedAt()));
    return t;
  }

  static String containerId(String podUid, String name, int attempt) {
    return "troupe://" + podUid + "/" + name + "/" + attempt;
  }

  /** Guaranteed when every container sets equal cpu and memory limits and requests; BestEffort when none. */
  static String qosClass(List<ContainerRun> inits, List<ContainerRun> containers) {
    boolean any = false;
    boolean guaranteed = true;
    for (List<ContainerRun> list : List.of(inits, containers)) {
      for (ContainerRun c : list) {
        JsonNode requests = c.spec.path("resources").path("requests");
        JsonNode limits = c.spec.path("resources").path("limits");
        if (requests.size() > 0 || limits.size() > 0) any = true;
        for (String r : List.of("cpu", "memory")) {
          JsonNode limit = limits.get(r);
          JsonNode request = requests.get(r);
          if (limit == null || (request != null && !request.asText().equals(limit.asText()))) guaranteed = false;
        }
      }
    }
    if (!any) return "BestEffort";
    return guaranteed ? "Guaranteed" : "Burstable";
  }

  static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
