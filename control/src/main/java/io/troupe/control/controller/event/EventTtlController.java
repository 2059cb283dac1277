package io.troupe.control.controller.event;

import io.troupe.control.controller.Action;
import io.troupe.control.controller.ControllerSpec;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Events expire {@code troupe.events.ttl} (1 h, kube-apiserver's {@code --event-ttl}) after they were last seen:
 * Kubernetes gives each event an etcd lease renewed by every update; here a controller deletes the event once its
 * {@code lastTimestamp} (or {@code eventTime}, or its creation) is older than the TTL. A deduplicated event seen
 * again lives on.
 */
public final class EventTtlController {
  private EventTtlController() {}

  public static ControllerSpec spec(WatchCache cache, Duration ttl) {
    return new ControllerSpec("event-ttl-controller", "Event",
        Map.of("Event", event -> List.of(event.key())),
        key -> cache.get(key).map(Stored::object)
            .filter(event -> !expiry(event, ttl).isAfter(Instant.now()))
            .map(event -> List.<Action>of(Action.Delete.now(event.key(), event.metadata().uid())))
            .orElse(List.of()),
        key -> cache.get(key).map(Stored::object).map(event -> expiry(event, ttl)),
        Duration.ofMinutes(5), 4);
  }

  /** When the event goes: the TTL after it was last seen. */
  static Instant expiry(KubeObject event, Duration ttl) {
    return lastSeen(event).plus(ttl);
  }

  static Instant lastSeen(KubeObject event) {
    for (String time : new String[] {Json.text(event.body(), "lastTimestamp"), Json.text(event.body(), "eventTime"),
        event.metadata().creationTimestamp()}) {
      Instant parsed = Rfc3339.parse(time);
      if (parsed != null) return parsed;
    }
    return Instant.now();
  }
}
