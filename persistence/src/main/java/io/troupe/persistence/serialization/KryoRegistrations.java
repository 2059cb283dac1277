package io.troupe.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.serializers.EnumNameSerializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The class-to-id table shared by every node, and the factory of Kryo instances that use it.
 *
 * <p>Kryo writes a registered class as a small integer, so two nodes can talk only if they assign
 * the same id to the same class. Ids are therefore never derived from anything that can differ
 * between nodes (hash order, classpath scanning, discovery order); they come from two fixed,
 * ordered tables:
 * <ul>
 *   <li>ids 0-8: Kryo's own (primitives, their wrappers, String);</li>
 *   <li>ids {@value #BUILTIN_BASE}-199: the built-in table below (JDK types, actor refs, Jackson
 *       trees), append-only like the list;</li>
 *   <li>ids from {@value #USER_BASE}: {@code troupe.serialization.kryo.classes}, entry i getting
 *       id {@value #USER_BASE} + i.</li>
 * </ul>
 *
 * <p><b>Appending to {@code troupe.serialization.kryo.classes} is the only compatible change.</b>
 * Reordering or removing an entry shifts or frees ids, and a node still on the old list then
 * decodes the wrong class. A class that is deleted from the code stays in the list as
 * {@code "retired:fully.qualified.Name"}, which keeps its id taken without loading it. During a
 * rolling upgrade a new class must be deployed to every node before any node sends it.
 *
 * <p>Also part of the wire format: a record is written component by component (sorted by name,
 * no field tags), so adding, removing or retyping a component of a registered record is a breaking
 * change; add a new record instead. Enums are written by constant name (Kryo's default is the
 * ordinal, which would silently map to the wrong constant after someone inserts one in the
 * middle), so adding or reordering constants is safe, renaming is not.
 */
final class KryoRegistrations {

  static final String CLASSES_PATH = "troupe.serialization.kryo.classes";
  static final String RETIRED_PREFIX = "retired:";
  static final int BUILTIN_BASE = 16;
  static final int USER_BASE = 200;

  /** Family roots, in lookup order; see {@link FamilyClassResolver}. */
  static final List<Class<?>> FAMILY_ROOTS =
      List.of(ActorRef.class, org.apache.pekko.actor.ActorRef.class, JsonNode.class);

  private final ClassLoader classLoader;
  /** Entry i has id USER_BASE + i; null marks a retired entry. */
  private final List<Class<?>> userClasses;

  KryoRegistrations(List<String> names, ClassLoader classLoader) {
    this.classLoader = classLoader;
    this.userClasses = Collections.unmodifiableList(resolve(names, classLoader));
  }

  static KryoRegistrations fromConfig(Config config, ClassLoader classLoader) {
    List<String> names = config.hasPath(CLASSES_PATH) ? config.getStringList(CLASSES_PATH) : List.of();
    return new KryoRegistrations(names, classLoader);
  }

  /** The listed classes (retired entries left out), in list order. */
  List<Class<?>> userClasses() {
    List<Class<?>> live = new ArrayList<>();
    for (Class<?> type : userClasses) {
      if (type != null) {
        live.add(type);
      }
    }
    return live;
  }

  /**
   * A fully registered Kryo. {@code system} resolves actor refs; it may be null only where no
   * ref is ever serialized (unit tests of the table itself).
   */
  Kryo newKryo(ExtendedActorSystem system) {
    Kryo kryo = new ListedKryo();
    kryo.setRegistrationRequired(true);
    // Messages are trees; without reference tracking the bytes do not depend on object identity.
    kryo.setReferences(false);
    kryo.setClassLoader(classLoader);
    List<Builtin> builtins = builtins(system);
    if (BUILTIN_BASE + builtins.size() > USER_BASE) {
      throw new IllegalStateException("built-in table overflows into the ids of the configured list");
    }
    for (int i = 0; i < builtins.size(); i++) {
      Builtin builtin = builtins.get(i);
      int id = BUILTIN_BASE + i;
      if (builtin.serializer() == null) {
        kryo.register(builtin.type(), id);
      } else {
        kryo.register(builtin.type(), builtin.serializer(), id);
      }
    }
    for (int i = 0; i < userClasses.size(); i++) {
      Class<?> type = userClasses.get(i);
      if (type == null) {
        continue;
      }
      if (type.isEnum()) {
        kryo.register(type, enumByName(type), USER_BASE + i);
      } else {
        // Records get Kryo's RecordSerializer (canonical constructor) by default, other
        // classes its FieldSerializer (needs a no-arg constructor).
        kryo.register(type, USER_BASE + i);
      }
    }
    return kryo;
  }

  /** One slot of the built-in table; a null serializer means Kryo's default one for the type. */
  private record Builtin(Class<?> type, Serializer<?> serializer) {
  }

  /**
   * The built-in table. APPEND ONLY, exactly like the configured list: the position of an entry
   * is its id. Several factories may return the same JDK class (List.of() and List.of(1, 2, 3)
   * both give ListN on JDK 17); every slot is still registered, so a node whose JDK maps them to
   * different classes decodes both ids, and all slots of one kind share one wire format.
   */
  private static List<Builtin> builtins(ExtendedActorSystem system) {
    Serializer<?> list = new UnmodifiableCollectionSerializers.ListSerializer();
    Serializer<?> set = new UnmodifiableCollectionSerializers.SetSerializer();
    Serializer<?> map = new UnmodifiableCollectionSerializers.MapSerializer();
    return List.of(
        new Builtin(ActorRef.class, new ActorRefSerializers.Typed(system)),
        new Builtin(org.apache.pekko.actor.ActorRef.class, new ActorRefSerializers.Classic(system)),
        new Builtin(JsonNode.class, new JsonNodeSerializer()),
        new Builtin(Optional.class, null),
        new Builtin(OptionalInt.class, null),
        new Builtin(OptionalLong.class, null),
        new Builtin(OptionalDouble.class, null),
        new Builtin(Instant.class, null),
        new Builtin(Duration.class, null),
        new Builtin(LocalDate.class, null),
        new Builtin(LocalTime.class, null),
        new Builtin(LocalDateTime.class, null),
        new Builtin(OffsetDateTime.class, null),
        new Builtin(ZonedDateTime.class, null),
        new Builtin(ZoneOffset.class, null),
        new Builtin(ZoneId.of("UTC").getClass(), null),
        new Builtin(UUID.class, new DefaultSerializers.UUIDSerializer()), // no Kryo default
        new Builtin(BigInteger.class, null),
        new Builtin(BigDecimal.class, null),
        new Builtin(byte[].class, null),
        new Builtin(int[].class, null),
        new Builtin(long[].class, null),
        new Builtin(double[].class, null),
        new Builtin(String[].class, null),
        new Builtin(ArrayList.class, null),
        new Builtin(LinkedList.class, null),
        new Builtin(HashMap.class, null),
        new Builtin(LinkedHashMap.class, null),
        new Builtin(TreeMap.class, null),
        new Builtin(HashSet.class, null),
        new Builtin(LinkedHashSet.class, null),
        new Builtin(TreeSet.class, null),
        new Builtin(EnumSet.class, null),
        new Builtin(Collections.emptyList().getClass(), null),
        new Builtin(Collections.emptySet().getClass(), null),
        new Builtin(Collections.emptyMap().getClass(), null),
        new Builtin(Collections.singletonList(1).getClass(), null),
        new Builtin(Collections.singleton(1).getClass(), null),
        new Builtin(Collections.singletonMap(1, 1).getClass(), null),
        new Builtin(Arrays.asList(1).getClass(), null),
        new Builtin(List.of().getClass(), list),
        new Builtin(List.of(1).getClass(), list),
        new Builtin(List.of(1, 2, 3).getClass(), list),
        new Builtin(List.of(1, 2, 3).subList(0, 2).getClass(), list),
        new Builtin(Set.of().getClass(), set),
        new Builtin(Set.of(1).getClass(), set),
        new Builtin(Set.of(1, 2, 3).getClass(), set),
        new Builtin(Map.of().getClass(), map),
        new Builtin(Map.of(1, 1).getClass(), map),
        new Builtin(Map.of(1, 1, 2, 2).getClass(), map),
        new Builtin(Collections.unmodifiableCollection(new ArrayList<>()).getClass(), list),
        new Builtin(Collections.unmodifiableList(new ArrayList<>()).getClass(), list),
        new Builtin(Collections.unmodifiableList(new LinkedList<>()).getClass(), list),
        new Builtin(Collections.unmodifiableSet(new HashSet<>()).getClass(), set),
        new Builtin(Collections.unmodifiableMap(new HashMap<>()).getClass(), map));
  }

  @SuppressWarnings({"unchecked", "rawtypes"}) // Kryo's EnumNameSerializer takes a raw enum class
  private static Serializer<?> enumByName(Class<?> type) {
    return new EnumNameSerializer((Class) type);
  }

  private static List<Class<?>> resolve(List<String> names, ClassLoader classLoader) {
    Set<Class<?>> builtinTypes = new HashSet<>();
    for (Builtin builtin : builtins(null)) {
      builtinTypes.add(builtin.type());
    }
    List<Class<?>> resolved = new ArrayList<>(names.size());
    Map<Class<?>, Integer> seen = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i).trim();
      String where = CLASSES_PATH + "[" + i + "] = \"" + name + "\": ";
      if (name.startsWith(RETIRED_PREFIX)) {
        resolved.add(null);
        continue;
      }
      Class<?> type;
      try {
        type = Class.forName(name, false, classLoader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException(where + "class not found; a class deleted from the code"
            + " stays listed as \"" + RETIRED_PREFIX + name + "\"", e);
      }
      if (!type.isEnum() && !type.isArray()
          && (type.isInterface() || Modifier.isAbstract(type.getModifiers()))) {
        throw new IllegalStateException(where + "is an interface or abstract class; list its"
            + " concrete classes (for a sealed interface, each permitted record)");
      }
      if (builtinTypes.contains(type) || familyOf(type) != null) {
        throw new IllegalStateException(where + "is already registered as a built-in;"
            + " drop this entry (it was never deployed, since it fails at startup)");
      }
      Integer earlier = seen.putIfAbsent(type, i);
      if (earlier != null) {
        throw new IllegalStateException(where + "duplicates entry " + earlier);
      }
      resolved.add(type);
    }
    return resolved;
  }

  /** The family root that covers {@code type}, or null. */
  static Class<?> familyOf(Class<?> type) {
    for (Class<?> root : FAMILY_ROOTS) {
      if (root.isAssignableFrom(type)) {
        return root;
      }
    }
    return null;
  }

  /** Kryo with an unregistered-class error that says how to fix it in Troupe. */
  private static final class ListedKryo extends Kryo {
    ListedKryo() {
      super(new FamilyClassResolver(FAMILY_ROOTS), null);
    }

    @Override
    @SuppressWarnings("rawtypes") // the overridden Kryo signature is raw
    protected String unregisteredClassMessage(Class type) {
      return "Class is not registered for Kryo: " + type.getName() + ". Append \"" + type.getName()
          + "\" to " + CLASSES_PATH + " (append only: never reorder or remove entries)";
    }
  }
}
