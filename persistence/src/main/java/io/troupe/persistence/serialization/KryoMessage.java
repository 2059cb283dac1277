package io.troupe.persistence.serialization;

/**
 * Marker for messages that cross JVMs (entity commands, their replies, cluster events) and are
 * serialized with {@link KryoSerializer}. troupe-kryo.conf binds this interface to the "kryo"
 * serializer, so Pekko picks Kryo for every implementation.
 *
 * <p>Implementing it is not enough: the concrete class (and every record, enum or class it carries
 * that is not a built-in) must also be appended to {@code troupe.serialization.kryo.classes}. See
 * {@link KryoSerializer} for why the list is append-only.
 */
public interface KryoMessage {
}
