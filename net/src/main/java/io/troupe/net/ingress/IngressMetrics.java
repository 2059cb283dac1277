package io.troupe.net.ingress;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;

/** What the ingress proxy counts: requests by Ingress and HTTP code, and the time to the response's headers. */
final class IngressMetrics {
  static final Counter REQUESTS = Counter.builder()
      .name("troupe_ingress_requests_total")
      .help("Requests through the ingress proxy by Ingress (namespace/name; empty when no rule matched) and code")
      .labelNames("ingress", "code")
      .register();

  static final Histogram LATENCY = Histogram.builder()
      .name("troupe_ingress_request_duration_seconds")
      .help("Time from a request's arrival at the ingress proxy to its response headers, by Ingress")
      .labelNames("ingress")
      .classicOnly()
      .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .register();

  private IngressMetrics() {}

  static void observe(String ingress, int code, long startedNanos) {
    REQUESTS.labelValues(ingress, Integer.toString(code)).inc();
    LATENCY.labelValues(ingress).observe((System.nanoTime() - startedNanos) / 1e9);
  }
}
