package io.troupe.node.probe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The probes of one attempt of a container together, with Kubernetes' rules between them. Immutable and
 * pure: time is passed in.
 *
 * <ul>
 *   <li>The container has {@linkplain #started() started} once its startup probe succeeded (at once when it
 *       has none); liveness and readiness probes do not run before, and run as soon as they are due after (a
 *       due time in the past means now).
 *   <li>It is {@linkplain #ready() ready} once started and its readiness probe succeeded (at once when it
 *       has none): readiness starts as not ready.
 *   <li>It must be {@linkplain #restartCause() restarted} once its startup or liveness probe failed beyond
 *       the failure threshold.
 * </ul>
 *
 * <p>Use: {@link #due(Instant)} gives the probes to run now; mark each with {@link #probeStarted}, feed its
 * result to {@link #withResult}, and wake up at {@link #nextProbeAt()}.
 */
public final class ContainerProbes {
  private final Map<ProbeType, ProbeTracker> trackers;

  private ContainerProbes(Map<ProbeType, ProbeTracker> trackers) {
    this.trackers = trackers;
  }

  /** The probes of a container attempt that started at {@code containerStartedAt}. */
  public static ContainerProbes start(List<ProbeSpec> probes, Instant containerStartedAt) {
    Map<ProbeType, ProbeTracker> trackers = new EnumMap<>(ProbeType.class);
    for (ProbeSpec spec : probes) trackers.put(spec.type(), ProbeTracker.start(spec, containerStartedAt));
    return new ContainerProbes(trackers);
  }

  public Optional<ProbeTracker> tracker(ProbeType type) {
    return Optional.ofNullable(trackers.get(type));
  }

  /** Whether the container has started: no startup probe, or it succeeded ({@code containerStatuses[].started}). */
  public boolean started() {
    ProbeTracker startup = trackers.get(ProbeType.STARTUP);
    return startup == null || startup.verdict() == ProbeTracker.Verdict.SUCCESS;
  }

  /** Whether the container is ready ({@code containerStatuses[].ready}), given that it is running. */
  public boolean ready() {
    ProbeTracker readiness = trackers.get(ProbeType.READINESS);
    return started() && (readiness == null || readiness.verdict() == ProbeTracker.Verdict.SUCCESS);
  }

  /** The probe whose failure requires killing and restarting the container, if one failed. */
  public Optional<ProbeType> restartCause() {
    for (ProbeType type : List.of(ProbeType.STARTUP, ProbeType.LIVENESS)) {
      ProbeTracker t = trackers.get(type);
      if (t != null && t.verdict() == ProbeTracker.Verdict.FAILURE) return Optional.of(type);
    }
    return Optional.empty();
  }

  /** The probes to start now; none once a restart is required. */
  public List<ProbeSpec> due(Instant now) {
    List<ProbeSpec> due = new ArrayList<>(3);
    if (restartCause().isPresent()) return due;
    for (ProbeTracker t : trackers.values()) {
      if (allowed(t.type()) && t.isDue(now)) due.add(t.spec());
    }
    return due;
  }

  /** When the earliest probe that may run is due; empty when none will run without a result first. */
  public Optional<Instant> nextProbeAt() {
    if (restartCause().isPresent()) return Optional.empty();
    Instant next = null;
    for (ProbeTracker t : trackers.values()) {
      if (!allowed(t.type())) continue;
      Optional<Instant> at = t.nextProbeAt();
      if (at.isPresent() && (next == null || at.get().isBefore(next))) next = at.get();
    }
    return Optional.ofNullable(next);
  }

  public ContainerProbes probeStarted(ProbeType type, Instant now) {
    return with(type, t -> t.probeStarted(now));
  }

  /**
   * The result of a probe started earlier. Once the startup probe succeeds, liveness and readiness probes are
   * due at once if their initial delay has passed.
   */
  public ContainerProbes withResult(ProbeType type, ProbeResult result) {
    return with(type, t -> t.withResult(result));
  }

  private boolean allowed(ProbeType type) {
    return type == ProbeType.STARTUP || started();
  }

  private ContainerProbes with(ProbeType type, java.util.function.UnaryOperator<ProbeTracker> change) {
    ProbeTracker t = trackers.get(type);
    if (t == null) return this;
    Map<ProbeType, ProbeTracker> copy = new EnumMap<>(trackers);
    copy.put(type, change.apply(t));
    return new ContainerProbes(copy);
  }

  @Override
  public String toString() {
    return "ContainerProbes" + trackers.values();
  }
}
