package io.troupe.persistence.watch;

import io.troupe.persistence.model.KubeObject;

/**
 * One applied change in the cache's window: the revision (journal ordering) that made it, the entity sequence
 * number, the object after it (for a deletion, its last state) and before it (null for a creation).
 */
record Change(long revision, String key, long sequenceNr, KubeObject object, KubeObject previous, boolean deleted) {

  boolean created() {
    return previous == null;
  }
}
