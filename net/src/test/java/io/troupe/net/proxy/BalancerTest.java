package io.troupe.net.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Round robin, ClientIP affinity and its timeout, with a clock of the test's own. */
class BalancerTest {
  static final Endpoint A = new Endpoint("127.64.0.1", 80, new Endpoint.Pod("ns", "a"));
  static final Endpoint B = new Endpoint("127.64.0.2", 80, new Endpoint.Pod("ns", "b"));
  static final Endpoint C = new Endpoint("127.64.0.3", 80, new Endpoint.Pod("ns", "c"));
  static final long SECOND = 1_000_000_000L;

  static InetAddress client(int n) throws Exception {
    return InetAddress.getByName("127.0.0." + n);
  }

  @Test
  void roundRobinOverTheReadyEndpoints() throws Exception {
    Balancer b = new Balancer(new ServicePort("ns", "web", "", 80));
    assertNull(b.pick(client(1), 0), "none ready");
    b.update(List.of(A, B, C), ProxyRules.Affinity.NONE);
    Map<Endpoint, Integer> seen = new HashMap<>();
    for (int i = 0; i < 300; i++) seen.merge(b.pick(client(1), i), 1, Integer::sum);
    assertEquals(Map.of(A, 100, B, 100, C, 100), seen);
    b.update(List.of(A, C), ProxyRules.Affinity.NONE);
    for (int i = 0; i < 10; i++) assertEquals(false, b.pick(client(1), i).equals(B));
  }

  @Test
  void clientIpAffinityLastsWhileTheClientComesBackWithinTheTimeout() throws Exception {
    Balancer b = new Balancer(new ServicePort("ns", "web", "", 80));
    b.update(List.of(A, B, C), new ProxyRules.Affinity(true, Duration.ofSeconds(10)));
    Endpoint first = b.pick(client(1), 0);
    Endpoint other = b.pick(client(2), 0);
    for (int i = 1; i <= 30; i++) assertEquals(first, b.pick(client(1), i * SECOND), "renewed by every connection");
    assertEquals(other, b.pick(client(2), 9 * SECOND));
    // client 1 stays away 10 s: round robin again (A, B, C went to 1, 2; the next pick is C)
    b.pick(client(3), 40 * SECOND);
    Endpoint after = b.pick(client(1), 41 * SECOND);
    assertEquals(A, after, "expired: a fresh round-robin pick");
    // its endpoint no longer ready: another one, which then sticks
    b.update(List.of(B, C), new ProxyRules.Affinity(true, Duration.ofSeconds(10)));
    Endpoint moved = b.pick(client(1), 42 * SECOND);
    for (int i = 43; i < 50; i++) assertEquals(moved, b.pick(client(1), i * SECOND));
    b.sweep(100 * SECOND);
  }

  @Test
  void onlyEndpointsThatAdmitTheClientArePicked() throws Exception {
    Balancer b = new Balancer(new ServicePort("ns", "web", "", 80));
    b.update(List.of(A, B, C), ProxyRules.Affinity.NONE);
    Map<Endpoint, Integer> seen = new HashMap<>();
    for (int i = 0; i < 200; i++) seen.merge(b.pick(client(1), i, e -> e != B), 1, Integer::sum);
    assertEquals(java.util.Set.of(A, C), seen.keySet());
    assertNull(b.pick(client(1), 0, e -> false), "none admits");

    Balancer sticky = new Balancer(new ServicePort("ns", "web", "", 80));
    sticky.update(List.of(A, B, C), new ProxyRules.Affinity(true, Duration.ofSeconds(10)));
    Endpoint first = sticky.pick(client(1), 0);
    Endpoint moved = sticky.pick(client(1), SECOND, e -> e != first);
    assertEquals(false, moved.equals(first), "a sticky endpoint that no longer admits is left");
    assertNull(sticky.pick(client(1), 2 * SECOND, e -> false));
    assertEquals(moved, sticky.pick(client(1), 3 * SECOND), "and the affinity kept");
  }
}
