package io.troupe.control.scheduler;

import java.util.Objects;

/**
 * A node taint ({@code spec.taints[]}): pods that do not tolerate it are kept off the node (NoSchedule,
 * NoExecute) or placed there only when nothing better exists (PreferNoSchedule).
 *
 * @param value "" when the taint has none, as Kubernetes prints it
 */
public record Taint(String key, String value, String effect) {

  public static final String NO_SCHEDULE = "NoSchedule";
  public static final String PREFER_NO_SCHEDULE = "PreferNoSchedule";
  public static final String NO_EXECUTE = "NoExecute";

  public Taint {
    Objects.requireNonNull(key, "key");
    value = value == null ? "" : value;
    effect = effect == null ? "" : effect;
  }

  /** Whether the taint keeps untolerating pods off the node: the effects the TaintToleration filter checks. */
  public boolean forbidsScheduling() {
    return NO_SCHEDULE.equals(effect) || NO_EXECUTE.equals(effect);
  }
}
