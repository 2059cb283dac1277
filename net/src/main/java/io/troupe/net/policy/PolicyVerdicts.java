package io.troupe.net.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.net.policy.ClusterView.Policy;
import io.troupe.net.policy.PolicyRules.PortSpec;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Whether the cluster's NetworkPolicies let one TCP (or UDP, SCTP) connection through, judged where Troupe carries
 * it (loopback mode: the service proxy and the ingress proxy), with Kubernetes' semantics:
 *
 * <ul>
 *   <li>A pod that no policy with {@code Ingress} in its types selects admits everything; a selected one admits what
 *       some {@code ingress} rule of those policies allows. Likewise for {@code Egress}, for the pod a connection
 *       comes from. A connection passes when both ends let it.
 *   <li>The source is a pod only when its address is a pod's IP. In loopback mode a client process usually connects
 *       from 127.0.0.1, not from its pod's IP: such a source is no pod, so it matches only the rules without
 *       {@code from} and the {@code ipBlock}s that contain it, and no pod's egress rules apply to it.
 *   <li>Peers and ports as {@link PolicyRules} reads them: a podSelector/namespaceSelector peer is the set of IPs of
 *       the pods it selects; an ipBlock its CIDR but its {@code except} ranges; a named port is the destination
 *       pod's container port of that name.
 * </ul>
 *
 * <p>Built once per change of the cluster (each pod's rules precomputed), then read on every new connection from
 * any thread: immutable.
 */
public final class PolicyVerdicts {

  /** Everything passes: no policy, or nothing judged (bridge mode, where nftables judges the packets). */
  public static final PolicyVerdicts OPEN = new PolicyVerdicts(Map.of());

  /** One rule: the peers it names ({@code any}, or pod IPs and ranges) and its ports (empty: every port). */
  private record Allow(boolean anyPeer, Set<String> podIps, List<Range> blocks, List<PortSpec> ports) {
    boolean peer(String address, int numeric) {
      if (anyPeer || podIps.contains(address)) return true;
      if (numeric == UNPARSED) return false;
      for (Range r : blocks) if (r.contains(numeric)) return true;
      return false;
    }

    boolean port(int port, String protocol, PolicyPod destination) {
      if (ports.isEmpty()) return true;
      for (PortSpec p : ports) {
        if (!p.protocol().equals(protocol)) continue;
        if (p.named()) {
          OptionalInt number = destination == null ? OptionalInt.empty() : destination.port(p.name(), protocol);
          if (number.isPresent() && number.getAsInt() == port) return true;
        } else if (p.from() == 0 || (p.from() <= port && port <= p.to())) {
          return true;
        }
      }
      return false;
    }
  }

  /** An ipBlock: its CIDR but its except ranges. */
  private record Range(IpBlock cidr, List<IpBlock> except) {
    boolean contains(int address) {
      if (!cidr.contains(address)) return false;
      for (IpBlock e : except) if (e.contains(address)) return false;
      return true;
    }
  }

  /** A pod with its rules: null for a direction no policy isolates it in. */
  private record Guard(PolicyPod pod, List<Allow> ingress, List<Allow> egress) {}

  private static final int UNPARSED = 0; // 0.0.0.0 is never a source or destination here

  private final Map<String, Guard> byIp;
  /** No pod is isolated: every connection passes without a look-up. */
  private final boolean open;

  private PolicyVerdicts(Map<String, Guard> byIp) {
    this.byIp = byIp;
    this.open = byIp.values().stream().allMatch(g -> g.ingress() == null && g.egress() == null);
  }

  public static PolicyVerdicts of(Collection<KubeObject> policies, Collection<KubeObject> pods,
      Collection<KubeObject> namespaces) {
    return of(ClusterView.of(policies, pods, namespaces));
  }

  static PolicyVerdicts of(ClusterView view) {
    Map<String, Guard> byIp = new HashMap<>();
    for (PolicyPod pod : view.pods()) {
      if (byIp.containsKey(pod.ip())) continue; // two live pods with one IP: the first (IPAM never does that)
      List<Allow> ingress = null;
      List<Allow> egress = null;
      for (Policy policy : view.policies()) {
        if (!policy.selects(pod)) continue;
        if (policy.ingress()) ingress = rules(ingress, policy, policy.ingressRules(), "from", view);
        if (policy.egress()) egress = rules(egress, policy, policy.egressRules(), "to", view);
      }
      byIp.put(pod.ip(), new Guard(pod, ingress == null ? null : List.copyOf(ingress),
          egress == null ? null : List.copyOf(egress)));
    }
    return new PolicyVerdicts(Map.copyOf(byIp));
  }

  private static List<Allow> rules(List<Allow> into, Policy policy, JsonNode rules, String peersField,
      ClusterView view) {
    List<Allow> out = into == null ? new ArrayList<>() : into;
    for (JsonNode rule : rules) {
      JsonNode peers = rule.path(peersField);
      boolean any = !peers.isArray() || peers.isEmpty();
      Set<String> ips = new HashSet<>();
      List<Range> blocks = new ArrayList<>();
      if (!any) {
        for (JsonNode peer : peers) {
          if (peer.has("ipBlock")) {
            IpBlock cidr = IpBlock.parse(peer.path("ipBlock").path("cidr").asText(null));
            if (cidr == null) continue; // IPv6 or broken: matches nothing here
            List<IpBlock> except = new ArrayList<>();
            for (JsonNode e : peer.path("ipBlock").path("except")) {
              IpBlock block = IpBlock.parse(e.asText(null));
              if (block != null) except.add(block);
            }
            blocks.add(new Range(cidr, List.copyOf(except)));
          } else {
            for (PolicyPod p : PolicyRules.selected(policy, peer, view)) ips.add(p.ip());
          }
        }
      }
      List<PortSpec> ports = PolicyRules.ports(rule.path("ports"));
      out.add(new Allow(any, Set.copyOf(ips), List.copyOf(blocks), List.copyOf(ports)));
    }
    return out;
  }

  /**
   * Whether a connection from {@code source} to {@code destination}:{@code port} passes.
   *
   * @param source the client's address as the connection shows it (127.0.0.1, a pod IP, any other)
   * @param destination the address the connection goes to: a pod's IP (an endpoint)
   * @param port the destination port (the pod's, not the Service's)
   * @param protocol TCP, UDP or SCTP
   */
  public boolean allows(String source, String destination, int port, String protocol) {
    if (open) return true;
    Guard to = byIp.get(destination);
    Guard from = byIp.get(source);
    PolicyPod target = to == null ? null : to.pod();
    if (from != null && from.egress() != null && !any(from.egress(), destination, port, protocol, target)) {
      return false;
    }
    return to == null || to.ingress() == null || any(to.ingress(), source, port, protocol, target);
  }

  private static boolean any(List<Allow> rules, String peer, int port, String protocol, PolicyPod destination) {
    int numeric = numeric(peer);
    for (Allow a : rules) {
      if (a.peer(peer, numeric) && a.port(port, protocol, destination)) return true;
    }
    return false;
  }

  private static int numeric(String address) {
    try {
      return IpBlock.address(address);
    } catch (IllegalArgumentException e) {
      return UNPARSED; // IPv6: no IPv4 range holds it
    }
  }

  /** Whether no pod is isolated (no policy selects any): everything passes. */
  public boolean open() {
    return open;
  }
}
