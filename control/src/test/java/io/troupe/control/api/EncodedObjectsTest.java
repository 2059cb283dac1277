package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.watch.WatchEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kept JSON is byte for byte what Jackson writes for the same list, object and watch event. */
class EncodedObjectsTest {
  final EncodedObjects encoded = new EncodedObjects();

  static KubeObject configMap(String name, String value) {
    ObjectNode body = Json.object();
    body.putObject("data").put("k", value + " \"quoted\" \u00e9\u6f22");
    return new KubeObject("v1", "ConfigMap", ObjectMeta.named("default", name)
        .withCreation("uid-" + name, "2026-12-06T00:00:00Z").withResourceVersion("7"), body);
  }

  static ObjectNode envelope() {
    ObjectNode list = Json.object();
    list.put("kind", "ConfigMapList");
    list.put("apiVersion", "v1");
    list.putObject("metadata").put("resourceVersion", "42").put("continue", "abc");
    return list;
  }

  @Test
  void aListIsWhatJacksonWritesForItsTree() throws Exception {
    List<KubeObject> items = List.of(configMap("a", "1"), configMap("b", "2"), configMap("c", "3"));
    ObjectNode expected = envelope();
    var array = expected.putArray("items");
    for (KubeObject o : items) array.add(o.toTree());
    assertEquals(Json.write(expected), encoded.list(envelope(), items).utf8String());

    ObjectNode empty = envelope();
    empty.putArray("items");
    assertEquals(Json.write(empty), encoded.list(envelope(), List.of()).utf8String());
  }

  @Test
  void anObjectVersionIsWrittenOnceAndAnotherOneAgain() {
    KubeObject a = configMap("a", "1");
    byte[] first = encoded.json(a);
    assertArrayEquals(Json.bytes(a), first);
    assertSame(first, encoded.json(a), "the same version: the kept bytes");
    KubeObject equalButAnother = configMap("a", "1");
    assertNotSame(first, encoded.json(equalButAnother), "kept by identity, not by equality");
    assertArrayEquals(first, encoded.json(equalButAnother));
  }

  @Test
  void aWatchEventIsWhatJacksonWritesForIt() {
    for (WatchEvent.Type type : WatchEvent.Type.values()) {
      KubeObject o = configMap("w", type.name());
      ObjectNode expected = Json.object();
      expected.put("type", type.name());
      expected.set("object", o.toTree());
      assertEquals(Json.write(expected), encoded.watchEvent(new WatchEvent(type, o)).utf8String());
    }
  }
}
