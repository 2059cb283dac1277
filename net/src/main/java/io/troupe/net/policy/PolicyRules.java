package io.troupe.net.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.net.policy.ClusterView.Policy;
import io.troupe.persistence.selector.LabelSelector;
import io.troupe.persistence.selector.SelectorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One rule of a NetworkPolicy (an {@code ingress[i]} or {@code egress[i]} entry) as the nft rules that let its
 * traffic through a pod's chain: each is a peer match (source or destination addresses) and a port match, ending in
 * {@code return} (the packet goes on to the other direction's check, then is accepted).
 *
 * <ul>
 *   <li>No {@code from}/{@code to}: any address. A podSelector picks pods of the policy's namespace, a
 *       namespaceSelector every pod of the namespaces it selects, both together the pods it selects of those
 *       namespaces; an ipBlock its CIDR but its {@code except} ranges.
 *   <li>No {@code ports}: every port and protocol. Otherwise a port (TCP unless said), a range ({@code endPort}) or a
 *       whole protocol. A named port is the target pod's container port of that name (ingress); for egress each
 *       destination pod's own, so that only pods peers match; an ipBlock has no names: a named port matches nothing
 *       there.
 *   <li>A rule whose peers or ports match nothing (a selector that selects no pod, names no pod has) allows nothing.
 * </ul>
 */
final class PolicyRules {

  enum Direction {
    INGRESS("ingress", "from", "ip saddr"), EGRESS("egress", "to", "ip daddr");

    final String word;
    final String peers;
    final String address;

    Direction(String word, String peers, String address) {
      this.word = word;
      this.peers = peers;
      this.address = address;
    }
  }

  /** A port entry: a protocol, and a number range, a name, or neither (the whole protocol). */
  record PortSpec(String protocol, int from, int to, String name) {
    boolean named() {
      return name != null;
    }
  }

  private PolicyRules() {}

  /** The nft rules of {@code rule} (the {@code index}th of its direction in {@code policy}) for {@code pod}. */
  static List<String> of(Direction direction, Policy policy, int index, JsonNode rule, PolicyPod pod,
      ClusterView view) {
    String allow = "return " + comment(policy.key() + " " + direction.word + "[" + index + "]");
    List<PortSpec> ports = ports(rule.path("ports"));
    JsonNode peers = rule.path(direction.peers);
    boolean anyPeer = !peers.isArray() || peers.isEmpty();
    TreeSet<String> peerIps = new TreeSet<>(IpBlock.ADDRESS_ORDER);
    List<PolicyPod> peerPods = new ArrayList<>();
    List<String> blocks = new ArrayList<>();
    if (!anyPeer) {
      for (JsonNode peer : peers) {
        if (peer.has("ipBlock")) {
          String block = block(direction, peer.path("ipBlock"));
          if (block != null) blocks.add(block);
        } else {
          for (PolicyPod p : selected(policy, peer, view)) {
            if (peerIps.add(p.ip())) peerPods.add(p);
          }
        }
      }
    }
    List<String> peerMatches = new ArrayList<>();
    if (anyPeer) peerMatches.add("");
    if (!peerIps.isEmpty()) peerMatches.add(direction.address + " " + set(peerIps));
    peerMatches.addAll(blocks);

    List<String> out = new ArrayList<>();
    if (ports.isEmpty()) {
      for (String peer : peerMatches) out.add(line(peer, allow));
      return out;
    }
    // numbers (and named ports resolved on the target, for ingress) apply to every peer alike
    List<PortSpec> numeric = new ArrayList<>();
    List<PortSpec> named = new ArrayList<>();
    for (PortSpec port : ports) {
      if (!port.named()) {
        numeric.add(port);
      } else if (direction == Direction.INGRESS) {
        OptionalInt number = pod.port(port.name(), port.protocol());
        if (number.isPresent()) numeric.add(new PortSpec(port.protocol(), number.getAsInt(), number.getAsInt(), null));
      } else {
        named.add(port);
      }
    }
    for (String portMatch : portMatches(numeric)) {
      for (String peer : peerMatches) out.add(line(peer, portMatch, allow));
    }
    if (!named.isEmpty()) {
      // egress to a named port: each destination pod's own number for that name
      List<PolicyPod> destinations = anyPeer ? view.pods() : peerPods;
      Map<String, TreeSet<String>> byPort = new TreeMap<>();
      for (PortSpec port : named) {
        for (PolicyPod destination : destinations) {
          OptionalInt number = destination.port(port.name(), port.protocol());
          if (number.isPresent()) {
            byPort.computeIfAbsent(protocol(port.protocol()) + " th dport " + number.getAsInt(),
                k -> new TreeSet<>(IpBlock.ADDRESS_ORDER)).add(destination.ip());
          }
        }
      }
      byPort.forEach((portMatch, ips) -> out.add(line(direction.address + " " + set(ips), "meta l4proto " + portMatch,
          allow)));
    }
    return out;
  }

  /** The pods a selector peer picks: {@code podSelector} in the policy's namespace or in selected namespaces. */
  static List<PolicyPod> selected(Policy policy, JsonNode peer, ClusterView view) {
    LabelSelector pods;
    LabelSelector namespaces;
    try {
      pods = peer.has("podSelector") ? LabelSelector.fromJson(peer.get("podSelector")) : LabelSelector.everything();
      namespaces = peer.has("namespaceSelector") ? LabelSelector.fromJson(peer.get("namespaceSelector")) : null;
    } catch (SelectorException e) {
      return List.of(); // refused by validation; never stored
    }
    List<PolicyPod> out = new ArrayList<>();
    for (PolicyPod p : view.pods()) {
      boolean inNamespace = namespaces == null ? p.namespace().equals(policy.namespace())
          : namespaces.matches(view.labelsOf(p.namespace()));
      if (inNamespace && pods.matches(p.labels())) out.add(p);
    }
    return out;
  }

  /** {@code ip saddr <cidr>} and, with {@code except}, {@code ip saddr != { ... }}; null for no IPv4 range. */
  private static String block(Direction direction, JsonNode ipBlock) {
    IpBlock cidr = IpBlock.parse(ipBlock.path("cidr").asText(null));
    if (cidr == null) return null;
    TreeSet<String> except = new TreeSet<>();
    for (JsonNode e : ipBlock.path("except")) {
      IpBlock block = IpBlock.parse(e.asText(null));
      if (block != null) except.add(block.toString());
    }
    return direction.address + " " + cidr + (except.isEmpty() ? "" : " " + direction.address + " != "
        + set(except));
  }

  static List<PortSpec> ports(JsonNode ports) {
    List<PortSpec> out = new ArrayList<>();
    for (JsonNode p : ports) {
      String protocol = p.path("protocol").asText("TCP");
      JsonNode port = p.path("port");
      if (port.isMissingNode() || port.isNull()) {
        out.add(new PortSpec(protocol, 0, 0, null));
      } else if (port.isInt() || port.asText().matches("\\d+")) {
        int number = port.asInt();
        int end = p.path("endPort").isInt() ? Math.max(number, p.path("endPort").asInt()) : number;
        out.add(new PortSpec(protocol, number, end, null));
      } else {
        out.add(new PortSpec(protocol, 0, 0, port.asText()));
      }
    }
    return out;
  }

  /** One match per protocol: the whole protocol, or its ports and ranges. */
  private static List<String> portMatches(List<PortSpec> ports) {
    Map<String, TreeSet<Integer>> singles = new TreeMap<>();
    Map<String, List<String>> values = new TreeMap<>();
    Map<String, Boolean> whole = new TreeMap<>();
    for (PortSpec p : ports) {
      String protocol = protocol(p.protocol());
      if (p.from() == 0) {
        whole.put(protocol, true);
      } else if (p.from() == p.to()) {
        singles.computeIfAbsent(protocol, k -> new TreeSet<>()).add(p.from());
      } else {
        values.computeIfAbsent(protocol, k -> new ArrayList<>()).add(p.from() + "-" + p.to());
      }
    }
    List<String> out = new ArrayList<>();
    TreeSet<String> protocols = new TreeSet<>(whole.keySet());
    protocols.addAll(singles.keySet());
    protocols.addAll(values.keySet());
    for (String protocol : protocols) {
      if (whole.containsKey(protocol)) {
        out.add("meta l4proto " + protocol);
        continue;
      }
      List<String> all = new ArrayList<>();
      singles.getOrDefault(protocol, new TreeSet<>()).forEach(n -> all.add(Integer.toString(n)));
      all.addAll(values.getOrDefault(protocol, List.of()));
      out.add("meta l4proto " + protocol + " th dport " + (all.size() == 1 ? all.get(0)
          : "{ " + String.join(", ", all) + " }"));
    }
    return out;
  }

  private static String protocol(String kubernetes) {
    return kubernetes.toLowerCase(Locale.ROOT);
  }

  private static String line(String... parts) {
    StringBuilder line = new StringBuilder();
    for (String part : parts) {
      if (part.isEmpty()) continue;
      if (line.length() > 0) line.append(' ');
      line.append(part);
    }
    return line.toString();
  }

  /** An nft comment: at most 128 bytes (the kernel's limit), names being ASCII. */
  static String comment(String text) {
    return "comment \"" + (text.length() > 120 ? text.substring(0, 120) : text) + "\"";
  }

  /** One address as itself, more as an anonymous set. */
  static String set(java.util.Collection<String> items) {
    return items.size() == 1 ? items.iterator().next() : "{ " + String.join(", ", items) + " }";
  }
}
