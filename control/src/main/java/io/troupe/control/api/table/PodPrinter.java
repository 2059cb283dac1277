package io.troupe.control.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/** Pods as kubectl prints them: NAME READY STATUS RESTARTS AGE, and IP NODE NOMINATED NODE READINESS GATES. */
final class PodPrinter {
  private PodPrinter() {}

  static final Printer PRINTER = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Ready", "The aggregate readiness state of this pod for accepting traffic."),
      Column.of("Status", "The aggregate status of the containers in this pod."),
      Column.of("Restarts", "The number of times the containers in this pod have been restarted and when the "
          + "last container in this pod has restarted."),
      Column.ageColumn(),
      Column.wide("IP", "IP address allocated to the pod. Routable at least within the cluster."),
      Column.wide("Node", "NodeName is a request to schedule this pod onto a specific node."),
      Column.wide("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node."),
      Column.wide("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.")),
      PodPrinter::cells);

  static List<Object> cells(JsonNode pod, Instant now) {
    JsonNode spec = pod.path("spec");
    JsonNode status = pod.path("status");
    Summary s = summary(pod, now);
    return List.of(Printer.name(pod), s.ready() + "/" + s.total(), s.status(), s.restarts(), Printer.age(pod, now),
        Printer.none(status.path("podIP")), Printer.none(spec.path("nodeName")),
        Printer.none(status.path("nominatedNodeName")), readinessGates(pod));
  }

  /** READY's parts, STATUS and RESTARTS, computed as kubectl's printPod does. */
  record Summary(int ready, int total, String status, String restarts) {}

  static Summary summary(JsonNode pod, Instant now) {
    JsonNode spec = pod.path("spec");
    JsonNode status = pod.path("status");
    int total = spec.path("containers").size();
    int ready = 0;
    long restarts = 0;
    Instant lastRestart = null;
    String reason = Printer.text(status.path("phase"), "Pending");
    if (!status.path("reason").asText().isEmpty()) reason = status.path("reason").asText();
    for (JsonNode c : Printer.items(status.path("conditions"))) {
      if ("PodScheduled".equals(c.path("type").asText()) && "SchedulingGated".equals(c.path("reason").asText())) {
        reason = "SchedulingGated";
      }
    }

    List<JsonNode> inits = Printer.items(status.path("initContainerStatuses"));
    int initCount = spec.path("initContainers").size();
    boolean initializing = false;
    for (int i = 0; i < inits.size(); i++) {
      JsonNode c = inits.get(i);
      restarts += c.path("restartCount").asLong();
      lastRestart = later(lastRestart, c.path("lastState").path("terminated").path("finishedAt").asText(null));
      JsonNode terminated = c.path("state").path("terminated");
      JsonNode waiting = c.path("state").path("waiting");
      if (!terminated.isMissingNode() && terminated.path("exitCode").asInt() == 0) continue;
      if (c.path("started").asBoolean(false) && isRestartable(spec, c.path("name").asText())) continue;
      if (!terminated.isMissingNode()) {
        String r = terminated.path("reason").asText();
        if (r.isEmpty()) {
          int signal = terminated.path("signal").asInt();
          r = signal != 0 ? "Signal:" + signal : "ExitCode:" + terminated.path("exitCode").asInt();
        }
        reason = "Init:" + r;
      } else if (!waiting.isMissingNode() && !waiting.path("reason").asText().isEmpty()
          && !waiting.path("reason").asText().equals("PodInitializing")) {
        reason = "Init:" + waiting.path("reason").asText();
      } else {
        reason = "Init:" + i + "/" + initCount;
      }
      initializing = true;
      break;
    }

    if (!initializing || conditionTrue(status, "Initialized")) {
      restarts = 0;
      boolean hasRunning = false;
      List<JsonNode> containers = Printer.items(status.path("containerStatuses"));
      for (int i = containers.size() - 1; i >= 0; i--) {
        JsonNode c = containers.get(i);
        restarts += c.path("restartCount").asLong();
        lastRestart = later(lastRestart, c.path("lastState").path("terminated").path("finishedAt").asText(null));
        JsonNode waiting = c.path("state").path("waiting");
        JsonNode terminated = c.path("state").path("terminated");
        if (!waiting.path("reason").asText().isEmpty()) {
          reason = waiting.path("reason").asText();
        } else if (!terminated.path("reason").asText().isEmpty()) {
          reason = terminated.path("reason").asText();
        } else if (!terminated.isMissingNode()) {
          int signal = terminated.path("signal").asInt();
          reason = signal != 0 ? "Signal:" + signal : "ExitCode:" + terminated.path("exitCode").asInt();
        } else if (c.path("ready").asBoolean(false) && c.path("state").has("running")) {
          hasRunning = true;
          ready++;
        }
      }
      if (reason.equals("Completed") && hasRunning) {
        reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
      }
    }

    if (!pod.path("metadata").path("deletionTimestamp").asText().isEmpty()) {
      reason = "NodeLost".equals(status.path("reason").asText()) ? "Unknown" : "Terminating";
    }
    String restartText = Long.toString(restarts);
    if (lastRestart != null && restarts > 0) {
      restartText += " (" + Age.human(java.time.Duration.between(lastRestart, now)) + " ago)";
    }
    return new Summary(ready, total, reason, restartText);
  }

  private static boolean isRestartable(JsonNode spec, String name) {
    for (JsonNode c : Printer.items(spec.path("initContainers"))) {
      if (name.equals(c.path("name").asText())) return "Always".equals(c.path("restartPolicy").asText());
    }
    return false;
  }

  private static boolean conditionTrue(JsonNode status, String type) {
    for (JsonNode c : Printer.items(status.path("conditions"))) {
      if (type.equals(c.path("type").asText())) return "True".equals(c.path("status").asText());
    }
    return false;
  }

  private static Instant later(Instant current, String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) return current;
    try {
      Instant t = Instant.parse(timestamp);
      return current == null || t.isAfter(current) ? t : current;
    } catch (java.time.format.DateTimeParseException e) {
      return current;
    }
  }

  private static String readinessGates(JsonNode pod) {
    List<JsonNode> gates = Printer.items(pod.path("spec").path("readinessGates"));
    if (gates.isEmpty()) return "<none>";
    int ok = 0;
    for (JsonNode g : gates) {
      if (conditionTrue(pod.path("status"), g.path("conditionType").asText())) ok++;
    }
    return ok + "/" + gates.size();
  }
}
