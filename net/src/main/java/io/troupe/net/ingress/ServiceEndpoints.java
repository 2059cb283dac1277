package io.troupe.net.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.net.ingress.IngressRoutes.Backend;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ready endpoints of an Ingress backend (a Service port), read from the local watch cache on each request, and
 * taken in turn (round robin). The proxy sends to the pods directly rather than through the Service's ClusterIP,
 * as ingress-nginx does: it does not depend on the service proxy, and it counts and balances per pod itself.
 *
 * <p>A Service port is found by number ({@code spec.ports[].port}) or by name; its endpoints are the
 * {@code addresses} (never {@code notReadyAddresses}) of the Endpoints subsets, at the subset port of the same
 * name, as kube-proxy pairs them.
 */
final class ServiceEndpoints {

  /** What a backend resolves to. */
  sealed interface Resolution {
    /** At least one ready endpoint. */
    record Ready(List<InetSocketAddress> endpoints) implements Resolution {}

    /** Nothing to send to (503), and why. */
    record Unavailable(String reason) implements Resolution {}
  }

  private record Memo(long serviceRevision, long endpointsRevision, Resolution resolution) {}

  private final WatchCache cache;
  private final ConcurrentHashMap<Backend, Memo> memos = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Backend, AtomicInteger> turns = new ConcurrentHashMap<>();

  ServiceEndpoints(WatchCache cache) {
    this.cache = cache;
  }

  Resolution resolve(Backend backend) {
    if (backend.service() == null) return new Resolution.Unavailable("resource backends are not served");
    Optional<Stored> service = cache.get(ObjectKey.of("Service", backend.namespace(), backend.service()));
    Optional<Stored> endpoints = cache.get(ObjectKey.of("Endpoints", backend.namespace(), backend.service()));
    long serviceRevision = service.map(Stored::revision).orElse(-1L);
    long endpointsRevision = endpoints.map(Stored::revision).orElse(-1L);
    Memo memo = memos.get(backend);
    if (memo != null && memo.serviceRevision() == serviceRevision && memo.endpointsRevision() == endpointsRevision) {
      return memo.resolution();
    }
    Resolution resolution = resolve(backend, service, endpoints);
    memos.put(backend, new Memo(serviceRevision, endpointsRevision, resolution));
    return resolution;
  }

  /** The next of the ready endpoints for this backend, in turn. */
  InetSocketAddress next(Backend backend, List<InetSocketAddress> ready) {
    int turn = turns.computeIfAbsent(backend, b -> new AtomicInteger()).getAndIncrement();
    return ready.get(Math.floorMod(turn, ready.size()));
  }

  /** Forgets the backends no route names any more. */
  void retain(java.util.Set<Backend> backends) {
    memos.keySet().retainAll(backends);
    turns.keySet().retainAll(backends);
  }

  private static Resolution resolve(Backend backend, Optional<Stored> service, Optional<Stored> endpoints) {
    String name = backend.namespace() + "/" + backend.service();
    if (service.isEmpty()) return new Resolution.Unavailable("service " + name + " not found");
    JsonNode servicePort = null;
    for (JsonNode p : service.get().object().spec().path("ports")) {
      boolean match = backend.portName() != null
          ? backend.portName().equals(p.path("name").asText())
          : backend.portNumber() == p.path("port").asInt();
      if (match) {
        servicePort = p;
        break;
      }
    }
    String port = backend.portName() != null ? backend.portName() : Integer.toString(backend.portNumber());
    if (servicePort == null) return new Resolution.Unavailable("service " + name + " has no port " + port);
    if (endpoints.isEmpty()) return new Resolution.Unavailable("service " + name + " has no endpoints");
    String portName = servicePort.path("name").asText("");
    List<InetSocketAddress> ready = new ArrayList<>();
    for (JsonNode subset : endpoints.get().object().body().path("subsets")) {
      int number = -1;
      for (JsonNode p : subset.path("ports")) {
        if (portName.equals(p.path("name").asText("")) && "TCP".equals(p.path("protocol").asText("TCP"))) {
          number = p.path("port").asInt(-1);
          break;
        }
      }
      if (number <= 0) continue;
      for (JsonNode address : subset.path("addresses")) {
        String ip = address.path("ip").asText("");
        if (!ip.isEmpty()) ready.add(InetSocketAddress.createUnresolved(ip, number));
      }
    }
    if (ready.isEmpty()) {
      return new Resolution.Unavailable("service " + name + " port " + port + " has no ready endpoint");
    }
    return new Resolution.Ready(List.copyOf(ready));
  }
}
