package io.troupe.control.api;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.admission.Admission;
import io.troupe.control.controller.TestNodeAgent;
import io.troupe.control.ipam.RangeAllocator;
import io.troupe.control.ipam.ServiceAllocators;
import io.troupe.persistence.model.Ipv4Cidr;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.store.StoreResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The address controllers, seen through the API: node pod CIDRs, load-balancer addresses, the range repair. */
class IpamControllersTest {
  static final Duration DEADLINE = Duration.ofSeconds(30);
  static final Ipv4Cidr CLUSTER_CIDR = Ipv4Cidr.parse("127.64.0.0/10");
  static ControlPlane plane;
  static HttpApi api;
  static TestNodeAgent agent;

  @BeforeAll
  static void start() throws Exception {
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true,
        "troupe.net.ipam.repair-interval", "200ms"));
    api = new HttpApi(TestControlPlane.url(plane));
    agent = TestNodeAgent.start(plane.system(), plane.store(), Map.of("ipam-1", "zone-a", "ipam-2", "zone-b"));
  }

  @AfterAll
  static void stop() throws Exception {
    agent.close();
    plane.close();
  }

  private static String podCidr(String node) {
    return api.get("/api/v1/nodes/" + node).json().path("spec").path("podCIDR").asText("");
  }

  @Test
  void nodesGetDistinctPodCidrsFromTheClusterRangeAndOnesBroughtAlongAreKept() throws Exception {
    KubeObject own = TestNodeAgent.node("ipam-own", "zone-a");
    ObjectNode spec = (ObjectNode) own.spec();
    spec.put("podCIDR", "127.65.0.0/23");
    spec.putArray("podCIDRs").add("127.65.0.0/23");
    assertTrue(plane.store().create(own).toCompletableFuture().get(20, TimeUnit.SECONDS)
        instanceof StoreResult.Written);

    int many = 500;
    long started = System.nanoTime();
    // registered 50 at a time, as node agents starting together would (each a new entity to start); the first ones
    // get CIDRs while the others register, and none gets one of the 127.65.0.0/23 that ipam-own brought
    for (int from = 0; from < many; from += 50) {
      List<CompletableFuture<StoreResult>> creates = new ArrayList<>();
      for (int i = from; i < from + 50; i++) {
        creates.add(plane.store().create(TestNodeAgent.node("sim-" + i, "zone-a")).toCompletableFuture());
      }
      for (var c : creates) assertTrue(c.get(60, TimeUnit.SECONDS) instanceof StoreResult.Written);
    }
    long created = System.nanoTime();
    awaitUntil(DEADLINE, () -> plane.store().cache().items("Node", null).stream()
            .allMatch(n -> Json.text(n.body(), "spec.podCIDR") != null),
        () -> "Nodes without a pod CIDR: " + plane.store().cache().items("Node", null).stream()
            .filter(n -> Json.text(n.body(), "spec.podCIDR") == null).map(n -> n.metadata().name()).toList());
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.println("node-ipam: " + many + " Nodes created and given pod CIDRs in " + millis + " ms (the last "
        + "CIDRs " + (System.nanoTime() - created) / 1_000_000 + " ms after the last create)");

    Set<String> seen = new HashSet<>();
    for (KubeObject node : plane.store().cache().items("Node", null)) {
      String cidr = Json.text(node.body(), "spec.podCIDR");
      assertEquals(cidr, node.body().path("spec").path("podCIDRs").get(0).asText());
      assertTrue(seen.add(cidr), "given twice: " + cidr);
      Ipv4Cidr parsed = Ipv4Cidr.parse(cidr);
      assertTrue(CLUSTER_CIDR.contains(parsed), cidr);
      if (!node.metadata().name().equals("ipam-own")) {
        assertEquals(24, parsed.prefix(), cidr);
        assertTrue(!Ipv4Cidr.parse("127.65.0.0/23").overlaps(parsed), "the Node's own CIDR is used: " + cidr);
      }
    }
    assertEquals("127.65.0.0/23", podCidr("ipam-own"));
    assertTrue(!podCidr("ipam-1").equals(podCidr("ipam-2")));
  }

  @Test
  void aLoadBalancerServiceGetsAPoolAddressAndGivesItBack() {
    ObjectNode lb = ServiceAddressesTest.service("lb-1", "LoadBalancer");
    assertEquals(201, api.post("/api/v1/namespaces/default/services", lb).code());
    awaitUntil(DEADLINE, () -> !ingressIp("lb-1").isEmpty(), () -> "no load-balancer address: "
        + api.get("/api/v1/namespaces/default/services/lb-1").body());
    String address = ingressIp("lb-1");
    assertTrue(Ipv4Cidr.parse("127.48.0.0/24").contains(address), address);

    ObjectNode second = ServiceAddressesTest.service("lb-2", "LoadBalancer");
    assertEquals(201, api.post("/api/v1/namespaces/default/services", second).code());
    awaitUntil(DEADLINE, () -> !ingressIp("lb-2").isEmpty(), () -> "lb-2 has no address");
    assertTrue(!address.equals(ingressIp("lb-2")));

    var retyped = api.mergePatch("/api/v1/namespaces/default/services/lb-1", Map.of("spec", Map.of("type", "ClusterIP")));
    assertEquals(200, retyped.code(), retyped.body());
    awaitUntil(DEADLINE, () -> ingressIp("lb-1").isEmpty(), () -> "lb-1 keeps its address");

    // the pool hands out its lowest free address: the one lb-1 gave back
    ObjectNode third = ServiceAddressesTest.service("lb-3", "LoadBalancer");
    assertEquals(201, api.post("/api/v1/namespaces/default/services", third).code());
    awaitUntil(DEADLINE, () -> address.equals(ingressIp("lb-3")), () -> "lb-3: " + ingressIp("lb-3"));

    assertEquals(200, api.delete("/api/v1/namespaces/default/services/lb-3").code());
    ObjectNode fourth = ServiceAddressesTest.service("lb-4", "LoadBalancer");
    assertEquals(201, api.post("/api/v1/namespaces/default/services", fourth).code());
    awaitUntil(DEADLINE, () -> address.equals(ingressIp("lb-4")), () -> "a deleted Service's address is freed: "
        + ingressIp("lb-4"));
  }

  private static String ingressIp(String name) {
    JsonNode ingress = api.get("/api/v1/namespaces/default/services/" + name).json()
        .path("status").path("loadBalancer").path("ingress");
    return ingress.isArray() && !ingress.isEmpty() ? ingress.get(0).path("ip").asText("") : "";
  }

  @Test
  void theRepairFreesALeakedAddressAndMarksOneAServiceHolds() throws Exception {
    // a create that allocated and then died before writing its Service
    var leaked = ServiceAllocators.get(plane.system()).clusterIps().allocate(List.of("127.32.0.33"), 0)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(leaked instanceof RangeAllocator.Done, leaked.toString());
    ObjectNode asking = ServiceAddressesTest.service("leak-taker", "ClusterIP");
    asking.with("spec").put("clusterIP", "127.32.0.33");
    awaitUntil(DEADLINE, () -> api.post("/api/v1/namespaces/default/services", asking).code() == 201,
        () -> "127.32.0.33 was never freed");

    // a Service written without the allocator (as one stored before IPAM existed)
    ObjectNode unallocated = ServiceAddressesTest.service("unallocated", "ClusterIP");
    unallocated.with("spec").put("clusterIP", "127.32.4.4");
    KubeObject service = Admission.forCreate(ResourceTypes.SERVICE, "default", unallocated);
    assertTrue(plane.store().create(service).toCompletableFuture().get(10, TimeUnit.SECONDS)
        instanceof StoreResult.Written);
    var allocator = ServiceAllocators.get(plane.system()).clusterIps();
    awaitUntil(DEADLINE, () -> allocator.read().toCompletableFuture().join() instanceof RangeAllocator.Done done
        && done.values().contains("127.32.4.4"), () -> "127.32.4.4 was never marked");
    ObjectNode squatter = ServiceAddressesTest.service("squatter-2", "ClusterIP");
    squatter.with("spec").put("clusterIP", "127.32.4.4");
    HttpApi.Answer refused = api.post("/api/v1/namespaces/default/services", squatter);
    assertEquals(422, refused.code(), refused.body());
  }
}
