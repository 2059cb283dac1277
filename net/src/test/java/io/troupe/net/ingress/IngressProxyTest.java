package io.troupe.net.ingress;

import static io.troupe.net.ingress.ApiClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ingress proxy against a real control plane: Ingresses, Services, Endpoints, Secrets and Nodes written through
 * the HTTP API, pods played by HTTP servers on their own 127.64.x.y addresses, requests sent over real sockets
 * (plain and TLS) to the proxy's listeners.
 */
class IngressProxyTest {
  private static final String INGRESSES = "/apis/networking.k8s.io/v1/namespaces/default/ingresses";
  private static final Duration ROUTED = Duration.ofSeconds(10);

  static ControlPlane plane;
  static ApiClient api;
  static IngressProxy proxy;
  static TestBackend a1;
  static TestBackend a2;
  static TestBackend b1;
  /** An address with nothing listening: a pod that refuses connections. */
  static InetSocketAddress refusing;

  @BeforeAll
  static void start() throws Exception {
    // the machine may be busy with other builds: a slow first write is not what this test is about
    plane = TestControlPlane.start(Map.of("troupe.store.ask-timeout", "30s",
        "troupe.store.read-your-writes-timeout", "30s"));
    api = new ApiClient(TestControlPlane.url(plane));
    a1 = new TestBackend("web-a-1", "127.64.201.1");
    a2 = new TestBackend("web-a-2", "127.64.201.2");
    b1 = new TestBackend("web-b-1", "127.64.202.1");
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.64.203.1"))) {
      refusing = new InetSocketAddress("127.64.203.1", s.getLocalPort());
    }
    service("web-a", 80, "http");
    endpoints("web-a", "http", List.of(a1, a2), List.of());
    service("web-b", 8080, "web");
    endpoints("web-b", "web", List.of(b1), List.of());
    node("ingress-node-1", "127.0.0.1", true);
    proxy = IngressProxy.start(plane.system(), plane.store(), settings(0, 0), "127.0.0.1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) proxy.close();
    for (TestBackend b : new TestBackend[] {a1, a2, b1}) if (b != null) b.close();
    if (plane != null) plane.close();
  }

  static Config settings(int httpPort, int httpsPort) {
    return ConfigFactory.parseMap(Map.of(
        "troupe.net.ingress.http-port", httpPort,
        "troupe.net.ingress.https-port", httpsPort,
        "troupe.net.ingress.apply-delay", "50ms",
        "troupe.net.ingress.status-resync-interval", "2s"));
  }

  // ---- routing ----

  @Test
  void routesTwoHostsToTwoServicesWithForwardingHeadersAndWithoutHopByHopOnes() throws Exception {
    ingress("two-hosts", "{'rules':["
        + "{'host':'a.test','http':{'paths':[" + path("Prefix", "/", "web-a", 80) + "]}},"
        + "{'host':'b.test','http':{'paths':[" + path("Prefix", "/", "web-b", "web") + "]}}]}");
    try {
      awaitBackend("a.test", "/", "web-a-");
      RawHttp.Reply a = RawHttp.get(proxy.httpAddress(), "a.test", "/hello?x=1", "X-Forwarded-For: 6.6.6.6",
          "Keep-Alive: timeout=5", "Connection: X-Private", "X-Private: secret", "X-Kept: yes");
      assertEquals(200, a.code());
      assertEquals("/hello?x=1", a.echoed("path"));
      assertEquals("a.test", a.echoed("host"), "the backend sees the client's Host");
      assertEquals("127.0.0.1", a.echoed("x-forwarded-for"), "the client's address, not what it claimed");
      assertEquals("a.test", a.echoed("x-forwarded-host"));
      assertEquals("http", a.echoed("x-forwarded-proto"));
      assertEquals(Integer.toString(proxy.httpAddress().getPort()), a.echoed("x-forwarded-port"));
      assertEquals("yes", a.echoed("x-kept"));
      assertNull(a.echoed("x-private"), "named by Connection: hop-by-hop");
      assertNull(a.echoed("keep-alive"));
      assertTrue(a.headers().containsKey("x-pod"));
      assertNull(a.headers().get("proxy-authenticate"), "hop-by-hop in the response too");

      Set<String> seen = new HashSet<>();
      for (int i = 0; i < 6; i++) seen.add(RawHttp.get(proxy.httpAddress(), "a.test", "/").echoed("backend"));
      assertEquals(Set.of("web-a-1", "web-a-2"), seen, "round robin over the ready endpoints");

      RawHttp.Reply b = RawHttp.get(proxy.httpAddress(), "b.test:8080", "/");
      assertEquals("web-b-1", b.echoed("backend"), "port named 'web' of web-b; the Host's port is ignored");
      assertEquals(404, RawHttp.get(proxy.httpAddress(), "c.test", "/").code(), "no rule, no default backend");

      assertTrue(IngressMetrics.REQUESTS.labelValues("default/two-hosts", "200").get() >= 8);
      assertTrue(IngressMetrics.REQUESTS.labelValues("", "404").get() >= 1);
    } finally {
      deleteIngress("two-hosts");
    }
  }

