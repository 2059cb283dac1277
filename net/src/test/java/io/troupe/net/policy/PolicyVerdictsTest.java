package io.troupe.net.policy;

import static io.troupe.net.policy.PolicyObjects.namespace;
import static io.troupe.net.policy.PolicyObjects.pod;
import static io.troupe.net.policy.PolicyObjects.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.persistence.model.KubeObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loopback judge, as a table: policies, then connections (source, destination, port) and their verdicts. */
class PolicyVerdictsTest {
  static final String WEB = "127.64.1.10";
  static final String DB = "127.64.1.20";
  static final String FRONT = "127.64.2.10";
  static final String OTHER = "127.64.3.10";
  static final String HOST = "127.0.0.1";

  static final List<KubeObject> PODS = List.of(
      pod("shop", "web", WEB, "{'app':'web'}", "{'name':'http','containerPort':8080}"),
      pod("shop", "db", DB, "{'app':'db'}", "{'name':'sql','containerPort':5432}"),
      pod("front", "proxy", FRONT, "{'app':'proxy'}"),
      pod("other", "intruder", OTHER, "{'app':'proxy'}"));
  static final List<KubeObject> NAMESPACES = List.of(namespace("shop", "{}"),
      namespace("front", "{'team':'edge'}"), namespace("other", "{}"));

  record Case(String source, String destination, int port, boolean allowed) {}

  static void judge(String why, List<KubeObject> policies, Case... cases) {
    PolicyVerdicts verdicts = PolicyVerdicts.of(policies, PODS, NAMESPACES);
    for (Case c : cases) {
      assertEquals(c.allowed(), verdicts.allows(c.source(), c.destination(), c.port(), "TCP"), why + ": " + c);
    }
  }

  static Case allowed(String source, String destination, int port) {
    return new Case(source, destination, port, true);
  }

  static Case denied(String source, String destination, int port) {
    return new Case(source, destination, port, false);
  }

  @Test
  void noPolicyAdmitsEverything() {
    assertTrue(PolicyVerdicts.of(List.of(), PODS, NAMESPACES).open());
    judge("no policy", List.of(), allowed(HOST, WEB, 8080), allowed(OTHER, DB, 5432));
    assertTrue(PolicyVerdicts.OPEN.allows(HOST, WEB, 1, "TCP"));
  }

  @Test
  void defaultDenyIsolatesOnlyTheSelectedPods() {
    judge("deny all of shop", List.of(policy("shop", "deny", "{'podSelector':{}}")),
        denied(HOST, WEB, 8080), denied(FRONT, DB, 5432), denied(WEB, DB, 5432),
        allowed(WEB, FRONT, 80), allowed(HOST, OTHER, 80));
    judge("deny web only", List.of(policy("shop", "deny", "{'podSelector':{'matchLabels':{'app':'web'}}}")),
        denied(HOST, WEB, 8080), allowed(HOST, DB, 5432));
    judge("an Egress-only policy leaves ingress open",
        List.of(policy("shop", "deny-out", "{'podSelector':{},'policyTypes':['Egress']}")),
        allowed(HOST, WEB, 8080), denied(WEB, DB, 5432), allowed(FRONT, WEB, 8080));
  }

  @Test
  void ipBlocksJudgeTheSourceAddressPodOrNot() {
    judge("127.0.0.0/8 except 127.64.0.0/10", List.of(policy("shop", "hosts",
            "{'podSelector':{},'ingress':[{'from':[{'ipBlock':{'cidr':'127.0.0.0/8','except':['127.64.0.0/10']}}]}]}")),
        allowed(HOST, WEB, 8080), allowed("127.1.2.3", DB, 5432), denied(FRONT, WEB, 8080));
    judge("a /32", List.of(policy("shop", "one", "{'podSelector':{},'ingress':[{'from':[{'ipBlock':{'cidr':"
            + "'127.64.2.10/32'}}]}]}")),
        allowed(FRONT, WEB, 8080), denied(HOST, WEB, 8080), denied(OTHER, WEB, 8080));
  }

