package io.troupe.control.api.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ipam.HeldValues;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What Kubernetes' Service strategy does to an update before validating it: fields of the old type that the new
 * type has no use for are dropped when the client left them as they were ({@code dropTypeDependentFields}: a patch
 * that only turns a NodePort Service into a ClusterIP one loses its nodePorts), and values the server allocated are
 * kept when the client left them out ({@code patchAllocatedValues}: re-applying the YAML a Service was created from
 * keeps its ClusterIP and nodePorts). Pure: both trees are whole objects.
 */
final class ServiceFields {
  private ServiceFields() {}

  static void prepareForUpdate(ObjectNode updated, ObjectNode old) {
    if (!(updated.get("spec") instanceof ObjectNode spec) || !(old.get("spec") instanceof ObjectNode before)) return;
    dropTypeDependentFields(spec, before);
    patchAllocatedValues(spec, before);
  }

  private static void dropTypeDependentFields(ObjectNode spec, ObjectNode old) {
    if (needsClusterIp(old) && !needsClusterIp(spec) && same(spec, old, "clusterIP")
        && same(spec, old, "clusterIPs")) {
      spec.remove("clusterIP");
      spec.remove("clusterIPs");
      if (same(spec, old, "ipFamilies")) spec.remove("ipFamilies");
      if (same(spec, old, "ipFamilyPolicy")) spec.remove("ipFamilyPolicy");
    }
    if (needsNodePorts(old) && !needsNodePorts(spec) && nodePortsOf(spec).equals(nodePortsOf(old))) {
      for (JsonNode port : spec.path("ports")) if (port instanceof ObjectNode p) p.remove("nodePort");
    }
    if (needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(spec) && same(spec, old, "healthCheckNodePort")) {
      spec.remove("healthCheckNodePort");
    }
    boolean wasLoadBalancer = "LoadBalancer".equals(HeldValues.type(old));
    if (wasLoadBalancer && !"LoadBalancer".equals(HeldValues.type(spec))) {
      if (same(spec, old, "allocateLoadBalancerNodePorts")) spec.remove("allocateLoadBalancerNodePorts");
      if (same(spec, old, "loadBalancerClass")) spec.remove("loadBalancerClass");
    }
    if (!externallyAccessible(spec) && same(spec, old, "externalTrafficPolicy")) spec.remove("externalTrafficPolicy");
  }

  private static void patchAllocatedValues(ObjectNode spec, ObjectNode old) {
    if (needsClusterIp(old) && needsClusterIp(spec)) {
      if (spec.path("clusterIP").asText("").isEmpty() && old.hasNonNull("clusterIP")) {
        spec.set("clusterIP", old.get("clusterIP").deepCopy());
      }
      if (spec.path("clusterIPs").isEmpty() && !old.path("clusterIPs").isEmpty()) {
        spec.set("clusterIPs", old.get("clusterIPs").deepCopy());
      }
    }
    if (needsNodePorts(old) && needsNodePorts(spec)) {
      Set<Integer> used = new HashSet<>(nodePortsOf(old));
      used.retainAll(nodePortsOf(spec));
      Map<String, Integer> byName = new HashMap<>();
      for (JsonNode port : old.path("ports")) byName.put(port.path("name").asText(""), port.path("nodePort").asInt(0));
      for (JsonNode port : spec.path("ports")) {
        if (!(port instanceof ObjectNode p) || p.path("nodePort").asInt(0) != 0) continue;
        int before = byName.getOrDefault(p.path("name").asText(""), 0);
        if (before != 0 && used.add(before)) p.put("nodePort", before);
      }
    }
    if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(spec)
        && spec.path("healthCheckNodePort").asInt(0) == 0 && old.path("healthCheckNodePort").asInt(0) != 0) {
      spec.put("healthCheckNodePort", old.path("healthCheckNodePort").asInt());
    }
  }

  static boolean needsClusterIp(JsonNode spec) {
    return !"ExternalName".equals(HeldValues.type(spec));
  }

  static boolean needsNodePorts(JsonNode spec) {
    String type = HeldValues.type(spec);
    return type.equals("NodePort") || type.equals("LoadBalancer");
  }

  static boolean needsHealthCheckNodePort(JsonNode spec) {
    return "LoadBalancer".equals(HeldValues.type(spec)) && "Local".equals(spec.path("externalTrafficPolicy").asText());
  }

  private static boolean externallyAccessible(JsonNode spec) {
    return needsNodePorts(spec) || ("ClusterIP".equals(HeldValues.type(spec)) && !spec.path("externalIPs").isEmpty());
  }

  private static Set<Integer> nodePortsOf(JsonNode spec) {
    Set<Integer> ports = new HashSet<>();
    for (JsonNode port : spec.path("ports")) {
      int n = port.path("nodePort").asInt(0);
      if (n != 0) ports.add(n);
    }
    return ports;
  }

  private static boolean same(JsonNode a, JsonNode b, String field) {
    return Objects.equals(a.get(field), b.get(field));
  }
}
