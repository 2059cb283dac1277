package io.troupe.persistence.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;

/**
 * The fields of one JSON object in a tree ({@link com.fasterxml.jackson.databind.node.ObjectNode} takes any map):
 * insertion order, as Jackson's {@code LinkedHashMap}, in one array of keys and values scanned in order while the
 * object has at most {@link #MAX_SCANNED} fields, and in a {@code LinkedHashMap} past that.
 *
 * <p>Why by hand: with 100,000 pods and 5,000 nodes held, the trees' 2.9 million {@code LinkedHashMap}s (4 fields each
 * on average: metadata's maps, each container, port, condition) were 820 MB of a 1.9 GB heap ({@code bench/scale}
 * class histogram): a 56-byte map, its table, a 40-byte entry a field and a cached entry-set view. Here a field costs
 * 8 bytes and the map 40. fastutil's {@code Object2ObjectArrayMap} is the same idea in two arrays, but its artifact is
 * 24 MB for one class and it has no way to grow into a hashed map when an object turns out large (a ConfigMap's data
 * with thousands of keys, read field by field by Jackson's parser, would be scanned for each).
 *
 * <p>Not thread-safe, as {@code LinkedHashMap}; its iterators fail fast on a change made other than through them.
 */
public final class FieldMap extends AbstractMap<String, JsonNode> {
  /** Objects larger than this are hashed; up to it, a scan of the keys costs less than hashing the one looked for. */
  static final int MAX_SCANNED = 16;

  private static final Object[] EMPTY = {};

  /** key 0, value 0, key 1, value 1, ... ({@code size} pairs used); null once {@link #hashed}. */
  private Object[] slots;
  private int size;
  private LinkedHashMap<String, JsonNode> hashed;
  private int modCount;

  public FieldMap() {
    slots = EMPTY;
  }

  /** A map that will hold {@code expected} fields: no growth while they are put. */
  public FieldMap(int expected) {
    if (expected > MAX_SCANNED) hashed = new LinkedHashMap<>(expected * 4 / 3 + 1);
    else slots = expected == 0 ? EMPTY : new Object[expected * 2];
  }

