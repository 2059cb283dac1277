package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.persistence.model.Ipv4Cidr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two API servers on two JVMs (one PostgreSQL journal) handing out ClusterIPs and nodePorts at once never hand out
 * one twice; the built-in Services, made by both at start, exist once; the Nodes of both get distinct pod CIDRs.
 */
class ClusterAddressesTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static final Path LOGS = Path.of("target", "cluster-addresses-logs");
  final List<KubernetesClient> clients = new ArrayList<>();
  TestCluster cluster;

  @AfterEach
  void stop() {
    clients.forEach(KubernetesClient::close);
    if (cluster != null) cluster.close();
  }

  static Service service(String name, String clusterIp) {
    return new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withType("NodePort").withClusterIP(clusterIp).addToSelector("app", name)
        .addNewPort().withName("http").withPort(80).endPort().endSpec().build();
  }

  @Test
  void twoApiServersNeverHandOutOneAddressOrPortTwice() throws Exception {
    cluster = new TestCluster(2, LOGS);
    cluster.startAll();
    for (int i = 0; i < 2; i++) clients.add(cluster.server(i).client());
    KubernetesClient a = clients.get(0);
    KubernetesClient b = clients.get(1);

    Fabric8Clients.awaitUntil(DEADLINE, () -> a.nodes().list().getItems().size() == 2
        && a.nodes().list().getItems().stream().allMatch(n -> n.getSpec().getPodCIDR() != null),
        () -> "2 nodes with pod CIDRs: " + a.nodes().list().getItems());
    String cidr0 = a.nodes().withName("n0").get().getSpec().getPodCIDR();
    String cidr1 = a.nodes().withName("n1").get().getSpec().getPodCIDR();
    assertNotEquals(cidr0, cidr1);
    assertTrue(Ipv4Cidr.parse("127.64.0.0/10").contains(Ipv4Cidr.parse(cidr0)), cidr0);

    assertEquals("127.32.0.10", b.services().inNamespace("kube-system").withName("kube-dns").get().getSpec()
        .getClusterIP());
    assertEquals("127.32.0.1", b.services().inNamespace("default").withName("kubernetes").get().getSpec()
        .getClusterIP());

    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<Service>> creates = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        KubernetesClient client = clients.get(i % 2);
        Service s = service("svc-" + i, null);
        creates.add(CompletableFuture.supplyAsync(() ->
            client.services().inNamespace("default").resource(s).create(), threads));
      }
      Set<String> ips = new HashSet<>();
      Set<Integer> nodePorts = new HashSet<>();
      for (var c : creates) {
        Service created = c.join();
        assertTrue(ips.add(created.getSpec().getClusterIP()), "ClusterIP twice: " + created.getSpec().getClusterIP());
        int nodePort = created.getSpec().getPorts().get(0).getNodePort();
        assertTrue(nodePorts.add(nodePort), "nodePort twice: " + nodePort);
      }
      assertEquals(40, ips.size());

      // one asked-for address, asked for on both JVMs at once: one gets it, the other a 422
      List<CompletableFuture<Integer>> racers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        KubernetesClient client = clients.get(i);
        Service s = service("racer-" + i, "127.32.200.200");
        racers.add(CompletableFuture.supplyAsync(() -> {
          try {
            client.services().inNamespace("default").resource(s).create();
            return 201;
          } catch (KubernetesClientException e) {
            return e.getCode();
          }
        }, threads));
      }
      List<Integer> codes = racers.stream().map(CompletableFuture::join).sorted().toList();
      assertEquals(List.of(201, 422), codes);
    } finally {
      threads.shutdown();
    }
  }
}
