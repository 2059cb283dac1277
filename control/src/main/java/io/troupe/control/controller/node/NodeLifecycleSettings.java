package io.troupe.control.controller.node;

import java.time.Duration;

/**
 * The node lifecycle controller's timing (Kubernetes' {@code --node-monitor-grace-period} and the default
 * {@code tolerationSeconds} of the not-ready/unreachable taints, shortened to seconds).
 *
 * @param gracePeriod how long a node may go without a heartbeat before its conditions become Unknown
 * @param evictionDelay how long a node may be NotReady or Unknown before the pods that do not tolerate it are
 *     evicted
 */
public record NodeLifecycleSettings(Duration gracePeriod, Duration evictionDelay) {
  public static final NodeLifecycleSettings DEFAULTS =
      new NodeLifecycleSettings(Duration.ofSeconds(10), Duration.ofSeconds(5));

  public NodeLifecycleSettings {
    if (gracePeriod == null || gracePeriod.isNegative()) {
      throw new IllegalArgumentException("gracePeriod must be zero or more, was " + gracePeriod);
    }
    if (evictionDelay == null || evictionDelay.isNegative()) {
      throw new IllegalArgumentException("evictionDelay must be zero or more, was " + evictionDelay);
    }
  }
}
