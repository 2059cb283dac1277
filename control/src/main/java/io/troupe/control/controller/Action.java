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

  /** Delete the object with this key, on the precondition that its uid is {@code uid}. NotFound counts as done. */
  record Delete(String key, String uid) implements Action {}

  /** Record a Kubernetes Event about {@code involved}: type Normal or Warning, a reason, a message. */
  record RecordEvent(KubeObject involved, String type, String reason, String message) implements Action {}
}
