package io.troupe.control.controller;

import io.troupe.persistence.model.KubeObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What makes one controller: its name, the kind it reconciles (keys are that kind's object keys), which
 * changes of which kinds make which keys due, and the reconcile step: for a key, read the watch cache and
 * return the actions that move the world toward what is desired.
 *
 * @param triggers for each watched kind, the keys of {@code primaryKind} a change of such an object makes due
 * @param reconcile reads the current state for a key and decides; pure apart from reading the cache
 * @param nextCheck when a key must be looked at again although nothing changes (a pod becoming available after
 *     minReadySeconds, a progress deadline): no watch event announces those moments
 * @param memberLeft the keys due when a member of the Pekko cluster (its address) has been removed (acted on once its
 *     shards have moved, down-removal-margin later): no watch event announces that either
 */
public record ControllerSpec(
    String name,
    String primaryKind,
    Map<String, Function<KubeObject, List<String>>> triggers,
    Function<String, List<Action>> reconcile,
    Function<String, Optional<Instant>> nextCheck,
    Function<String, List<String>> memberLeft,
    Duration resyncInterval,
    int parallelism) {

  public ControllerSpec {
    triggers = Map.copyOf(triggers);
  }

  /** A controller that does not follow the cluster's members. */
  public ControllerSpec(String name, String primaryKind, Map<String, Function<KubeObject, List<String>>> triggers,
      Function<String, List<Action>> reconcile, Function<String, Optional<Instant>> nextCheck,
      Duration resyncInterval, int parallelism) {
    this(name, primaryKind, triggers, reconcile, nextCheck, member -> List.of(), resyncInterval, parallelism);
  }

  /** A controller that only reacts to changes (and its resync). */
  public ControllerSpec(String name, String primaryKind, Map<String, Function<KubeObject, List<String>>> triggers,
      Function<String, List<Action>> reconcile, Duration resyncInterval, int parallelism) {
    this(name, primaryKind, triggers, reconcile, key -> Optional.empty(), member -> List.of(), resyncInterval,
        parallelism);
  }
}
