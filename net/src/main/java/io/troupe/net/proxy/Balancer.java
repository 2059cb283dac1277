package io.troupe.net.proxy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Picks the endpoint of each new connection to one Service port, on the accepting stream's thread: round robin
 * over the ready endpoints, or with ClientIP affinity the endpoint a client last used while it is ready and the
 * client came back within the timeout (as the iptables {@code recent} match: each new connection renews it).
 * Shared by every listening socket of the port (ClusterIP, NodePort, load balancer), so a client sticks across
 * them. The proxier replaces the endpoints as the Endpoints change; a pick sees either the old or the new set
 * whole, never an endpoint that was removed before the pick began.
 */
final class Balancer {
  private record Pool(List<Endpoint> endpoints, Set<Endpoint> members, ProxyRules.Affinity affinity) {}

  private record Sticky(Endpoint endpoint, long lastNanos) {}

  private final ServicePort servicePort;
  private volatile Pool pool = new Pool(List.of(), Set.of(), ProxyRules.Affinity.NONE);
  private final AtomicInteger next = new AtomicInteger();
  private final Map<InetAddress, Sticky> clients = new ConcurrentHashMap<>();

  Balancer(ServicePort servicePort) {
    this.servicePort = servicePort;
  }

  ServicePort servicePort() {
    return servicePort;
  }

  void update(List<Endpoint> ready, ProxyRules.Affinity affinity) {
    pool = new Pool(List.copyOf(ready), Set.copyOf(ready), affinity);
    if (!affinity.clientIp()) clients.clear();
  }

  boolean hasReady() {
    return !pool.endpoints().isEmpty();
  }

  List<Endpoint> ready() {
    return pool.endpoints();
  }

  /** The endpoint for a new connection from {@code client}; null when none is ready. */
  Endpoint pick(InetAddress client, long nowNanos) {
    return pick(client, nowNanos, e -> true);
  }

  /**
   * The endpoint for a new connection from {@code client} among those that {@code admits} (NetworkPolicy): the
   * next admitted one in turn, or the client's sticky one while it admits; null when none is ready or admits.
   */
  Endpoint pick(InetAddress client, long nowNanos, Predicate<Endpoint> admits) {
    Pool p = pool;
    if (p.endpoints().isEmpty()) return null;
    if (!p.affinity().clientIp()) return roundRobin(p, admits);
    long timeout = p.affinity().timeout().toNanos();
    Endpoint[] picked = new Endpoint[1];
    clients.compute(client, (c, sticky) -> {
      Endpoint e = sticky != null && p.members().contains(sticky.endpoint()) && nowNanos - sticky.lastNanos() < timeout
          && admits.test(sticky.endpoint())
          ? sticky.endpoint()
          : roundRobin(p, admits);
      picked[0] = e;
      return e == null ? sticky : new Sticky(e, nowNanos); // none admits: the affinity stays as it was
    });
    return picked[0];
  }

  /** The next endpoint in turn that admits; an endpoint that does not is skipped (the next one takes its turn). */
  private Endpoint roundRobin(Pool p, Predicate<Endpoint> admits) {
    int size = p.endpoints().size();
    int start = next.getAndIncrement();
    for (int i = 0; i < size; i++) {
      Endpoint e = p.endpoints().get(Math.floorMod(start + i, size));
      if (admits.test(e)) return e;
    }
    return null;
  }

  /** Forgets the clients whose affinity expired. */
  void sweep(long nowNanos) {
    long timeout = pool.affinity().timeout().toNanos();
    clients.values().removeIf(s -> nowNanos - s.lastNanos() >= timeout);
  }
}
