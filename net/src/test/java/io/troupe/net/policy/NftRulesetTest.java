package io.troupe.net.policy;

import static io.troupe.net.policy.PolicyObjects.namespace;
import static io.troupe.net.policy.PolicyObjects.parse;
import static io.troupe.net.policy.PolicyObjects.pod;
import static io.troupe.net.policy.PolicyObjects.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NetworkPolicies to nft rules, without root: for a fixed cluster, each policy and the rules the chains of the pods
 * it selects get.
 */
class NftRulesetTest {
  static final String WEB = "10.244.1.10";
  static final String DB = "10.244.1.11";
  static final String CACHE = "10.244.1.9";
  static final String PROM = "10.244.2.5";
  static final String DNS = "10.244.3.2";

  static final List<KubeObject> PODS = List.of(
      pod("shop", "web", WEB, "{'app':'web','tier':'front'}", "{'name':'http','containerPort':8080}",
          "{'name':'metrics','containerPort':9090}"),
      pod("shop", "db", DB, "{'app':'db'}", "{'name':'pg','containerPort':5432}"),
      pod("shop", "cache", CACHE, "{'app':'cache'}", "{'name':'http','containerPort':6380}"),
      pod("ops", "prom", PROM, "{'app':'prom'}"),
      pod("kube-system", "dns", DNS, "{'k8s-app':'kube-dns'}", "{'name':'dns','containerPort':53,'protocol':'UDP'}"),
      // neither policed nor peers: a pod that ended (its IP may be someone else's now), a hostNetwork pod, a pod
      // without an IP yet
      parse("{'kind':'Pod','metadata':{'name':'done','namespace':'shop','labels':{'app':'web'}},'spec':{},"
          + "'status':{'phase':'Succeeded','podIP':'10.244.1.50'}}"),
      parse("{'kind':'Pod','metadata':{'name':'agent','namespace':'shop','labels':{'app':'web'}},"
          + "'spec':{'hostNetwork':true},'status':{'phase':'Running','podIP':'192.0.2.2'}}"),
      parse("{'kind':'Pod','metadata':{'name':'new','namespace':'shop','labels':{'app':'web'}},'spec':{},"
          + "'status':{'phase':'Pending'}}"));
  // "ops" carries only a team label: its name label comes from Kubernetes' defaulting, or from the translator
  static final List<KubeObject> NAMESPACES = List.of(namespace("shop", "{'team':'shop'}"),
      namespace("ops", "{'team':'ops'}"), namespace("kube-system", "{}"));

  static String render(KubeObject... policies) {
    return NftRuleset.render(ClusterView.of(List.of(policies), PODS, NAMESPACES), "troupe");
  }

