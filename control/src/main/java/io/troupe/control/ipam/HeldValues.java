package io.troupe.control.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What a Service holds of each range, read from the object: what deleting it frees and what the repair counts. */
public final class HeldValues {
  private HeldValues() {}

  public static String type(JsonNode spec) {
    String type = spec == null ? "" : spec.path("type").asText("");
    return type.isEmpty() ? "ClusterIP" : type;
  }

  /** Its ClusterIPs: none for ExternalName and headless Services. */
  public static List<String> clusterIps(KubeObject service) {
    JsonNode spec = service.spec();
    if (spec == null || "ExternalName".equals(type(spec))) return List.of();
    Set<String> ips = new LinkedHashSet<>();
    for (JsonNode ip : spec.path("clusterIPs")) if (ip.isTextual()) ips.add(ip.textValue());
    String ip = spec.path("clusterIP").asText("");
    if (!ip.isEmpty()) ips.add(ip);
    ips.remove("None");
    ips.remove("");
    return List.copyOf(ips);
  }

  /** Its nodePorts and healthCheckNodePort, each once (UDP and TCP of one port share one). */
  public static List<String> nodePorts(KubeObject service) {
    JsonNode spec = service.spec();
    if (spec == null) return List.of();
    Set<String> ports = new LinkedHashSet<>();
    for (JsonNode port : spec.path("ports")) {
      int nodePort = port.path("nodePort").asInt(0);
      if (nodePort > 0) ports.add(Integer.toString(nodePort));
    }
    int health = spec.path("healthCheckNodePort").asInt(0);
    if (health > 0) ports.add(Integer.toString(health));
    return List.copyOf(ports);
  }

  /** The addresses in its {@code status.loadBalancer.ingress}. */
  public static List<String> loadBalancerIps(KubeObject service) {
    JsonNode status = service.status();
    if (status == null) return List.of();
    List<String> ips = new ArrayList<>();
    for (JsonNode ingress : status.path("loadBalancer").path("ingress")) {
      String ip = ingress.path("ip").asText("");
      if (!ip.isEmpty()) ips.add(ip);
    }
    return List.copyOf(ips);
  }
}
