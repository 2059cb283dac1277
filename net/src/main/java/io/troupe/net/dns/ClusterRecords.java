package io.troupe.net.dns;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.WatchEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the DNS server answers from: the cluster's Services, Endpoints and pod addresses, in small views of their
 * own, fed by {@link Reflector}s (one thread per kind) and read by the server's threads without locks. Keys are
 * {@code namespace/name} in lower case (DNS names are case-insensitive; Kubernetes names are lower case anyway).
 */
final class ClusterRecords implements Reflector.Target {
  static final List<String> KINDS = List.of("Service", "Endpoints", "Pod");

  /** A port of a Service or of an Endpoints subset; {@code name} empty when unnamed, protocol upper case. */
  record Port(String name, int port, String protocol) {}

  /**
   * A Service as DNS sees it.
   *
   * @param clusterIps its ClusterIPs; empty for a headless Service ({@code clusterIP: None}) or an ExternalName
   * @param externalName the target of an {@code ExternalName} Service, else null
   * @param publishNotReady {@code spec.publishNotReadyAddresses}: not-ready endpoints are answered too
   */
  record Service(String namespace, String name, List<String> clusterIps, boolean headless, String externalName,
      List<Port> ports, boolean publishNotReady) {
    Service {
      clusterIps = List.copyOf(clusterIps);
      ports = List.copyOf(ports);
    }
  }

  /**
   * An address of an Endpoints subset.
   *
   * @param hostname the address's {@code hostname}, else null
   * @param pod the name of the pod it points to ({@code targetRef}), else null
   */
  record Address(String ip, String hostname, String pod, boolean ready) {}

  record Subset(List<Address> addresses, List<Port> ports) {
    Subset {
      addresses = List.copyOf(addresses);
      ports = List.copyOf(ports);
    }
  }

  /** A pod's address, and the {@code hostname}/{@code subdomain} that name it under a headless Service. */
  record Pod(String namespace, String name, String ip, String hostname, String subdomain) {}

  private final Map<String, Service> services = new ConcurrentHashMap<>();
  private final Map<String, List<Subset>> endpoints = new ConcurrentHashMap<>();
  private final Map<String, Pod> pods = new ConcurrentHashMap<>();
  /** Pods by {@code namespace/ip} (how many: two pods may briefly share an address). */
  private final Map<String, Integer> podIps = new ConcurrentHashMap<>();
  private final Map<String, Integer> servicesByNamespace = new ConcurrentHashMap<>();
  private final Map<String, Integer> podsByNamespace = new ConcurrentHashMap<>();
  private final Set<String> replaced = ConcurrentHashMap.newKeySet();

  /** Whether every kind has been listed once: before, the server answers SERVFAIL, as CoreDNS does. */
  boolean synced() {
    return replaced.containsAll(KINDS);
  }

  Optional<Service> service(String namespace, String name) {
    return Optional.ofNullable(services.get(key(namespace, name)));
  }

  List<Subset> endpoints(String namespace, String name) {
    return endpoints.getOrDefault(key(namespace, name), List.of());
  }

  Optional<Pod> pod(String namespace, String name) {
    return Optional.ofNullable(pods.get(key(namespace, name)));
  }

  /** Whether a pod of the namespace has this IP. */
  boolean podHasIp(String namespace, String ip) {
    return podIps.containsKey(key(namespace, ip));
  }

  boolean hasServices(String namespace) {
    return servicesByNamespace.containsKey(namespace.toLowerCase(Locale.ROOT));
  }

  boolean hasPods(String namespace) {
    return podsByNamespace.containsKey(namespace.toLowerCase(Locale.ROOT));
  }

  // ---- feeding ----

  @Override
  public void replace(String kind, List<KubeObject> objects) {
    Set<String> present = new HashSet<>();
    for (KubeObject o : objects) {
      present.add(key(o.metadata().namespace(), o.metadata().name()));
      upsert(o);
    }
    Map<String, ?> held = switch (kind) {
      case "Service" -> services;
      case "Endpoints" -> endpoints;
      case "Pod" -> pods;
      default -> Map.of();
    };
    for (String key : new ArrayList<>(held.keySet())) {
      if (!present.contains(key)) remove(kind, key);
    }
    replaced.add(kind);
  }

  @Override
  public void apply(WatchEvent event) {
    KubeObject o = event.object();
    if (event.type() == WatchEvent.Type.DELETED) {
      remove(o.kind(), key(o.metadata().namespace(), o.metadata().name()));
    } else if (event.type() != WatchEvent.Type.BOOKMARK) {
      upsert(o);
    }
  }

