package io.troupe.persistence.entity;

import io.prometheus.metrics.core.metrics.Histogram;

/** Journal write latency: from the command that persists to the event being durable. */
public final class JournalMetrics {
  private static final Histogram WRITE_SECONDS = Histogram.builder()
      .name("troupe_journal_write_seconds")
      .help("Time from an entity command to its event being durable in the journal")
      .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
      .register();

  private JournalMetrics() {}

  static void observeWrite(long startedNanos) {
    WRITE_SECONDS.observe((System.nanoTime() - startedNanos) / 1e9);
  }
}
