package io.troupe.net.proxy;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static io.troupe.net.proxy.ProxyFixture.ask;
import static io.troupe.net.proxy.ProxyFixture.endpoints;
import static io.troupe.net.proxy.ProxyFixture.outcome;
import static io.troupe.net.proxy.ProxyFixture.put;
import static io.troupe.net.proxy.ProxyFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.Store;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NetworkPolicy in loopback mode at the service proxy, with real sockets: two pods of {@code shop} behind a
 * Service, clients connecting from 127.0.0.1 (a host process, or a pod's process that did not bind its pod IP) and
 * from the pod IPs of pods in two other namespaces (a client socket bound to 127.64.x.y before it connects).
 */
class LoopbackPolicyProxyTest {
  static final String NS = "shop";
  static final String VIP = "127.32.150.1";
  static final String EDGE_POD = "127.64.151.1";
  static final String OTHER_POD = "127.64.152.1";
  static final Duration APPLIED = Duration.ofSeconds(5);
  static ControlPlane plane;
  static Store store;
  static ServiceProxy proxy;
  static TestBackend web1;
  static TestBackend web2;

  @BeforeAll
  static void start() throws Exception {
    plane = TestControlPlane.start();
    store = plane.store().as("policy-proxy-test");
    var config = ConfigFactory.parseMap(Map.of("troupe.net.proxy.bind-retry-interval", "200ms",
        "troupe.net.policy.apply-delay", "20ms")).withFallback(plane.system().settings().config());
    proxy = ServiceProxy.start(plane.system(), store, config, "127.0.0.1");
    web1 = TestBackend.start("web-1", "127.64.150.1", 8080);
    web2 = TestBackend.start("web-2", "127.64.150.2", 8080);
    put(store, namespace(NS, Map.of()));
    put(store, namespace("edge", Map.of("team", "edge")));
    put(store, namespace("other", Map.of()));
    pod(NS, "web-1", web1.ip, "web");
    pod(NS, "web-2", web2.ip, "web");
    pod("edge", "client", EDGE_POD, "client");
    pod("other", "client", OTHER_POD, "client");
    put(store, service(NS, "web", VIP, s -> { }, 80));
    put(store, endpoints(NS, "web", List.of(web1, web2), List.of(), "p80"));
    awaitUntil(APPLIED, () -> outcome(VIP, 80).equals("answered"), () -> "the Service served");
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) proxy.close();
    for (TestBackend b : new TestBackend[] {web1, web2}) if (b != null) b.close();
    if (plane != null) plane.close();
  }

  @Test
  void policiesDecideWhichClientsReachThePods() throws Exception {
    assertEquals(Set.of("web-1", "web-2"), answers(null), "no policy: both pods, from anywhere");

    policy("{'podSelector':{'matchLabels':{'app':'web'}},'policyTypes':['Ingress']}");
    awaitUntil(APPLIED, () -> outcome(VIP, 80).equals("reset"), () -> "default deny: reset");
    double before = failed("policy");
    assertThrows(SocketException.class, () -> ask(VIP, 80));
    assertThrows(SocketException.class, () -> ask(VIP, 80, EDGE_POD));
    assertTrue(failed("policy") >= before + 2, "counted with reason policy");

    policy("{'podSelector':{'matchLabels':{'app':'web'}},'ingress':[{'from':[{'ipBlock':{'cidr':'127.0.0.0/8',"
        + "'except':['127.64.0.0/10']}}]}]}");
    awaitUntil(APPLIED, () -> outcome(VIP, 80).equals("answered"), () -> "127.0.0.0/8 allowed");
    assertEquals(Set.of("web-1", "web-2"), answers(null));
    assertThrows(SocketException.class, () -> ask(VIP, 80, EDGE_POD), "a pod IP is in the except range");

    policy("{'podSelector':{'matchLabels':{'app':'web'}},'ingress':[{'from':[{'namespaceSelector':"
        + "{'matchLabels':{'team':'edge'}}}]}]}");
    awaitUntil(APPLIED, () -> outcome(VIP, 80).equals("reset"), () -> "127.0.0.1 is no pod of edge");
    assertEquals(Set.of("web-1", "web-2"), answers(EDGE_POD), "from a pod of a selected namespace");
    assertThrows(SocketException.class, () -> ask(VIP, 80, OTHER_POD), "from a pod of another namespace");

    policy("{'podSelector':{'matchLabels':{'pod':'web-1'}}}");
    awaitUntil(APPLIED, () -> answers(null).equals(Set.of("web-2")), () -> "only the pod that admits");
  }

  /** Which pods answer ten connections from {@code from} (null: 127.0.0.1). */
  static Set<String> answers(String from) {
    Set<String> seen = new HashSet<>();
    try {
      for (int i = 0; i < 10; i++) seen.add(ask(VIP, 80, from));
    } catch (IOException e) {
      seen.add(e.toString());
    }
    return seen;
  }

  static double failed(String reason) {
    return ProxyMetrics.SERVICE_FAILED.labelValues(NS, "web", "p80", reason).get();
  }

  static void policy(String spec) throws Exception {
    ObjectNode body = (ObjectNode) Json.MAPPER.readTree("{\"spec\":" + spec.replace('\'', '"') + "}");
    put(store, new KubeObject("networking.k8s.io/v1", "NetworkPolicy",
        io.troupe.persistence.model.ObjectMeta.named(NS, "web"), body));
  }

  static KubeObject namespace(String name, Map<String, String> labels) throws Exception {
    ObjectNode meta = Json.object().put("name", name);
    labels.forEach((k, v) -> meta.with("labels").put(k, v));
    return KubeObject.fromTree((ObjectNode) Json.object().put("apiVersion", "v1").put("kind", "Namespace")
        .set("metadata", meta));
  }

  /** A running pod with an IP of its own, labelled app and pod. */
  static void pod(String namespace, String name, String ip, String app) throws Exception {
    ObjectNode tree = (ObjectNode) Json.MAPPER.readTree(("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'"
        + name + "','namespace':'" + namespace + "','labels':{'app':'" + app + "','pod':'" + name + "'}},"
        + "'spec':{'containers':[{'name':'main','image':'x'}]}}").replace('\'', '"'));
    put(store, KubeObject.fromTree(tree));
    KubeObject stored = store.get("Pod/" + namespace + "/" + name).orElseThrow().object();
    ObjectNode status = Json.object().put("phase", "Running").put("podIP", ip);
    ProxyFixture.putStatus(store, stored.withField("status", status));
  }
}
