package io.troupe.bench.scale;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What held the server's requests so far, from its own {@code /metrics}: its stop-the-world GC pauses (the
 * Prometheus client's {@code jvm_gc_collection_seconds}, one series per collector MXBean; collectors whose time is
 * concurrent work, {@code G1 Concurrent GC} and ZGC's cycles, left out) and the full compactions of its H2 journal
 * file, which hold the journal's writes throughout ({@code troupe_journal_h2_compaction_seconds{compaction="full"}}).
 * A latency round reports those between its measured start and its last answer beside its percentiles, so a p99
 * set by a stall shows as one.
 */
record ServerStalls(long gcPauses, double gcSeconds, long fullCompactions, double fullCompactionSeconds) {
  private static final Pattern GC = Pattern.compile(
      "(?m)^jvm_gc_collection_seconds_(count|sum)\\{gc=\"([^\"]*)\"} (\\S+)$");
  private static final Pattern FULL = Pattern.compile(
      "(?m)^troupe_journal_h2_compaction_seconds_(count|sum)\\{compaction=\"full\"} (\\S+)$");

  static ServerStalls of(String metrics) {
    long pauses = 0;
    double seconds = 0;
    Matcher m = GC.matcher(metrics);
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
    long full = 0;
    double fullSeconds = 0;
    Matcher f = FULL.matcher(metrics);
    while (f.find()) {
      double value = Double.parseDouble(f.group(2));
      if (f.group(1).equals("count")) {
        full = (long) value;
      } else {
        fullSeconds = value;
      }
    }
    return new ServerStalls(pauses, seconds, full, fullSeconds);
  }

  /** Those since {@code before}. */
  ServerStalls since(ServerStalls before) {
    return new ServerStalls(gcPauses - before.gcPauses, gcSeconds - before.gcSeconds,
        fullCompactions - before.fullCompactions, fullCompactionSeconds - before.fullCompactionSeconds);
  }
}
