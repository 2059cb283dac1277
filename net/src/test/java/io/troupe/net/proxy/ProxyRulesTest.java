package io.troupe.net.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the proxy makes of a Service and its Endpoints, without sockets. */
class ProxyRulesTest {
  static KubeObject object(String json) {
    try {
      return KubeObject.fromTree((ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"')));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static final KubeObject WEB_ENDPOINTS = object("""
      {'apiVersion':'v1','kind':'Endpoints','metadata':{'namespace':'ns','name':'web'},
       'subsets':[
        {'addresses':[{'ip':'127.64.0.1','targetRef':{'kind':'Pod','namespace':'ns','name':'web-1'}},
                      {'ip':'127.64.0.2','targetRef':{'kind':'Pod','namespace':'ns','name':'web-2'}}],
         'notReadyAddresses':[{'ip':'127.64.0.3','targetRef':{'kind':'Pod','namespace':'ns','name':'web-3'}}],
         'ports':[{'name':'http','port':8080,'protocol':'TCP'},{'name':'admin','port':9090,'protocol':'TCP'},
                  {'name':'dns','port':5353,'protocol':'UDP'}]},
        {'addresses':[{'ip':'127.64.1.1'}],
         'ports':[{'name':'http','port':8081,'protocol':'TCP'}]}]}
      """);

  @Test
  void clusterIpPortsResolveTheirTargetPortsByName() {
    KubeObject service = object("""
        {'apiVersion':'v1','kind':'Service','metadata':{'namespace':'ns','name':'web'},
         'spec':{'clusterIP':'127.32.0.5','ports':[{'name':'http','port':80,'targetPort':'web'},
                 {'name':'admin','port':90},{'name':'dns','port':53,'protocol':'UDP'}]}}
        """);
    List<ProxyRules.PortRule> rules = ProxyRules.of(service, WEB_ENDPOINTS, "127.0.0.1");
    assertEquals(2, rules.size(), "UDP ports get no rule");
    ProxyRules.PortRule http = rules.get(0);
    assertEquals(new ServicePort("ns", "web", "http", 80), http.servicePort());
    assertEquals(List.of(new Frontend("127.32.0.5", 80)), http.frontends(), "no nodePort for a ClusterIP Service");
    assertEquals(List.of(
        new Endpoint("127.64.0.1", 8080, new Endpoint.Pod("ns", "web-1")),
        new Endpoint("127.64.0.2", 8080, new Endpoint.Pod("ns", "web-2")),
        new Endpoint("127.64.1.1", 8081, new Endpoint.Pod("ns", "127.64.1.1"))), http.ready(),
        "each subset's port of the same name; an address without targetRef is named by its ip");
    assertEquals(Set.of(new Endpoint.Pod("ns", "web-1"), new Endpoint.Pod("ns", "web-2"),
        new Endpoint.Pod("ns", "web-3"), new Endpoint.Pod("ns", "127.64.1.1")), http.pods());
    ProxyRules.PortRule admin = rules.get(1);
    assertEquals(List.of(new Endpoint("127.64.0.1", 9090, new Endpoint.Pod("ns", "web-1")),
        new Endpoint("127.64.0.2", 9090, new Endpoint.Pod("ns", "web-2"))), admin.ready());
    assertEquals(ProxyRules.Affinity.NONE, admin.affinity());
  }

  @Test
  void nodePortAndLoadBalancerAddresses() {
    KubeObject service = object("""
        {'apiVersion':'v1','kind':'Service','metadata':{'namespace':'ns','name':'web'},
         'spec':{'type':'LoadBalancer','clusterIP':'127.32.0.5','ports':[{'name':'http','port':80,'nodePort':30080}],
                 'sessionAffinity':'ClientIP'},
         'status':{'loadBalancer':{'ingress':[{'ip':'127.48.0.1'},{'hostname':'lb.example'}]}}}
        """);
    ProxyRules.PortRule rule = ProxyRules.of(service, WEB_ENDPOINTS, "127.0.0.1").get(0);
    assertEquals(List.of(new Frontend("127.32.0.5", 80), new Frontend("127.0.0.1", 30080),
        new Frontend("127.48.0.1", 80)), rule.frontends());
    assertEquals(new ProxyRules.Affinity(true, Duration.ofSeconds(10800)), rule.affinity(), "the default timeout");

    KubeObject nodePort = object("""
        {'apiVersion':'v1','kind':'Service','metadata':{'namespace':'ns','name':'web'},
         'spec':{'type':'NodePort','clusterIP':'127.32.0.5','ports':[{'name':'http','port':80,'nodePort':30080}],
                 'sessionAffinity':'ClientIP','sessionAffinityConfig':{'clientIP':{'timeoutSeconds':60}}}}
        """);
    ProxyRules.PortRule n = ProxyRules.of(nodePort, WEB_ENDPOINTS, "127.0.0.1").get(0);
    assertEquals(List.of(new Frontend("127.32.0.5", 80), new Frontend("127.0.0.1", 30080)), n.frontends());
    assertEquals(Duration.ofSeconds(60), n.affinity().timeout());
    assertEquals(List.of(new Frontend("127.32.0.5", 80)), ProxyRules.of(nodePort, WEB_ENDPOINTS, null).get(0)
        .frontends(), "no node address, no nodePort");
  }

  @Test
  void unnamedPortMatchesTheUnnamedEndpointsPort() {
    KubeObject service = object("""
        {'apiVersion':'v1','kind':'Service','metadata':{'namespace':'ns','name':'one'},
         'spec':{'clusterIP':'127.32.0.6','ports':[{'port':80,'targetPort':8080}]}}
        """);
    KubeObject endpoints = object("""
        {'apiVersion':'v1','kind':'Endpoints','metadata':{'namespace':'ns','name':'one'},
         'subsets':[{'addresses':[{'ip':'127.64.0.9'}],'ports':[{'port':8080,'protocol':'TCP'}]}]}
        """);
    ProxyRules.PortRule rule = ProxyRules.of(service, endpoints, null).get(0);
    assertEquals(new ServicePort("ns", "one", "", 80), rule.servicePort());
    assertEquals("80", rule.servicePort().label());
    assertEquals(List.of(new Endpoint("127.64.0.9", 8080, new Endpoint.Pod("ns", "127.64.0.9"))), rule.ready());
    assertTrue(ProxyRules.of(service, null, null).get(0).ready().isEmpty(), "no Endpoints, no endpoint");
  }

  @Test
  void headlessExternalNameAndBadAddressesGetNoListener() {
    assertEquals(List.of(), ProxyRules.of(object("""
        {'apiVersion':'v1','kind':'Service','metadata':{'namespace':'ns','name':'web'},
         'spec':{'clusterIP':'None','ports':[{'name':'http','port':80}]}}
        """), WEB_ENDPOINTS, "127.0.0.1"));
    assertEquals(List.of(), ProxyRules.of(object("""
        {'apiVersion':'v1','kind':'Service','metadata':{'namespace':'ns','name':'web'},
         'spec':{'type':'ExternalName','externalName':'example.org','ports':[{'name':'http','port':80}]}}
        """), WEB_ENDPOINTS, "127.0.0.1"));
    ProxyRules.PortRule noIpYet = ProxyRules.of(object("""
        {'apiVersion':'v1','kind':'Service','metadata':{'namespace':'ns','name':'web'},
         'spec':{'ports':[{'name':'http','port':80}]}}
        """), WEB_ENDPOINTS, "127.0.0.1").get(0);
    assertEquals(List.of(), noIpYet.frontends(), "no ClusterIP allocated yet: nothing to listen on");
    assertEquals(List.of(), ProxyRules.of(null, WEB_ENDPOINTS, null));
  }

  @Test
  void ipLiteralsOnly() {
    assertTrue(ProxyRules.isIpLiteral("127.32.0.1"));
    assertTrue(ProxyRules.isIpLiteral("::1"));
    assertFalse(ProxyRules.isIpLiteral("0.0.0.0"), "never every address");
    assertFalse(ProxyRules.isIpLiteral("::"));
    assertFalse(ProxyRules.isIpLiteral("example.org"), "never a lookup");
    assertFalse(ProxyRules.isIpLiteral("127.32.0.256"));
    assertFalse(ProxyRules.isIpLiteral(""));
    assertFalse(ProxyRules.isIpLiteral(null));
  }
}
