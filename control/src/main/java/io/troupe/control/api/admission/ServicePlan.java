package io.troupe.control.api.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.validation.Cause;
import io.troupe.control.ipam.HeldValues;
import io.troupe.persistence.model.Ipv4Cidr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a Service create or update asks of the ranges, decided before anything is allocated (kube-apiserver's
 * {@code initIPFamilyFields}, {@code allocClusterIPs}, {@code initNodePorts} and {@code updateNodePorts}): the
 * ClusterIP asked for or whether any will do, the nodePorts asked for and the ports that get a free one, what an
 * update gives up, and what is wrong. It also fills the IP family fields of {@code spec}, single-stack IPv4 being
 * the only family of this cluster. Pure.
 *
 * @param askedIp the ClusterIP to take; null when none is asked for
 * @param anyIp whether a free ClusterIP is to be taken
 * @param dynamicPorts where each free nodePort goes: indexes of {@code spec.ports} (ports of one number share one,
 *     as 53/UDP and 53/TCP do), or an empty list for {@code healthCheckNodePort}
 */
record ServicePlan(String askedIp, boolean anyIp, List<String> releaseIps, List<AskedPort> askedPorts,
    List<List<Integer>> dynamicPorts, List<String> releasePorts, List<Cause> causes) {

  static final List<String> POLICIES = List.of("SingleStack", "PreferDualStack", "RequireDualStack");
  static final List<String> FAMILIES = List.of("IPv4", "IPv6");

  /** A nodePort asked for, and the field it was asked in (for the 422). */
  record AskedPort(int nodePort, String field) {}

  /**
   * @param spec the Service's spec as it will be written (defaulted, validated); its IP family and ClusterIP fields
   *     are filled in
   * @param old the spec before an update; null for a create
   */
  static ServicePlan of(ObjectNode spec, JsonNode old) {
    List<Cause> causes = new ArrayList<>();
    String type = HeldValues.type(spec);
    boolean oldHadIps = old != null && ServiceFields.needsClusterIp(old);
    List<String> oldIps = old == null ? List.of() : ips(old);
    String askedIp = null;
    boolean anyIp = false;
    List<String> releaseIps = List.of();
    if (type.equals("ExternalName")) {
      if (!ips(spec).isEmpty()) {
        causes.add(Cause.forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
      }
      if (oldHadIps) releaseIps = oldIps;
    } else {
      normalizeClusterIps(spec, causes);
      String ip = spec.path("clusterIP").asText("");
      boolean headless = ip.equals("None");
      if (headless && (type.equals("NodePort") || type.equals("LoadBalancer"))) {
        causes.add(Cause.invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for " + type + " services"));
      }
      ipFamilies(spec, old, headless, causes);
      if (!headless) {
        if (ip.isEmpty()) {
          anyIp = true;
        } else if (!oldIps.contains(ip)) {
          if (ip.contains(":")) {
            causes.add(Cause.invalid("spec.clusterIPs[0]", ip, "IPv6 is not configured on this cluster"));
          } else if (!Ipv4Cidr.isAddress(ip)) {
            causes.add(Cause.invalid("spec.clusterIPs[0]", ip,
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
          } else {
            askedIp = ip;
          }
        }
      }
    }
    return nodePorts(spec, old, new ServicePlan(askedIp, anyIp, releaseIps, List.of(), List.of(), List.of(), causes));
  }

  private static List<String> ips(JsonNode spec) {
    Set<String> ips = new LinkedHashSet<>();
    String ip = spec.path("clusterIP").asText("");
    if (!ip.isEmpty()) ips.add(ip);
    for (JsonNode i : spec.path("clusterIPs")) if (!i.asText("").isEmpty()) ips.add(i.asText());
    ips.remove("None");
    return List.copyOf(ips);
  }

  /** clusterIP and clusterIPs[0] say the same, as Kubernetes' conversion makes them; one IP only (single stack). */
  private static void normalizeClusterIps(ObjectNode spec, List<Cause> causes) {
    String ip = spec.path("clusterIP").asText("");
    List<String> ips = new ArrayList<>();
    for (JsonNode i : spec.path("clusterIPs")) ips.add(i.asText(""));
    if (ip.isEmpty() && !ips.isEmpty()) {
      ip = ips.get(0);
      spec.put("clusterIP", ip);
    }
    if (!ip.isEmpty() && ips.isEmpty()) spec.putArray("clusterIPs").add(ip);
    if (!ips.isEmpty() && !ips.get(0).equals(ip)) {
      causes.add(Cause.invalid("spec.clusterIPs[0]", ips.get(0), "must match `clusterIP` when set"));
    }
    for (int i = 1; i < ips.size(); i++) {
      causes.add(Cause.invalid("spec.clusterIPs[" + i + "]", ips.get(i), ips.get(i).contains(":")
          ? "IPv6 is not configured on this cluster" : "this cluster is single-stack: a Service has one cluster IP"));
    }
  }

  /** ipFamilyPolicy and ipFamilies as kube-apiserver fills them on a single-stack IPv4 cluster. */
  private static void ipFamilies(ObjectNode spec, JsonNode old, boolean headless, List<Cause> causes) {
    boolean selectorless = spec.path("selector").isEmpty();
    String policy = spec.path("ipFamilyPolicy").asText("");
    if (policy.isEmpty()) {
      String before = old == null ? "" : old.path("ipFamilyPolicy").asText("");
      policy = !before.isEmpty() ? before : headless && selectorless ? "RequireDualStack" : "SingleStack";
      spec.put("ipFamilyPolicy", policy);
    } else if (!POLICIES.contains(policy)) {
      causes.add(Cause.notSupported("spec.ipFamilyPolicy", policy, POLICIES));
      return;
    }
    List<String> families = new ArrayList<>();
    for (JsonNode f : spec.path("ipFamilies")) families.add(f.asText(""));
    if (families.isEmpty() && old != null) for (JsonNode f : old.path("ipFamilies")) families.add(f.asText(""));
    if (headless && selectorless) {
      // kube-apiserver lets a headless Service without selector be dual-stack on any cluster: it lists both
      if (families.isEmpty()) families.add("IPv4");
      if (families.size() < 2 && !policy.equals("SingleStack")) families.add(families.get(0).equals("IPv6")
          ? "IPv4" : "IPv6");
      setFamilies(spec, families);
      return;
    }
    if (policy.equals("RequireDualStack")) {
      causes.add(Cause.invalid("spec.ipFamilyPolicy", policy,
          "this cluster is not configured for dual-stack services"));
    }
    if (policy.equals("SingleStack") && families.size() > 1) {
      causes.add(Cause.invalid("spec.ipFamilyPolicy", policy,
          "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
    }
    for (int i = 0; i < families.size(); i++) {
      String family = families.get(i);
      if (!FAMILIES.contains(family)) {
        causes.add(Cause.notSupported("spec.ipFamilies[" + i + "]", family, FAMILIES));
      } else if (!family.equals("IPv4")) {
        causes.add(Cause.invalid("spec.ipFamilies[" + i + "]", family, "not configured on this cluster"));
      }
    }
    if (families.isEmpty()) families.add("IPv4");
    setFamilies(spec, families);
  }

  private static void setFamilies(ObjectNode spec, List<String> families) {
    ArrayNode list = spec.putArray("ipFamilies");
    families.forEach(list::add);
  }

  /**
   * The nodePorts of NodePort and LoadBalancer Services: one asked for and not held before is taken; a port without
   * one gets a free one (unless a LoadBalancer Service says {@code allocateLoadBalancerNodePorts: false}); an update
   * gives up the old ones it no longer lists.
   */
  private static ServicePlan nodePorts(ObjectNode spec, JsonNode old, ServicePlan plan) {
    Set<Integer> oldPorts = new LinkedHashSet<>();
    if (old != null && ServiceFields.needsNodePorts(old)) {
      for (JsonNode port : old.path("ports")) {
        if (port.path("nodePort").asInt(0) != 0) oldPorts.add(port.path("nodePort").asInt());
      }
      if (old.path("healthCheckNodePort").asInt(0) != 0) oldPorts.add(old.path("healthCheckNodePort").asInt());
    }
    List<AskedPort> asked = new ArrayList<>();
    List<List<Integer>> dynamic = new ArrayList<>();
    Set<Integer> kept = new LinkedHashSet<>();
    if (ServiceFields.needsNodePorts(spec)) {
      boolean allocate = !"LoadBalancer".equals(HeldValues.type(spec))
          || spec.path("allocateLoadBalancerNodePorts").asBoolean(true);
      Map<Integer, List<Integer>> waiting = new LinkedHashMap<>();
      Map<Integer, Integer> byPort = new LinkedHashMap<>();
      JsonNode ports = spec.path("ports");
      for (int i = 0; i < ports.size(); i++) {
        int nodePort = ports.get(i).path("nodePort").asInt(0);
        if (nodePort == 0) continue;
        take(nodePort, "spec.ports[" + i + "].nodePort", oldPorts, asked, kept);
        byPort.putIfAbsent(ports.get(i).path("port").asInt(), nodePort);
      }
      for (int i = 0; i < ports.size(); i++) {
        if (!(ports.get(i) instanceof ObjectNode port) || port.path("nodePort").asInt(0) != 0 || !allocate) continue;
        Integer shared = byPort.get(port.path("port").asInt());
        if (shared != null) port.put("nodePort", shared);
        else waiting.computeIfAbsent(port.path("port").asInt(), p -> new ArrayList<>()).add(i);
      }
      dynamic.addAll(waiting.values());
      if (ServiceFields.needsHealthCheckNodePort(spec)) {
        int health = spec.path("healthCheckNodePort").asInt(0);
        if (health != 0) take(health, "spec.healthCheckNodePort", oldPorts, asked, kept);
        else dynamic.add(List.of());
      }
    }
    List<String> release = oldPorts.stream().filter(p -> !kept.contains(p)).map(String::valueOf).toList();
    return new ServicePlan(plan.askedIp(), plan.anyIp(), plan.releaseIps(), asked, dynamic, release, plan.causes());
  }

  private static void take(int nodePort, String field, Set<Integer> oldPorts, List<AskedPort> asked,
      Set<Integer> kept) {
    if (!kept.add(nodePort)) return;
    if (!oldPorts.contains(nodePort)) asked.add(new AskedPort(nodePort, field));
  }
}
