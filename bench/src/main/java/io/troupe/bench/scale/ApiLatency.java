package io.troupe.bench.scale;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * API latency at fixed offered rates ({@link OpenLoop}): create a ConfigMap, get one, list a namespace of
 * {@code listObjects} ConfigMaps, update (replace) one. ConfigMaps with 200 bytes of data (store-bench's size), so
 * the figures are the API and the store's and not the scheduler's.
 */
final class ApiLatency {
  static final String DATA = "d".repeat(200);
  private static final String LISTED = "scale-api";
  private static final String CREATED = "scale-create";
  private static final String WARMUP = "scale-warmup";

  private ApiLatency() {}

  static List<OpenLoop.Outcome> run(ApiClient api, ScaleSettings settings) throws Exception {
    api.namespace(LISTED);
    api.namespace(CREATED);
    warmUp(api, settings.clients(), settings.serverWarmup());
    fill(api, settings.listObjects());
    List<OpenLoop.Outcome> outcomes = new ArrayList<>();
    String configMaps = "/api/v1/namespaces/" + LISTED + "/configmaps";
    for (int rate : settings.rates()) {
      int n = settings.listObjects();
      outcomes.add(measure(api, settings, "create", "create", rate, i -> api.post("/api/v1/namespaces/" + CREATED
          + "/configmaps", ApiClient.configMap("r" + rate + "-" + i, "", DATA)), 201));
      outcomes.add(measure(api, settings, "get", "get", rate, i -> api.get(configMaps + "/cm-" + (i % n)), 200));
      outcomes.add(measure(api, settings, "list " + n, "list", rate, i -> api.get(configMaps), 200));
      // a replace without resourceVersion: unconditional, as kubectl replace --force is not; no 409 between writers
      outcomes.add(measure(api, settings, "update", "update", rate, i -> api.put(configMaps + "/cm-" + (i % n),
          ApiClient.configMap("cm-" + (i % n), "", DATA.substring(0, 190) + String.format("%010d", i))), 200));
    }
    return outcomes;
  }

  private static OpenLoop.Outcome measure(ApiClient api, ScaleSettings settings, String operation, String verb,
      int rate, java.util.function.LongFunction<java.net.http.HttpRequest> request, int status) throws Exception {
    OpenLoop.Outcome outcome = OpenLoop.run(api, operation, verb, "configmaps", rate, settings.rateWarmup(),
        settings.rateDuration(), request, status);
    ScaleBench.progress(outcome.toString());
    return outcome;
  }

  /**
   * A fresh server JVM's first minutes run while its JIT compilers still work: a create took ~10 ms at the median
   * in a new server's first minute and ~2.5 ms after five minutes of creates (one client, no nodes). So before the
   * rates, {@code clients} clients each create a ConfigMap and delete it again, for {@code duration}: the same path
   * as the measured writes, and no object left behind to weigh on the heap figures.
   */
  private static void warmUp(ApiClient api, int clients, java.time.Duration duration) throws Exception {
    if (duration.isZero()) return;
    api.namespace(WARMUP);
    String configMaps = "/api/v1/namespaces/" + WARMUP + "/configmaps";
    io.troupe.bench.Result warm = io.troupe.bench.ClosedLoop.concurrent("server warm-up: create and delete a "
        + "ConfigMap", c -> n -> {
          api.send(api.post(configMaps, ApiClient.configMap("w" + c, "", DATA)), 201);
          api.send(api.delete(configMaps + "/w" + c), 200);
        }, clients, java.time.Duration.ZERO, duration);
    ScaleBench.progress(warm.summary());
    if (warm.errors() > 0) throw new IllegalStateException(warm.summary());
  }

  /** The listed namespace's ConfigMaps, by 16 concurrent clients. */
  private static void fill(ApiClient api, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = "cm-" + i;
        done.add(pool.submit(() -> api.send(api.post("/api/v1/namespaces/" + LISTED + "/configmaps",
            ApiClient.configMap(name, "", DATA)), 201, 409)));
      }
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdownNow();
    }
  }
}
