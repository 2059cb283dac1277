package io.troupe.persistence.watch;

import io.troupe.persistence.model.KubeObject;

/**
 * An object as the cache holds it: with its resourceVersion set to the revision of its last change, and the
 * entity's sequence number of that change (what a conditional write compares against).
 */
public record Stored(KubeObject object, long revision, long sequenceNr) {}
