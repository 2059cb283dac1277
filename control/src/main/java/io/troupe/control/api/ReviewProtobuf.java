package io.troupe.control.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The protobuf bodies {@code kubectl auth can-i} sends (it asks for SelfSubjectAccessReviews and
 * SelfSubjectRulesReviews in Kubernetes' protobuf encoding): the {@code k8s\0} envelope ({@code runtime.Unknown}
 * with the type and the raw object), read into the JSON the reviews take. Hand-read rather than with protobuf-java
 * and generated classes: only the few string fields of a review's spec are read (field numbers from
 * {@code k8s.io/api/authorization/v1/generated.proto}), every other field is skipped.
 */
final class ReviewProtobuf {
  static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private ReviewProtobuf() {}

  /** The review as JSON ({@code apiVersion}, {@code kind}, {@code spec}); 400 for what is not one. */
  static ObjectNode decode(byte[] body) {
    if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
      throw ApiException.badRequest("the protobuf body does not start with the k8s envelope");
    }
    try {
      ObjectNode review = Json.object();
      Reader unknown = new Reader(body, MAGIC.length, body.length);
      byte[] raw = null;
      while (unknown.more()) {
        int field = unknown.tag();
        if (field == 1 && unknown.wire == 2) {
          Reader typeMeta = unknown.message();
          while (typeMeta.more()) {
            int f = typeMeta.tag();
            if (f == 1 && typeMeta.wire == 2) review.put("apiVersion", typeMeta.string());
            else if (f == 2 && typeMeta.wire == 2) review.put("kind", typeMeta.string());
            else typeMeta.skip();
          }
        } else if (field == 2 && unknown.wire == 2) {
          raw = unknown.bytes();
        } else {
          unknown.skip();
        }
      }
      if (raw == null) throw ApiException.badRequest("the protobuf envelope holds no object");
      Reader object = new Reader(raw, 0, raw.length);
      ObjectNode spec = review.putObject("spec");
      boolean rules = "SelfSubjectRulesReview".equals(review.path("kind").asText());
      while (object.more()) {
        int field = object.tag();
        if (field == 2 && object.wire == 2) {
          Reader s = object.message();
          while (s.more()) {
            int f = s.tag();
            if (rules && f == 1 && s.wire == 2) spec.put("namespace", s.string());
            else if (!rules && f == 1 && s.wire == 2) spec.set("resourceAttributes", resourceAttributes(s.message()));
            else if (!rules && f == 2 && s.wire == 2) spec.set("nonResourceAttributes", nonResourceAttributes(s.message()));
            else s.skip();
          }
        } else {
          object.skip();
        }
      }
      return review;
    } catch (ArrayIndexOutOfBoundsException | IllegalStateException e) {
      throw ApiException.badRequest("cannot read the protobuf body: it ends early or is malformed");
    }
  }

  private static final String[] RESOURCE_FIELDS =
      {null, "namespace", "verb", "group", "version", "resource", "subresource", "name"};

  private static ObjectNode resourceAttributes(Reader r) {
    ObjectNode attributes = Json.object();
    while (r.more()) {
      int f = r.tag();
      if (f >= 1 && f < RESOURCE_FIELDS.length && r.wire == 2) attributes.put(RESOURCE_FIELDS[f], r.string());
      else r.skip();
    }
    return attributes;
  }

  private static ObjectNode nonResourceAttributes(Reader r) {
    ObjectNode attributes = Json.object();
    while (r.more()) {
      int f = r.tag();
      if (f == 1 && r.wire == 2) attributes.put("path", r.string());
      else if (f == 2 && r.wire == 2) attributes.put("verb", r.string());
      else r.skip();
    }
    return attributes;
  }

  /** Protobuf's wire format over a slice of bytes: tags, varints, length-delimited fields. */
  private static final class Reader {
    private final byte[] data;
    private int at;
    private final int end;
    int wire;

    Reader(byte[] data, int from, int end) {
      this.data = data;
      this.at = from;
      this.end = end;
    }

    boolean more() {
      return at < end;
    }

    int tag() {
      long tag = varint();
      wire = (int) (tag & 7);
      return (int) (tag >>> 3);
    }

    long varint() {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (at >= end) throw new IllegalStateException("varint past the end");
        byte b = data[at++];
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) return value;
      }
      throw new IllegalStateException("varint too long");
    }

    private int length() {
      long length = varint();
      if (length < 0 || length > end - at) throw new IllegalStateException("length past the end");
      return (int) length;
    }

    byte[] bytes() {
      int length = length();
      byte[] out = Arrays.copyOfRange(data, at, at + length);
      at += length;
      return out;
    }

    String string() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    Reader message() {
      int length = length();
      Reader r = new Reader(data, at, at + length);
      at += length;
      return r;
    }

    void skip() {
      switch (wire) {
        case 0 -> varint();
        case 1 -> at += 8;
        case 2 -> {
          int length = length(); // read before adding: "at += length()" would add to the position before the varint
          at += length;
        }
        case 5 -> at += 4;
        default -> throw new IllegalStateException("wire type " + wire);
      }
      if (at > end) throw new IllegalStateException("field past the end");
    }
  }
}
