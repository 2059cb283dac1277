package io.troupe.bench.scale;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Watch delivery: {@code watchers} concurrent watches of one label's ConfigMaps, then {@code writes} creates, 20 a
 * second; for each (watcher, write) the time from the write's acknowledgement (its 201 received) to that watcher's
 * ADDED event. An event that arrives before the acknowledgement counts as 0 (and is counted: the watch cache can
 * deliver before the HTTP answer is read).
 */
final class WatchDelivery {
  private static final String NAMESPACE = "scale-watch";

  private WatchDelivery() {}

  record Outcome(int watchers, int writes, long deliveries, long missing, long beforeAcknowledgement, double p50Ms,
      double p99Ms, double p999Ms, double maxMs) {}

  static Outcome run(ApiClient api, int watchers, int writes) throws Exception {
    api.namespace(NAMESPACE);
    String path = "/api/v1/namespaces/" + NAMESPACE + "/configmaps";
    String revision = api.listRevision(path);
    List<Map<String, Long>> seen = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<java.io.InputStream> streams = new ArrayList<>();
    for (int w = 0; w < watchers; w++) {
      Map<String, Long> received = new ConcurrentHashMap<>();
      seen.add(received);
      HttpResponse<java.io.InputStream> response = api.http().send(
          api.get(path + "?watch=true&labelSelector=bench%3Dwatch&resourceVersion=" + revision),
          HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) throw new IllegalStateException("watch: " + response.statusCode());
      streams.add(response.body());
      Thread t = new Thread(() -> read(response.body(), received), "watcher-" + w);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    long interval = TimeUnit.MILLISECONDS.toNanos(50);
    long start = System.nanoTime();
    for (int i = 0; i < writes; i++) {
      long due = start + i * interval;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
      String name = "w-" + i;
      api.send(api.post(path, ApiClient.configMap(name, "\"bench\":\"watch\"", ApiLatency.DATA)), 201);
      acknowledged.put(name, System.nanoTime());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && seen.stream().anyMatch(s -> s.size() < writes)) Thread.sleep(50);
    for (java.io.InputStream s : streams) {
      try {
        s.close();
      } catch (Exception ignored) {
        // the stream is done with either way
      }
    }
    Histogram histogram = new Histogram(TimeUnit.MINUTES.toNanos(2), 3);
    long missing = 0;
    long before = 0;
    for (Map<String, Long> received : seen) {
      for (Map.Entry<String, Long> ack : acknowledged.entrySet()) {
        Long at = received.get(ack.getKey());
        if (at == null) {
          missing++;
          continue;
        }
        long latency = at - ack.getValue();
        if (latency < 0) before++;
        histogram.recordValue(Math.max(0, Math.min(latency, histogram.getHighestTrackableValue())));
      }
    }
    return new Outcome(watchers, writes, histogram.getTotalCount(), missing, before,
        OpenLoop.ms(histogram.getValueAtPercentile(50)), OpenLoop.ms(histogram.getValueAtPercentile(99)),
        OpenLoop.ms(histogram.getValueAtPercentile(99.9)), OpenLoop.ms(histogram.getMaxValue()));
  }

  /** The names of ADDED events, with when they arrived; cheap, so 100 readers keep up on 2 cores. */
  private static void read(java.io.InputStream body, Map<String, Long> received) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        long now = System.nanoTime();
        if (!line.contains("\"ADDED\"")) continue;
        var object = ApiClient.JSON.readTree(line).path("object");
        received.putIfAbsent(object.path("metadata").path("name").asText(), now);
      }
    } catch (Exception e) {
      // closed at the end of the run
    }
  }
}
