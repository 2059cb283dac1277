package io.troupe.control.scheduler;

import java.util.Objects;

/** A preferred pod (anti-)affinity term: nodes in a domain with a matching pod gain (or lose) {@code weight}. */
public record WeightedPodAffinityTerm(int weight, PodAffinityTerm podAffinityTerm) {

  public WeightedPodAffinityTerm {
    Objects.requireNonNull(podAffinityTerm, "podAffinityTerm");
  }
}
