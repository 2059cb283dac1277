package io.troupe.node.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.node.probe.ContainerProbes;
import io.troupe.node.probe.ProbeType;
import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.RunningContainer;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a pod worker knows of one container of its pod: the attempt running (or starting, or stopping), how
 * the last one ended, why it waits, and its back-off. Mutable, and confined to the one {@link PodWorker}
 * actor that owns it.
 */
final class ContainerRun {
  /** One ended attempt, as {@code state.terminated} shows it. */
  record Ended(int attempt, ContainerExit exit, Instant startedAt) {}

  /** Why the container is not running, as {@code state.waiting} shows it. */
  record Waiting(String reason, String message) {}

  final String name;
  final boolean init;
  final ObjectNode spec;
  /** Attempts started so far; the restart count is one less (0 before the first). */
  int attempts;
  RunningContainer running;
  boolean starting;
  boolean stopping;
  Waiting waiting;
  /** The current attempt's end, when the container stays terminated (no restart). */
  Ended terminated;
  /** The previous attempt's end ({@code lastState.terminated}). */
  Ended last;
  /** Not started again before this instant; null when free to start. */
  Instant notBefore;
  /** The next back-off; null when the next restart may happen at once. */
  Duration backOff;
  /** The startup probe passed (or there is none). */
  boolean started;
  /** The readiness probe passes (or there is none) on a started, running attempt. */
  boolean ready;
  /** The probes of the running attempt (none for init containers and in the simulated runtime). */
  ContainerProbes probes;
  /** The probes running now: one at a time of each type. */
  final Set<ProbeType> probing = EnumSet.noneOf(ProbeType.class);

  ContainerRun(String name, boolean init, ObjectNode spec) {
    this.name = name;
    this.init = init;
    this.spec = spec;
  }

  int restartCount() {
    return Math.max(0, attempts - 1);
  }

  boolean active() {
    return running != null || starting || stopping;
  }

  boolean succeeded() {
    return terminated != null && terminated.exit().exitCode() == 0;
  }

  String image() {
    return spec.path("image").asText("");
  }

  /** The container ran or failed to start; due for its next try at {@code now} plus its back-off. */
  void backOff(Instant now, NodeAgentSettings settings) {
    if (backOff == null) {
      notBefore = null;
      backOff = settings.backOffInitial();
    } else {
      notBefore = now.plus(backOff);
      Duration doubled = backOff.multipliedBy(2);
      backOff = doubled.compareTo(settings.backOffMax()) > 0 ? settings.backOffMax() : doubled;
    }
  }

  boolean due(Instant now) {
    return notBefore == null || !now.isBefore(notBefore);
  }
}
