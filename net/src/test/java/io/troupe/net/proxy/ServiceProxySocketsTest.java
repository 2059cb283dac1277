package io.troupe.net.proxy;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static io.troupe.net.proxy.ProxyFixture.ask;
import static io.troupe.net.proxy.ProxyFixture.endpoints;
import static io.troupe.net.proxy.ProxyFixture.outcome;
import static io.troupe.net.proxy.ProxyFixture.put;
import static io.troupe.net.proxy.ProxyFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.store.Store;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Two proxies on the same addresses (as two worker JVMs on one host: SO_REUSEPORT), an address taken by another
 * program, back-pressure from a client that does not read, and the metrics at /metrics.
 */
class ServiceProxySocketsTest {
  static final String NS = "proxy2";
  /** As {@link ServiceProxyTest#PICKUP}: a correctness bound, not the latency target. */
  static final Duration PICKUP = ServiceProxyTest.PICKUP;
  static ControlPlane plane;
  static Store store;
  static ServiceProxy first;
  static ServiceProxy second;
  static final List<TestBackend> backends = new ArrayList<>();
  static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  static void start() {
    Logger proxierLog = (Logger) LoggerFactory.getLogger(Proxier.class);
    proxierLog.setLevel(Level.INFO);
    proxierLog.addAppender(logs);
    logs.start();
    plane = TestControlPlane.start();
    store = plane.store().as("proxy-test");
    Config config = ConfigFactory.parseMap(Map.of("troupe.net.proxy.bind-retry-interval", "200ms"))
        .withFallback(plane.system().settings().config());
    first = ServiceProxy.start(plane.system(), store, config, "127.0.0.1");
    second = ServiceProxy.start(plane.system(), store, config, "127.0.0.1");
  }

  @AfterAll
  static void stop() throws Exception {
    if (first != null) first.close();
    if (second != null) second.close();
    for (TestBackend b : backends) b.close();
    if (plane != null) plane.close();
  }

