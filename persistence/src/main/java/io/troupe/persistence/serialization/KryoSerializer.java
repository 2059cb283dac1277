package io.troupe.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.JSerializer;

/**
 * Pekko serializer for messages between JVMs (everything implementing {@link KryoMessage}), using
 * Kryo with required registration.
 *
 * <p>Hand-written because no Pekko Kryo serializer library (such as pekko-kryo-serialization) is
 * available to this build; this is the small part of one that Troupe needs.
 *
 * <p><b>Registering a class:</b> append its fully qualified name to
 * {@code troupe.serialization.kryo.classes}. Ids are assigned from the position in that list, so
 * <b>appending is the only compatible change: never reorder or remove entries</b> (a removed
 * class stays as {@code "retired:its.Name"}). Records, enums, sealed hierarchies (list each
 * permitted record, not the interface) and everything a listed record carries must be listed,
 * except the built-ins: JDK collections (including List.of/Set.of/Map.of and the
 * Collections.unmodifiable* wrappers), Optional*, java.time values, UUID, BigInteger/BigDecimal,
 * primitive and String arrays, typed and classic ActorRefs, and Jackson JsonNode trees. Startup
 * fails with the list of missing types (see {@link RegistrationAudit}); the full rules are on
 * {@link KryoRegistrations}.
 *
 * <p>Why a {@link JSerializer} with {@code includeManifest() == false} rather than a
 * SerializerWithStringManifest: Kryo's output already starts with the registered id of the class,
 * so the bytes describe themselves, and a manifest would only add the class name (often longer
 * than the message) to every envelope. The id plays the role a string manifest plays for rolling
 * upgrades, since it is a stable logical name decoupled from the class name.
 *
 * <p>Kryo instances are not thread-safe and are costly to set up (every registration, and
 * reflection for each record), so they are kept in a thread-safe {@link Pool} and each call
 * borrows one. The first one is built eagerly so that configuration errors stop the actor system
 * at startup, not at the first message.
 */
public final class KryoSerializer extends JSerializer {

  /** Pekko's serializer id for this serializer, written in every envelope; never change it. */
  public static final int IDENTIFIER = 7_417_001;

  /**
   * Upper bound of idle Kryo instances kept. More can be in use at once (the pool creates them on
   * demand); extras are dropped when returned. Remoting serializes on a handful of lanes, so this
   * is rarely reached.
   */
  static final int POOL_CAPACITY = 32;

  private static final int INITIAL_BUFFER = 256;

  private final Pool<Kryo> pool;

  public KryoSerializer(ExtendedActorSystem system) {
    KryoRegistrations registrations = KryoRegistrations.fromConfig(
        system.settings().config(), system.dynamicAccess().classLoader());
    Kryo first = registrations.newKryo(system);
    RegistrationAudit.check(first, registrations.userClasses());
    this.pool = new Pool<Kryo>(true, false, POOL_CAPACITY) {
      @Override
      protected Kryo create() {
        return registrations.newKryo(system);
      }
    };
    pool.free(first);
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object message) {
    Kryo kryo = pool.obtain();
    try {
      Output output = new Output(INITIAL_BUFFER, -1);
      kryo.writeClassAndObject(output, message);
      byte[] bytes = output.toBytes();
      pool.free(kryo);
      return bytes;
    } catch (RuntimeException e) {
      // The instance is not returned: after a failure half-way through a graph it is
      // cheaper to build a fresh one than to prove this one is clean.
      throw new IllegalArgumentException("Kryo cannot serialize " + className(message) + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    Kryo kryo = pool.obtain();
    Object message;
    try {
      Input input = new Input(bytes);
      message = kryo.readClassAndObject(input);
      if (input.position() != bytes.length) {
        throw new IllegalArgumentException((bytes.length - input.position())
            + " bytes left after reading " + className(message) + ": the sender's class"
            + " has a different shape (a record changed its components?)");
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Kryo cannot deserialize " + bytes.length + " bytes: "
          + e.getMessage() + " (do both nodes have the same " + KryoRegistrations.CLASSES_PATH
          + " and the same classes?)", e);
    }
    pool.free(kryo);
    return message;
  }

  private static String className(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }
}
