package io.troupe.control.controller;

import io.troupe.control.api.admission.Admission;
import io.troupe.control.api.admission.ServiceAccountAdmission;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Events;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.store.EventRecorder;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a reconciler's actions through the store, all at once. The result is false when a write was
 * refused because the controller's view was stale (it then reconciles again); "already exists" for a create and
 * "not found" for a delete count as done, so a repeated decision is harmless.
 */
public final class ActionRunner {
  private static final Logger log = LoggerFactory.getLogger(ActionRunner.class);

  /** How long one try of a write may take before it is sent again; ATTEMPTS of them in all. */
  static final Duration ATTEMPT = Duration.ofSeconds(2);
  static final int ATTEMPTS = 5;

  private final Store store;
  private final String component;
  /** Told of every object one of its writes removed from the store (a Service's addresses are then freed). */
  private final Consumer<KubeObject> removed;

  public ActionRunner(Store store, String component) {
    this(store, component, object -> { });
  }

  public ActionRunner(Store store, String component, Consumer<KubeObject> removed) {
    this.store = store.as(component);
    this.component = component;
    this.removed = removed;
  }

  public CompletionStage<Boolean> run(List<Action> actions) {
    List<CompletableFuture<Boolean>> results = new ArrayList<>();
    for (Action a : actions) results.add(run(a).toCompletableFuture());
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(done -> results.stream().allMatch(CompletableFuture::join));
  }

  private CompletionStage<Boolean> run(Action action) {
    return attempt(action, 1);
  }

  /**
   * One try of an action; one that has not answered within {@link #ATTEMPT} is sent again, as it is (up to
   * {@link #ATTEMPTS} times). A write sent to an entity whose JVM has just died is lost without an answer (its
   * shard region is dead until the member's removal), and waiting for the store's whole ask timeout held the key
   * for 10 s (ChaosTest). Sending again is safe: a create that did land meets "already exists" (done), a delete
   * "not found" (done), an update or a status update its resourceVersion precondition (a conflict: reconcile again).
   */
  private CompletionStage<Boolean> attempt(Action action, int n) {
    CompletableFuture<Boolean> written;
    try {
      written = write(action).toCompletableFuture();
    } catch (RuntimeException e) {
      // e.g. an object the API's admission refuses: a controller bug or a bad template, never a crash
      log.warn("{}: {} failed: {}", component, action.getClass().getSimpleName(), e.getMessage());
      return CompletableFuture.completedFuture(false);
    }
    return written.orTimeout(ATTEMPT.toMillis(), TimeUnit.MILLISECONDS)
        .handle((ok, failure) -> {
          if (failure == null) return CompletableFuture.completedFuture(ok);
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (cause instanceof TimeoutException && n < ATTEMPTS) {
            log.debug("{}: {} unanswered after {}; sending it again", component, action.getClass().getSimpleName(),
                ATTEMPT);
            return attempt(action, n + 1);
          }
          return CompletableFuture.<Boolean>failedFuture(cause);
        })
        .thenCompose(next -> next);
  }

  private CompletionStage<Boolean> write(Action action) {
    if (action instanceof Action.Create c) {
      return create(c.object());
    } else if (action instanceof Action.Update u) {
      ResourceType type = type(u.object());
      return store.expectedRevision(u.object().key(), u.object().metadata().resourceVersion())
          .thenCompose(expected -> store.replace(u.object(), type.hasStatus(), expected))
          .thenApply(r -> succeeded(action, removing(r), false));
    } else if (action instanceof Action.UpdateStatus u) {
      return store.expectedRevision(u.object().key(), u.object().metadata().resourceVersion())
          .thenCompose(expected -> store.replaceStatus(u.object(), expected))
          .thenApply(r -> succeeded(action, r, false));
    } else if (action instanceof Action.Delete d) {
      return store.delete(d.key(), Admission.now(), d.uid(), ResourceEntity.ANY_REVISION, d.gracePeriodSeconds(),
              List.of())
          .thenApply(r -> succeeded(action, removing(r), true));
    } else {
      Action.RecordEvent e = (Action.RecordEvent) action;
      KubeObject event = Events.about(e.involved(), e.type(), e.reason(), e.message(), component, null);
      return EventRecorder.record(store, Admission.forCreate(type(event), event.metadata().namespace(),
          event.toTree())).thenApply(ok -> true);
    }
  }

  /** A create gets the server-owned fields and defaults, as one through the API does. */
  private CompletionStage<Boolean> create(KubeObject object) {
    KubeObject prepared = Admission.forCreate(type(object), object.metadata().namespace(), object.toTree());
    return ServiceAccountAdmission.admit(store, prepared).thenCompose(admitted -> store.create(prepared)).thenApply(r -> succeeded(new Action.Create(prepared), r, false));
  }

  private StoreResult removing(StoreResult result) {
    if (result instanceof StoreResult.Written w && w.removed()) {
      try {
        removed.accept(w.stored().object());
      } catch (RuntimeException e) {
        log.warn("{}: after removing {}: {}", component, w.stored().object().key(), e.toString());
      }
    }
    return result;
  }

  private boolean succeeded(Action action, StoreResult result, boolean notFoundIsDone) {
    if (result instanceof StoreResult.Written) return true;
    StoreResult.Refused refused = (StoreResult.Refused) result;
    if (refused.reason() == ResourceEntity.Reason.ALREADY_EXISTS && action instanceof Action.Create) return true;
    if (refused.reason() == ResourceEntity.Reason.NOT_FOUND && notFoundIsDone) return true;
    log.debug("{}: {} refused: {}", component, action.getClass().getSimpleName(), refused.message());
    return false;
  }

  private static ResourceType type(KubeObject o) {
    return ResourceTypes.byKind(o.kind())
        .orElseThrow(() -> new IllegalArgumentException("no such kind: " + o.kind()));
  }

}
