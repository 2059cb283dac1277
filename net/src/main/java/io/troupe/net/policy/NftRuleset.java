package io.troupe.net.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.net.policy.ClusterView.Policy;
import io.troupe.net.policy.PolicyRules.Direction;
import java.util.ArrayList;
import java.util.List;

/**
 * The NetworkPolicies of the cluster as one nftables table ({@code inet troupe}), written whole and applied in one
 * transaction ({@code nft -f}: the table is added, deleted and defined again, so no packet ever sees half a ruleset).
 *
 * <p>Per pod that a policy selects for a direction, a chain ({@code ingress-10-244-0-5}, {@code egress-...}): the
 * rules of every policy selecting it for that direction ({@link PolicyRules}), each returning what it allows, then
 * {@code drop} (the default deny of a selected pod). Base chains jump there by the pod's address:
 * <ul>
 *   <li>{@code forward}: traffic between pods (bridged on one node through br_netfilter, routed between the
 *       nodes of a host) and between pods and the world: the destination pod's ingress chain, then the source pod's
 *       egress chain;
 *   <li>{@code input}: traffic from a pod to the host itself (ClusterIPs, the cluster DNS, the node): the source
 *       pod's egress chain.
 * </ul>
 * Replies of allowed connections pass ({@code ct state established,related}). Traffic the host sends to its pods
 * (probes, the service proxy, the ingress proxy) is never filtered, as Kubernetes implementations let a node reach
 * its pods.
 */
final class NftRuleset {

  private NftRuleset() {}

  /** The script for {@code nft -f}: the whole table {@code inet <table>}. */
  static String render(ClusterView view, String table) {
    List<String> chains = new ArrayList<>();
    List<String> ingress = new ArrayList<>();
    List<String> egress = new ArrayList<>();
    for (PolicyPod pod : view.pods()) {
      List<Policy> in = new ArrayList<>();
      List<Policy> out = new ArrayList<>();
      for (Policy policy : view.policies()) {
        if (!policy.selects(pod)) continue;
        if (policy.ingress()) in.add(policy);
        if (policy.egress()) out.add(policy);
      }
      if (!in.isEmpty()) {
        String chain = chainName(Direction.INGRESS, pod);
        chains.add(chain(chain, Direction.INGRESS, in, pod, view));
        ingress.add(pod.ip() + " : jump " + chain);
      }
      if (!out.isEmpty()) {
        String chain = chainName(Direction.EGRESS, pod);
        chains.add(chain(chain, Direction.EGRESS, out, pod, view));
        egress.add(pod.ip() + " : jump " + chain);
      }
    }
    StringBuilder script = new StringBuilder();
    script.append("add table inet ").append(table).append('\n');
    script.append("delete table inet ").append(table).append('\n');
    script.append("table inet ").append(table).append(" {\n");
    for (String chain : chains) script.append(chain);
    script.append("  chain forward {\n");
    script.append("    type filter hook forward priority filter; policy accept;\n");
    script.append("    ct state established,related accept\n");
    if (!ingress.isEmpty()) script.append(vmap("ip daddr", ingress));
    if (!egress.isEmpty()) script.append(vmap("ip saddr", egress));
    script.append("  }\n");
    script.append("  chain input {\n");
    script.append("    type filter hook input priority filter; policy accept;\n");
    script.append("    ct state established,related accept\n");
    if (!egress.isEmpty()) script.append(vmap("ip saddr", egress));
    script.append("  }\n");
    script.append("}\n");
    return script.toString();
  }

  /** {@code ingress-10-244-0-5}: named by the pod's address, which the base chains look up. */
  static String chainName(Direction direction, PolicyPod pod) {
    return direction.word + "-" + pod.ip().replace('.', '-');
  }

  private static String chain(String name, Direction direction, List<Policy> policies, PolicyPod pod,
      ClusterView view) {
    StringBuilder chain = new StringBuilder("  chain ").append(name).append(" {\n");
    for (Policy policy : policies) {
      JsonNode rules = direction == Direction.INGRESS ? policy.ingressRules() : policy.egressRules();
      for (int i = 0; i < rules.size(); i++) {
        for (String rule : PolicyRules.of(direction, policy, i, rules.get(i), pod, view)) {
          chain.append("    ").append(rule).append('\n');
        }
      }
    }
    chain.append("    drop ").append(PolicyRules.comment(direction.word + " not allowed: " + pod.key())).append('\n');
    return chain.append("  }\n").toString();
  }

  private static String vmap(String match, List<String> entries) {
    return "    " + match + " vmap { " + String.join(", ", entries) + " }\n";
  }
}
