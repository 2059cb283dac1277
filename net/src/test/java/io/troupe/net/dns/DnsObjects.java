package io.troupe.net.dns;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.List;

/** Services, Endpoints and Pods as the API would hold them, for the DNS tests. */
final class DnsObjects {
  private DnsObjects() {}

  /** A port: {@code name:port/PROTOCOL}, name optional ({@code 80/TCP}). */
  record Port(String name, int port, String protocol) {
    static Port of(String text) {
      int colon = text.indexOf(':');
      int slash = text.indexOf('/');
      String name = colon < 0 ? "" : text.substring(0, colon);
      int port = Integer.parseInt(text.substring(colon + 1, slash < 0 ? text.length() : slash));
      return new Port(name, port, slash < 0 ? "TCP" : text.substring(slash + 1));
    }
  }

  /** A Service; clusterIP {@code None} for a headless one. */
  static KubeObject service(String namespace, String name, String clusterIp, String... ports) {
    ObjectNode spec = Json.object();
    spec.put("clusterIP", clusterIp);
    if (!"None".equals(clusterIp)) spec.putArray("clusterIPs").add(clusterIp);
    spec.put("type", "ClusterIP");
    ports(spec.putArray("ports"), ports);
    ObjectNode body = Json.object();
    body.set("spec", spec);
    return new KubeObject("v1", "Service", ObjectMeta.named(namespace, name), body);
  }

  static KubeObject externalName(String namespace, String name, String target) {
    ObjectNode body = Json.object();
    body.putObject("spec").put("type", "ExternalName").put("externalName", target);
    return new KubeObject("v1", "Service", ObjectMeta.named(namespace, name), body);
  }

  /** Endpoints with one subset: ready addresses, not-ready ones (each {@code ip} or {@code ip=pod}), ports. */
  static KubeObject endpoints(String namespace, String name, List<String> ready, List<String> notReady,
      String... ports) {
    ObjectNode subset = Json.object();
    addresses(subset.putArray("addresses"), namespace, ready);
    addresses(subset.putArray("notReadyAddresses"), namespace, notReady);
    ports(subset.putArray("ports"), ports);
    ObjectNode body = Json.object();
    body.putArray("subsets").add(subset);
    return new KubeObject("v1", "Endpoints", ObjectMeta.named(namespace, name), body);
  }

  static KubeObject pod(String namespace, String name, String ip, String hostname, String subdomain) {
    ObjectNode body = Json.object();
    ObjectNode spec = body.putObject("spec");
    spec.putArray("containers").addObject().put("name", "main").put("image", "host");
    if (hostname != null) spec.put("hostname", hostname);
    if (subdomain != null) spec.put("subdomain", subdomain);
    if (ip != null) body.putObject("status").put("podIP", ip);
    return new KubeObject("v1", "Pod", ObjectMeta.named(namespace, name), body);
  }

  private static void addresses(ArrayNode out, String namespace, List<String> addresses) {
    for (String a : addresses) {
      String[] parts = a.split("=", 2);
      ObjectNode address = out.addObject().put("ip", parts[0]);
      if (parts.length == 2) {
        address.putObject("targetRef").put("kind", "Pod").put("namespace", namespace).put("name", parts[1]);
      }
    }
  }

  private static void ports(ArrayNode out, String... ports) {
    for (String text : ports) {
      Port p = Port.of(text);
      ObjectNode port = out.addObject();
      if (!p.name().isEmpty()) port.put("name", p.name());
      port.put("port", p.port()).put("protocol", p.protocol());
    }
  }
}
