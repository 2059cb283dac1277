package io.troupe.persistence.watch;

import io.troupe.persistence.model.KubeObject;

/** One line of a watch stream: ADDED, MODIFIED, DELETED or BOOKMARK, and the object (with its resourceVersion). */
public record WatchEvent(Type type, KubeObject object) {
  public enum Type { ADDED, MODIFIED, DELETED, BOOKMARK }
}
