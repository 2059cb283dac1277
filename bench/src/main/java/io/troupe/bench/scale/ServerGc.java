package io.troupe.bench.scale;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's stop-the-world GC pauses so far, from its own {@code /metrics} (the Prometheus client's
 * {@code jvm_gc_collection_seconds}, one series per collector MXBean): a latency round reports the pauses between
 * its measured start and its last answer beside its percentiles, so a p99 a pause set can be told apart. Collectors
 * whose time is concurrent work and not a pause ({@code G1 Concurrent GC}, {@code ZGC Cycles}, ZGC's minor and
 * major cycles) are left out.
 */
record ServerGc(long pauses, double pauseSeconds) {
  private static final Pattern SERIES = Pattern.compile(
      "(?m)^jvm_gc_collection_seconds_(count|sum)\\{gc=\"([^\"]*)\"} (\\S+)$");

  static ServerGc of(String metrics) {
    long pauses = 0;
    double seconds = 0;
    Matcher m = SERIES.matcher(metrics);
    while (m.find()) {
      String collector = m.group(2);
      if (collector.contains("Concurrent") || collector.contains("Cycles")) continue;
      double value = Double.parseDouble(m.group(3));
      if (m.group(1).equals("count")) {
        pauses += (long) value;
      } else {
        seconds += value;
      }
    }
    return new ServerGc(pauses, seconds);
  }

  /** The pauses since {@code before}. */
  ServerGc since(ServerGc before) {
    return new ServerGc(pauses - before.pauses, pauseSeconds - before.pauseSeconds);
  }
}
