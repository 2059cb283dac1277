package io.troupe.persistence.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The one Jackson configuration of the Kubernetes wire format: compact, nulls left out, unknown fields tolerated. */
public final class Json {
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new Jdk8Module())
          .addModule(new ParameterNamesModule())
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .nodeFactory(Nodes.FACTORY)
          .build();

  private Json() {}

  public static ObjectNode object() {
    return Nodes.FACTORY.objectNode();
  }

  /**
   * Jackson's node factory with every object's fields in a {@link FieldMap}: the trees {@link #MAPPER} reads, and the
   * objects made from them ({@code putObject}), hold their fields compactly.
   */
  public static final class Nodes extends JsonNodeFactory {
    public static final Nodes FACTORY = new Nodes();

    private Nodes() {
      super(false);
    }

    @Override
    public ObjectNode objectNode() {
      return new ObjectNode(this, new FieldMap());
    }

    /** An empty object for {@code fields} fields. */
    public ObjectNode objectNode(int fields) {
      return new ObjectNode(this, new FieldMap(fields));
    }
  }

  /**
   * A deep copy whose objects and arrays hold collections sized to their contents. Jackson's {@code deepCopy} gives
   * every object node a {@code LinkedHashMap} of 16 slots whatever it holds, and most objects of a Kubernetes object
   * hold 1-4 fields (metadata's maps, each container, port, condition): with 100,000 pods and 5,000 nodes held, those
   * tables were 213 MB of a 1.9 GB heap ({@code bench/scale} class histogram), the maps and their entries 820 MB. Here
   * each object's fields are a {@link FieldMap} of their number (insertion order kept, growing as they are written).
   * Value nodes are immutable and shared, as Jackson's copy shares them.
   */
  @SuppressWarnings("unchecked")
  public static <T extends JsonNode> T copy(T node) {
    return (T) copyOf(node);
  }

  private static JsonNode copyOf(JsonNode node) {
    if (node instanceof ObjectNode object) {
      FieldMap fields = new FieldMap(object.size());
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        fields.append(field.getKey(), copyOf(field.getValue()));
      }
      return new ObjectNode(Nodes.FACTORY, fields);
    }
    if (node instanceof ArrayNode array) {
      List<JsonNode> items = new ArrayList<>(array.size());
      for (JsonNode item : array) items.add(copyOf(item));
      return new ArrayNode(Nodes.FACTORY, items);
    }
    if (node instanceof TextNode text) return shared(text);
    return node;
  }

  private static final int SHARED_TEXTS = 4096;
  private static final int MAX_SHARED_LENGTH = 40;

  /**
   * Short texts met lately, one per slot of their hash: most of a pod's texts are the same in every pod (its image,
   * policies, condition types and statuses, phase, the node it runs on, the second its conditions changed), and each
   * object read from a request holds its own copies, 16 + 24 + 24 bytes or more each (6.6 million of them with
   * 100,000 pods held). A copy takes the node met before when it is the same text. A slot holds the latest text of its
   * hash, so the table never grows, texts met once (names, uids) only take turns in it, and a text every object
   * repeats is found again before another one takes its slot. TextNode is immutable (a final field), so sharing it
   * across threads without a lock is safe; two threads filling a slot at once leave one of their nodes there.
   */
  private static final TextNode[] SHARED = new TextNode[SHARED_TEXTS];

  private static TextNode shared(TextNode node) {
    String text = node.textValue();
    if (text.length() > MAX_SHARED_LENGTH) return node;
    int hash = text.hashCode();
    int slot = (hash ^ (hash >>> 16)) & (SHARED_TEXTS - 1);
    TextNode known = SHARED[slot];
    if (known != null && known.textValue().equals(text)) return known;
    SHARED[slot] = node;
    return node;
  }

  public static ObjectNode toTree(Object value) {
    return MAPPER.valueToTree(value);
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Dotted paths already split, so that a hot caller ({@code spec.nodeName} in a predicate over every pod) does not
   * split its path on every call. Bounded: the paths come from code and field selectors, a few dozen in practice;
   * past the bound a path is split each time, as before.
   */
  private static final Map<String, String[]> SPLIT_PATHS = new ConcurrentHashMap<>();

  private static final int MAX_SPLIT_PATHS = 1024;

  /** The text at a dotted path ("spec.nodeName"), or null when absent or not a value. */
  public static String text(JsonNode node, String dottedPath) {
    String[] parts = SPLIT_PATHS.get(dottedPath);
    if (parts == null) {
      parts = dottedPath.split("\\.");
      if (SPLIT_PATHS.size() < MAX_SPLIT_PATHS) SPLIT_PATHS.putIfAbsent(dottedPath, parts);
    }
    JsonNode n = node;
    for (String part : parts) {
      if (n == null || !n.isObject()) return null;
      n = n.get(part);
    }
    return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
  }
}
