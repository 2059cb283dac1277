package io.troupe.bench.scale;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;

/**
 * An open-loop load generator: request {@code i} is due at {@code start + i / rate}, whether or not earlier ones
 * answered, and its latency runs from that intended send time to the answer. A server that stalls is charged for
 * every request that waited behind the stall (no coordinated omission), unlike a closed loop that slows down with
 * it. Requests that would exceed {@link #MAX_OUTSTANDING} in flight are not sent and counted as dropped: the
 * offered rate was not served.
 */
final class OpenLoop {
  static final int MAX_OUTSTANDING = 512;

  private OpenLoop() {}

  /** What a run at one rate gave. */
  record Outcome(String operation, int offeredPerSecond, long completed, long errors, long dropped,
      double achievedPerSecond, double p50Ms, double p99Ms, double p999Ms, double maxMs, double serverP99Ms,
      long gcPauses, double gcPauseMs, long journalFullCompactions, double journalFullCompactionMs,
      String firstError) {}

  /**
   * {@code verb} and {@code resource} name the server's own latency series for the request ({@link ServerLatency}):
   * its p99 is reported beside the one measured here.
   */
  static Outcome run(ApiClient api, String operation, String verb, String resource, int rate, Duration warmup,
      Duration measured, LongFunction<HttpRequest> request, int expectedStatus) throws Exception {
    Histogram histogram = new Histogram(TimeUnit.MINUTES.toNanos(2), 3);
    AtomicLong errors = new AtomicLong();
    AtomicLong dropped = new AtomicLong();
    AtomicInteger outstanding = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    long interval = 1_000_000_000L / rate;
    long warmupCount = warmup.toNanos() / interval;
    long total = warmupCount + measured.toNanos() / interval;
    CompletableFuture<?>[] inFlight = new CompletableFuture<?>[(int) total];
    long start = System.nanoTime() + 10_000_000;
    CompletableFuture<HttpResponse<String>> metricsBefore = null;
    for (long i = 0; i < total; i++) {
      long intended = start + i * interval;
      long wait;
      while ((wait = intended - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
      boolean measuredRequest = i >= warmupCount;
      if (i == warmupCount) {
        metricsBefore = api.http().sendAsync(api.get("/metrics"), HttpResponse.BodyHandlers.ofString());
      }
      if (outstanding.get() >= MAX_OUTSTANDING) {
        if (measuredRequest) dropped.incrementAndGet();
        inFlight[(int) i] = CompletableFuture.completedFuture(null);
        continue;
      }
      outstanding.incrementAndGet();
      inFlight[(int) i] = api.http().sendAsync(request.apply(i), HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete((response, failure) -> {
            long latency = System.nanoTime() - intended;
            outstanding.decrementAndGet();
            if (!measuredRequest) return;
            if (failure != null || response.statusCode() != expectedStatus) {
              errors.incrementAndGet();
              firstError.compareAndSet(null, failure != null ? failure.toString()
                  : response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8)
                      .substring(0, Math.min(200, response.body().length)));
            } else {
              synchronized (histogram) {
                histogram.recordValue(Math.min(latency, histogram.getHighestTrackableValue()));
              }
            }
          });
    }
    double seconds = (System.nanoTime() - start - warmupCount * interval) / 1e9;
    CompletableFuture.allOf(inFlight).exceptionally(e -> null).get(3, TimeUnit.MINUTES);
    String before = metricsBefore == null ? "" : metricsBefore.get(1, TimeUnit.MINUTES).body();
    String after = metricsBefore == null ? "" : api.send(api.get("/metrics"), 200);
    ServerStalls stalls = ServerStalls.of(after).since(ServerStalls.of(before));
    ServerLatency server = ServerLatency.of(after, verb, resource).since(ServerLatency.of(before, verb, resource));
    synchronized (histogram) {
      return new Outcome(operation, rate, histogram.getTotalCount(), errors.get(), dropped.get(),
          round(histogram.getTotalCount() / Math.max(seconds, 1e-9)), ms(histogram.getValueAtPercentile(50)),
          ms(histogram.getValueAtPercentile(99)), ms(histogram.getValueAtPercentile(99.9)),
          ms(histogram.getMaxValue()), server.percentileUpperBoundMs(99), stalls.gcPauses(),
          round(stalls.gcSeconds() * 1000), stalls.fullCompactions(), round(stalls.fullCompactionSeconds() * 1000),
          firstError.get());
    }
  }

  static double ms(long nanos) {
    return round(nanos / 1e6);
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