  private void upsert(KubeObject o) {
    String key = key(o.metadata().namespace(), o.metadata().name());
    switch (o.kind()) {
      case "Service" -> {
        if (services.put(key, service(o)) == null) count(servicesByNamespace, namespaceOf(key), 1);
      }
      case "Endpoints" -> endpoints.put(key, subsets(o));
      case "Pod" -> {
        Pod now = pod(o);
        Pod before = now == null ? pods.remove(key) : pods.put(key, now);
        forget(before);
        if (now != null) {
          count(podIps, key(now.namespace(), now.ip()), 1);
          count(podsByNamespace, namespaceOf(key), 1);
        }
      }
      default -> { }
    }
  }

  private void remove(String kind, String key) {
    switch (kind) {
      case "Service" -> {
        if (services.remove(key) != null) count(servicesByNamespace, namespaceOf(key), -1);
      }
      case "Endpoints" -> endpoints.remove(key);
      case "Pod" -> forget(pods.remove(key));
      default -> { }
    }
  }

  private void forget(Pod pod) {
    if (pod == null) return;
    count(podIps, key(pod.namespace(), pod.ip()), -1);
    count(podsByNamespace, pod.namespace().toLowerCase(Locale.ROOT), -1);
  }

  private static void count(Map<String, Integer> counts, String key, int delta) {
    counts.compute(key, (k, n) -> {
      int next = (n == null ? 0 : n) + delta;
      return next <= 0 ? null : next;
    });
  }

  // ---- views ----

  static Service service(KubeObject o) {
    JsonNode spec = o.spec() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : o.spec();
    String type = spec.path("type").asText("ClusterIP");
    String clusterIp = spec.path("clusterIP").asText("");
    boolean headless = "None".equals(clusterIp);
    List<String> ips = new ArrayList<>();
    if ("ExternalName".equals(type)) {
      String target = spec.path("externalName").asText("");
      return new Service(o.metadata().namespace(), o.metadata().name(), List.of(), false,
          target.isEmpty() ? null : target, ports(spec.path("ports")), false);
    }
    for (JsonNode ip : spec.path("clusterIPs")) {
      if (!ip.asText("").isEmpty() && !"None".equals(ip.asText())) ips.add(ip.asText());
    }
    if (ips.isEmpty() && !headless && !clusterIp.isEmpty()) ips.add(clusterIp);
    return new Service(o.metadata().namespace(), o.metadata().name(), ips, headless, null,
        ports(spec.path("ports")), spec.path("publishNotReadyAddresses").asBoolean(false));
  }

  static List<Subset> subsets(KubeObject o) {
    List<Subset> out = new ArrayList<>();
    for (JsonNode s : o.body().path("subsets")) {
      List<Address> addresses = new ArrayList<>();
      for (String field : List.of("addresses", "notReadyAddresses")) {
        for (JsonNode a : s.path(field)) {
          String ip = a.path("ip").asText("");
          if (ip.isEmpty()) continue;
          String hostname = a.path("hostname").asText("");
          JsonNode ref = a.path("targetRef");
          String pod = "Pod".equals(ref.path("kind").asText()) ? ref.path("name").asText(null) : null;
          addresses.add(new Address(ip, hostname.isEmpty() ? null : hostname, pod, field.equals("addresses")));
        }
      }
      out.add(new Subset(addresses, ports(s.path("ports"))));
    }
    return List.copyOf(out);
  }

  /** A pod with an IP; null without one. */
  static Pod pod(KubeObject o) {
    String ip = o.body().path("status").path("podIP").asText("");
    if (ip.isEmpty()) return null;
    JsonNode spec = o.spec() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : o.spec();
    return new Pod(o.metadata().namespace(), o.metadata().name(), ip, spec.path("hostname").asText(""),
        spec.path("subdomain").asText(""));
  }

  private static List<Port> ports(JsonNode ports) {
    List<Port> out = new ArrayList<>();
    for (JsonNode p : ports) {
      out.add(new Port(p.path("name").asText(""), p.path("port").asInt(0),
          p.path("protocol").asText("TCP").toUpperCase(Locale.ROOT)));
    }
    return out;
  }

  static String key(String namespace, String name) {
    return ((namespace == null ? "" : namespace) + "/" + name).toLowerCase(Locale.ROOT);
  }

  private static String namespaceOf(String key) {
    return key.substring(0, key.indexOf('/'));
  }
}
