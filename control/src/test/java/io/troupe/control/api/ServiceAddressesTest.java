package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.ipam.AllocatorRef;
import io.troupe.control.ipam.RangeAllocation;
import io.troupe.control.ipam.RangeAllocator;
import io.troupe.control.ipam.ServiceAllocators;
import io.troupe.persistence.model.Ipv4Cidr;
import io.troupe.persistence.model.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.Props;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ClusterIPs and nodePorts as the API server hands them out (issue #5's IPAM), through the real HTTP API: from the
 * configured ranges, unique, the asked ones checked with Kubernetes' 422s, freed by a delete or a type change.
 */
class ServiceAddressesTest {
  // Values the tests ask for lie in the ranges' static bands (127.32.0.2-127.32.1.0, ports 30000-30085), which
  // dynamic allocation keeps off, as in Kubernetes: the ~300 random picks of the other tests never take one first.
  static final Ipv4Cidr SERVICE_CIDR = Ipv4Cidr.parse("127.32.0.0/16");
  static ControlPlane plane;
  static HttpApi api;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  static ObjectNode service(String name, String type) {
    ObjectNode body = Json.object();
    body.putObject("metadata").put("name", name);
    ObjectNode spec = body.putObject("spec").put("type", type);
    spec.putObject("selector").put("app", name);
    spec.putArray("ports").addObject().put("name", "http").put("port", 80).put("targetPort", 8080);
    return body;
  }

  static HttpApi.Answer create(ObjectNode service) {
    return api.post("/api/v1/namespaces/default/services", service);
  }

  static JsonNode spec(String name) {
    return api.get("/api/v1/namespaces/default/services/" + name).json().path("spec");
  }

  static long allocationRevision() throws Exception {
    return plane.store().current(RangeAllocation.key(RangeAllocation.SERVICE_CLUSTER_IPS))
        .toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow().revision();
  }

  @Test
  void clusterIpsComeFromTheServiceRangeAndAreUniqueUnderParallelCreates() throws Exception {
    int count = 60;
    long revisionBefore = allocationRevision();
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<CompletableFuture<HttpApi.Answer>> creates = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ObjectNode s = service("many-" + i, "ClusterIP");
        creates.add(CompletableFuture.supplyAsync(() -> create(s), pool));
      }
      Set<String> ips = new HashSet<>();
      for (var c : creates) {
        HttpApi.Answer answer = c.join();
        assertEquals(201, answer.code(), answer.body());
        JsonNode spec = answer.json().path("spec");
        String ip = spec.path("clusterIP").asText();
        assertTrue(SERVICE_CIDR.contains(ip), ip);
        assertEquals(ip, spec.path("clusterIPs").get(0).asText());
        assertEquals("[\"IPv4\"]", spec.path("ipFamilies").toString());
        assertEquals("SingleStack", spec.path("ipFamilyPolicy").asText());
        assertTrue(ips.add(ip), "handed out twice: " + ip);
      }
      assertEquals(count, ips.size());
      long writes = allocationRevision() - revisionBefore;
      System.out.println("service-cluster-ips: " + count + " parallel creates took " + writes
          + " writes of the allocation");
      assertFalse(ips.contains("127.32.0.10"), "dynamic allocation keeps off the static band (kube-dns)");
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Two allocators of one range, as two API servers on two JVMs have (each with its own copy of the bitmap), and the
   * API's creates, all at once: every value is handed out once, and the stored allocation holds them all.
   */
  @Test
  void twoAllocatorsOfOneRangeNeverHandOutOneValueTwice() throws Exception {
    var settings = ServiceAllocators.get(plane.system()).settings();
    AllocatorRef here = ServiceAllocators.get(plane.system()).clusterIps();
    var other = plane.system().systemActorOf(RangeAllocator.create(RangeAllocation.SERVICE_CLUSTER_IPS,
        settings.clusterIps(), plane.store()), "other-jvm-cluster-ips", Props.empty());
    AllocatorRef there = new AllocatorRef(here.name(), here.range(), other, plane.system().scheduler());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<List<String>>> allocations = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        AllocatorRef allocator = i % 2 == 0 ? here : there;
        allocations.add(allocator.allocate(List.of(), 1).toCompletableFuture()
            .thenApply(r -> ((RangeAllocator.Done) r).values()));
      }
      List<CompletableFuture<HttpApi.Answer>> creates = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        ObjectNode s = service("raced-" + i, "ClusterIP");
        creates.add(CompletableFuture.supplyAsync(() -> create(s), pool));
      }
      Set<String> handedOut = new HashSet<>();
      for (var a : allocations) for (String ip : a.get(60, TimeUnit.SECONDS)) assertTrue(handedOut.add(ip), ip);
      for (var c : creates) {
        HttpApi.Answer answer = c.get(60, TimeUnit.SECONDS);
        assertEquals(201, answer.code(), answer.body());
        assertTrue(handedOut.add(answer.json().path("spec").path("clusterIP").asText()), answer.body());
      }
      assertEquals(220, handedOut.size());
      var stored = (RangeAllocator.Done) there.read().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(stored.values().containsAll(handedOut), "the stored bitmap holds every value handed out");
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void anAskedClusterIpIsGivenOrRefusedWithKubernetesMessage() {
    ObjectNode asked = service("asked", "ClusterIP");
    asked.with("spec").put("clusterIP", "127.32.0.55");
    HttpApi.Answer created = create(asked);
    assertEquals(201, created.code(), created.body());
    assertEquals("127.32.0.55", created.json().path("spec").path("clusterIP").asText());

    ObjectNode taken = service("asked-again", "ClusterIP");
    taken.with("spec").put("clusterIP", "127.32.0.55");
    HttpApi.Answer refused = create(taken);
    assertEquals(422, refused.code(), refused.body());
    assertEquals("Service \"asked-again\" is invalid: spec.clusterIPs: Invalid value: []string{\"127.32.0.55\"}: "
        + "failed to allocate IP 127.32.0.55: provided IP is already allocated", refused.json().path("message").asText());
    assertEquals("spec.clusterIPs", refused.json().path("details").path("causes").get(0).path("field").asText());

    ObjectNode outside = service("outside", "ClusterIP");
    outside.with("spec").put("clusterIP", "10.0.0.1");
    HttpApi.Answer out = create(outside);
    assertEquals(422, out.code(), out.body());
    assertTrue(out.json().path("message").asText().endsWith("failed to allocate IP 10.0.0.1: the provided IP "
        + "(10.0.0.1) is not in the valid range. The range of valid IPs is 127.32.0.0/16"), out.body());

    ObjectNode garbage = service("garbage", "ClusterIP");
    garbage.with("spec").put("clusterIP", "not-an-ip");
    assertEquals(422, create(garbage).code());
    assertEquals(404, api.get("/api/v1/namespaces/default/services/outside").code(), "nothing half-written");
  }

  @Test
  void headlessAndExternalNameServicesGetNoClusterIp() {
    ObjectNode headless = service("headless", "ClusterIP");
    headless.with("spec").put("clusterIP", "None");
    HttpApi.Answer created = create(headless);
    assertEquals(201, created.code(), created.body());
    JsonNode spec = created.json().path("spec");
    assertEquals("None", spec.path("clusterIP").asText());
    assertEquals("[\"None\"]", spec.path("clusterIPs").toString());
    assertEquals("SingleStack", spec.path("ipFamilyPolicy").asText());

    ObjectNode selectorless = service("headless-selectorless", "ClusterIP");
    selectorless.with("spec").put("clusterIP", "None").remove("selector");
    JsonNode s2 = create(selectorless).json().path("spec");
    assertEquals("RequireDualStack", s2.path("ipFamilyPolicy").asText(), "as kube-apiserver defaults it");

    ObjectNode external = Json.object();
    external.putObject("metadata").put("name", "external");
    external.putObject("spec").put("type", "ExternalName").put("externalName", "example.com");
    HttpApi.Answer ext = create(external);
    assertEquals(201, ext.code(), ext.body());
    assertTrue(ext.json().path("spec").path("clusterIP").asText("").isEmpty(), ext.body());
  }

  @Test
  void nodePortsAreAssignedAskedForAndCollisionsRefused() {
    HttpApi.Answer dynamic = create(service("np-dynamic", "NodePort"));
    assertEquals(201, dynamic.code(), dynamic.body());
    int nodePort = dynamic.json().path("spec").path("ports").get(0).path("nodePort").asInt();
    assertTrue(nodePort >= 30000 && nodePort <= 32767, "nodePort " + nodePort);
    assertEquals("Cluster", dynamic.json().path("spec").path("externalTrafficPolicy").asText());

    ObjectNode asked = service("np-asked", "NodePort");
    ((ObjectNode) asked.with("spec").get("ports").get(0)).put("nodePort", 30080);
    HttpApi.Answer created = create(asked);
    assertEquals(201, created.code(), created.body());
    assertEquals(30080, created.json().path("spec").path("ports").get(0).path("nodePort").asInt());

    ObjectNode collision = service("np-collision", "LoadBalancer");
    ((ObjectNode) collision.with("spec").get("ports").get(0)).put("nodePort", 30080);
    HttpApi.Answer refused = create(collision);
    assertEquals(422, refused.code(), refused.body());
    assertEquals("Service \"np-collision\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port "
        + "is already allocated", refused.json().path("message").asText());

    ObjectNode outside = service("np-outside", "NodePort");
    ((ObjectNode) outside.with("spec").get("ports").get(0)).put("nodePort", 8080);
    HttpApi.Answer out = create(outside);
    assertEquals(422, out.code(), out.body());
    assertEquals("Service \"np-outside\" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is "
        + "not in the valid range. The range of valid ports is 30000-32767", out.json().path("message").asText());

    ObjectNode dns = service("np-udp-tcp", "NodePort");
    var ports = dns.with("spec").putArray("ports");
    ports.addObject().put("name", "dns").put("port", 53).put("protocol", "UDP");
    ports.addObject().put("name", "dns-tcp").put("port", 53).put("protocol", "TCP");
    JsonNode both = create(dns).json().path("spec").path("ports");
    assertEquals(both.get(0).path("nodePort").asInt(), both.get(1).path("nodePort").asInt(),
        "one port number, one nodePort");
  }

  @Test
  void deletingAServiceFreesItsClusterIpAndNodePort() {
    ObjectNode first = service("freed", "NodePort");
    first.with("spec").put("clusterIP", "127.32.0.77");
    ((ObjectNode) first.with("spec").get("ports").get(0)).put("nodePort", 30081);
    assertEquals(201, create(first).code());
    assertEquals(200, api.delete("/api/v1/namespaces/default/services/freed").code());

    ObjectNode again = service("freed-again", "NodePort");
    again.with("spec").put("clusterIP", "127.32.0.77");
    ((ObjectNode) again.with("spec").get("ports").get(0)).put("nodePort", 30081);
    HttpApi.Answer created = create(again);
    assertEquals(201, created.code(), "the values can be handed out again: " + created.body());
  }

  @Test
  void typeChangesTakeAndGiveBackNodePortsAndTheClusterIpStays() {
    HttpApi.Answer created = create(service("retyped", "NodePort"));
    assertEquals(201, created.code(), created.body());
    String ip = created.json().path("spec").path("clusterIP").asText();
    int nodePort = created.json().path("spec").path("ports").get(0).path("nodePort").asInt();

    HttpApi.Answer toClusterIp = api.mergePatch("/api/v1/namespaces/default/services/retyped",
        Map.of("spec", Map.of("type", "ClusterIP")));
    assertEquals(200, toClusterIp.code(), toClusterIp.body());
    assertTrue(toClusterIp.json().path("spec").path("ports").get(0).path("nodePort").isMissingNode(),
        toClusterIp.body());
    assertEquals(ip, toClusterIp.json().path("spec").path("clusterIP").asText());
    ObjectNode taker = service("port-taker", "NodePort");
    ((ObjectNode) taker.with("spec").get("ports").get(0)).put("nodePort", nodePort);
    assertEquals(201, create(taker).code(), "the nodePort was given back");

    HttpApi.Answer toLoadBalancer = api.mergePatch("/api/v1/namespaces/default/services/retyped",
        Map.of("spec", Map.of("type", "LoadBalancer")));
    assertEquals(200, toLoadBalancer.code(), toLoadBalancer.body());
    int again = toLoadBalancer.json().path("spec").path("ports").get(0).path("nodePort").asInt();
    assertTrue(again >= 30000 && again != nodePort, "a new nodePort: " + again);

    // a PUT of the object as first written (no clusterIP, no nodePort) keeps what was allocated
    ObjectNode resubmitted = service("retyped", "LoadBalancer");
    HttpApi.Answer put = api.put("/api/v1/namespaces/default/services/retyped", resubmitted);
    assertEquals(200, put.code(), put.body());
    assertEquals(ip, put.json().path("spec").path("clusterIP").asText());
    assertEquals(again, put.json().path("spec").path("ports").get(0).path("nodePort").asInt());

    HttpApi.Answer changed = api.mergePatch("/api/v1/namespaces/default/services/retyped",
        Map.of("spec", Map.of("clusterIP", "127.32.0.99")));
    assertEquals(422, changed.code(), "clusterIP is immutable: " + changed.body());
  }

  @Test
  void turningIntoAnExternalNameServiceGivesTheClusterIpBackAndTurningBackTakesOne() {
    ObjectNode first = service("renamed", "ClusterIP");
    first.with("spec").put("clusterIP", "127.32.0.88");
    assertEquals(201, create(first).code());
    HttpApi.Answer external = api.mergePatch("/api/v1/namespaces/default/services/renamed",
        Map.of("spec", Map.of("type", "ExternalName", "externalName", "db.example.com")));
    assertEquals(200, external.code(), external.body());
    assertTrue(external.json().path("spec").path("clusterIP").asText("").isEmpty(), external.body());
    ObjectNode taker = service("ip-taker", "ClusterIP");
    taker.with("spec").put("clusterIP", "127.32.0.88");
    assertEquals(201, create(taker).code(), "the address was given back");

    var back = new java.util.HashMap<String, Object>();
    back.put("type", "ClusterIP");
    back.put("externalName", null);
    HttpApi.Answer clusterIp = api.mergePatch("/api/v1/namespaces/default/services/renamed", Map.of("spec", back));
    assertEquals(200, clusterIp.code(), clusterIp.body());
    String ip = clusterIp.json().path("spec").path("clusterIP").asText();
    assertTrue(SERVICE_CIDR.contains(ip) && !ip.equals("127.32.0.88"), ip);
  }

  @Test
  void theClusterHasKubernetesAndKubeDnsServices() {
    HttpApi.Answer kubeDns = api.get("/api/v1/namespaces/kube-system/services/kube-dns");
    assertEquals(200, kubeDns.code(), kubeDns.body());
    JsonNode dns = kubeDns.json();
    assertEquals("127.32.0.10", dns.path("spec").path("clusterIP").asText());
    assertEquals("kube-dns", dns.path("metadata").path("labels").path("k8s-app").asText());
    assertTrue(dns.path("spec").path("selector").isEmpty());
    assertEquals("dns", dns.path("spec").path("ports").get(0).path("name").asText());
    assertEquals("UDP", dns.path("spec").path("ports").get(0).path("protocol").asText());
    assertEquals("dns-tcp", dns.path("spec").path("ports").get(1).path("name").asText());
    assertEquals(53, dns.path("spec").path("ports").get(1).path("port").asInt());

    JsonNode kubernetes = api.get("/api/v1/namespaces/default/services/kubernetes").json();
    assertEquals("127.32.0.1", kubernetes.path("spec").path("clusterIP").asText());
    assertEquals(443, kubernetes.path("spec").path("ports").get(0).path("port").asInt());
    JsonNode endpoints = api.get("/api/v1/namespaces/default/endpoints/kubernetes").json();
    JsonNode subset = endpoints.path("subsets").get(0);
    assertEquals("127.0.0.1", subset.path("addresses").get(0).path("ip").asText());
    assertEquals(plane.apiAddress().getPort(), subset.path("ports").get(0).path("port").asInt());

    ObjectNode squatter = service("squatter", "ClusterIP");
    squatter.with("spec").put("clusterIP", "127.32.0.10");
    assertEquals(422, create(squatter).code(), "kube-dns's address is taken");
  }
}
