package io.troupe.bench.scale;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Scheduling throughput: {@code pods} bare pods (no ReplicaSet: the figure is the API's, the scheduler's and the
 * bind's, not a controller's) created by {@code clients} concurrent clients, each timed from its create request to
 * the watch event that shows its {@code spec.nodeName}. A watch event comes from the journal, so a bind seen is a
 * durable bind. Throughput is pods over the time from the first create to the last bind seen.
 */
final class Scheduling {
  static final String NAMESPACE = "scale-sched";

  private Scheduling() {}

  record Outcome(int nodes, int pods, int clients, int bound, double seconds, double createsPerSecond,
      double podsPerSecond, double bindP50Ms, double bindP99Ms, double bindMaxMs, long createErrors) {}

  static Outcome run(ApiClient api, int nodes, int pods, int clients, String prefix) throws Exception {
    api.namespace(NAMESPACE);
    String path = "/api/v1/namespaces/" + NAMESPACE + "/pods";
    String revision = api.listRevision(path);
    Map<String, Long> created = new ConcurrentHashMap<>();
    Map<String, Long> bound = new ConcurrentHashMap<>();
    HttpResponse<java.io.InputStream> watch = api.http().send(api.get(path + "?watch=true&labelSelector=run%3D"
        + prefix + "&resourceVersion=" + revision), HttpResponse.BodyHandlers.ofInputStream());
    if (watch.statusCode() != 200) throw new IllegalStateException("watch: " + watch.statusCode());
    Thread reader = new Thread(() -> read(watch.body(), bound), "bind-watch");
    reader.setDaemon(true);
    reader.start();

    ExecutorService pool = Executors.newFixedThreadPool(clients);
    AtomicLong errors = new AtomicLong();
    long started = System.nanoTime();
    long createsDone;
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        done.add(pool.submit(() -> {
          for (int i = client; i < pods; i += clients) {
            String name = prefix + "-" + i;
            String body = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"run\":\"" + prefix + "\"}},\"spec\":{\"containers\":[{\"name\":\"main\","
                + "\"image\":\"nginx\"}]}}";
            created.put(name, System.nanoTime());
            try {
              try {
                api.send(api.post(path, body), 201);
              } catch (java.io.IOException closed) {
                // a pooled connection the server had closed while idle: sent again, and a 409 then means the
                // first one was created after all
                api.send(api.post(path, body), 201, 409);
              }
            } catch (Exception e) {
              if (errors.incrementAndGet() <= 3) ScaleBench.progress("create " + name + ": " + e.getMessage());
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) f.get();
      createsDone = System.nanoTime();
    } finally {
      pool.shutdownNow();
    }
    long expected = pods - errors.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120 + pods / 100);
    long lastProgress = System.nanoTime();
    while (bound.size() < expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
      if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(15)) {
        ScaleBench.progress(bound.size() + " of " + pods + " pods bound");
        lastProgress = System.nanoTime();
      }
    }
    watch.body().close();
    long lastBind = bound.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
    Histogram histogram = new Histogram(TimeUnit.HOURS.toNanos(1), 3);
    bound.forEach((name, at) -> {
      Long sent = created.get(name);
      if (sent != null) histogram.recordValue(Math.max(0, Math.min(at - sent, histogram.getHighestTrackableValue())));
    });
    double seconds = (lastBind - started) / 1e9;
    return new Outcome(nodes, pods, clients, bound.size(), OpenLoop.round(seconds),
        OpenLoop.round(pods / ((createsDone - started) / 1e9)), OpenLoop.round(bound.size() / seconds),
        OpenLoop.ms(histogram.getValueAtPercentile(50)), OpenLoop.ms(histogram.getValueAtPercentile(99)),
        OpenLoop.ms(histogram.getMaxValue()), errors.get());
  }

  /** Names of pods whose spec.nodeName is set, with when the watch showed it first. */
  private static void read(java.io.InputStream body, Map<String, Long> bound) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        long now = System.nanoTime();
        if (!line.contains("\"nodeName\"")) continue;
        JsonNode object = ApiClient.JSON.readTree(line).path("object");
        if (!object.path("spec").path("nodeName").asText().isEmpty()) {
          bound.putIfAbsent(object.path("metadata").path("name").asText(), now);
        }
      }
    } catch (Exception e) {
      // closed at the end of the run
    }
  }
}