  @Test
  void aWildcardHostMatchesExactlyOneLabel() throws Exception {
    ingress("wildcard", "{'rules':[{'host':'*.wild.test','http':{'paths':[" + path("Prefix", "/", "web-b", 8080)
        + "]}}]}");
    try {
      awaitBackend("x.wild.test", "/", "web-b-1");
      assertEquals("web-b-1", RawHttp.get(proxy.httpAddress(), "Y.Wild.Test", "/").echoed("backend"));
      assertEquals(404, RawHttp.get(proxy.httpAddress(), "wild.test", "/").code());
      assertEquals(404, RawHttp.get(proxy.httpAddress(), "a.b.wild.test", "/").code());
    } finally {
      deleteIngress("wildcard");
    }
  }

  @Test
  void prefixAndExactPathsTheLongestMatchWinning() throws Exception {
    ingress("paths", "{'rules':[{'host':'paths.test','http':{'paths':["
        + path("Prefix", "/", "web-a", 80) + "," + path("Prefix", "/api", "web-b", 8080) + ","
        + path("Exact", "/api/v1", "web-a", 80) + "]}}]}");
    try {
      awaitBackend("paths.test", "/api/x", "web-b-1");
      assertTrue(RawHttp.get(proxy.httpAddress(), "paths.test", "/x").echoed("backend").startsWith("web-a"));
      assertEquals("web-b-1", RawHttp.get(proxy.httpAddress(), "paths.test", "/api").echoed("backend"));
      assertTrue(RawHttp.get(proxy.httpAddress(), "paths.test", "/api/v1").echoed("backend").startsWith("web-a"),
          "Exact /api/v1 is longer than Prefix /api");
      assertEquals("web-b-1", RawHttp.get(proxy.httpAddress(), "paths.test", "/api/v1/").echoed("backend"),
          "Exact does not match a trailing slash");
      assertTrue(RawHttp.get(proxy.httpAddress(), "paths.test", "/apix").echoed("backend").startsWith("web-a"),
          "Prefix /api is element-wise: /apix falls to /");
    } finally {
      deleteIngress("paths");
    }
  }

  @Test
  void theDefaultBackendTakesWhatNoRuleMatchesUntilItsIngressIsDeleted() throws Exception {
    assertEquals(404, RawHttp.get(proxy.httpAddress(), "nowhere.test", "/").code());
    ingress("fallback", "{'defaultBackend':{'service':{'name':'web-b','port':{'name':'web'}}},'rules':["
        + "{'host':'dflt.test','http':{'paths':[" + path("Exact", "/rule", "web-a", 80) + "]}}]}");
    awaitBackend("nowhere.test", "/", "web-b-1");
    assertTrue(RawHttp.get(proxy.httpAddress(), "dflt.test", "/rule").echoed("backend").startsWith("web-a"));
    assertEquals("web-b-1", RawHttp.get(proxy.httpAddress(), "dflt.test", "/other").echoed("backend"));
    deleteIngress("fallback");
    await("404 once the default backend is gone", ROUTED, () -> code("nowhere.test", "/") == 404);
  }

