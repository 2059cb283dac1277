package io.troupe.control.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** Nodes, Services, Endpoints, Namespaces, Events, Ingresses, ConfigMaps and Secrets as kubectl prints them. */
final class CorePrinters {
  private CorePrinters() {}

  static final Printer NODE = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Status", "The status of the node"),
      Column.of("Roles", "The roles of the node"),
      Column.ageColumn(),
      Column.of("Version", "Kubelet Version reported by the node."),
      Column.wide("Internal-IP", "List of addresses reachable to the node. Queried from cloud provider, if available."),
      Column.wide("External-IP", "List of addresses reachable to the node. Queried from cloud provider, if available."),
      Column.wide("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
      Column.wide("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
      Column.wide("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API "
          + "(e.g. containerd://1.4.2).")),
      (o, now) -> {
        JsonNode info = o.path("status").path("nodeInfo");
        return List.of(Printer.name(o), nodeStatus(o), roles(o), Printer.age(o, now),
            Printer.text(info.path("kubeletVersion"), ""), address(o, "InternalIP"), address(o, "ExternalIP"),
            Printer.text(info.path("osImage"), "<unknown>"), Printer.text(info.path("kernelVersion"), "<unknown>"),
            Printer.text(info.path("containerRuntimeVersion"), "<unknown>"));
      });

  private static String nodeStatus(JsonNode node) {
    String ready = "Unknown";
    for (JsonNode c : Printer.items(node.path("status").path("conditions"))) {
      if ("Ready".equals(c.path("type").asText())) {
        String s = c.path("status").asText();
        ready = s.equals("True") ? "Ready" : s.equals("False") ? "NotReady" : "Unknown";
      }
    }
    return node.path("spec").path("unschedulable").asBoolean(false) ? ready + ",SchedulingDisabled" : ready;
  }

  private static String roles(JsonNode node) {
    TreeSet<String> roles = new TreeSet<>();
    for (Map.Entry<String, String> label : Printer.strings(node.path("metadata").path("labels")).entrySet()) {
      if (label.getKey().startsWith("node-role.kubernetes.io/")) {
        String role = label.getKey().substring("node-role.kubernetes.io/".length());
        if (!role.isEmpty()) roles.add(role);
      } else if (label.getKey().equals("kubernetes.io/role") && !label.getValue().isEmpty()) {
        roles.add(label.getValue());
      }
    }
    return roles.isEmpty() ? "<none>" : String.join(",", roles);
  }

  private static String address(JsonNode node, String type) {
    for (JsonNode a : Printer.items(node.path("status").path("addresses"))) {
      if (type.equals(a.path("type").asText())) return a.path("address").asText();
    }
    return "<none>";
  }

