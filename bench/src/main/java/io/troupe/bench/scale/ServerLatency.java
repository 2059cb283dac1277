package io.troupe.bench.scale;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The latency the server itself measured for one verb on one resource, from its {@code /metrics}
 * ({@code troupe_apiserver_request_duration_seconds}: from the parsed request head to the response handed to Pekko
 * HTTP). Beside the open loop's own percentiles it tells the server's share of a tail from the rest: the load
 * generator sharing the machine's cores, the connections it opens, the kernel's queues. The histogram's buckets are
 * coarse, so a percentile is the upper bound of the bucket it falls in.
 *
 * @param buckets the cumulative count at or below each bucket's upper bound in seconds (+Inf as infinity)
 */
record ServerLatency(NavigableMap<Double, Double> buckets) {
  private static final Pattern BUCKET = Pattern.compile(
      "(?m)^troupe_apiserver_request_duration_seconds_bucket\\{([^}]*)} (\\S+)$");
  private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

  static ServerLatency of(String metrics, String verb, String resource) {
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    Matcher m = BUCKET.matcher(metrics);
    while (m.find()) {
      String labels = m.group(1);
      if (!labels.contains("verb=\"" + verb + "\"") || !labels.contains("resource=\"" + resource + "\"")) continue;
      Matcher le = LE.matcher(labels);
      if (!le.find()) continue;
      double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
      buckets.put(bound, Double.parseDouble(m.group(2)));
    }
    return new ServerLatency(buckets);
  }

  /** The requests since {@code before}. */
  ServerLatency since(ServerLatency before) {
    NavigableMap<Double, Double> delta = new TreeMap<>();
    buckets.forEach((bound, count) -> delta.put(bound, count - before.buckets.getOrDefault(bound, 0.0)));
    return new ServerLatency(delta);
  }

  /** Requests counted. */
  long count() {
    return buckets.isEmpty() ? 0 : Math.round(buckets.lastEntry().getValue());
  }

  /**
   * The upper bound in milliseconds of the bucket holding the {@code percentile}-th request: -1 with no requests,
   * infinity when it is past the last finite bound.
   */
  double percentileUpperBoundMs(double percentile) {
    long count = count();
    if (count == 0) return -1;
    double rank = Math.ceil(count * percentile / 100);
    for (Map.Entry<Double, Double> bucket : buckets.entrySet()) {
      if (bucket.getValue() >= rank) return bucket.getKey() * 1000;
    }
    return Double.POSITIVE_INFINITY;
  }
}
