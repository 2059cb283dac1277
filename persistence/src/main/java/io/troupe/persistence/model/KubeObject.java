package io.troupe.persistence.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * One Kubernetes object: {@code apiVersion}, {@code kind}, a typed {@link ObjectMeta}, and the rest of the
 * object (spec, status, data, subsets, ...) as a JSON tree.
 *
 * <p>Why a tree and not a record per kind: Kubernetes kinds have hundreds of fields and clients send all
 * of them; the store must give back every field it was given (unknown fields are kept, never dropped), while
 * the control plane reads only a few, through small typed views of its own. The tree is never mutated after
 * construction: every change builds a new object from a deep copy.
 */
@JsonSerialize(using = KubeObject.Writer.class)
@JsonDeserialize(using = KubeObject.Reader.class)
public record KubeObject(String apiVersion, String kind, ObjectMeta metadata, ObjectNode body) {

  public KubeObject {
    if (metadata == null) metadata = ObjectMeta.named(null, null);
    body = body == null ? Json.object() : body;
  }

  /** Reads a wire object (a JSON tree); fields other than apiVersion, kind and metadata go to the body. */
  public static KubeObject fromTree(ObjectNode tree) {
    ObjectNode body = Json.copy(tree);
    JsonNode apiVersion = body.remove("apiVersion");
    JsonNode kind = body.remove("kind");
    JsonNode meta = body.remove("metadata");
    ObjectMeta metadata;
    try {
      metadata = meta == null || meta.isNull()
          ? ObjectMeta.named(null, null)
          : Json.MAPPER.treeToValue(meta, ObjectMeta.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("metadata: " + e.getMessage(), e);
    }
    return new KubeObject(textOrNull(apiVersion), textOrNull(kind), metadata, body);
  }

  private static String textOrNull(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  public ObjectNode toTree() {
    ObjectNode tree = Json.object();
    if (apiVersion != null) tree.put("apiVersion", apiVersion);
    if (kind != null) tree.put("kind", kind);
    tree.set("metadata", Json.MAPPER.valueToTree(metadata));
    Iterator<Map.Entry<String, JsonNode>> fields = body.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      tree.set(f.getKey(), f.getValue().deepCopy());
    }
    return tree;
  }

  /** The object's key in the store and the sharded entity id: {@code Kind/namespace/name} ("" for cluster scope). */
  public String key() {
    return ObjectKey.of(kind, metadata.namespace(), metadata.name());
  }

  public JsonNode spec() {
    return body.get("spec");
  }

  public JsonNode status() {
    return body.get("status");
  }

  public KubeObject withMetadata(ObjectMeta value) {
    return new KubeObject(apiVersion, kind, value, body);
  }

  /** A copy whose body field {@code name} is replaced (or removed when {@code value} is null). */
  public KubeObject withField(String name, JsonNode value) {
    ObjectNode copy = Json.copy(body);
    if (value == null || value.isNull()) copy.remove(name);
    else copy.set(name, Json.copy(value));
    return new KubeObject(apiVersion, kind, metadata, copy);
  }

  public KubeObject withResourceVersion(long revision) {
    return withMetadata(metadata.withResourceVersion(Long.toString(revision)));
  }

  /**
   * The object for a log line or a message: a Secret without its contents (data, stringData, and its metadata's
   * annotations and labels, where kubectl apply keeps a copy of the whole object), the names of its keys kept, as
   * {@code kubectl describe secret} shows them; every other kind whole.
   */
  @Override
  public String toString() {
    if (!"Secret".equals(kind)) {
      return "KubeObject[apiVersion=" + apiVersion + ", kind=" + kind + ", metadata=" + metadata + ", body=" + body
          + "]";
    }
    java.util.List<String> keys = new java.util.ArrayList<>();
    for (String field : new String[] {"data", "stringData"}) {
      body.path(field).fieldNames().forEachRemaining(k -> keys.add(field + "." + k));
    }
    return "KubeObject[apiVersion=" + apiVersion + ", kind=Secret, namespace=" + metadata.namespace() + ", name="
        + metadata.name() + ", uid=" + metadata.uid() + ", resourceVersion=" + metadata.resourceVersion()
        + ", type=" + body.path("type").asText("") + ", keys=" + keys + " (contents redacted)]";
  }

  static final class Writer extends StdSerializer<KubeObject> {
    /** Metadata as {@link #toTree()} writes it: through {@link Json#MAPPER}, whichever mapper writes the object. */
    private static final com.fasterxml.jackson.databind.ObjectWriter METADATA = Json.MAPPER.writerFor(ObjectMeta.class)
        .without(com.fasterxml.jackson.databind.SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
    private static final java.util.Set<String> TYPED = java.util.Set.of("apiVersion", "kind", "metadata");

    Writer() {
      super(KubeObject.class);
    }

    /**
     * The JSON of {@link #toTree()}, written field by field: {@code toTree} copies the whole body, and every journal
     * write, list item and watch event was serialized through such a copy (garbage the size of the object). A body
     * field named like a typed one, which {@link #fromTree} never leaves in a body, is not written (toTree would let
     * it replace the typed one).
     */
    @Override
    public void serialize(KubeObject value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeStartObject();
      if (value.apiVersion() != null) gen.writeStringField("apiVersion", value.apiVersion());
      if (value.kind() != null) gen.writeStringField("kind", value.kind());
      gen.writeFieldName("metadata");
      METADATA.writeValue(gen, value.metadata());
      Iterator<Map.Entry<String, JsonNode>> fields = value.body().fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (TYPED.contains(f.getKey())) continue; // never in a body made by fromTree; the typed fields win
        gen.writeFieldName(f.getKey());
        f.getValue().serialize(gen, provider);
      }
      gen.writeEndObject();
    }
  }

  static final class Reader extends StdDeserializer<KubeObject> {
    Reader() {
      super(KubeObject.class);
    }

    @Override
    public KubeObject deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode tree = p.getCodec().readTree(p);
      if (!tree.isObject()) {
        return (KubeObject) ctxt.handleUnexpectedToken(KubeObject.class, p);
      }
      return fromTree((ObjectNode) tree);
    }
  }
}
