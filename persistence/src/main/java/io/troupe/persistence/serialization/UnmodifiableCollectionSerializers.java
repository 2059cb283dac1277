package io.troupe.persistence.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Serializers for the JDK's unmodifiable collections: {@code List.of}, {@code Set.of},
 * {@code Map.of}, {@code Stream.toList()}, {@code Collectors.toUnmodifiable*} and the
 * {@code Collections.unmodifiable*} wrappers. These classes are JDK-internal and have no no-arg
 * constructor, so Kryo's generic collection serializers cannot build them.
 *
 * <p>Each is written as a size and its elements (each with its class, so nulls and mixed element
 * types work) and read back as an unmodifiable wrapper over an ArrayList, LinkedHashSet or
 * LinkedHashMap that nobody else holds. That keeps the sender's iteration order and allows nulls
 * ({@code Stream.toList()} may hold them, where {@code List.of} would throw on read), and equals
 * and hashCode follow the List, Set and Map contracts, so records holding them stay equal.
 *
 * <p>Kryo 5.6 ships serializers for java.util.ImmutableCollections too, but they reject null
 * elements and do not cover the {@code Collections.unmodifiable*} wrappers, which is what these
 * serializers read back, so a received message can be forwarded again.
 */
final class UnmodifiableCollectionSerializers {

  private UnmodifiableCollectionSerializers() {
  }

  /** Lists and plain collections; a collection that is not a Set is read back as a List. */
  static final class ListSerializer extends Serializer<Collection<Object>> {
    ListSerializer() {
      super(false, true);
    }

    @Override
    public void write(Kryo kryo, Output output, Collection<Object> collection) {
      writeElements(kryo, output, collection);
    }

    @Override
    public Collection<Object> read(Kryo kryo, Input input, Class<? extends Collection<Object>> type) {
      int size = input.readVarInt(true);
      List<Object> list = new ArrayList<>(boundedSize(input, size));
      for (int i = 0; i < size; i++) {
        list.add(kryo.readClassAndObject(input));
      }
      return Collections.unmodifiableList(list);
    }
  }

  static final class SetSerializer extends Serializer<Set<Object>> {
    SetSerializer() {
      super(false, true);
    }

    @Override
    public void write(Kryo kryo, Output output, Set<Object> set) {
      writeElements(kryo, output, set);
    }

    @Override
    public Set<Object> read(Kryo kryo, Input input, Class<? extends Set<Object>> type) {
      int size = input.readVarInt(true);
      Set<Object> set = new LinkedHashSet<>(capacityFor(boundedSize(input, size)));
      for (int i = 0; i < size; i++) {
        set.add(kryo.readClassAndObject(input));
      }
      return Collections.unmodifiableSet(set);
    }
  }

  static final class MapSerializer extends Serializer<Map<Object, Object>> {
    MapSerializer() {
      super(false, true);
    }

    @Override
    public void write(Kryo kryo, Output output, Map<Object, Object> map) {
      output.writeVarInt(map.size(), true);
      for (Map.Entry<Object, Object> entry : map.entrySet()) {
        kryo.writeClassAndObject(output, entry.getKey());
        kryo.writeClassAndObject(output, entry.getValue());
      }
    }

    @Override
    public Map<Object, Object> read(Kryo kryo, Input input, Class<? extends Map<Object, Object>> type) {
      int size = input.readVarInt(true);
      Map<Object, Object> map = new LinkedHashMap<>(capacityFor(boundedSize(input, size)));
      for (int i = 0; i < size; i++) {
        Object key = kryo.readClassAndObject(input);
        map.put(key, kryo.readClassAndObject(input));
      }
      return Collections.unmodifiableMap(map);
    }
  }

  private static void writeElements(Kryo kryo, Output output, Collection<Object> elements) {
    output.writeVarInt(elements.size(), true);
    for (Object element : elements) {
      kryo.writeClassAndObject(output, element);
    }
  }

  /**
   * Every element takes at least one byte, so a size larger than the bytes left is corrupt;
   * bounding the pre-allocation by it keeps a damaged message from allocating gigabytes.
   */
  private static int boundedSize(Input input, int size) {
    return Math.max(0, Math.min(size, input.limit() - input.position()));
  }

  /** A hash capacity that holds {@code size} entries without rehashing. */
  private static int capacityFor(int size) {
    return (int) Math.min(Integer.MAX_VALUE, size * 4L / 3 + 1);
  }
}
