package io.troupe.persistence.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FieldMap} holds a JSON object's fields as Jackson's {@code LinkedHashMap} does (insertion order, a replaced
 * value keeps its place, a removed field closes the gap), below and above the size where it starts hashing.
 */
class FieldMapTest {

  /** The map and a LinkedHashMap, given the same random operations, agree after each of them. */
  @Test
  void agreesWithALinkedHashMapUnderRandomChanges() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      int keys = 1 + random.nextInt(round % 2 == 0 ? 12 : 48); // half the rounds cross MAX_SCANNED
      FieldMap map = round % 3 == 0 ? new FieldMap(random.nextInt(40)) : new FieldMap();
      Map<String, JsonNode> expected = new LinkedHashMap<>();
      for (int step = 0; step < 300; step++) {
        String key = "k" + random.nextInt(keys);
        JsonNode value = IntNode.valueOf(random.nextInt(1000));
        switch (random.nextInt(10)) {
          case 0, 1, 2, 3 -> assertEquals(expected.put(key, value), map.put(key, value), key);
          case 4, 5 -> assertEquals(expected.remove(key), map.remove(key), key);
          case 6 -> removeWhileIterating(expected, map, key);
          case 7 -> setWhileIterating(expected, map, key, value);
          case 8 -> {
            if (random.nextInt(20) == 0) {
              expected.clear();
              map.clear();
            }
          }
          default -> {
            assertEquals(expected.get(key), map.get(key), key);
            assertEquals(expected.containsKey(key), map.containsKey(key), key);
            assertEquals(expected.containsKey(key), map.keySet().contains(key), key);
          }
        }
        assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(map.entrySet()));
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(map.keySet()));
        assertEquals(new ArrayList<>(expected.values()), new ArrayList<>(map.values()));
        assertEquals(expected.size(), map.size());
        assertEquals(expected.isEmpty(), map.isEmpty());
        assertEquals(expected, map);
        assertEquals(map, expected);
        assertEquals(expected.hashCode(), map.hashCode());
        assertEquals(expected.toString(), map.toString());
      }
    }
  }

  private static void removeWhileIterating(Map<String, JsonNode> expected, FieldMap map, String key) {
    for (Map<String, JsonNode> m : List.of(expected, map)) {
      for (Iterator<String> it = m.keySet().iterator(); it.hasNext(); ) if (it.next().equals(key)) it.remove();
    }
  }

  private static void setWhileIterating(Map<String, JsonNode> expected, FieldMap map, String key, JsonNode value) {
    for (Map<String, JsonNode> m : List.of(expected, map)) {
      for (Map.Entry<String, JsonNode> field : m.entrySet()) {
        if (field.getKey().equals(key)) {
          JsonNode before = m.get(key);
          assertEquals(before, field.setValue(value));
          assertEquals(value, field.getValue());
        }
      }
    }
  }

  @Test
  void iteratorsFailFastOnAChangeMadeBesideThem() {
    FieldMap map = new FieldMap();
    map.put("a", TextNode.valueOf("1"));
    map.put("b", TextNode.valueOf("2"));
    Iterator<Map.Entry<String, JsonNode>> it = map.entrySet().iterator();
    it.next();
    map.put("c", TextNode.valueOf("3"));
    assertThrows(ConcurrentModificationException.class, it::next);
    Iterator<String> keys = map.keySet().iterator();
    assertThrows(IllegalStateException.class, keys::remove);
  }

  /** Trees the wire mapper reads, copies and Kryo reads hold their fields here and equal trees Jackson builds. */
  @Test
  void treesWithTheseFieldsAreTheSameJsonTrees() throws Exception {
    StringBuilder big = new StringBuilder("{");
    for (int i = 0; i < 40; i++) big.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(i);
    String json = "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\"}]},"
        + "\"data\":" + big.append('}') + "}";
    ObjectNode read = (ObjectNode) Json.MAPPER.readTree(json);
    ObjectNode jackson = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    assertEquals(jackson, read);
    assertEquals(read, jackson);
    assertEquals(jackson.hashCode(), read.hashCode());
    assertEquals(json, Json.MAPPER.writeValueAsString(read));
    ObjectNode copy = Json.copy(jackson);
    assertEquals(jackson, copy);
    assertEquals(json, Json.write(copy));
    assertEquals(json, Json.write(read.deepCopy()));
    assertTrue(read.path("spec").path("containers").get(0) instanceof ObjectNode);

    ObjectNode built = Json.object();
    built.putObject("spec").put("replicas", 3);
    ObjectNode plain = JsonNodeFactory.instance.objectNode();
    plain.putObject("spec").put("replicas", 3);
    assertEquals(plain, built);
    assertFalse(built.path("spec").path("replicas").isMissingNode());
  }
}
