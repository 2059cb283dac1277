package io.troupe.bench;

import java.util.Arrays;

/** What one measured run gave: how many operations in how long, and their latencies in milliseconds. */
public record Result(String name, int clients, long operations, double seconds, double perSecond, double p50Ms,
    double p99Ms, double maxMs, long errors) {

  /** From the latencies (nanoseconds) of the operations that completed inside the measured {@code seconds}. */
  public static Result of(String name, int clients, long[] latencyNanos, double seconds, long errors) {
    long[] sorted = latencyNanos.clone();
    Arrays.sort(sorted);
    return new Result(name, clients, sorted.length, round(seconds), round(sorted.length / seconds),
        millis(percentile(sorted, 0.50)), millis(percentile(sorted, 0.99)),
        millis(sorted.length == 0 ? 0 : sorted[sorted.length - 1]), errors);
  }

  Result named(String value) {
    return new Result(value, clients, operations, seconds, perSecond, p50Ms, p99Ms, maxMs, errors);
  }

  /** One line for progress output. */
  public String summary() {
    return String.format(java.util.Locale.ROOT, "%s, %d client(s): %d ops, %.0f ops/s, p50 %.2f ms, p99 %.2f ms, "
        + "max %.2f ms, %d errors", name, clients, operations, perSecond, p50Ms, p99Ms, maxMs, errors);
  }

  /** Nearest rank: the smallest value with at least {@code p} of the values at or below it. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) return 0;
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  private static double millis(long nanos) {
    return round(nanos / 1e6);
  }

  private static double round(double value) {
    return Math.round(value * 1_000) / 1_000.0;
  }
}