  @Test
  void anIngressOfAnotherClassIsNotServed() throws Exception {
    ingress("other-class", "{'ingressClassName':'nginx','rules':[{'host':'nginx.test','http':{'paths':["
        + path("Prefix", "/", "web-a", 80) + "]}}]}");
    ingress("our-class", "{'ingressClassName':'troupe','rules':[{'host':'troupe.test','http':{'paths':["
        + path("Prefix", "/", "web-a", 80) + "]}}]}");
    try {
      // the watch delivers in order: once the later Ingress is served, the earlier one has been seen
      awaitBackend("troupe.test", "/", "web-a-");
      assertEquals(404, RawHttp.get(proxy.httpAddress(), "nginx.test", "/").code());
    } finally {
      deleteIngress("other-class");
      deleteIngress("our-class");
    }
  }

  // ---- failures ----

  @Test
  void noReadyEndpointOrNoServiceIs503AndARefusingEndpointIs502() throws Exception {
    service("web-down", 80, "http");
    endpoints("web-down", "http", List.of(), List.of(a1));
    service("web-refusing", 80, "http");
    api.create("/api/v1/namespaces/default/endpoints", json("{'metadata':{'name':'web-refusing'},'subsets':[{"
        + "'addresses':[{'ip':'" + refusing.getHostString() + "'}],'ports':[{'name':'http','port':"
        + refusing.getPort() + "}]}]}"));
    service("web-half", 80, "http");
    api.create("/api/v1/namespaces/default/endpoints", json("{'metadata':{'name':'web-half'},'subsets':[{"
        + "'addresses':[{'ip':'" + refusing.getHostString() + "'}],'ports':[{'name':'http','port':"
        + refusing.getPort() + "}]},{'addresses':[{'ip':'" + b1.ip() + "'}],'ports':[{'name':'http','port':"
        + b1.port() + "}]}]}"));
    ingress("failures", "{'rules':["
        + "{'host':'down.test','http':{'paths':[" + path("Prefix", "/", "web-down", 80) + "]}},"
        + "{'host':'missing.test','http':{'paths':[" + path("Prefix", "/", "web-missing", 80) + "]}},"
        + "{'host':'wrong-port.test','http':{'paths':[" + path("Prefix", "/", "web-a", 81) + "]}},"
        + "{'host':'refusing.test','http':{'paths':[" + path("Prefix", "/", "web-refusing", 80) + "]}},"
        + "{'host':'half.test','http':{'paths':[" + path("Prefix", "/", "web-half", 80) + "]}}]}");
    try {
      await("routed", ROUTED, () -> code("down.test", "/") == 503);
      RawHttp.Reply down = RawHttp.get(proxy.httpAddress(), "down.test", "/");
      assertTrue(down.body().contains("no ready endpoint"), down.body());
      assertEquals(503, RawHttp.get(proxy.httpAddress(), "missing.test", "/").code());
      assertEquals(503, RawHttp.get(proxy.httpAddress(), "wrong-port.test", "/").code());
      assertEquals(502, RawHttp.get(proxy.httpAddress(), "refusing.test", "/").code());
      for (int i = 0; i < 4; i++) {
        RawHttp.Reply half = RawHttp.get(proxy.httpAddress(), "half.test", "/");
        assertEquals(200, half.code(), "a GET tries the next endpoint when one refuses");
        assertEquals("web-b-1", half.echoed("backend"));
      }
    } finally {
      deleteIngress("failures");
    }
  }

