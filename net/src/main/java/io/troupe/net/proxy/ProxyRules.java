package io.troupe.net.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the proxy does for one Service, from the Service and its Endpoints alone (kube-proxy's service and
 * endpoints change trackers in one pure function): for each TCP port, where to listen and which endpoints are
 * ready. Other protocols, headless Services ({@code clusterIP: None}) and {@code ExternalName} get nothing.
 */
public final class ProxyRules {
  /** Kubernetes' default {@code sessionAffinityConfig.clientIP.timeoutSeconds}: 3 hours. */
  static final Duration DEFAULT_AFFINITY_TIMEOUT = Duration.ofSeconds(10800);
  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  private ProxyRules() {}

  /** ClientIP session affinity: a client's new connections go to the endpoint it last used within the timeout. */
  public record Affinity(boolean clientIp, Duration timeout) {
    public static final Affinity NONE = new Affinity(false, Duration.ZERO);
  }

  /**
   * One Service port: the addresses to listen on, the ready endpoints (in Endpoints order, each address once),
   * every pod the Endpoints name for it (ready or not: their metrics are kept while they are there), and the
   * affinity.
   */
  public record PortRule(ServicePort servicePort, List<Frontend> frontends, List<Endpoint> ready,
      Set<Endpoint.Pod> pods, Affinity affinity) {
    public PortRule {
      frontends = List.copyOf(frontends);
      ready = List.copyOf(ready);
      pods = Set.copyOf(pods);
    }
  }

  /**
   * @param service the Service, or null when there is none
   * @param endpoints its Endpoints (same namespace and name), or null
   * @param nodeAddress this node's address (for nodePorts), or null for none
   */
  public static List<PortRule> of(KubeObject service, KubeObject endpoints, String nodeAddress) {
    if (service == null || service.spec() == null) return List.of();
    JsonNode spec = service.spec();
    String type = spec.path("type").asText("ClusterIP");
    if ("ExternalName".equals(type)) return List.of();
    String clusterIp = spec.path("clusterIP").asText("");
    if ("None".equals(clusterIp)) return List.of();
    boolean nodePorts = ("NodePort".equals(type) || "LoadBalancer".equals(type)) && isIpLiteral(nodeAddress);
    List<String> balancerIps = new ArrayList<>();
    if ("LoadBalancer".equals(type)) {
      for (JsonNode ingress : service.body().path("status").path("loadBalancer").path("ingress")) {
        String ip = ingress.path("ip").asText("");
        if (isIpLiteral(ip)) balancerIps.add(ip);
      }
    }
    Affinity affinity = affinity(spec);
    String namespace = service.metadata().namespace();
    String name = service.metadata().name();
    List<PortRule> rules = new ArrayList<>();
    for (JsonNode p : spec.path("ports")) {
      if (!"TCP".equals(p.path("protocol").asText("TCP"))) continue;
      int port = p.path("port").asInt(0);
      if (port < 1 || port > 65535) continue;
      ServicePort servicePort = new ServicePort(namespace, name, p.path("name").asText(""), port);
      List<Frontend> frontends = new ArrayList<>();
      if (isIpLiteral(clusterIp)) frontends.add(new Frontend(clusterIp, port));
      int nodePort = p.path("nodePort").asInt(0);
      if (nodePorts && nodePort > 0 && nodePort <= 65535) frontends.add(new Frontend(nodeAddress, nodePort));
      for (String ip : balancerIps) frontends.add(new Frontend(ip, port));
      Set<Endpoint> ready = new LinkedHashSet<>();
      Set<Endpoint.Pod> pods = new LinkedHashSet<>();
      collect(endpoints, servicePort, ready, pods);
      rules.add(new PortRule(servicePort, List.copyOf(new LinkedHashSet<>(frontends)), List.copyOf(ready), pods,
          affinity));
    }
    return List.copyOf(rules);
  }

  /** The endpoints of a Service port: each subset's addresses at the subset's port of the same name. */
  private static void collect(KubeObject endpoints, ServicePort servicePort, Set<Endpoint> ready,
      Set<Endpoint.Pod> pods) {
    if (endpoints == null) return;
    for (JsonNode subset : endpoints.body().path("subsets")) {
      int port = 0;
      for (JsonNode p : subset.path("ports")) {
        if (servicePort.name().equals(p.path("name").asText("")) && "TCP".equals(p.path("protocol").asText("TCP"))) {
          port = p.path("port").asInt(0);
          break;
        }
      }
      if (port < 1 || port > 65535) continue;
      for (JsonNode a : subset.path("addresses")) {
        Endpoint e = endpoint(a, port, servicePort.namespace());
        if (e == null) continue;
        ready.add(e);
        pods.add(e.pod());
      }
      for (JsonNode a : subset.path("notReadyAddresses")) {
        Endpoint e = endpoint(a, port, servicePort.namespace());
        if (e != null) pods.add(e.pod());
      }
    }
  }

  private static Endpoint endpoint(JsonNode address, int port, String namespace) {
    String ip = address.path("ip").asText("");
    if (!isIpLiteral(ip)) return null;
    JsonNode ref = address.path("targetRef");
    Endpoint.Pod pod = "Pod".equals(ref.path("kind").asText("Pod")) && !ref.path("name").asText("").isEmpty()
        ? new Endpoint.Pod(ref.path("namespace").asText(namespace), ref.path("name").asText())
        : new Endpoint.Pod(namespace, ip);
    return new Endpoint(ip, port, pod);
  }

  private static Affinity affinity(JsonNode spec) {
    if (!"ClientIP".equals(spec.path("sessionAffinity").asText("None"))) return Affinity.NONE;
    long seconds = spec.path("sessionAffinityConfig").path("clientIP").path("timeoutSeconds")
        .asLong(DEFAULT_AFFINITY_TIMEOUT.toSeconds());
    return new Affinity(true, seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_AFFINITY_TIMEOUT);
  }

  /**
   * An IPv4 or IPv6 literal that names one host (not 0.0.0.0 or ::): binding or connecting to it never looks a
   * name up, and a bad value in an object never makes the proxy listen on every address.
   */
  static boolean isIpLiteral(String text) {
    if (text == null || text.isEmpty()) return false;
    if (!IPV4.matcher(text).matches() && !IPV6.matcher(text).matches()) return false;
    try {
      // a literal (checked above) is parsed, never resolved
      InetAddress address = InetAddress.getByName(text);
      return !address.isAnyLocalAddress() && !address.isMulticastAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