  @Test
  void selectorPeersMatchOnlyPodIpSources() {
    List<KubeObject> fromEdge = List.of(policy("shop", "edge", "{'podSelector':{'matchLabels':{'app':'web'}},"
        + "'ingress':[{'from':[{'namespaceSelector':{'matchLabels':{'team':'edge'}}}]}]}"));
    judge("namespaceSelector", fromEdge, allowed(FRONT, WEB, 8080), denied(OTHER, WEB, 8080),
        denied(HOST, WEB, 8080), denied(DB, WEB, 8080));
    judge("podSelector: the policy's namespace only", List.of(policy("shop", "db", "{'podSelector':{'matchLabels':"
            + "{'app':'db'}},'ingress':[{'from':[{'podSelector':{'matchLabels':{'app':'web'}}}]}]}")),
        allowed(WEB, DB, 5432), denied(FRONT, DB, 5432), denied(HOST, DB, 5432));
    judge("both: pods of those namespaces", List.of(policy("shop", "both", "{'podSelector':{},'ingress':[{'from':"
            + "[{'namespaceSelector':{},'podSelector':{'matchLabels':{'app':'proxy'}}}]}]}")),
        allowed(FRONT, WEB, 8080), allowed(OTHER, WEB, 8080), denied(DB, WEB, 8080), denied(HOST, WEB, 8080));
    judge("the name label names a namespace", List.of(policy("shop", "by-name", "{'podSelector':{},'ingress':[{"
            + "'from':[{'namespaceSelector':{'matchLabels':{'kubernetes.io/metadata.name':'other'}}}]}]}")),
        allowed(OTHER, WEB, 8080), denied(FRONT, WEB, 8080));
  }

  @Test
  void portsAreTheDestinationPodsWithNamesResolvedOnIt() {
    judge("numbers, ranges, names", List.of(policy("shop", "ports", "{'podSelector':{},'ingress':[{'ports':["
            + "{'port':'http'},{'port':9000,'endPort':9010},{'protocol':'UDP','port':53}]}]}")),
        allowed(HOST, WEB, 8080), denied(HOST, DB, 8080), denied(HOST, DB, 5432), allowed(HOST, DB, 9005),
        denied(HOST, WEB, 53), denied(HOST, WEB, 9011));
    judge("no from, ports only: any source", List.of(policy("shop", "sql", "{'podSelector':{'matchLabels':"
            + "{'app':'db'}},'ingress':[{'ports':[{'port':'sql'}]}]}")),
        allowed(HOST, DB, 5432), allowed(OTHER, DB, 5432), denied(OTHER, DB, 5433));
    judge("an empty rule allows everything", List.of(policy("shop", "all", "{'podSelector':{},'ingress':[{}]}")),
        allowed(HOST, WEB, 1), allowed(OTHER, DB, 2));
  }

  @Test
  void egressAppliesWhenTheSourceIsAPod() {
    List<KubeObject> out = List.of(policy("front", "out", "{'podSelector':{},'policyTypes':['Egress'],"
        + "'egress':[{'to':[{'namespaceSelector':{'matchLabels':{'kubernetes.io/metadata.name':'shop'}},"
        + "'podSelector':{'matchLabels':{'app':'web'}}}],'ports':[{'port':'http'}]}]}"));
    judge("front may reach shop/web:http only", out, allowed(FRONT, WEB, 8080), denied(FRONT, WEB, 8081),
        denied(FRONT, DB, 5432), allowed(HOST, DB, 5432), allowed(OTHER, DB, 5432));
    judge("egress by ipBlock", List.of(policy("front", "out", "{'podSelector':{},'policyTypes':['Egress'],"
            + "'egress':[{'to':[{'ipBlock':{'cidr':'127.64.1.0/24','except':['127.64.1.20/32']}}]}]}")),
        allowed(FRONT, WEB, 8080), denied(FRONT, DB, 5432), denied(FRONT, OTHER, 80));
    judge("both ends must let it", List.of(
            policy("front", "out", "{'podSelector':{},'policyTypes':['Egress'],'egress':[{}]}"),
            policy("shop", "in", "{'podSelector':{},'ingress':[{'from':[{'ipBlock':{'cidr':'127.0.0.1/32'}}]}]}")),
        denied(FRONT, WEB, 8080), allowed(HOST, WEB, 8080));
  }

  @Test
  void bridgeModeLeavesTheJudgingToNftables() {
    var bridge = com.typesafe.config.ConfigFactory.parseString("troupe.net.mode = bridge")
        .withFallback(com.typesafe.config.ConfigFactory.load());
    try (LoopbackPolicies policies = LoopbackPolicies.start(null, null, bridge)) {
      assertEquals(false, policies.judging());
      assertTrue(policies.current().open());
    }
  }
}