  @Test
  void aBackendSlowerThanTheRequestTimeoutIs504() throws Exception {
    Config quick = ConfigFactory.parseMap(Map.of("troupe.net.ingress.request-timeout", "500ms"))
        .withFallback(settings(0, -1));
    ingress("slow", "{'rules':[{'host':'slow.test','http':{'paths':[" + path("Prefix", "/", "web-b", 8080)
        + "]}}]}");
    try (IngressProxy impatient = IngressProxy.start(plane.system(), plane.store(), quick, "127.0.0.1")) {
      await("routed", ROUTED, () -> {
        try {
          return RawHttp.get(impatient.httpAddress(), "slow.test", "/").code() == 200;
        } catch (IOException e) {
          return false;
        }
      });
      RawHttp.Reply slow = RawHttp.get(impatient.httpAddress(), "slow.test", "/slow");
      assertEquals(504, slow.code(), slow.body());
    } finally {
      deleteIngress("slow");
    }
  }

  // ---- bodies ----

  @Test
  void streamsFiftyMegabytesBothWaysWithoutHoldingThemWhole() throws Exception {
    ingress("stream", "{'rules':[{'host':'stream.test','http':{'paths':[" + path("Prefix", "/echo", "web-b", 8080)
        + "]}}]}");
    try {
      await("routed", ROUTED, () -> code("stream.test", "/echo") == 200);
      double direct = echo("http://" + b1.ip() + ":" + b1.port() + "/echo", "stream.test");
      double proxied = echo("http://127.0.0.1:" + proxy.httpAddress().getPort() + "/echo", "stream.test");
      System.out.printf("50 MiB echoed in %.2f s through the ingress proxy (%.0f MiB/s each way), %.2f s straight "
          + "to the pod: %.0f%% of the direct throughput%n", proxied, 50 / proxied, direct, 100 * direct / proxied);
    } finally {
      deleteIngress("stream");
    }
  }