  static List<TestBackend> pods(String prefix, int group) throws Exception {
    List<TestBackend> out = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      TestBackend b = TestBackend.start(prefix + "-" + i, "127.98." + group + "." + i, 8080);
      backends.add(b);
      out.add(b);
    }
    return out;
  }

  @Test
  void twoProxiesListenOnTheSameAddressesAndBothServe() throws Exception {
    List<TestBackend> pods = pods("shared", 1);
    put(store, service(NS, "shared", "127.32.78.1", s -> {}, 8080));
    put(store, endpoints(NS, "shared", pods, List.of(), "p8080"));
    awaitUntil(PICKUP, () -> outcome("127.32.78.1", 8080).equals("answered"), () -> "served");
    long firstBefore = first.accepted();
    long secondBefore = second.accepted();
    awaitUntil(Duration.ofSeconds(5), () -> {
      assertEquals("answered", outcome("127.32.78.1", 8080));
      return first.accepted() > firstBefore + 10 && second.accepted() > secondBefore + 10;
    }, () -> "both proxies accept: " + (first.accepted() - firstBefore) + " and " + (second.accepted() - secondBefore));
    System.out.printf("SO_REUSEPORT: the kernel gave %d connections to one proxy, %d to the other%n",
        first.accepted() - firstBefore, second.accepted() - secondBefore);

    second.close();
    for (int i = 0; i < 50; i++) assertEquals("answered", outcome("127.32.78.1", 8080), "the other carries on");
    second = null;
  }

  @Test
  void anAddressTakenByAnotherProgramIsLoggedOnceAndTakenWhenFree() throws Exception {
    List<TestBackend> pods = pods("late", 2);
    TestBackend squatter = TestBackend.start("squatter", "127.32.78.2", 8080);
    backends.add(squatter);
    put(store, service(NS, "late", "127.32.78.2", s -> {}, 8080));
    put(store, service(NS, "elsewhere", "10.255.255.1", s -> {}, 8080));
    put(store, endpoints(NS, "late", pods, List.of(), "p8080"));
    put(store, endpoints(NS, "elsewhere", pods, List.of(), "p8080"));
    put(store, service(NS, "fine", "127.32.78.3", s -> {}, 8080));
    put(store, endpoints(NS, "fine", pods, List.of(), "p8080"));
    awaitUntil(PICKUP, () -> outcome("127.32.78.3", 8080).equals("answered"), () -> "other Services are served");
    // a second of retries (every 200 ms): the program keeps its address, the proxy keeps trying, quietly
    long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    while (System.nanoTime() < until) assertEquals("squatter", ask("127.32.78.2", 8080));
    Map<String, Long> warnings = logs.list.stream()
        .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().startsWith("cannot listen on 127.32.78.2:"))
        .collect(Collectors.groupingBy(e -> e.getMDCPropertyMap().getOrDefault("pekkoSource", "?"),
            Collectors.counting()));
    assertTrue(!warnings.isEmpty() && warnings.values().stream().allMatch(n -> n == 1),
        "one warning per proxy: " + warnings);
    assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith("cannot listen on 10.255.255.1:")),
        "a ClusterIP that is not local: logged");

    squatter.close();
    awaitUntil(Duration.ofSeconds(2), () -> outcome("127.32.78.2", 8080).equals("answered"),
        () -> "the proxy listens once the address is free: " + outcome("127.32.78.2", 8080));
    assertTrue(ask("127.32.78.2", 8080).startsWith("late-"));
    assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith("listening on 127.32.78.2:8080")));
  }

  @Test
  void aClientThatDoesNotReadSlowsTheEndpointDown() throws Exception {
    List<TestBackend> pods = pods("flood", 3);
    put(store, service(NS, "flood", "127.32.78.4", s -> {}, 8080));
    put(store, endpoints(NS, "flood", List.of(pods.get(0)), List.of(), "p8080"));
    awaitUntil(PICKUP, () -> outcome("127.32.78.4", 8080).equals("answered"), () -> "the proxy listens");
    long total = 128L * 1024 * 1024;
    try (Socket s = new Socket("127.32.78.4", 8080)) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write(("FLOOD " + total + "\n").getBytes(StandardCharsets.US_ASCII));
      // the endpoint writes until every buffer between it and the client is full, then blocks
      long[] last = {-1};
      awaitUntil(Duration.ofSeconds(20), () -> {
        long now = pods.get(0).flooded.get();
        boolean stalled = now > 0 && now == last[0];
        last[0] = now;
        if (!stalled) sleepQuietly(300);
        return stalled;
      }, () -> "the endpoint blocked");
      long inFlight = pods.get(0).flooded.get();
      System.out.printf("back-pressure: the endpoint stalled after %d KiB of %d MiB%n", inFlight / 1024,
          total >> 20);
      assertTrue(inFlight < 64L * 1024 * 1024, "buffered between endpoint and client: " + inFlight);
      InputStream in = s.getInputStream();
      byte[] buffer = new byte[256 * 1024];
      long read = 0;
      for (int n; (n = in.read(buffer)) != -1; ) read += n;
      assertEquals(total, read, "every byte once the client reads");
    }
  }

  /** Polling the endpoint's progress: it can only be seen to stop over time. */
  static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void connectionsAndBytesPerPodAtMetricsAndGonePodsLeave() throws Exception {
    List<TestBackend> pods = pods("metered", 4);
    put(store, service(NS, "metered", "127.32.78.5", s -> {}, 8080));
    put(store, endpoints(NS, "metered", pods, List.of(), "p8080"));
    awaitUntil(PICKUP, () -> outcome("127.32.78.5", 8080).equals("answered"), () -> "the proxy listens");
    for (int i = 0; i < 30; i++) ProxyFixture.get("127.32.78.5", 8080);
    String metrics = metrics();
    for (TestBackend b : pods) {
      String pod = "namespace=\"" + NS + "\",pod=\"" + b.name + "\"";
      assertTrue(value(metrics, "troupe_proxy_pod_connections_total{" + pod + "}") >= 5, metrics);
      assertTrue(value(metrics, "troupe_proxy_pod_bytes_total{direction=\"in\"," + pod + "}") > 0, metrics);
      assertTrue(value(metrics, "troupe_proxy_pod_bytes_total{direction=\"out\"," + pod + "}") > 0, metrics);
    }
    assertTrue(value(metrics, "troupe_proxy_service_connections_total{namespace=\"" + NS
        + "\",port=\"p8080\",service=\"metered\"}") >= 30, metrics);

    put(store, endpoints(NS, "metered", pods.subList(0, 2), List.of(), "p8080"));
    awaitUntil(PICKUP, () -> !metrics().contains("pod=\"metered-3\""), () -> "the gone pod's series removed");
    assertTrue(metrics().contains("pod=\"metered-1\""));

    ProxyFixture.delete(store, "Service/" + NS + "/metered");
    ProxyFixture.delete(store, "Endpoints/" + NS + "/metered");
    awaitUntil(PICKUP, () -> !metrics().contains("service=\"metered\"") && !metrics().contains("pod=\"metered-"),
        () -> "the gone Service's series removed");
  }

  static String metrics() {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(TestControlPlane.url(plane) + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      return r.body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The sample's value; -1 when absent. */
  static double value(String metrics, String sample) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(sample + " ")) return Double.parseDouble(line.substring(sample.length() + 1).trim());
    }
    return -1;
  }
}
