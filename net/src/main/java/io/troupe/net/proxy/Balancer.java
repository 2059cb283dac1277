package io.troupe.net.proxy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

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
    Pool p = pool;
    if (p.endpoints().isEmpty()) return null;
    if (!p.affinity().clientIp()) return roundRobin(p);
    long timeout = p.affinity().timeout().toNanos();
    Sticky chosen = clients.compute(client, (c, sticky) -> {
      Endpoint e = sticky != null && p.members().contains(sticky.endpoint()) && nowNanos - sticky.lastNanos() < timeout
          ? sticky.endpoint()
          : roundRobin(p);
      return new Sticky(e, nowNanos);
    });
    return chosen.endpoint();
  }

  private Endpoint roundRobin(Pool p) {
    return p.endpoints().get(Math.floorMod(next.getAndIncrement(), p.endpoints().size()));
  }

  /** Forgets the clients whose affinity expired. */
  void sweep(long nowNanos) {
    long timeout = pool.affinity().timeout().toNanos();
    clients.values().removeIf(s -> nowNanos - s.lastNanos() >= timeout);
  }
}