  static final Printer SERVICE = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Type", "type determines how the Service is exposed."),
      Column.of("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
      Column.of("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also "
          + "accept traffic for this service."),
      Column.of("Port(s)", "The list of ports that are exposed by this service."),
      Column.ageColumn(),
      Column.wide("Selector", "Route service traffic to pods with label keys and values matching this selector.")),
      (o, now) -> {
        JsonNode spec = o.path("spec");
        String type = Printer.text(spec.path("type"), "ClusterIP");
        return List.of(Printer.name(o), type, Printer.none(spec.path("clusterIP")), externalIp(o, type),
            ports(spec), Printer.age(o, now), Printer.selector(spec.path("selector")));
      });

  private static String externalIp(JsonNode svc, String type) {
    List<String> ips = new ArrayList<>();
    Printer.items(svc.path("spec").path("externalIPs")).forEach(ip -> ips.add(ip.asText()));
    switch (type) {
      case "ExternalName":
        return Printer.none(svc.path("spec").path("externalName"));
      case "LoadBalancer":
        for (JsonNode in : Printer.items(svc.path("status").path("loadBalancer").path("ingress"))) {
          ips.add(in.has("ip") ? in.path("ip").asText() : in.path("hostname").asText());
        }
        return ips.isEmpty() ? "<pending>" : String.join(",", ips);
      default:
        return ips.isEmpty() ? "<none>" : String.join(",", ips);
    }
  }

  private static String ports(JsonNode spec) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : Printer.items(spec.path("ports"))) {
      String protocol = Printer.text(p.path("protocol"), "TCP");
      out.add(p.path("port").asInt() + (p.path("nodePort").asInt() > 0 ? ":" + p.path("nodePort").asInt() : "")
          + "/" + protocol);
    }
    return out.isEmpty() ? "<none>" : String.join(",", out);
  }

  static final Printer ENDPOINTS = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Endpoints", "Endpoints of the service"),
      Column.ageColumn()),
      (o, now) -> List.of(Printer.name(o), endpoints(o), Printer.age(o, now)));

  private static String endpoints(JsonNode ep) {
    List<String> all = new ArrayList<>();
    for (JsonNode subset : Printer.items(ep.path("subsets"))) {
      List<JsonNode> ports = Printer.items(subset.path("ports"));
      for (JsonNode a : Printer.items(subset.path("addresses"))) {
        if (ports.isEmpty()) all.add(a.path("ip").asText());
        for (JsonNode p : ports) all.add(a.path("ip").asText() + ":" + p.path("port").asInt());
      }
    }
    if (all.isEmpty()) return "<none>";
    if (all.size() <= 3) return String.join(",", all);
    return String.join(",", all.subList(0, 3)) + " + " + (all.size() - 3) + " more...";
  }

  static final Printer NAMESPACE = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Status", "The status of the namespace"),
      Column.ageColumn()),
      (o, now) -> List.of(Printer.name(o), Printer.text(o.path("status").path("phase"), "Active"),
          Printer.age(o, now)));

  static final Printer EVENT = new Printer(List.of(
      Column.of("Last Seen", "Time when last event from this source was observed."),
      Column.of("Type", "Type of this event (Normal, Warning), new types could be added in the future."),
      Column.of("Reason", "This should be a short, machine understandable string that gives the reason for "
          + "this event being generated."),
      Column.of("Object", "The object that this event is about."),
      Column.wide("Subobject", "The subobject that this event is about."),
      Column.wide("Source", "The component reporting this event."),
      Column.of("Message", "A human-readable description of the status of this operation."),
      Column.wide("First Seen", "Time when this event was first observed."),
      Column.wide("Count", "The number of times this event has occurred."),
      new Column("Name", "string", "name", "Name must be unique within a namespace.", 1)),
      (o, now) -> {
        JsonNode involved = o.path("involvedObject");
        String last = Printer.text(o.path("lastTimestamp"), Printer.text(o.path("eventTime"),
            o.path("metadata").path("creationTimestamp").asText("")));
        String first = Printer.text(o.path("firstTimestamp"), Printer.text(o.path("eventTime"), ""));
        JsonNode source = o.path("source");
        String sourceText = Printer.text(source.path("component"), Printer.text(o.path("reportingComponent"), ""))
            + (source.path("host").asText().isEmpty() ? "" : ", " + source.path("host").asText());
        return List.of(Age.since(last, now), o.path("type").asText(), o.path("reason").asText(),
            involved.path("kind").asText().toLowerCase(Locale.ROOT) + "/" + involved.path("name").asText(),
            involved.path("fieldPath").asText(), sourceText, o.path("message").asText().strip(),
            Age.since(first, now), Math.max(1, o.path("count").asLong(1)), Printer.name(o));
      });

  static final Printer INGRESS = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Class", "The name of the IngressClass resource that should be used for this ingress."),
      Column.of("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
      Column.of("Address", "Address is a list containing ingress points for the load-balancer"),
      Column.of("Ports", "Ports of TLS configurations that open"),
      Column.ageColumn()),
      (o, now) -> {
        JsonNode spec = o.path("spec");
        List<String> hosts = new ArrayList<>();
        for (JsonNode rule : Printer.items(spec.path("rules"))) {
          if (!rule.path("host").asText().isEmpty()) hosts.add(rule.path("host").asText());
        }
        List<String> addresses = new ArrayList<>();
        for (JsonNode in : Printer.items(o.path("status").path("loadBalancer").path("ingress"))) {
          addresses.add(in.has("ip") ? in.path("ip").asText() : in.path("hostname").asText());
        }
        String ports = spec.path("tls").size() > 0 ? "80, 443" : "80";
        return List.of(Printer.name(o), Printer.none(spec.path("ingressClassName")),
            hosts.isEmpty() ? "*" : String.join(",", hosts), String.join(",", addresses), ports,
            Printer.age(o, now));
      });

  static final Printer CONFIG_MAP = new Printer(List.of(
      Column.nameColumn(),
      Column.integer("Data", "Number of data in configmap"),
      Column.ageColumn()),
      (o, now) -> List.of(Printer.name(o), o.path("data").size() + o.path("binaryData").size(),
          Printer.age(o, now)));

  static final Printer RUNTIME_CLASS = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Handler", "handler specifies the underlying runtime and configuration that the CRI "
          + "implementation will use to handle pods of this class."),
      Column.ageColumn()),
      (o, now) -> List.of(Printer.name(o), o.path("handler").asText(""), Printer.age(o, now)));

  static final Printer LEASE = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Holder", "The holder of the lease"),
      Column.ageColumn()),
      (o, now) -> List.of(Printer.name(o), o.path("spec").path("holderIdentity").asText(""), Printer.age(o, now)));

  static final Printer SECRET = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Type", "The type of the secret"),
      Column.integer("Data", "The number of entries in the secret"),
      Column.ageColumn()),
      (o, now) -> List.of(Printer.name(o), Printer.text(o.path("type"), "Opaque"), o.path("data").size(),
          Printer.age(o, now)));

  static final Printer SERVICE_ACCOUNT = new Printer(List.of(
      Column.nameColumn(),
      Column.integer("Secrets", "The number of secrets of the service account"),
      Column.ageColumn()),
      (o, now) -> List.of(Printer.name(o), o.path("secrets").size(), Printer.age(o, now)));
}
