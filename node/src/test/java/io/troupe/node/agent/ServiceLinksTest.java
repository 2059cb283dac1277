package io.troupe.node.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Services' variables of a container, as the kubelet's envvars.FromServices makes them. */
class ServiceLinksTest {
  static KubeObject service(String namespace, String name, String type, String clusterIp, String portsJson)
      throws Exception {
    ObjectNode spec = Json.object().put("type", type);
    if (clusterIp != null) spec.put("clusterIP", clusterIp);
    spec.set("ports", Json.MAPPER.readTree(portsJson));
    ObjectNode body = Json.object();
    body.set("spec", spec);
    return new KubeObject("v1", "Service", ObjectMeta.named(namespace, name), body);
  }

  static KubeObject pod(String specJson) throws Exception {
    ObjectNode body = Json.object();
    body.set("spec", Json.MAPPER.readTree(specJson));
    return new KubeObject("v1", "Pod", ObjectMeta.named("shop", "p"), body);
  }

  static final String WEB_PORTS = """
      [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
       {"name": "dns-udp", "port": 53, "protocol": "UDP"}]""";

  static List<KubeObject> services() throws Exception {
    return List.of(
        service("shop", "my-web", "ClusterIP", "127.32.1.1", WEB_PORTS),
        service("shop", "db", "ClusterIP", "None", "[{\"port\": 5432}]"),
        service("shop", "search", "ExternalName", null, "[]"));
  }

  @Test
  void everyServiceWithAClusterIpGivesTheKubeletsVariables() throws Exception {
    Map<String, String> env = ServiceLinks.of(pod("{}"), services(),
        service("default", "kubernetes", "ClusterIP", "127.32.0.1", "[{\"name\": \"https\", \"port\": 443}]"));
    Map<String, String> expected = new java.util.TreeMap<>(Map.ofEntries(
        Map.entry("MY_WEB_SERVICE_HOST", "127.32.1.1"),
        Map.entry("MY_WEB_SERVICE_PORT", "80"),
        Map.entry("MY_WEB_SERVICE_PORT_HTTP", "80"),
        Map.entry("MY_WEB_SERVICE_PORT_DNS_UDP", "53"),
        Map.entry("MY_WEB_PORT", "tcp://127.32.1.1:80"),
        Map.entry("MY_WEB_PORT_80_TCP", "tcp://127.32.1.1:80"),
        Map.entry("MY_WEB_PORT_80_TCP_PROTO", "tcp"),
        Map.entry("MY_WEB_PORT_80_TCP_PORT", "80"),
        Map.entry("MY_WEB_PORT_80_TCP_ADDR", "127.32.1.1"),
        Map.entry("MY_WEB_PORT_53_UDP", "udp://127.32.1.1:53"),
        Map.entry("MY_WEB_PORT_53_UDP_PROTO", "udp"),
        Map.entry("MY_WEB_PORT_53_UDP_PORT", "53"),
        Map.entry("MY_WEB_PORT_53_UDP_ADDR", "127.32.1.1"),
        Map.entry("KUBERNETES_SERVICE_HOST", "127.32.0.1"),
        Map.entry("KUBERNETES_SERVICE_PORT", "443"),
        Map.entry("KUBERNETES_SERVICE_PORT_HTTPS", "443"),
        Map.entry("KUBERNETES_PORT", "tcp://127.32.0.1:443"),
        Map.entry("KUBERNETES_PORT_443_TCP", "tcp://127.32.0.1:443"),
        Map.entry("KUBERNETES_PORT_443_TCP_PROTO", "tcp"),
        Map.entry("KUBERNETES_PORT_443_TCP_PORT", "443"),
        Map.entry("KUBERNETES_PORT_443_TCP_ADDR", "127.32.0.1")));
    assertEquals(expected, new java.util.TreeMap<>(env));
  }

  @Test
  void withoutServiceLinksOnlyTheMasterService() throws Exception {
    Map<String, String> env = ServiceLinks.of(pod("{\"enableServiceLinks\": false}"), services(),
        service("default", "kubernetes", "ClusterIP", "127.32.0.1", "[{\"port\": 443}]"));
    assertEquals("127.32.0.1", env.get("KUBERNETES_SERVICE_HOST"));
    assertFalse(env.keySet().stream().anyMatch(k -> k.startsWith("MY_WEB")), env.toString());
    assertTrue(ServiceLinks.of(pod("{\"enableServiceLinks\": false}"), services(), null).isEmpty());
  }

  @Test
  void aContainersOwnVariablesWinAndMayReferToTheServices() throws Exception {
    ObjectNode container = (ObjectNode) Json.MAPPER.readTree("""
        {"name": "main", "image": "host", "command": ["echo", "$(MY_WEB_SERVICE_HOST)"],
         "env": [{"name": "MY_WEB_SERVICE_PORT", "value": "8000"},
                 {"name": "URL", "value": "http://$(MY_WEB_SERVICE_HOST):$(MY_WEB_SERVICE_PORT_HTTP)/"}]}""");
    KubeObject pod = pod("{}");
    var result = (ContainerEnvironment.Resolved) ContainerEnvironment.resolve(pod, container, "127.64.0.9", "",
        Map.of(), name -> Optional.empty(), name -> Optional.empty(), ServiceLinks.of(pod, services(), null));
    assertEquals("8000", result.env().get("MY_WEB_SERVICE_PORT"));
    assertEquals("127.32.1.1", result.env().get("MY_WEB_SERVICE_HOST"));
    assertEquals("http://127.32.1.1:80/", result.env().get("URL"));
    assertEquals(List.of("echo", "127.32.1.1"), result.command());
  }
}