  @Override
  public int size() {
    return hashed != null ? hashed.size() : size;
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  private int indexOf(Object key) {
    if (key == null) return -1;
    int hash = key.hashCode(); // a String keeps its hash: comparing those first spares comparing most keys' text
    for (int i = 0; i < size; i++) {
      Object k = slots[2 * i];
      if (k == key || k.hashCode() == hash && key.equals(k)) return i;
    }
    return -1;
  }

  @Override
  public boolean containsKey(Object key) {
    return hashed != null ? hashed.containsKey(key) : indexOf(key) >= 0;
  }

  @Override
  public JsonNode get(Object key) {
    if (hashed != null) return hashed.get(key);
    int i = indexOf(key);
    return i < 0 ? null : (JsonNode) slots[2 * i + 1];
  }

  @Override
  public JsonNode put(String key, JsonNode value) {
    if (hashed != null) return hashed.put(key, value);
    int i = indexOf(key);
    if (i >= 0) {
      JsonNode old = (JsonNode) slots[2 * i + 1];
      slots[2 * i + 1] = value;
      return old;
    }
    append(key, value);
    return null;
  }

  /** Adds a field known not to be here yet ({@link #put} after its scan, or a copy of another map's fields). */
  void append(String key, JsonNode value) {
    if (hashed != null) {
      hashed.put(key, value);
      return;
    }
    modCount++;
    if (size == MAX_SCANNED) {
      hashed = new LinkedHashMap<>(MAX_SCANNED * 4);
      for (int j = 0; j < size; j++) hashed.put((String) slots[2 * j], (JsonNode) slots[2 * j + 1]);
      slots = null;
      size = 0;
      hashed.put(key, value);
      return;
    }
    if (2 * size == slots.length) {
      int pairs = Math.min(MAX_SCANNED, Math.max(2, size + size / 2));
      slots = Arrays.copyOf(slots, 2 * pairs);
    }
    slots[2 * size] = key;
    slots[2 * size + 1] = value;
    size++;
  }

  @Override
  public JsonNode remove(Object key) {
    if (hashed != null) return hashed.remove(key);
    int i = indexOf(key);
    return i < 0 ? null : removeAt(i);
  }

  private JsonNode removeAt(int i) {
    JsonNode old = (JsonNode) slots[2 * i + 1];
    System.arraycopy(slots, 2 * i + 2, slots, 2 * i, 2 * (size - i - 1));
    size--;
    slots[2 * size] = null;
    slots[2 * size + 1] = null;
    modCount++;
    return old;
  }

  @Override
  public void clear() {
    if (hashed != null) {
      hashed.clear();
      return;
    }
    Arrays.fill(slots, 0, 2 * size, null);
    size = 0;
    modCount++;
  }

  /**
   * Views are made anew each time, never kept: the entry-set view each {@code LinkedHashMap} caches once iterated was
   * 47 MB of that heap on its own.
   */
  @Override
  public Set<Map.Entry<String, JsonNode>> entrySet() {
    if (hashed != null) return hashed.entrySet();
    return new View<>() {
      @Override
      public Iterator<Map.Entry<String, JsonNode>> iterator() {
        return new Fields();
      }
    };
  }

  @Override
  public Set<String> keySet() {
    if (hashed != null) return hashed.keySet();
    return new View<>() {
      @Override
      public Iterator<String> iterator() {
        return new Projection<>(new Fields(), Map.Entry::getKey);
      }

      @Override
      public boolean contains(Object key) {
        return containsKey(key);
      }
    };
  }

  @Override
  public Collection<JsonNode> values() {
    if (hashed != null) return hashed.values();
    return new AbstractCollection<>() {
      @Override
      public int size() {
        return FieldMap.this.size();
      }

      @Override
      public Iterator<JsonNode> iterator() {
        return new Projection<>(new Fields(), Map.Entry::getValue);
      }

      @Override
      public void clear() {
        FieldMap.this.clear();
      }
    };
  }

  private abstract class View<T> extends AbstractSet<T> {
    @Override
    public int size() {
      return FieldMap.this.size();
    }

    @Override
    public void clear() {
      FieldMap.this.clear();
    }
  }

  private record Projection<T>(Fields fields, Function<Map.Entry<String, JsonNode>, T> part)
      implements Iterator<T> {
    @Override
    public boolean hasNext() {
      return fields.hasNext();
    }

    @Override
    public T next() {
      return part.apply(fields.next());
    }

    @Override
    public void remove() {
      fields.remove();
    }
  }

  private final class Fields implements Iterator<Map.Entry<String, JsonNode>> {
    private int next;
    private int last = -1;
    private int expectedModCount = modCount;

    @Override
    public boolean hasNext() {
      return next < size;
    }

    @Override
    public Map.Entry<String, JsonNode> next() {
      if (modCount != expectedModCount) throw new ConcurrentModificationException();
      if (next >= size) throw new NoSuchElementException();
      last = next++;
      return new Field((String) slots[2 * last], (JsonNode) slots[2 * last + 1]);
    }

    @Override
    public void remove() {
      if (last < 0) throw new IllegalStateException();
      if (modCount != expectedModCount) throw new ConcurrentModificationException();
      removeAt(last);
      next = last;
      last = -1;
      expectedModCount = modCount;
    }
  }

  /** An entry as it was when iterated; setting its value writes the field through, as a map's entry does. */
  private final class Field extends AbstractMap.SimpleEntry<String, JsonNode> {
    Field(String key, JsonNode value) {
      super(key, value);
    }

    @Override
    public JsonNode setValue(JsonNode value) {
      super.setValue(value);
      return put(getKey(), value);
    }
  }
}
