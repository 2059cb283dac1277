package io.troupe.persistence.serialization;

/** Marker for messages that travel between JVMs: serialized with Kryo ({@code KryoSerializer}). */
public interface KryoMessage {}