  /** The rules of one chain, as written. */
  static List<String> chain(String script, String name) {
    List<String> rules = new ArrayList<>();
    boolean in = false;
    for (String line : script.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.equals("chain " + name + " {")) {
        in = true;
      } else if (in && trimmed.equals("}")) {
        return rules;
      } else if (in) {
        rules.add(trimmed);
      }
    }
    return null;
  }

  static String ingress(String ip) {
    return "ingress-" + ip.replace('.', '-');
  }

  static String egress(String ip) {
    return "egress-" + ip.replace('.', '-');
  }

  static Stream<Arguments> ingressTable() {
    String deny = "drop comment \"ingress not allowed: shop/db\"";
    return Stream.of(
        Arguments.of("deny all to db", "{'podSelector':{'matchLabels':{'app':'db'}},'policyTypes':['Ingress']}",
            List.of(deny)),
        Arguments.of("an empty rule allows everything",
            "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{}]}",
            List.of("return comment \"shop/p ingress[0]\"", deny)),
        Arguments.of("from web on 5432", "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{'from':["
                + "{'podSelector':{'matchLabels':{'app':'web'}}}],'ports':[{'port':5432}]}]}",
            List.of("ip saddr " + WEB + " meta l4proto tcp th dport 5432 return comment \"shop/p ingress[0]\"",
                deny)),
        Arguments.of("podSelector {} is every pod of the policy's namespace",
            "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{'from':[{'podSelector':{}}]}]}",
            List.of("ip saddr { " + CACHE + ", " + WEB + ", " + DB + " } return comment \"shop/p ingress[0]\"",
                deny)),
        Arguments.of("namespaceSelector by a label",
            "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{'from':[{'namespaceSelector':"
                + "{'matchLabels':{'team':'ops'}}}]}]}",
            List.of("ip saddr " + PROM + " return comment \"shop/p ingress[0]\"", deny)),
        Arguments.of("namespaceSelector by the name label",
            "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{'from':[{'namespaceSelector':"
                + "{'matchLabels':{'kubernetes.io/metadata.name':'kube-system'}}}]}]}",
            List.of("ip saddr " + DNS + " return comment \"shop/p ingress[0]\"", deny)),
        Arguments.of("namespaceSelector and podSelector in one peer: both must match",
            "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{'from':[{'namespaceSelector':{},"
                + "'podSelector':{'matchExpressions':[{'key':'app','operator':'In','values':['prom','web']}]}}]}]}",
            List.of("ip saddr { " + WEB + ", " + PROM + " } return comment \"shop/p ingress[0]\"", deny)),
        Arguments.of("a selector that selects nobody allows nothing",
            "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{'from':[{'podSelector':"
                + "{'matchLabels':{'app':'nobody'}}}]}]}",
            List.of(deny)),
        Arguments.of("ipBlock with except",
            "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{'from':[{'ipBlock':{'cidr':'10.0.0.1/8',"
                + "'except':['10.244.2.0/24','10.244.3.0/24']}}]}]}",
            List.of("ip saddr 10.0.0.0/8 ip saddr != { 10.244.2.0/24, 10.244.3.0/24 } return comment "
                + "\"shop/p ingress[0]\"", deny)),
        Arguments.of("ports: a range, UDP, a whole protocol",
            "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{'ports':[{'port':5432},"
                + "{'port':6000,'endPort':6100},{'protocol':'UDP','port':53},{'protocol':'SCTP'}]}]}",
            List.of("meta l4proto sctp return comment \"shop/p ingress[0]\"",
                "meta l4proto tcp th dport { 5432, 6000-6100 } return comment \"shop/p ingress[0]\"",
                "meta l4proto udp th dport 53 return comment \"shop/p ingress[0]\"", deny)),
        Arguments.of("a named port is the target pod's: pg is 5432 on db",
            "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{'ports':[{'port':'pg'},{'port':'http'}]}]}",
            List.of("meta l4proto tcp th dport 5432 return comment \"shop/p ingress[0]\"", deny)),
        Arguments.of("a named port the pod lacks allows nothing",
            "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{'ports':[{'port':'http'}]}]}",
            List.of(deny)),
        Arguments.of("peers and ports multiply; rules add up",
            "{'podSelector':{},'ingress':[{'from':[{'podSelector':{'matchLabels':{'app':'web'}}},"
                + "{'ipBlock':{'cidr':'192.0.2.0/24'}}],'ports':[{'port':5432},{'protocol':'UDP','port':5432}]},"
                + "{'from':[{'namespaceSelector':{'matchLabels':{'team':'ops'}}}],'ports':[{'port':9187}]}]}",
            List.of("ip saddr " + WEB + " meta l4proto tcp th dport 5432 return comment \"shop/p ingress[0]\"",
                "ip saddr 192.0.2.0/24 meta l4proto tcp th dport 5432 return comment \"shop/p ingress[0]\"",
                "ip saddr " + WEB + " meta l4proto udp th dport 5432 return comment \"shop/p ingress[0]\"",
                "ip saddr 192.0.2.0/24 meta l4proto udp th dport 5432 return comment \"shop/p ingress[0]\"",
                "ip saddr " + PROM + " meta l4proto tcp th dport 9187 return comment \"shop/p ingress[1]\"", deny)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("ingressTable")
  void ingressOfDb(String what, String spec, List<String> rules) {
    String script = render(policy("shop", "p", spec));
    assertEquals(rules, chain(script, ingress(DB)), script);
    assertTrue(script.contains(DB + " : jump " + ingress(DB)), script);
  }

  static Stream<Arguments> egressTable() {
    String deny = "drop comment \"egress not allowed: shop/web\"";
    return Stream.of(
        Arguments.of("deny all from web", "{'podSelector':{'matchLabels':{'app':'web'}},'policyTypes':['Egress']}",
            List.of(deny)),
        Arguments.of("egress rules without policyTypes police egress",
            "{'podSelector':{'matchLabels':{'app':'web'}},'egress':[{'to':[{'podSelector':{'matchLabels':"
                + "{'app':'db'}}}]}]}",
            List.of("ip daddr " + DB + " return comment \"shop/p egress[0]\"", deny)),
        Arguments.of("DNS to kube-system and the world but a private range",
            "{'podSelector':{'matchLabels':{'app':'web'}},'policyTypes':['Egress'],'egress':[{'to':["
                + "{'namespaceSelector':{'matchLabels':{'kubernetes.io/metadata.name':'kube-system'}}}],"
                + "'ports':[{'protocol':'UDP','port':53}]},{'to':[{'ipBlock':{'cidr':'0.0.0.0/0','except':"
                + "['10.0.0.0/8']}}]}]}",
            List.of("ip daddr " + DNS + " meta l4proto udp th dport 53 return comment \"shop/p egress[0]\"",
                "ip daddr 0.0.0.0/0 ip daddr != 10.0.0.0/8 return comment \"shop/p egress[1]\"", deny)),
        Arguments.of("a named port is each destination's own",
            "{'podSelector':{'matchLabels':{'app':'web'}},'egress':[{'to':[{'podSelector':{}}],"
                + "'ports':[{'port':'http'},{'port':5432}]}]}",
            List.of("ip daddr { " + CACHE + ", " + WEB + ", " + DB + " } meta l4proto tcp th dport 5432 return "
                    + "comment \"shop/p egress[0]\"",
                "ip daddr " + CACHE + " meta l4proto tcp th dport 6380 return comment \"shop/p egress[0]\"",
                "ip daddr " + WEB + " meta l4proto tcp th dport 8080 return comment \"shop/p egress[0]\"", deny)),
        Arguments.of("a named port to anywhere: the pods that have it",
            "{'podSelector':{'matchLabels':{'app':'web'}},'egress':[{'ports':[{'protocol':'UDP','port':'dns'}]}]}",
            List.of("ip daddr " + DNS + " meta l4proto udp th dport 53 return comment \"shop/p egress[0]\"", deny)),
        Arguments.of("a named port means nothing to an ipBlock",
            "{'podSelector':{'matchLabels':{'app':'web'}},'egress':[{'to':[{'ipBlock':{'cidr':'10.0.0.0/8'}}],"
                + "'ports':[{'port':'http'}]}]}",
            List.of(deny)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("egressTable")
  void egressOfWeb(String what, String spec, List<String> rules) {
    String script = render(policy("shop", "p", spec));
    assertEquals(rules, chain(script, egress(WEB)), script);
    // the pod's egress is checked when it sends through the host (other pods, the world) and to the host itself
    // (ClusterIPs, the DNS server)
    String vmap = "ip saddr vmap { " + WEB + " : jump " + egress(WEB) + " }";
    assertEquals(2, script.split(java.util.regex.Pattern.quote(vmap), -1).length - 1, script);
  }

  @Test
  void withoutPoliciesNothingIsPolicedButTheTableIsThere() {
    String script = render();
    assertEquals(String.join("\n",
        "add table inet troupe",
        "delete table inet troupe",
        "table inet troupe {",
        "  chain forward {",
        "    type filter hook forward priority filter; policy accept;",
        "    ct state established,related accept",
        "  }",
        "  chain input {",
        "    type filter hook input priority filter; policy accept;",
        "    ct state established,related accept",
        "  }",
        "}", ""), script);
  }

  @Test
  void aPolicyPolicesOnlyThePodsOfItsNamespaceThatHaveTheirOwnIp() {
    String script = render(policy("shop", "deny", "{'podSelector':{}}"));
    assertEquals("ip daddr vmap { " + CACHE + " : jump " + ingress(CACHE) + ", " + WEB + " : jump " + ingress(WEB)
        + ", " + DB + " : jump " + ingress(DB) + " }", Arrays.stream(script.split("\n")).map(String::trim)
        .filter(l -> l.startsWith("ip daddr vmap")).findFirst().orElseThrow());
    assertFalse(script.contains(PROM), script);
    assertFalse(script.contains("10.244.1.50"), script);
    assertFalse(script.contains("192.0.2.2"), script);
    assertFalse(script.contains("egress-"), "ingress only: " + script);
  }

  @Test
  void policiesSelectingOnePodAddUp() {
    String script = render(
        policy("shop", "a", "{'podSelector':{'matchLabels':{'app':'db'}},'ingress':[{'ports':[{'port':1}]}]}"),
        policy("shop", "b", "{'podSelector':{},'ingress':[{'ports':[{'port':2}]}]}"));
    assertEquals(List.of("meta l4proto tcp th dport 1 return comment \"shop/a ingress[0]\"",
        "meta l4proto tcp th dport 2 return comment \"shop/b ingress[0]\"",
        "drop comment \"ingress not allowed: shop/db\""), chain(script, ingress(DB)));
    assertEquals(List.of("meta l4proto tcp th dport 2 return comment \"shop/b ingress[0]\"",
        "drop comment \"ingress not allowed: shop/web\""), chain(script, ingress(WEB)));
  }

  /** Every table above at once, as nft itself reads it (a dry run: {@code nft -c}); where nft and root are. */
  @Test
  void nftAcceptsTheRulesets() {
    Assumptions.assumeTrue(NftTable.program().isPresent(), "skipped: nft is not installed");
    Assumptions.assumeTrue(System.getProperty("user.name").equals("root"), "skipped: nft -c needs root");
    List<KubeObject> policies = new ArrayList<>();
    Stream.concat(ingressTable(), egressTable()).forEach(row -> policies.add(policy("shop",
        "p" + policies.size(), (String) row.get()[1])));
    String script = NftRuleset.render(ClusterView.of(policies, PODS, NAMESPACES), "troupe_check");
    io.troupe.node.network.HostCommand check = io.troupe.node.network.HostCommand.run(List.of(
        NftTable.program().get().toString(), "-c", "-f", "-"), script);
    assertTrue(check.ok(), check.output() + "\n" + script);
  }

  @Test
  void theSameClusterGivesTheSameText() {
    KubeObject p = policy("shop", "p", "{'podSelector':{},'ingress':[{'from':[{'namespaceSelector':{}}]}]}");
    List<KubeObject> reversed = new ArrayList<>(PODS);
    java.util.Collections.reverse(reversed);
    assertEquals(render(p), NftRuleset.render(ClusterView.of(List.of(p), reversed, NAMESPACES), "troupe"));
  }
}
