package io.troupe.persistence.store;

import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.watch.Stored;

/** What a write to the store gives back: the durable object as the watch cache has it, or why it was refused. */
public sealed interface StoreResult {

  /** The write is durable and visible in this JVM's watch cache; {@code removed} when it deleted the object. */
  record Written(Stored stored, boolean removed) implements StoreResult {}

  record Refused(ResourceEntity.Reason reason, String message) implements StoreResult {}
}
