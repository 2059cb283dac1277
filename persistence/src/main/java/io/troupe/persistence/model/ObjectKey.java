package io.troupe.persistence.model;

/** Keys of objects in the store: {@code Kind/namespace/name}, namespace empty for cluster-scoped kinds. */
public final class ObjectKey {
  private ObjectKey() {}

  public static String of(String kind, String namespace, String name) {
    return kind + "/" + (namespace == null ? "" : namespace) + "/" + name;
  }

  /** The first key of a kind (and namespace, if given) in key order; the range ends at {@link #end}. */
  public static String start(String kind, String namespace) {
    return namespace == null ? kind + "/" : kind + "/" + namespace + "/";
  }

  /** The key just past the last key that starts with {@code prefix} ('/' + 1 = '0'). */
  public static String end(String prefix) {
    return prefix.substring(0, prefix.length() - 1) + "0";
  }
}
