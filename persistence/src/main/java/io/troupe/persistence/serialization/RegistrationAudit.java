package io.troupe.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Checks, when the serializer starts, that every type reachable from the listed records is
 * registered, so that a forgotten enum or nested record fails the node at startup with the full
 * list of what to append, instead of failing the first message that carries one.
 *
 * <p>Why not register such types automatically: their ids would depend on the components of other
 * records, so adding a component to one record would shift the ids of unrelated classes and break
 * a rolling upgrade. Listing them explicitly keeps the append-only rule the only rule.
 *
 * <p>What it follows: record components, their generic type arguments (List&lt;Phase&gt;,
 * Map&lt;String, Spec&gt;, Optional&lt;Status&gt;), array element types, the permitted subclasses
 * of sealed types, and the message type of a typed {@code ActorRef<T>} component when T is a
 * {@link KryoMessage}: a command's replyTo names its replies, which cross back between JVMs. What it flags: concrete classes (records, enums, other classes) that
 * have no registration. Interfaces and abstract classes that are not sealed are skipped, since
 * their implementations cannot be known; the actor-ref and JsonNode families and Object are
 * always fine.
 */
final class RegistrationAudit {

  private final Kryo kryo;
  private final Set<Class<?>> visited = new HashSet<>();
  /** Missing type, mapped to where it was first reached. */
  private final Map<Class<?>, String> missing = new LinkedHashMap<>();

  private RegistrationAudit(Kryo kryo) {
    this.kryo = kryo;
  }

  /** Throws IllegalStateException naming every unregistered type reachable from {@code roots}. */
  static void check(Kryo kryo, List<Class<?>> roots) {
    RegistrationAudit audit = new RegistrationAudit(kryo);
    for (Class<?> root : roots) {
      audit.visitClass(root, "listed");
    }
    if (!audit.missing.isEmpty()) {
      List<String> lines = new ArrayList<>();
      for (Map.Entry<Class<?>, String> entry : audit.missing.entrySet()) {
        lines.add("\"" + entry.getKey().getName() + "\" (reached from " + entry.getValue() + ")");
      }
      throw new IllegalStateException("Kryo registration is incomplete: append these to "
          + KryoRegistrations.CLASSES_PATH + " (append only): " + String.join(", ", lines));
    }
  }

  private void visitType(Type type, String from) {
    if (type instanceof Class<?>) {
      visitClass((Class<?>) type, from);
    } else if (type instanceof ParameterizedType) {
      ParameterizedType parameterized = (ParameterizedType) type;
      visitType(parameterized.getRawType(), from);
      boolean actorRef = parameterized.getRawType() == ActorRef.class;
      for (Type argument : parameterized.getActualTypeArguments()) {
        // What an ActorRef<T> accepts is sent with whatever serializer Pekko binds to it
        // (StatusReply, Done, String have their own), so only Kryo messages are followed there.
        if (!actorRef || isKryoMessage(argument)) {
          visitType(argument, from);
        }
      }
    } else if (type instanceof GenericArrayType) {
      visitType(((GenericArrayType) type).getGenericComponentType(), from);
    } else if (type instanceof WildcardType) {
      for (Type bound : ((WildcardType) type).getUpperBounds()) {
        visitType(bound, from);
      }
    }
    // Type variables: the actual type is only known per value, so nothing to check here.
  }

  private void visitClass(Class<?> type, String from) {
    if (type.isPrimitive() || type == Object.class || !visited.add(type)) {
      return;
    }
    if (type.isArray()) {
      requireRegistered(type, from);
      visitClass(type.getComponentType(), from);
      return;
    }
    if (KryoRegistrations.familyOf(type) != null) {
      return;
    }
    if (type.isEnum()) {
      // An enum whose constants have bodies is implicitly sealed, permitting the constants'
      // classes; Kryo writes those as the enum itself, so only the enum needs an id.
      requireRegistered(type, from);
      return;
    }
    if (type.isSealed()) {
      for (Class<?> permitted : type.getPermittedSubclasses()) {
        visitClass(permitted, from + " via sealed " + type.getSimpleName());
      }
    }
    boolean concrete = !type.isInterface() && !Modifier.isAbstract(type.getModifiers());
    if (concrete) {
      requireRegistered(type, from);
    }
    if (type.isRecord()) {
      for (RecordComponent component : type.getRecordComponents()) {
        visitType(component.getGenericType(), type.getSimpleName() + "." + component.getName());
      }
    }
  }

  private static boolean isKryoMessage(Type type) {
    return type instanceof Class<?> && KryoMessage.class.isAssignableFrom((Class<?>) type);
  }

  private void requireRegistered(Class<?> type, String from) {
    if (kryo.getClassResolver().getRegistration(type) == null) {
      missing.putIfAbsent(type, from);
    }
  }
}
