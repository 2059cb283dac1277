package io.troupe.control.controller;

import io.troupe.persistence.model.KubeObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What makes one controller: its name, the kind it reconciles (keys are that kind's object keys), which
 * changes of which kinds make which keys due, and the reconcile step: for a key, read the watch cache and
 * return the actions that move the world toward what is desired.
 *
 * @param triggers for each watched kind, the keys of {@code primaryKind} a change of such an object makes due
 * @param reconcile reads the current state for a key and decides; pure apart from reading the cache
 */
public record ControllerSpec(
    String name,
    String primaryKind,
    Map<String, Function<KubeObject, List<String>>> triggers,
    Function<String, List<Action>> reconcile,
    Duration resyncInterval,
    int parallelism) {

  public ControllerSpec {
    triggers = Map.copyOf(triggers);
  }
}
