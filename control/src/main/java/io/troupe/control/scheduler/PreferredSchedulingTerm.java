package io.troupe.control.scheduler;

import java.util.Objects;

/** Preferred node affinity: nodes matching {@code preference} earn {@code weight} (1..100). */
public record PreferredSchedulingTerm(int weight, NodeSelectorTerm preference) {

  public PreferredSchedulingTerm {
    Objects.requireNonNull(preference, "preference");
  }
}
