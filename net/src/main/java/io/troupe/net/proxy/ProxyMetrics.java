package io.troupe.net.proxy;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the service proxies of this JVM count, in the JVM's Prometheus registry (served at {@code /metrics}):
 * connections and bytes per pod and per Service port. "in" is what clients sent into the pod, "out" what the pod
 * sent back. A pod's series live while some proxy of this JVM finds it in an Endpoints object (ready or not) or
 * a connection to it is open; a Service port's while it exists or a connection through it is open. Then they are
 * removed, so that pods coming and going do not grow the registry.
 */
final class ProxyMetrics {
  static final Counter POD_CONNECTIONS = Counter.builder()
      .name("troupe_proxy_pod_connections_total")
      .help("Connections the service proxy forwarded to the pod")
      .labelNames("namespace", "pod")
      .register();
  static final Counter POD_BYTES = Counter.builder()
      .name("troupe_proxy_pod_bytes_total")
      .help("Bytes through the service proxy: in = from clients to the pod, out = from the pod to clients")
      .labelNames("namespace", "pod", "direction")
      .register();
  static final Counter SERVICE_CONNECTIONS = Counter.builder()
      .name("troupe_proxy_service_connections_total")
      .help("Connections the service proxy forwarded for the Service port")
      .labelNames("namespace", "service", "port")
      .register();
  static final Counter SERVICE_BYTES = Counter.builder()
      .name("troupe_proxy_service_bytes_total")
      .help("Bytes through the service proxy for the Service port: in = from clients, out = to clients")
      .labelNames("namespace", "service", "port", "direction")
      .register();
  static final Gauge SERVICE_OPEN = Gauge.builder()
      .name("troupe_proxy_service_open_connections")
      .help("Connections open through the service proxy for the Service port")
      .labelNames("namespace", "service", "port")
      .register();
  static final Counter SERVICE_FAILED = Counter.builder()
      .name("troupe_proxy_service_failed_connections_total")
      .help("Connections reset by the service proxy: no ready endpoint (no_endpoint), the endpoint did not accept "
          + "(connect), every ready endpoint's NetworkPolicy denies the client (policy, loopback mode)")
      .labelNames("namespace", "service", "port", "reason")
      .register();
  static final Gauge LISTENING = Gauge.builder()
      .name("troupe_proxy_listening_sockets")
      .help("Addresses the service proxies of this JVM listen on")
      .register();

  private record Held(Set<Endpoint.Pod> pods, Set<ServicePort> ports) {}

  private static final Held NOTHING = new Held(Set.of(), Set.of());
  private static final Map<Object, Held> held = new HashMap<>();
  private static final Map<Endpoint.Pod, Integer> podHolds = new HashMap<>();
  private static final Map<ServicePort, Integer> portHolds = new HashMap<>();

  private ProxyMetrics() {}

  /** {@code holder} (a proxy's view of one Service) now names these pods and ports; series no one names go. */
  static synchronized void hold(Object holder, Set<Endpoint.Pod> pods, Set<ServicePort> ports) {
    Held before = held.getOrDefault(holder, NOTHING);
    Held after = new Held(Set.copyOf(pods), Set.copyOf(ports));
    if (after.equals(NOTHING)) held.remove(holder);
    else held.put(holder, after);
    for (Endpoint.Pod p : after.pods()) if (!before.pods().contains(p)) acquire(p);
    for (ServicePort p : after.ports()) if (!before.ports().contains(p)) acquire(p);
    for (Endpoint.Pod p : before.pods()) if (!after.pods().contains(p)) release(p);
    for (ServicePort p : before.ports()) if (!after.ports().contains(p)) release(p);
  }

  /** A connection to {@code endpoint} for {@code servicePort} begins; it holds their series until it ends. */
  static synchronized Traffic open(ServicePort servicePort, Endpoint endpoint) {
    acquire(endpoint.pod());
    acquire(servicePort);
    return new Traffic(servicePort, endpoint.pod());
  }

  static synchronized void failed(ServicePort servicePort, String reason) {
    // a port no one holds (its Service just went) gets no new series
    if (portHolds.containsKey(servicePort)) SERVICE_FAILED.labelValues(labels(servicePort, reason)).inc();
  }

  private static void acquire(Endpoint.Pod pod) {
    podHolds.merge(pod, 1, Integer::sum);
  }

  private static void acquire(ServicePort port) {
    portHolds.merge(port, 1, Integer::sum);
  }

  private static void release(Endpoint.Pod pod) {
    if (podHolds.merge(pod, -1, Integer::sum) > 0) return;
    podHolds.remove(pod);
    POD_CONNECTIONS.remove(pod.namespace(), pod.name());
    POD_BYTES.remove(pod.namespace(), pod.name(), "in");
    POD_BYTES.remove(pod.namespace(), pod.name(), "out");
  }

  private static void release(ServicePort port) {
    if (portHolds.merge(port, -1, Integer::sum) > 0) return;
    portHolds.remove(port);
    SERVICE_CONNECTIONS.remove(labels(port));
    SERVICE_BYTES.remove(labels(port, "in"));
    SERVICE_BYTES.remove(labels(port, "out"));
    SERVICE_OPEN.remove(labels(port));
    SERVICE_FAILED.remove(labels(port, "no_endpoint"));
    SERVICE_FAILED.remove(labels(port, "connect"));
  }

  private static String[] labels(ServicePort port, String... more) {
    String[] out = new String[3 + more.length];
    out[0] = port.namespace();
    out[1] = port.service();
    out[2] = port.label();
    System.arraycopy(more, 0, out, 3, more.length);
    return out;
  }

  /** The counters of one forwarded connection, looked up once; closed when both directions ended. */
  static final class Traffic {
    private final ServicePort servicePort;
    private final Endpoint.Pod pod;
    private final CounterDataPoint podIn;
    private final CounterDataPoint podOut;
    private final CounterDataPoint serviceIn;
    private final CounterDataPoint serviceOut;
    private final GaugeDataPoint open;
    private final AtomicInteger directionsOpen = new AtomicInteger(2);

    private Traffic(ServicePort servicePort, Endpoint.Pod pod) {
      this.servicePort = servicePort;
      this.pod = pod;
      this.podIn = POD_BYTES.labelValues(pod.namespace(), pod.name(), "in");
      this.podOut = POD_BYTES.labelValues(pod.namespace(), pod.name(), "out");
      this.serviceIn = SERVICE_BYTES.labelValues(labels(servicePort, "in"));
      this.serviceOut = SERVICE_BYTES.labelValues(labels(servicePort, "out"));
      this.open = SERVICE_OPEN.labelValues(labels(servicePort));
      POD_CONNECTIONS.labelValues(pod.namespace(), pod.name()).inc();
      SERVICE_CONNECTIONS.labelValues(labels(servicePort)).inc();
      open.inc();
    }

    void in(int bytes) {
      podIn.inc(bytes);
      serviceIn.inc(bytes);
    }

    void out(int bytes) {
      podOut.inc(bytes);
      serviceOut.inc(bytes);
    }

    void connectFailed() {
      SERVICE_FAILED.labelValues(labels(servicePort, "connect")).inc();
    }

    /** One direction of the connection ended; the second ends the connection. */
    void directionEnded() {
      if (directionsOpen.decrementAndGet() != 0) return;
      open.dec();
      synchronized (ProxyMetrics.class) {
        release(pod);
        release(servicePort);
      }
    }
  }
}
