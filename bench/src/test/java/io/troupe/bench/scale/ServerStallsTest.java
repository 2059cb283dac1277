package io.troupe.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ServerStallsTest {
  /** As a JDK 21 server exports them: G1's concurrent cycles are not pauses; online compaction rounds hold nothing. */
  private static final String BEFORE = """
      # HELP jvm_gc_collection_seconds Time spent in a given JVM garbage collector in seconds.
      # TYPE jvm_gc_collection_seconds summary
      jvm_gc_collection_seconds_count{gc="G1 Young Generation"} 48
      jvm_gc_collection_seconds_sum{gc="G1 Young Generation"} 0.634
      jvm_gc_collection_seconds_count{gc="G1 Concurrent GC"} 4
      jvm_gc_collection_seconds_sum{gc="G1 Concurrent GC"} 0.25
      jvm_gc_collection_seconds_count{gc="G1 Old Generation"} 0
      jvm_gc_collection_seconds_sum{gc="G1 Old Generation"} 0.0
      jvm_memory_pool_allocated_bytes_total{pool="G1 Eden Space"} 1.0E9
      troupe_journal_h2_compaction_seconds_bucket{compaction="full",le="+Inf"} 2
      troupe_journal_h2_compaction_seconds_count{compaction="full"} 2
      troupe_journal_h2_compaction_seconds_sum{compaction="full"} 1.5
      troupe_journal_h2_compaction_seconds_count{compaction="round"} 30
      troupe_journal_h2_compaction_seconds_sum{compaction="round"} 0.9
      """;

  @Test
  void stallsAreTheStopTheWorldPausesAndFullCompactionsSinceTheFirstReading() {
    String after = BEFORE.replace("} 48", "} 51").replace("} 0.634", "} 0.734").replace("} 4\n", "} 9\n")
        .replace("Old Generation\"} 0\n", "Old Generation\"} 1\n").replace("} 0.0\n", "} 0.5\n")
        .replace("full\"} 2\n", "full\"} 3\n").replace("full\"} 1.5\n", "full\"} 2.75\n")
        .replace("round\"} 30\n", "round\"} 40\n");
    ServerStalls round = ServerStalls.of(after).since(ServerStalls.of(BEFORE));
    assertEquals(4, round.gcPauses());
    assertEquals(0.6, round.gcSeconds(), 1e-9);
    assertEquals(1, round.fullCompactions());
    assertEquals(1.25, round.fullCompactionSeconds(), 1e-9);
  }

  @Test
  void zgcCountsItsPausesNotItsCycles() {
    ServerStalls stalls = ServerStalls.of("""
        jvm_gc_collection_seconds_count{gc="ZGC Cycles"} 12
        jvm_gc_collection_seconds_sum{gc="ZGC Cycles"} 3.5
        jvm_gc_collection_seconds_count{gc="ZGC Pauses"} 36
        jvm_gc_collection_seconds_sum{gc="ZGC Pauses"} 0.004
        """);
    assertEquals(36, stalls.gcPauses());
    assertEquals(0.004, stalls.gcSeconds(), 1e-9);
    assertEquals(0, stalls.fullCompactions());
  }
}
