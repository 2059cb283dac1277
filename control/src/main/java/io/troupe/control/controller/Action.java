package io.troupe.control.controller;

import io.troupe.persistence.model.KubeObject;

/**
 * What a reconciler asks for: idempotent or conditional writes, carried out by its controller through the
 * store. Conditional writes carry the resourceVersion the decision was made against (in the object's
 * metadata), so a decision taken on a stale view fails cleanly and is retried instead of overwriting.
 */
public sealed interface Action {

  /** Create the object (its name fixed, or generateName set). AlreadyExists counts as done. */
  record Create(KubeObject object) implements Action {}

  /** Replace metadata and spec, conditional on {@code object.metadata().resourceVersion()}. */
  record Update(KubeObject object) implements Action {}

  /** Replace status, conditional on {@code object.metadata().resourceVersion()}. */
  record UpdateStatus(KubeObject object) implements Action {}

  /**
   * Delete the object with this key, on the precondition that its uid is {@code uid}. NotFound counts as done.
   * {@code gracePeriodSeconds}: null for the kind's default (a pod on a node then terminates gracefully and its
   * node agent removes it), 0 to remove it now; only pods honour it.
   */
  record Delete(String key, String uid, Long gracePeriodSeconds) implements Action {
    /** A graceful delete, as Kubernetes' controllers issue them. */
    public Delete(String key, String uid) {
      this(key, uid, null);
    }

    /** A delete with grace 0: the object goes at once (unless finalizers hold it). */
    public static Delete now(String key, String uid) {
      return new Delete(key, uid, 0L);
    }
  }

  /** Record a Kubernetes Event about {@code involved}: type Normal or Warning, a reason, a message. */
  record RecordEvent(KubeObject involved, String type, String reason, String message) implements Action {}
}
