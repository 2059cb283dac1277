package io.troupe.control.api.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.ApiException;
import io.troupe.control.api.validation.Cause;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ResourceType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Bounds on what a write may store, whatever path it came by (create, update, any patch, status): an object
 * encoded as JSON is at most {@link #MAX_OBJECT_BYTES}, and nested at most {@link #MAX_DEPTH} levels deep.
 * A request body is bounded separately (3 MiB, 413) as it is read.
 */
public final class ObjectLimits {
  /**
   * etcd's default {@code --max-request-bytes}: the largest object Kubernetes can store. Kubernetes finds out
   * when etcd refuses the write; Troupe checks before writing, and answers 422 Invalid (the request was
   * readable, the object is what is wrong).
   */
  public static final int MAX_OBJECT_BYTES = 1536 * 1024;
  /**
   * Levels of objects and arrays. Kubernetes' decoders allow 10,000 (Go's encoding/json, on growable stacks);
   * the deepest built-in object is about 14 (a CronJob's pod affinity: jobTemplate.spec.template.spec.affinity
   * ... matchExpressions[].values[]), and the code that copies, patches, validates and serializes trees here
   * recurses once per level on a fixed JVM stack. 100 leaves room for any real object and none for a
   * stack-exhausting one.
   */
  public static final int MAX_DEPTH = 100;

  private ObjectLimits() {}

  /** 422 Invalid when the object is too large once encoded, or too deep. */
  public static void check(ResourceType type, KubeObject object) {
    check(type, object.metadata().name(), object.toTree());
  }

  public static void check(ResourceType type, String name, ObjectNode tree) {
    if (depth(tree, 1) > MAX_DEPTH) {
      throw ApiException.invalid(type.kind(), type.group(), name, List.of(Cause.invalid("", "(object)",
          "must be nested at most " + MAX_DEPTH + " levels deep")));
    }
    long size = encodedSize(tree);
    if (size > MAX_OBJECT_BYTES) {
      throw ApiException.invalid(type.kind(), type.group(), name, List.of(new Cause("", Cause.FIELD_VALUE_TOO_LONG,
          "Too long: the object is " + size + " bytes once encoded, may not be more than " + MAX_OBJECT_BYTES
              + " bytes")));
    }
  }

  /** The depth of a tree, counted up to one past the limit (a deeper tree is not walked further). */
  static int depth(JsonNode node, int level) {
    if (!node.isContainerNode() || level > MAX_DEPTH) return level;
    int deepest = level;
    for (JsonNode child : node) {
      if (child.isContainerNode()) deepest = Math.max(deepest, depth(child, level + 1));
      if (deepest > MAX_DEPTH) break;
    }
    return deepest;
  }

  static long encodedSize(JsonNode tree) {
    Counting out = new Counting();
    try {
      Json.MAPPER.writeValue(out, tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.count;
  }

  private static final class Counting extends OutputStream {
    private long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
