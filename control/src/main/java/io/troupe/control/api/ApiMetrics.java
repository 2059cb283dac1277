package io.troupe.control.api;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.troupe.persistence.watch.WatchCache;

/** What the API server counts: requests by verb, resource and code, their latency, and the watch cache. */
final class ApiMetrics {
  static final Counter REQUESTS = Counter.builder()
      .name("troupe_apiserver_requests_total")
      .help("API requests by verb, resource and HTTP code")
      .labelNames("verb", "resource", "code")
      .register();

  static final Histogram LATENCY = Histogram.builder()
      .name("troupe_apiserver_request_duration_seconds")
      .help("API request latency by verb and resource (a watch: until its stream starts)")
      .labelNames("verb", "resource")
      .classicOnly()
      .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .register();

  private ApiMetrics() {}

  /** The watch cache of the API server last started in this JVM: the gauges read it when scraped. */
  private static volatile WatchCache current;
  private static boolean cacheGaugesRegistered;

  /** Gauges that read the watch cache when scraped; registered once per JVM, following the latest server. */
  static synchronized void watchCache(WatchCache cache) {
    current = cache;
    if (cacheGaugesRegistered) return;
    cacheGaugesRegistered = true;
    // the JVM's own: heap and non-heap memory, GC, threads, classes
    io.prometheus.metrics.instrumentation.jvm.JvmMetrics.builder().register(PrometheusRegistry.defaultRegistry);
    GaugeWithCallback.builder()
        .name("troupe_watch_cache_objects")
        .help("Objects held in the watch cache")
        .callback(cb -> cb.call(current.size()))
        .register(PrometheusRegistry.defaultRegistry);
    GaugeWithCallback.builder()
        .name("troupe_watch_cache_resource_version")
        .help("The last resourceVersion the watch cache applied")
        .callback(cb -> cb.call(current.revision()))
        .register(PrometheusRegistry.defaultRegistry);
    GaugeWithCallback.builder()
        .name("troupe_watchers")
        .help("Open watches")
        .callback(cb -> cb.call(current.watcherCount()))
        .register(PrometheusRegistry.defaultRegistry);
  }

  static void observe(String verb, String resource, int code, long startedNanos) {
    REQUESTS.labelValues(verb, resource, Integer.toString(code)).inc();
    LATENCY.labelValues(verb, resource).observe((System.nanoTime() - startedNanos) / 1e9);
  }
}
