package io.troupe.persistence.store;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.KubeObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Records Events as Kubernetes' event recorder does, deduplicated: an event made by
 * {@link io.troupe.persistence.model.Events#about} is named after what it says, so the same event again finds its
 * name taken, and then the existing one gets {@code count + 1} and a new {@code lastTimestamp} (a conditional
 * update, tried again on a conflict with a concurrent recorder).
 */
public final class EventRecorder {
  private static final int TRIES = 5;

  private EventRecorder() {}

  /** Creates the event, or counts it on the one already there. */
  public static CompletionStage<StoreResult> record(Store store, KubeObject event) {
    return store.create(event).thenCompose(result -> {
      if (result instanceof StoreResult.Refused r && r.reason() == ResourceEntity.Reason.ALREADY_EXISTS) {
        return countAgain(store, event.key(), TRIES);
      }
      return CompletableFuture.completedFuture(result);
    });
  }

  private static CompletionStage<StoreResult> countAgain(Store store, String key, int tries) {
    return store.current(key).thenCompose(current -> {
      if (current.isEmpty()) {
        return CompletableFuture.completedFuture(new StoreResult.Refused(ResourceEntity.Reason.NOT_FOUND,
            "the event went meanwhile"));
      }
      KubeObject existing = current.get().object();
      KubeObject counted = existing
          .withField("count", IntNode.valueOf(existing.body().path("count").asInt(1) + 1))
          .withField("lastTimestamp", TextNode.valueOf(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
      return store.replace(counted, false, current.get().revision()).thenCompose(result -> {
        if (result instanceof StoreResult.Refused r && r.reason() == ResourceEntity.Reason.CONFLICT && tries > 1) {
          return countAgain(store, key, tries - 1);
        }
        return CompletableFuture.completedFuture(result);
      });
    });
  }
}
