package io.troupe.cli.describe;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The kind-specific parts of describe for pods, deployments, replica sets, nodes and services. */
final class Workloads {
  private Workloads() {}

  static void pod(JsonNode o, Description d) {
    JsonNode spec = o.path("spec");
    JsonNode status = o.path("status");
    d.line(0, "Node", spec.path("nodeName").asText("<none>"));
    d.line(0, "Status", status.path("phase").asText("Pending"));
    d.line(0, "IP", status.path("podIP").asText(""));
    d.line(0, "Containers", "");
    for (JsonNode c : spec.path("containers")) {
      JsonNode cs = null;
      for (JsonNode s : status.path("containerStatuses")) {
        if (c.path("name").asText().equals(s.path("name").asText())) cs = s;
      }
      d.line(1, c.path("name").asText(), "");
      d.line(2, "Image", c.path("image").asText());
      if (c.has("command")) d.line(2, "Command", join(c.path("command")));
      if (cs != null) {
        JsonNode state = cs.path("state");
        String name = state.fieldNames().hasNext() ? state.fieldNames().next() : "waiting";
        d.line(2, "State", Description.capitalize(name));
        JsonNode detail = state.path(name);
        if (detail.has("reason")) d.line(3, "Reason", detail.path("reason").asText());
        if (detail.has("startedAt")) d.line(3, "Started", detail.path("startedAt").asText());
        if (detail.has("exitCode")) d.line(3, "Exit Code", detail.path("exitCode").asText());
        d.line(2, "Ready", Boolean.toString(cs.path("ready").asBoolean(false)));
        d.line(2, "Restart Count", cs.path("restartCount").asText("0"));
      }
    }
    conditions(o, d);
  }

  static void deployment(JsonNode o, Description d) {
    JsonNode spec = o.path("spec");
    JsonNode status = o.path("status");
    d.line(0, "Selector", io.troupe.cli.describe.Workloads.selector(spec.path("selector")));
    d.line(0, "Replicas", spec.path("replicas").asLong(1) + " desired | " + status.path("updatedReplicas").asLong()
        + " updated | " + status.path("replicas").asLong() + " total | " + status.path("availableReplicas").asLong()
        + " available | " + status.path("unavailableReplicas").asLong() + " unavailable");
    d.line(0, "StrategyType", spec.path("strategy").path("type").asText("RollingUpdate"));
    d.line(0, "MinReadySeconds", spec.path("minReadySeconds").asText("0"));
    template(spec.path("template"), d);
    conditions(o, d);
  }

  static void replicaSet(JsonNode o, Description d) {
    JsonNode spec = o.path("spec");
    JsonNode status = o.path("status");
    d.line(0, "Selector", selector(spec.path("selector")));
    d.line(0, "Replicas", status.path("replicas").asLong() + " current / " + spec.path("replicas").asLong(1)
        + " desired");
    template(spec.path("template"), d);
  }

  static void node(JsonNode o, Description d) {
    d.line(0, "Unschedulable", Boolean.toString(o.path("spec").path("unschedulable").asBoolean(false)));
    List<String> taints = new ArrayList<>();
    for (JsonNode t : o.path("spec").path("taints")) {
      taints.add(t.path("key").asText() + (t.has("value") ? "=" + t.path("value").asText() : "") + ":"
          + t.path("effect").asText());
    }
    d.line(0, "Taints", taints.isEmpty() ? "<none>" : String.join(", ", taints));
    conditions(o, d);
    d.line(0, "Addresses", "");
    for (JsonNode a : o.path("status").path("addresses")) d.line(1, a.path("type").asText(), a.path("address").asText());
  }

  static void service(JsonNode o, Description d) {
    JsonNode spec = o.path("spec");
    d.line(0, "Selector", selector(spec.path("selector")));
    d.line(0, "Type", spec.path("type").asText("ClusterIP"));
    d.line(0, "IP", spec.path("clusterIP").asText("<none>"));
    for (JsonNode p : spec.path("ports")) {
      String name = p.path("name").asText("<unset>");
      d.line(0, "Port", name + "  " + p.path("port").asText() + "/" + p.path("protocol").asText("TCP"));
      d.line(0, "TargetPort", p.path("targetPort").asText(p.path("port").asText()) + "/"
          + p.path("protocol").asText("TCP"));
      if (p.has("nodePort")) d.line(0, "NodePort", name + "  " + p.path("nodePort").asText() + "/"
          + p.path("protocol").asText("TCP"));
    }
  }

  private static void template(JsonNode template, Description d) {
    d.line(0, "Pod Template", "");
    List<String> labels = new ArrayList<>();
    template.path("metadata").path("labels").fields()
        .forEachRemaining(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
    d.line(1, "Labels", labels.isEmpty() ? "<none>" : String.join(",", labels));
    d.line(1, "Containers", "");
    for (JsonNode c : template.path("spec").path("containers")) {
      d.line(2, c.path("name").asText(), "");
      d.line(3, "Image", c.path("image").asText());
    }
  }

  private static void conditions(JsonNode o, Description d) {
    JsonNode conditions = o.path("status").path("conditions");
    if (conditions.isEmpty()) return;
    d.line(0, "Conditions", "");
    d.line(1, "Type", "Status  Reason");
    for (JsonNode c : conditions) {
      d.line(1, c.path("type").asText(), c.path("status").asText() + "    " + c.path("reason").asText(""));
    }
  }

  static String selector(JsonNode selector) {
    List<String> parts = new ArrayList<>();
    JsonNode labels = selector.has("matchLabels") ? selector.path("matchLabels") : selector;
    labels.fields().forEachRemaining(e -> {
      if (e.getValue().isValueNode()) parts.add(e.getKey() + "=" + e.getValue().asText());
    });
    return parts.isEmpty() ? "<none>" : String.join(",", parts);
  }

  private static String join(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(a -> out.add(a.asText()));
    return String.join(" ", out);
  }
}
