package io.troupe.node.probe;

import static io.troupe.node.probe.ProbeTrackerTest.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerProbesTest {
  private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
  private static final ProbeResult OK = ProbeResult.succeeded();

  @Test
  void withoutProbesAContainerIsStartedAndReadyAtOnce() {
    ContainerProbes probes = ContainerProbes.start(List.of(), START);
    assertTrue(probes.started());
    assertTrue(probes.ready());
    assertEquals(Optional.empty(), probes.restartCause());
    assertEquals(Optional.empty(), probes.nextProbeAt());
    assertEquals(List.of(), probes.due(START));
  }

  @Test
  void readinessStartsNotReady() {
    ContainerProbes probes = ContainerProbes.start(List.of(spec(ProbeType.READINESS, 2, 5, 1, 3)), START);
    assertTrue(probes.started());
    assertFalse(probes.ready());
    assertEquals(Optional.of(START.plusSeconds(2)), probes.nextProbeAt());
    probes = run(probes, ProbeType.READINESS, START.plusSeconds(2), OK);
    assertTrue(probes.ready());
    assertEquals(Optional.of(START.plusSeconds(7)), probes.nextProbeAt());
  }

  @Test
  void livenessAndReadinessWaitForTheStartupProbe() {
    ContainerProbes probes = ContainerProbes.start(List.of(
        spec(ProbeType.STARTUP, 0, 1, 1, 30),
        spec(ProbeType.LIVENESS, 0, 10, 1, 3),
        spec(ProbeType.READINESS, 0, 10, 1, 3)), START);
    assertFalse(probes.started());
    assertEquals(types(ProbeType.STARTUP), types(probes.due(START)));

    probes = run(probes, ProbeType.STARTUP, START, ProbeResult.failed(ProbeType.STARTUP, "not yet"));
    assertEquals(Optional.of(START.plusSeconds(1)), probes.nextProbeAt(), "only the startup probe is scheduled");
    assertEquals(List.of(), probes.due(START.plusMillis(500)));

    Instant later = START.plusSeconds(25);
    probes = run(probes, ProbeType.STARTUP, later, OK);
    assertTrue(probes.started());
    assertFalse(probes.ready());
    assertEquals(types(ProbeType.LIVENESS, ProbeType.READINESS), types(probes.due(later)));
    assertTrue(probes.tracker(ProbeType.STARTUP).map(t -> !t.active()).orElseThrow(), "startup stops");

    probes = run(probes, ProbeType.READINESS, later, OK);
    assertTrue(probes.ready());
  }

  @Test
  void startupFailureBeyondTheThresholdRestartsTheContainer() {
    ContainerProbes probes = ContainerProbes.start(List.of(
        spec(ProbeType.STARTUP, 0, 1, 1, 2), spec(ProbeType.LIVENESS, 0, 10, 1, 3)), START);
    ProbeResult no = ProbeResult.failed(ProbeType.STARTUP, "no");
    probes = run(probes, ProbeType.STARTUP, START, no);
    assertEquals(Optional.empty(), probes.restartCause());
    probes = run(probes, ProbeType.STARTUP, START.plusSeconds(1), no);
    assertEquals(Optional.of(ProbeType.STARTUP), probes.restartCause());
    assertEquals(List.of(), probes.due(START.plusSeconds(100)));
    assertEquals(Optional.empty(), probes.nextProbeAt());
  }

  @Test
  void livenessFailureBeyondTheThresholdRestartsTheContainerButReadinessFailureDoesNot() {
    ContainerProbes probes = ContainerProbes.start(List.of(
        spec(ProbeType.LIVENESS, 0, 10, 1, 1), spec(ProbeType.READINESS, 0, 10, 1, 1)), START);
    probes = run(probes, ProbeType.READINESS, START, ProbeResult.failed(ProbeType.READINESS, "no"));
    assertEquals(Optional.empty(), probes.restartCause());
    assertFalse(probes.ready());
    probes = run(probes, ProbeType.LIVENESS, START, ProbeResult.failed(ProbeType.LIVENESS, "no"));
    assertEquals(Optional.of(ProbeType.LIVENESS), probes.restartCause());
    assertEquals("Container web failed liveness probe, will be restarted",
        ProbeType.LIVENESS.restartMessage("web"));
  }

  private static ContainerProbes run(ContainerProbes probes, ProbeType type, Instant at, ProbeResult result) {
    return probes.probeStarted(type, at).withResult(type, result);
  }

  private static List<ProbeType> types(ProbeType... types) {
    return List.of(types);
  }

  private static List<ProbeType> types(List<ProbeSpec> specs) {
    return specs.stream().map(ProbeSpec::type).toList();
  }
}
