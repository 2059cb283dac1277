package io.troupe.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ServerGcTest {
  /** As the Prometheus client exports a JDK 21 server's collectors: G1's concurrent cycles are not pauses. */
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
      """;

  @Test
  void pausesAreTheStopTheWorldCollectorsSinceTheFirstReading() {
    String after = BEFORE.replace("} 48", "} 51").replace("} 0.634", "} 0.734").replace("} 4\n", "} 9\n")
        .replace("Old Generation\"} 0\n", "Old Generation\"} 1\n").replace("} 0.0\n", "} 0.5\n");
    ServerGc round = ServerGc.of(after).since(ServerGc.of(BEFORE));
    assertEquals(4, round.pauses());
    assertEquals(0.6, round.pauseSeconds(), 1e-9);
  }

  @Test
  void zgcCountsItsPausesNotItsCycles() {
    ServerGc gc = ServerGc.of("""
        jvm_gc_collection_seconds_count{gc="ZGC Cycles"} 12
        jvm_gc_collection_seconds_sum{gc="ZGC Cycles"} 3.5
        jvm_gc_collection_seconds_count{gc="ZGC Pauses"} 36
        jvm_gc_collection_seconds_sum{gc="ZGC Pauses"} 0.004
        """);
    assertEquals(36, gc.pauses());
    assertEquals(0.004, gc.pauseSeconds(), 1e-9);
  }
}
