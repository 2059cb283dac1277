package io.troupe.node.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.node.runtime.DnsConfig;
import io.troupe.persistence.model.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pod's resolv.conf from its dnsPolicy and dnsConfig, as the kubelet forms it. */
class PodDnsTest {
  static final DnsConfig HOST = PodDns.parseResolvConf("""
      # the node's
      nameserver 10.0.0.2
      nameserver 10.0.0.3 ; a comment
      domain ignored.example
      search corp.example lab.example.
      options timeout:2 rotate
      """);
  static final PodDns.Settings SETTINGS = new PodDns.Settings("cluster.local", 53, "kube-system", "kube-dns", HOST);

  static JsonNode spec(String json) throws Exception {
    return Json.MAPPER.readTree(json);
  }

  @Test
  void theNodesResolvConfIsRead() {
    assertEquals(List.of("10.0.0.2", "10.0.0.3"), HOST.servers());
    assertEquals(List.of("corp.example", "lab.example."), HOST.searches());
    assertEquals(List.of("timeout:2", "rotate"), HOST.options());
  }

  @Test
  void clusterFirstIsTheClusterDnsWithTheClusterSearchesFirst() throws Exception {
    DnsConfig dns = PodDns.of(spec("{}"), "shop", SETTINGS, "127.32.0.10");
    // the node's nameservers after the cluster's: names outside the cluster domain are REFUSED, then asked there
    assertEquals(List.of("127.32.0.10", "10.0.0.2", "10.0.0.3"), dns.servers());
    assertEquals(List.of("shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example",
        "lab.example"), dns.searches());
    assertEquals(List.of("ndots:5"), dns.options());
    assertEquals("search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\n"
        + "nameserver 127.32.0.10\nnameserver 10.0.0.2\nnameserver 10.0.0.3\noptions ndots:5\n", dns.resolvConf());
    assertEquals(dns, PodDns.of(spec("{\"dnsPolicy\": \"ClusterFirstWithHostNet\", \"hostNetwork\": true}"), "shop",
        SETTINGS, "127.32.0.10"));
  }

  @Test
  void theNodesOwnWhereThePolicySaysSoOrTheClusterHasNoDns() throws Exception {
    assertNull(PodDns.of(spec("{\"dnsPolicy\": \"Default\"}"), "shop", SETTINGS, "127.32.0.10"));
    assertNull(PodDns.of(spec("{\"hostNetwork\": true}"), "shop", SETTINGS, "127.32.0.10"));
    assertNull(PodDns.of(spec("{}"), "shop", SETTINGS, null), "MissingClusterDNS: Default");
  }

  @Test
  void dnsConfigIsAddedToThePolicys() throws Exception {
    DnsConfig dns = PodDns.of(spec("""
        {"dnsConfig": {"nameservers": ["1.1.1.1", "127.32.0.10"], "searches": ["extra.example"],
         "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}}
        """), "shop", SETTINGS, "127.32.0.10");
    assertEquals(List.of("127.32.0.10", "1.1.1.1", "10.0.0.2"), dns.servers(), "the pod's before the node's");
    assertEquals("extra.example", dns.searches().get(dns.searches().size() - 1));
    assertEquals(List.of("ndots:2", "edns0"), dns.options());
    DnsConfig onHost = PodDns.of(spec("{\"dnsPolicy\": \"Default\", \"dnsConfig\": {\"searches\": [\"x.example\"]}}"),
        "shop", SETTINGS, "127.32.0.10");
    assertEquals(List.of("10.0.0.2", "10.0.0.3"), onHost.servers());
    assertEquals(List.of("corp.example", "lab.example", "x.example"), onHost.searches());
    assertEquals(List.of("timeout:2", "rotate"), onHost.options());
  }

  @Test
  void noneIsOnlyTheDnsConfig() throws Exception {
    DnsConfig dns = PodDns.of(spec("""
        {"dnsPolicy": "None", "dnsConfig": {"nameservers": ["9.9.9.9"], "searches": ["a.example"]}}
        """), "shop", SETTINGS, "127.32.0.10");
    assertEquals(new DnsConfig(List.of("9.9.9.9"), List.of("a.example"), List.of()), dns);
  }

  @Test
  void theResolversLimitsAreKept() throws Exception {
    List<String> servers = List.of("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4");
    List<String> searches = new ArrayList<>();
    for (int i = 0; i < 40; i++) searches.add("s" + i + ".example");
    DnsConfig dns = PodDns.of(spec("{\"dnsPolicy\": \"None\", \"dnsConfig\": {\"nameservers\": "
        + Json.write(servers) + ", \"searches\": " + Json.write(searches) + "}}"), "shop", SETTINGS, null);
    assertEquals(servers.subList(0, 3), dns.servers());
    assertEquals(searches.subList(0, 32), dns.searches());
  }
}
