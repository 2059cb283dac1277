package io.troupe.node.probe;

import java.time.Instant;
import java.util.Optional;

/**
 * The state of one probe of one attempt of a container, as a kubelet probe worker keeps it: the verdict the
 * thresholds allow, and when the probe runs next. Immutable and pure: time is passed in, never read.
 *
 * <p>The verdict is {@link Verdict#UNKNOWN} until a threshold is first reached ({@code successThreshold}
 * successes or {@code failureThreshold} failures in a row; with the defaults a single success, or three
 * failures), then {@link Verdict#SUCCESS} or {@link Verdict#FAILURE}; a run of results shorter than the
 * threshold leaves it as it was. The first probe is due {@code initialDelaySeconds} after the container
 * started, the next one {@code periodSeconds} after each start of a probe; one probe runs at a time.
 *
 * <p>It stops probing (no next probe) once a liveness or startup probe reached {@link Verdict#FAILURE} (the
 * container is about to be killed; a new attempt gets a new tracker) and once a startup probe reached
 * {@link Verdict#SUCCESS} (startup probes run only until the container has started).
 */
public final class ProbeTracker {

  /** The kubelet's probe result for a container: none yet, or the last one the thresholds let through. */
  public enum Verdict { UNKNOWN, SUCCESS, FAILURE }

  private final ProbeSpec spec;
  private final Verdict verdict;
  private final Boolean lastSucceeded;
  private final int run;
  private final Instant dueAt;
  private final boolean inFlight;

  private ProbeTracker(ProbeSpec spec, Verdict verdict, Boolean lastSucceeded, int run, Instant dueAt,
      boolean inFlight) {
    this.spec = spec;
    this.verdict = verdict;
    this.lastSucceeded = lastSucceeded;
    this.run = run;
    this.dueAt = dueAt;
    this.inFlight = inFlight;
  }

  /** The tracker of a probe for a container attempt that started at {@code containerStartedAt}. */
  public static ProbeTracker start(ProbeSpec spec, Instant containerStartedAt) {
    return new ProbeTracker(spec, Verdict.UNKNOWN, null, 0, containerStartedAt.plus(spec.initialDelay()), false);
  }

  public ProbeSpec spec() {
    return spec;
  }

  public ProbeType type() {
    return spec.type();
  }

  public Verdict verdict() {
    return verdict;
  }

  /** When the next probe is due; empty while one runs, and once this probe stopped for good. */
  public Optional<Instant> nextProbeAt() {
    return inFlight ? Optional.empty() : Optional.ofNullable(dueAt);
  }

  public boolean isDue(Instant now) {
    return !inFlight && dueAt != null && !now.isBefore(dueAt);
  }

  public boolean probing() {
    return inFlight;
  }

  /** Whether this probe will run again (it has not stopped for good). */
  public boolean active() {
    return dueAt != null;
  }

  /** A probe was started at {@code now}: none other until its result, and the next one a period later. */
  public ProbeTracker probeStarted(Instant now) {
    if (dueAt == null) return this;
    return new ProbeTracker(spec, verdict, lastSucceeded, run, now.plus(spec.period()), true);
  }

  /** The result of the probe that was started; ignored once the probe has stopped for good. */
  public ProbeTracker withResult(ProbeResult result) {
    if (dueAt == null) return this;
    boolean succeeded = result.success();
    int newRun = lastSucceeded != null && lastSucceeded == succeeded ? run + 1 : 1;
    int threshold = succeeded ? spec.successThreshold() : spec.failureThreshold();
    if (newRun < threshold) {
      return new ProbeTracker(spec, verdict, succeeded, newRun, dueAt, false);
    }
    Verdict reached = succeeded ? Verdict.SUCCESS : Verdict.FAILURE;
    boolean stops = spec.type() == ProbeType.STARTUP || (spec.type() == ProbeType.LIVENESS && !succeeded);
    return new ProbeTracker(spec, reached, succeeded, stops && !succeeded ? 0 : newRun,
        stops ? null : dueAt, false);
  }

  @Override
  public String toString() {
    return "ProbeTracker[" + spec.type() + " " + verdict + ", run " + run + ", due " + dueAt
        + (inFlight ? ", probing" : "") + "]";
  }
}
