package io.troupe.node.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProbeTrackerTest {
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");

  /**
   * Results in a row (S success, F failure) and the verdict after each (U unknown, S, F); a dash once the
   * probe stopped for good.
   */
  @ParameterizedTest(name = "{0} success {1} failure {2}: {3} -> {4}")
  @CsvSource(delimiter = '|', textBlock = """
      READINESS | 1 | 3 | S         | S
      READINESS | 1 | 3 | FFF       | UUF
      READINESS | 1 | 3 | SFFSFFF   | SSSSSSF
      READINESS | 2 | 1 | SSFSS     | USFFS
      READINESS | 3 | 3 | SSFSSS    | UUUUUS
      READINESS | 1 | 1 | FSFS      | FSFS
      LIVENESS  | 1 | 3 | SFFF      | SSSF
      LIVENESS  | 1 | 3 | FFSFFF    | UUSSSF
      LIVENESS  | 1 | 2 | FFS       | UF-
      LIVENESS  | 1 | 1 | F         | F
      STARTUP   | 1 | 3 | FFS       | UUS
      STARTUP   | 1 | 3 | FFSF      | UUS-
      STARTUP   | 1 | 3 | FFF       | UUF
      STARTUP   | 1 | 3 | FFFS      | UUF-
      """)
  void thresholds(ProbeType type, int successThreshold, int failureThreshold, String results, String verdicts) {
    ProbeTracker tracker = ProbeTracker.start(spec(type, 0, 10, successThreshold, failureThreshold), START);
    Instant now = START;
    for (int i = 0; i < results.length(); i++) {
      if (verdicts.charAt(i) == '-') {
        assertFalse(tracker.active(), "stopped before result " + i);
        assertEquals(tracker.verdict(), tracker.withResult(result(results.charAt(i))).verdict());
        continue;
      }
      assertTrue(tracker.isDue(now), "due before result " + i);
      tracker = tracker.probeStarted(now).withResult(result(results.charAt(i)));
      assertEquals(verdict(verdicts.charAt(i)), tracker.verdict(), "after result " + i + " of " + results);
      now = now.plusSeconds(10);
    }
  }

  @Test
  void firstProbeAfterTheInitialDelayThenEveryPeriodFromEachStart() {
    ProbeTracker t = ProbeTracker.start(spec(ProbeType.READINESS, 5, 10, 1, 3), START);
    assertEquals(ProbeTracker.Verdict.UNKNOWN, t.verdict());
    assertEquals(Optional.of(START.plusSeconds(5)), t.nextProbeAt());
    assertFalse(t.isDue(START.plusSeconds(4)));
    assertTrue(t.isDue(START.plusSeconds(5)));

    t = t.probeStarted(START.plusSeconds(6));
    assertTrue(t.probing());
    assertEquals(Optional.empty(), t.nextProbeAt(), "one probe at a time");
    assertFalse(t.isDue(START.plusSeconds(100)));

    t = t.withResult(ProbeResult.succeeded());
    assertEquals(Optional.of(START.plusSeconds(16)), t.nextProbeAt());
    assertEquals(ProbeTracker.Verdict.SUCCESS, t.verdict());
  }

  @Test
  void aSlowProbeIsDueAgainAtOnce() {
    ProbeTracker t = ProbeTracker.start(spec(ProbeType.LIVENESS, 0, 1, 1, 3), START).probeStarted(START);
    t = t.withResult(ProbeResult.failed(ProbeType.LIVENESS, "slow"));
    assertTrue(t.isDue(START.plusSeconds(3)));
  }

  @Test
  void livenessFailureStopsProbingUntilTheNextAttempt() {
    ProbeTracker t = ProbeTracker.start(spec(ProbeType.LIVENESS, 0, 10, 1, 1), START);
    t = t.probeStarted(START).withResult(ProbeResult.failed(ProbeType.LIVENESS, "x"));
    assertEquals(ProbeTracker.Verdict.FAILURE, t.verdict());
    assertEquals(Optional.empty(), t.nextProbeAt());
    assertFalse(t.isDue(START.plusSeconds(60)));
  }

  static ProbeSpec spec(ProbeType type, int delay, int period, int successThreshold, int failureThreshold) {
    return new ProbeSpec(type, new ProbeSpec.Exec(List.of("true")), delay, period, 1, successThreshold,
        failureThreshold, null);
  }

  private static ProbeResult result(char c) {
    return c == 'S' ? ProbeResult.succeeded() : ProbeResult.failed(ProbeType.LIVENESS, "no");
  }

  private static ProbeTracker.Verdict verdict(char c) {
    return c == 'S' ? ProbeTracker.Verdict.SUCCESS
        : c == 'F' ? ProbeTracker.Verdict.FAILURE : ProbeTracker.Verdict.UNKNOWN;
  }
}
