package io.troupe.control.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The protobuf bodies kubectl sends where it uses Kubernetes' protobuf encoding for a create: the reviews of
 * {@code kubectl auth can-i} (SelfSubjectAccessReview, SelfSubjectRulesReview) and the TokenRequest of
 * {@code kubectl create token}. The {@code k8s\0} envelope ({@code runtime.Unknown} with the type and the raw
 * object) is read into the JSON these endpoints take. Hand-read rather than with protobuf-java and generated
 * classes: only the few fields of these specs are read (field numbers from {@code k8s.io/api/authorization/v1} and
 * {@code authentication/v1/generated.proto}), every other field is skipped.
 */
final class ProtobufBodies {
  static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
  private static final byte[] MAGIC = {'k', '8', 's', 0};

  private ProtobufBodies() {}

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
      if ("TokenRequest".equals(review.path("kind").asText())) {
        while (object.more()) {
          if (object.tag() == 2 && object.wire == 2) tokenRequestSpec(object.message(), spec);
          else object.skip();
        }
        return review;
      }
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

  /** TokenRequestSpec: audiences (1, repeated), boundObjectRef (3), expirationSeconds (4). */
  private static void tokenRequestSpec(Reader r, ObjectNode spec) {
    while (r.more()) {
      int f = r.tag();
      if (f == 1 && r.wire == 2) {
        spec.withArray("audiences").add(r.string());
      } else if (f == 3 && r.wire == 2) {
        ObjectNode ref = spec.putObject("boundObjectRef");
        Reader b = r.message();
        while (b.more()) {
          int g = b.tag();
          if (g >= 1 && g <= 4 && b.wire == 2) ref.put(new String[] {"kind", "apiVersion", "name", "uid"}[g - 1],
              b.string());
          else b.skip();
        }
      } else if (f == 4 && r.wire == 0) {
        spec.put("expirationSeconds", r.varint());
      } else {
        r.skip();
      }
    }
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
