package io.troupe.net.proxy;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static io.troupe.net.proxy.ProxyFixture.ask;
import static io.troupe.net.proxy.ProxyFixture.awaitOutcome;
import static io.troupe.net.proxy.ProxyFixture.endpoints;
import static io.troupe.net.proxy.ProxyFixture.outcome;
import static io.troupe.net.proxy.ProxyFixture.put;
import static io.troupe.net.proxy.ProxyFixture.refusedOrReset;
import static io.troupe.net.proxy.ProxyFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.store.Store;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service proxy with real sockets: backends on their own 127.99.x.y addresses (as pods in loopback mode),
 * Services with explicit ClusterIPs in 127.32.0.0/16, and Endpoints written as the Endpoints controller writes
 * them; every check is a real TCP client's.
 */
class ServiceProxyTest {
  static final String NS = "proxy";
  static final String NODE = "127.0.0.1";
  /**
   * How long a change may take from the store write to the proxy's sockets: a correctness bound, not the latency
   * target. On an idle machine it is a few ms (the not-ready and removed cases print theirs); once, on a CI
   * machine, a removed port was still served 1 s after its write.
   */
  static final Duration PICKUP = Duration.ofSeconds(5);
  /** After the proxy stopped serving an address, until its listener is closed (asynchronous, a few ms when idle). */
  static final Duration UNBOUND = Duration.ofSeconds(5);
  static ControlPlane plane;
  static Store store;
  static Config config;
  static ServiceProxy proxy;
  static final List<TestBackend> backends = new ArrayList<>();

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
    store = plane.store().as("proxy-test");
    config = ConfigFactory.parseMap(Map.of("troupe.net.proxy.bind-retry-interval", "200ms"))
        .withFallback(plane.system().settings().config());
    proxy = ServiceProxy.start(plane.system(), store, config, NODE);
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) proxy.close();
    for (TestBackend b : backends) b.close();
    if (plane != null) plane.close();
  }

  /** Three pods of one test: 127.99.{group}.1-3, port 8080. */
  static List<TestBackend> pods(String prefix, int group) throws Exception {
    List<TestBackend> out = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      TestBackend b = TestBackend.start(prefix + "-" + i, "127.99." + group + "." + i, 8080);
      backends.add(b);
      out.add(b);
    }
    return out;
  }

  @Test
  void connectionsThroughTheClusterIpReachEveryReadyEndpointEvenly() throws Exception {
    List<TestBackend> web = pods("web", 1);
    put(store, service(NS, "web", "127.32.77.1", s -> {}, 8080));
    put(store, endpoints(NS, "web", web, List.of(), "p8080"));
    awaitUntil(PICKUP, () -> !refusedOrReset("127.32.77.1", 8080), () -> "the proxy listens on the ClusterIP");
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 300; i++) seen.merge(ProxyFixture.get("127.32.77.1", 8080), 1, Integer::sum);
    assertEquals(Set.of("web-1", "web-2", "web-3"), seen.keySet());
    for (int n : seen.values()) assertTrue(n >= 80 && n <= 120, "roughly even: " + seen);
    for (TestBackend b : web) assertTrue(b.connections.get() >= 80, b.name + " had " + b.connections);
  }

  @Test
  void anEndpointNotReadyOrRemovedGetsNoNewConnectionsWithinOneSecond() throws Exception {
    List<TestBackend> api = pods("api", 2);
    put(store, service(NS, "api", "127.32.77.2", s -> {}, 8080));
    put(store, endpoints(NS, "api", api, List.of(), "p8080"));
    awaitUntil(PICKUP, () -> !refusedOrReset("127.32.77.2", 8080), () -> "the proxy listens");
    // a long connection that landed on api-2: it carries on when api-2 stops being ready (as in Kubernetes)
    Socket kept = null;
    for (int i = 0; i < 10 && kept == null; i++) {
      Socket s = new Socket();
      s.setSoTimeout(5000);
      s.connect(new InetSocketAddress(InetAddress.getByName("127.32.77.2"), 8080));
      s.getOutputStream().write("ECHO\n".getBytes(StandardCharsets.US_ASCII));
      if (TestBackend.line(s.getInputStream()).equals("api-2")) kept = s;
      else s.close();
    }
    assertTrue(kept != null, "a connection to api-2");

    put(store, endpoints(NS, "api", List.of(api.get(0), api.get(2)), List.of(api.get(1)), "p8080"));
    long pickup = stopsReaching("127.32.77.2", 8080, "api-2", System.nanoTime());
    System.out.printf("not ready: last new connection to api-2 begun %d ms after the write (-1: none)%n", pickup);

    OutputStream out = kept.getOutputStream();
    out.write("still here\n".getBytes(StandardCharsets.US_ASCII));
    assertEquals("still here", TestBackend.line(kept.getInputStream()), "the open connection to api-2 carries on");
    kept.close();

    put(store, endpoints(NS, "api", List.of(api.get(0)), List.of(api.get(1)), "p8080"));
    pickup = stopsReaching("127.32.77.2", 8080, "api-3", System.nanoTime());
    System.out.printf("removed: last new connection to api-3 begun %d ms after the write (-1: none)%n", pickup);
    for (int i = 0; i < 20; i++) assertEquals("api-1", ask("127.32.77.2", 8080));

    put(store, endpoints(NS, "api", api, List.of(), "p8080"));
    Set<String> back = new java.util.HashSet<>();
    awaitUntil(PICKUP, () -> {
      try {
        back.add(ask("127.32.77.2", 8080));
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
      return back.size() == 3;
    }, () -> "all three ready again: " + back);
  }

  /**
   * Connects again and again from {@code changed} on: a connection begun {@link #PICKUP} or more after the change
   * must never reach {@code gone}, and 60 in a row must not. Returns when (ms after the change) the last one reaching
   * it began, -1 when none did.
   */
  static long stopsReaching(String ip, int port, String gone, long changed) throws Exception {
    long lastHit = -1;
    int without = 0;
    while (without < 60) {
      long begun = System.nanoTime();
      assertTrue(begun - changed < Duration.ofSeconds(10).toNanos(), "still reaching " + gone);
      if (ask(ip, port).equals(gone)) {
        lastHit = (begun - changed) / 1_000_000;
        assertTrue(lastHit < PICKUP.toMillis(), "a connection begun " + lastHit + " ms after the change reached "
            + gone);
        without = 0;
      } else {
        without++;
      }
    }
    return lastHit;
  }

  @Test
  void aServiceWithNoReadyEndpointRefusesAtOnce() throws Exception {
    List<TestBackend> db = pods("db", 3);
    put(store, service(NS, "db", "127.32.77.3", s -> {}, 8080));
    assertEquals("refused", outcome("127.32.77.3", 8080), "no Endpoints at all");
    put(store, endpoints(NS, "db", List.of(), db, "p8080"));
    assertEquals("refused", outcome("127.32.77.3", 8080), "only not-ready endpoints");

    put(store, endpoints(NS, "db", List.of(db.get(0)), List.of(db.get(1), db.get(2)), "p8080"));
    awaitUntil(PICKUP, () -> outcome("127.32.77.3", 8080).equals("answered"), () -> "a ready endpoint: served");

    put(store, endpoints(NS, "db", List.of(), db, "p8080"));
    // until the listener is closed (a few ms), a connection is accepted and reset at once: never served
    awaitUntil(PICKUP, () -> refusedOrReset("127.32.77.3", 8080), () -> "none ready again: not served");
    awaitUntil(UNBOUND, () -> {
      String o = outcome("127.32.77.3", 8080);
      assertTrue(o.equals("refused") || o.equals("reset"), o);
      return o.equals("refused");
    }, () -> "none ready again: refused");
    long begun = System.nanoTime();
    assertEquals("refused", outcome("127.32.77.3", 8080));
    long ms = (System.nanoTime() - begun) / 1_000_000;
    System.out.printf("no ready endpoint: refused in %d ms%n", ms);
    assertTrue(ms < 500, "refused at once, not after a timeout: " + ms + " ms");
  }

  @Test
  void nodePortOnTheNodeAddressAndLoadBalancerIngressIp() throws Exception {
    List<TestBackend> shop = pods("shop", 4);
    int nodePort = freePort(NODE);
    put(store, service(NS, "shop", "127.32.77.4", s -> {
      s.put("type", "LoadBalancer");
      s.withArray("ports").get(0).withObject("").put("nodePort", nodePort);
    }, 8080));
    put(store, endpoints(NS, "shop", shop, List.of(), "p8080"));
    awaitUntil(PICKUP, () -> outcome(NODE, nodePort).equals("answered"), () -> "the nodePort on " + NODE);
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 30; i++) seen.add(ProxyFixture.get(NODE, nodePort));
    assertEquals(Set.of("shop-1", "shop-2", "shop-3"), seen);
    assertEquals("answered", outcome("127.32.77.4", 8080), "and the ClusterIP");

    var withIngress = store.get("Service/" + NS + "/shop").orElseThrow().object();
    var status = io.troupe.persistence.model.Json.object();
    status.putObject("loadBalancer").putArray("ingress").addObject().put("ip", "127.48.77.1");
    ProxyFixture.putStatus(store, withIngress.withField("status", status));
    awaitUntil(PICKUP, () -> outcome("127.48.77.1", 8080).equals("answered"), () -> "the load balancer address");
  }

  static int freePort(String ip) throws Exception {
    for (int p = 30000 + new java.util.Random().nextInt(2000); ; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName(ip))) {
        return s.getLocalPort();
      } catch (java.io.IOException taken) {
        // next
      }
    }
  }

  @Test
  void clientIpAffinitySticksAndMovesWhenItsEndpointGoes() throws Exception {
    List<TestBackend> cart = pods("cart", 5);
    put(store, service(NS, "cart", "127.32.77.5", s -> s.put("sessionAffinity", "ClientIP"), 8080));
    put(store, endpoints(NS, "cart", cart, List.of(), "p8080"));
    awaitUntil(PICKUP, () -> !refusedOrReset("127.32.77.5", 8080), () -> "the proxy listens");
    Map<String, String> stuck = new HashMap<>();
    for (String client : List.of("127.0.0.11", "127.0.0.12", "127.0.0.13")) {
      String first = ask("127.32.77.5", 8080, client);
      for (int i = 0; i < 20; i++) assertEquals(first, ask("127.32.77.5", 8080, client), client + " sticks");
      stuck.put(client, first);
    }
    assertEquals(3, Set.copyOf(stuck.values()).size(), "three clients, spread round robin: " + stuck);

    String moving = "127.0.0.11";
    TestBackend away = cart.stream().filter(b -> b.name.equals(stuck.get(moving))).findFirst().orElseThrow();
    List<TestBackend> rest = cart.stream().filter(b -> b != away).toList();
    put(store, endpoints(NS, "cart", rest, List.of(away), "p8080"));
    awaitUntil(PICKUP, () -> {
      try {
        return !ask("127.32.77.5", 8080, moving).equals(away.name);
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }, () -> "the client moves off its not-ready endpoint");
    String next = ask("127.32.77.5", 8080, moving);
    assertNotEquals(away.name, next);
    for (int i = 0; i < 20; i++) assertEquals(next, ask("127.32.77.5", 8080, moving), "and sticks there");
  }

  @Test
  void aDeletedServiceOrPortStopsListening() throws Exception {
    List<TestBackend> mail = pods("mail", 6);
    put(store, service(NS, "mail", "127.32.77.6", s -> {}, 8080, 8081));
    put(store, endpoints(NS, "mail", mail, List.of(), "p8080", "p8081"));
    // each port's listener binds on its own: both are awaited
    awaitUntil(PICKUP, () -> outcome("127.32.77.6", 8081).equals("answered")
        && outcome("127.32.77.6", 8080).equals("answered"), () -> "both ports served");

    long written = System.nanoTime();
    put(store, service(NS, "mail", "127.32.77.6", s -> {}, 8080));
    String write = "the write took " + (System.nanoTime() - written) / 1_000_000 + " ms";
    // no longer served (reset until its listener is closed), then not listening (refused)
    awaitOutcome(PICKUP, "127.32.77.6", 8081, Set.of("refused", "reset"),
        "the removed port no longer served; " + write);
    awaitOutcome(UNBOUND, "127.32.77.6", 8081, Set.of("refused"), "the removed port refused");
    assertEquals("answered", outcome("127.32.77.6", 8080), "the other port still served");

    ProxyFixture.delete(store, "Service/" + NS + "/mail");
    awaitOutcome(PICKUP, "127.32.77.6", 8080, Set.of("refused", "reset"), "the deleted Service no longer served");
    awaitOutcome(UNBOUND, "127.32.77.6", 8080, Set.of("refused"), "the deleted Service refused");
  }

  @Test
  void aClosedWatchIsOpenedAgainAndWhatWentMeanwhileIsGone() throws Exception {
    List<TestBackend> pods = pods("again", 8);
    put(store, service(NS, "again", "127.32.77.8", s -> {}, 8080));
    put(store, endpoints(NS, "again", pods, List.of(), "p8080"));
    put(store, service(NS, "again2", "127.32.77.9", s -> {}, 8080));
    put(store, endpoints(NS, "again2", pods, List.of(), "p8080"));
    awaitUntil(PICKUP, () -> outcome("127.32.77.9", 8080).equals("answered"), () -> "served");
    // what the watch cache does when its feed fell behind compaction: every watch is closed
    plane.store().cache().compactedThrough(plane.store().cache().revision() + 1);
    ProxyFixture.delete(store, "Service/" + NS + "/again");
    put(store, endpoints(NS, "again2", List.of(pods.get(0)), List.of(), "p8080"));
    awaitUntil(UNBOUND, () -> outcome("127.32.77.8", 8080).equals("refused"),
        () -> "the Service deleted while the watch was closed is unbound");
    awaitUntil(Duration.ofSeconds(2), () -> {
      for (int i = 0; i < 6; i++) {
        try {
          if (!ask("127.32.77.9", 8080).equals("again-1")) return false;
        } catch (java.io.IOException e) {
          return false;
        }
      }
      return true;
    }, () -> "the Endpoints changed while the watch was closed are followed");
  }

  @Test
  void halfClosedClientStillGetsTheWholeAnswer() throws Exception {
    List<TestBackend> echo = pods("echo", 7);
    put(store, service(NS, "echo", "127.32.77.7", s -> {}, 8080));
    put(store, endpoints(NS, "echo", echo, List.of(), "p8080"));
    awaitUntil(PICKUP, () -> !refusedOrReset("127.32.77.7", 8080), () -> "the proxy listens");
    byte[] payload = new byte[4 * 1024 * 1024];
    new java.util.Random(7).nextBytes(payload);
    try (Socket s = new Socket("127.32.77.7", 8080)) {
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          out.write("ECHO\n".getBytes(StandardCharsets.US_ASCII));
          out.write(payload);
          s.shutdownOutput();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      writer.start();
      assertTrue(TestBackend.line(in).startsWith("echo-"));
      byte[] back = in.readAllBytes();
      writer.join();
      assertTrue(java.util.Arrays.equals(payload, back), "every byte back, then the end: " + back.length);
    }
  }
}