  /**
   * POSTs 50 MiB to an echo and reads the echo back, returning the seconds it took. The body's last 49 MiB are
   * sent only once 1 MiB of the echo has come back: were the request or the response held whole anywhere on the
   * way (and 50 MiB is far above Pekko HTTP's default 8 MiB entity limit), this would never complete.
   */
  private static double echo(String url, String host) throws Exception {
    int chunkSize = 64 * 1024;
    int chunks = 50 * 16;
    byte[] pattern = new byte[chunkSize];
    for (int i = 0; i < chunkSize; i++) pattern[i] = (byte) (i * 31 + 7);
    ByteString chunk = ByteString.fromArray(pattern);
    CRC32 expected = new CRC32();
    for (int i = 0; i < chunks; i++) expected.update(pattern);
    CompletableFuture<Void> echoing = new CompletableFuture<>();
    Source<ByteString, NotUsed> body = Source.repeat(chunk).take(16)
        .concat(Source.completionStageSource(echoing.thenApply(v -> Source.repeat(chunk).take(chunks - 16))))
        .mapMaterializedValue(m -> NotUsed.getInstance());
    HttpRequest request = HttpRequest.POST(url).addHeader(Host.create(host))
        .withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_OCTET_STREAM, body));
    long started = System.nanoTime();
    HttpResponse response = Http.get(plane.system()).singleRequest(request).toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    assertEquals(200, response.status().intValue());
    AtomicLong received = new AtomicLong();
    CRC32 crc = new CRC32();
    response.entity().getDataBytes().runForeach(b -> {
      crc.update(b.toArray());
      if (received.addAndGet(b.size()) >= 1 << 20) echoing.complete(null);
    }, plane.system()).toCompletableFuture().get(120, TimeUnit.SECONDS);
    assertEquals((long) chunks * chunkSize, received.get());
    assertEquals(expected.getValue(), crc.getValue());
    return (System.nanoTime() - started) / 1e9;
  }

  // ---- TLS ----

  @Test
  void servesHttpsWithTheCertificateOfEachHostFromItsSecret() throws Exception {
    Path dir = Files.createTempDirectory("ingress-tls");
    TestCertificates.Pair a = TestCertificates.generate(dir, "a.tls.test", "RSA");
    TestCertificates.Pair b = TestCertificates.generate(dir, "b.tls.test", "EC");
    tlsSecret("tls-a", a.certificatePem(), a.rsaKeyPem());
    tlsSecret("tls-b", b.certificatePem(), b.keyPem());
    ingress("tls", "{'tls':[{'hosts':['a.tls.test'],'secretName':'tls-a'},"
        + "{'hosts':['b.tls.test'],'secretName':'tls-b'}],'rules':["
        + "{'host':'a.tls.test','http':{'paths':[" + path("Prefix", "/", "web-a", 80) + "]}},"
        + "{'host':'b.tls.test','http':{'paths':[" + path("Prefix", "/", "web-b", 8080) + "]}}]}");
    try {
      SSLContext trusting = TestCertificates.trusting(a, b);
      await("a.tls.test served over TLS", ROUTED, () -> tlsCode(trusting, "a.tls.test") == 200);
      RawHttp.Reply overTls = RawHttp.getTls(proxy.httpsAddress(), trusting, "a.tls.test", "a.tls.test", "/");
      assertEquals(a.certificate(), overTls.peer());
      assertTrue(overTls.echoed("backend").startsWith("web-a"));
      assertEquals("https", overTls.echoed("x-forwarded-proto"));
      await("b.tls.test served over TLS", ROUTED, () -> tlsCode(trusting, "b.tls.test") == 200);
      RawHttp.Reply ec = RawHttp.getTls(proxy.httpsAddress(), trusting, "b.tls.test", "b.tls.test", "/");
      assertEquals(b.certificate(), ec.peer());
      assertEquals("web-b-1", ec.echoed("backend"));
      assertThrows(SSLException.class,
          () -> RawHttp.getTls(proxy.httpsAddress(), trusting, "c.tls.test", "c.tls.test", "/"),
          "no certificate for a host no tls entry names");

      // a renewed certificate is served once its Secret changes, without a restart
      TestCertificates.Pair renewed = TestCertificates.generate(dir.resolve("..").normalize()
          .resolve(Files.createTempDirectory("renewed").getFileName()), "a.tls.test", "RSA");
      SSLContext trustingRenewed = TestCertificates.trusting(renewed, b);
      api.update("/api/v1/namespaces/default/secrets/tls-a", s -> ((ObjectNode) s.get("data"))
          .put("tls.crt", base64(renewed.certificatePem())).put("tls.key", base64(renewed.keyPem())));
      await("the renewed certificate", ROUTED, () -> tlsCode(trustingRenewed, "a.tls.test") == 200);
    } finally {
      deleteIngress("tls");
    }
  }

  // ---- status and changes ----

  @Test
  void statusLoadBalancerListsTheReadyNodesAddresses() throws Exception {
    ingress("status", "{'rules':[{'host':'status.test','http':{'paths':[" + path("Prefix", "/", "web-a", 80)
        + "]}}]}");
    ingress("status-other", "{'ingressClassName':'nginx','rules':[{'host':'status.test','http':{'paths':["
        + path("Prefix", "/", "web-a", 80) + "]}}]}");
    try {
      awaitStatus("status", "[{'ip':'127.0.0.1'}]");
      node("ingress-node-2", "127.0.0.2", true);
      awaitStatus("status", "[{'ip':'127.0.0.1'},{'ip':'127.0.0.2'}]");
      api.update("/api/v1/nodes/ingress-node-2/status", n -> readyCondition(n, false));
      awaitStatus("status", "[{'ip':'127.0.0.1'}]");
      JsonNode other = api.get(INGRESSES + "/status-other").path("status").path("loadBalancer");
      assertTrue(other.path("ingress").isMissingNode(), "not ours: " + other);
    } finally {
      api.delete("/api/v1/nodes/ingress-node-2");
      deleteIngress("status");
      deleteIngress("status-other");
    }
  }

  @Test
  void anUpdatedIngressChangesRoutingWithinTwoSeconds() throws Exception {
    ingress("moving", "{'rules':[{'host':'move.test','http':{'paths':[" + path("Prefix", "/", "web-a", 80)
        + "]}}]}");
    try {
      awaitBackend("move.test", "/", "web-a-");
      long started = System.nanoTime();
      api.update(INGRESSES + "/moving", i -> {
        ObjectNode service = (ObjectNode) i.path("spec").path("rules").get(0).path("http").path("paths").get(0)
            .path("backend").path("service");
        service.put("name", "web-b").set("port", json("{'name':'web'}"));
      });
      await("routed to web-b", Duration.ofSeconds(2), () -> backendOf("move.test", "/").equals("web-b-1"));
      System.out.printf("an Ingress change routed after %d ms%n", (System.nanoTime() - started) / 1_000_000);
    } finally {
      deleteIngress("moving");
    }
  }

  @Test
  void aSecondProxyOnTheSameHostSharesThePortAndListensOnlyOnceItRoutes() throws Exception {
    int port = proxy.httpAddress().getPort();
    ingress("shared", "{'rules':[{'host':'shared.test','http':{'paths':[" + path("Prefix", "/", "web-b", 8080)
        + "]}}]}");
    awaitBackend("shared.test", "/", "web-b-1");
    // a slow first apply (1 s) that a proxy listening before its routes are built could not hide
    Config slow = ConfigFactory.parseMap(Map.of("troupe.net.ingress.apply-delay", "1s"))
        .withFallback(settings(port, -1));
    try (IngressProxy second = IngressProxy.start(plane.system(), plane.store(), slow, "127.0.0.1")) {
      assertEquals(port, second.httpAddress().getPort());
      assertThrows(IOException.class, () -> {
        try (ServerSocket plain = new ServerSocket()) {
          plain.bind(new InetSocketAddress("127.0.0.1", port));
        }
      }, "without SO_REUSEPORT the port is taken");
      // Linux spreads new connections over both listeners; the second one started listening with its routes built,
      // so not one request gets a 404 from it
      for (int i = 0; i < 30; i++) assertEquals(200, code("shared.test", "/"), "request " + i);
    } finally {
      deleteIngress("shared");
    }
  }

  // ---- NetworkPolicy (loopback mode) ----

  private static final String POLICIES = "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies";

  @Test
  void aNetworkPolicyThatDeniesTheClientAnswers502AndOneThatAllowsItServes() throws Exception {
    // web-b-1 as the pod it plays: the policies select it by its labels, at its IP
    api.create("/api/v1/namespaces/default/pods", json("{'metadata':{'name':'web-b-1','labels':{'app':'web-b'}},"
        + "'spec':{'nodeName':'ingress-node-1','containers':[{'name':'main','image':'web'}]}}"));
    api.update("/api/v1/namespaces/default/pods/web-b-1/status", p -> p.putObject("status")
        .put("phase", "Running").put("podIP", b1.ip()));
    ingress("guarded", "{'rules':[{'host':'guarded.test','http':{'paths':[" + path("Prefix", "/", "web-b", 8080)
        + "]}}]}");
    try {
      awaitBackend("guarded.test", "/", "web-b-1");
      api.create(POLICIES, json("{'metadata':{'name':'web-b'},'spec':{'podSelector':{'matchLabels':"
          + "{'app':'web-b'}},'policyTypes':['Ingress']}}"));
      await("denied: 502", ROUTED, () -> code("guarded.test", "/") == 502);
      RawHttp.Reply denied = RawHttp.get(proxy.httpAddress(), "guarded.test", "/");
      assertEquals("502 Bad Gateway: blocked by NetworkPolicy\n", denied.body());

      api.update(POLICIES + "/web-b", p -> ((ObjectNode) p.get("spec")).set("ingress", json("{'x':[{'from':["
          + "{'ipBlock':{'cidr':'127.0.0.1/32'}}],'ports':[{'port':" + b1.port() + "}]}]}").get("x")));
      awaitBackend("guarded.test", "/", "web-b-1");
      assertEquals(200, code("guarded.test", "/"));
      api.delete(POLICIES + "/web-b");
      awaitBackend("guarded.test", "/", "web-b-1"); // left as the other tests expect it
    } finally {
      api.delete(POLICIES + "/web-b");
      api.delete("/api/v1/namespaces/default/pods/web-b-1");
      deleteIngress("guarded");
    }
  }

  // ---- objects ----

  static void ingress(String name, String spec) {
    api.create(INGRESSES, json("{'metadata':{'name':'" + name + "'},'spec':" + spec + "}"));
  }

  static void deleteIngress(String name) {
    api.delete(INGRESSES + "/" + name);
  }

  static String path(String type, String path, String service, Object port) {
    String portJson = port instanceof Integer ? "{'number':" + port + "}" : "{'name':'" + port + "'}";
    return "{'pathType':'" + type + "','path':'" + path + "','backend':{'service':{'name':'" + service
        + "','port':" + portJson + "}}}";
  }

  static void service(String name, int port, String portName) {
    api.create("/api/v1/namespaces/default/services", json("{'metadata':{'name':'" + name + "'},'spec':{'ports':"
        + "[{'name':'" + portName + "','port':" + port + ",'protocol':'TCP'}]}}"));
  }

  /** Endpoints as the Endpoints controller writes them: one subset per distinct port. */
  static void endpoints(String name, String portName, List<TestBackend> ready, List<TestBackend> notReady) {
    StringBuilder subsets = new StringBuilder();
    for (TestBackend b : ready) subsets.append(subsets.length() == 0 ? "" : ",").append(subset(b, portName, true));
    for (TestBackend b : notReady) {
      subsets.append(subsets.length() == 0 ? "" : ",").append(subset(b, portName, false));
    }
    api.create("/api/v1/namespaces/default/endpoints", json("{'metadata':{'name':'" + name + "'},'subsets':["
        + subsets + "]}"));
  }

  private static String subset(TestBackend b, String portName, boolean ready) {
    return "{'" + (ready ? "addresses" : "notReadyAddresses") + "':[{'ip':'" + b.ip() + "'}],'ports':[{'name':'"
        + portName + "','port':" + b.port() + ",'protocol':'TCP'}]}";
  }

  static void node(String name, String address, boolean ready) {
    api.create("/api/v1/nodes", json("{'metadata':{'name':'" + name + "'}}"));
    api.update("/api/v1/nodes/" + name + "/status", n -> {
      ObjectNode status = n.putObject("status");
      status.putArray("addresses").addObject().put("type", "InternalIP").put("address", address);
      readyCondition(n, ready);
    });
  }

  static void readyCondition(ObjectNode node, boolean ready) {
    ObjectNode status = (ObjectNode) node.get("status");
    status.putArray("conditions").addObject().put("type", "Ready").put("status", ready ? "True" : "False");
  }

  static void tlsSecret(String name, String crt, String key) {
    api.create("/api/v1/namespaces/default/secrets", json("{'metadata':{'name':'" + name + "'},"
        + "'type':'kubernetes.io/tls','data':{'tls.crt':'" + base64(crt) + "','tls.key':'" + base64(key) + "'}}"));
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  // ---- waiting ----

  static void awaitStatus(String ingress, String expected) {
    JsonNode wanted = json("{'x':" + expected + "}").get("x");
    await("status.loadBalancer.ingress " + expected, ROUTED, () -> wanted.equals(
        api.get(INGRESSES + "/" + ingress).path("status").path("loadBalancer").path("ingress")));
  }

  static void awaitBackend(String host, String path, String backendPrefix) {
    await(host + path + " routed to " + backendPrefix, ROUTED, () -> backendOf(host, path).startsWith(backendPrefix));
  }

  static String backendOf(String host, String path) {
    try {
      String backend = RawHttp.get(proxy.httpAddress(), host, path).echoed("backend");
      return backend == null ? "" : backend;
    } catch (IOException e) {
      return "";
    }
  }

  static int code(String host, String path) {
    try {
      return RawHttp.get(proxy.httpAddress(), host, path).code();
    } catch (IOException e) {
      return -1;
    }
  }

  static int tlsCode(SSLContext trusting, String host) {
    try {
      return RawHttp.getTls(proxy.httpsAddress(), trusting, host, host, "/").code();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Polls {@code condition} every 20 ms until it holds, failing after {@code within}. */
  static void await(String what, Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + within + ": " + what);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
