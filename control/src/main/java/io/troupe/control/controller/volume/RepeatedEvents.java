package io.troupe.control.controller.volume;

import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.WatchCache;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops the events already recorded about the same object with the same reason and message, as client-go's event
 * correlator folds repeats into one. The volume reconcilers report a waiting claim on every pass (as Kubernetes'
 * do); without this each pass would record one more Event, and a pass that records one runs again.
 */
final class RepeatedEvents {
  private RepeatedEvents() {}

  static List<Action> drop(List<Action> actions, WatchCache cache) {
    List<Action> kept = null;
    for (int i = 0; i < actions.size(); i++) {
      Action action = actions.get(i);
      boolean repeat = action instanceof Action.RecordEvent e && recorded(e, cache);
      if (repeat && kept == null) kept = new ArrayList<>(actions.subList(0, i));
      else if (!repeat && kept != null) kept.add(action);
    }
    return kept == null ? actions : kept;
  }

  private static boolean recorded(Action.RecordEvent event, WatchCache cache) {
    KubeObject involved = event.involved();
    String uid = involved.metadata().uid();
    String namespace = involved.metadata().namespace() == null ? "default" : involved.metadata().namespace();
    return !cache.list("Event", namespace, e -> uid != null
            && uid.equals(Json.text(e.body(), "involvedObject.uid"))
            && event.reason().equals(Json.text(e.body(), "reason"))
            && event.message().equals(Json.text(e.body(), "message")), null, 1)
        .items().isEmpty();
  }
}
