package io.troupe.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;

/**
 * Kryo serializers for actor references. A ref is written as its serialization format (the full
 * path with the sender's address, so that it can be reached from another JVM) and resolved back
 * through the receiving system's provider: a local ref when the path is local, a remote ref
 * otherwise. The concrete ref class never reaches the wire (see {@link FamilyClassResolver}).
 */
final class ActorRefSerializers {

  private ActorRefSerializers() {
  }

  /** For {@code org.apache.pekko.actor.typed.ActorRef} and all its implementations. */
  static final class Typed extends Serializer<ActorRef<?>> {
    private final ExtendedActorSystem system;
    // Looked up on first use, not in the constructor: serializers are built while the
    // Serialization extension is still starting, and extensions should not be loaded from
    // there. One Kryo instance is used by one thread at a time, so a plain field is enough.
    private ActorRefResolver resolver;

    Typed(ExtendedActorSystem system) {
      super(false, true);
      this.system = system;
    }

    @Override
    public void write(Kryo kryo, Output output, ActorRef<?> ref) {
      output.writeString(resolver().toSerializationFormat(ref));
    }

    @Override
    public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
      return resolver().resolveActorRef(input.readString());
    }

    private ActorRefResolver resolver() {
      if (resolver == null) {
        resolver = ActorRefResolver.get(Adapter.toTyped(system));
      }
      return resolver;
    }
  }

  /** For the classic {@code org.apache.pekko.actor.ActorRef} and all its implementations. */
  static final class Classic extends Serializer<org.apache.pekko.actor.ActorRef> {
    private final ExtendedActorSystem system;

    Classic(ExtendedActorSystem system) {
      super(false, true);
      this.system = system;
    }

    @Override
    public void write(Kryo kryo, Output output, org.apache.pekko.actor.ActorRef ref) {
      // serializedActorPath picks the address of the transport that is sending, when called
      // from remoting, so the path is reachable by the peer that reads it.
      output.writeString(Serialization.serializedActorPath(ref));
    }

    @Override
    public org.apache.pekko.actor.ActorRef read(
        Kryo kryo, Input input, Class<? extends org.apache.pekko.actor.ActorRef> type) {
      return system.provider().resolveActorRef(input.readString());
    }
  }
}
