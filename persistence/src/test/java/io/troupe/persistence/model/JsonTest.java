package io.troupe.persistence.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * {@link Json#text}: the value at a dotted path, the same on every call (its split paths are cached);
 * {@link Json#copy}: an equal tree, whose short texts are the nodes of earlier copies when they say the same.
 */
class JsonTest {
  private static JsonNode tree(String json) throws Exception {
    return Json.MAPPER.readTree(json.replace('\'', '"'));
  }

  @Test
  void textAtADottedPath() throws Exception {
    JsonNode pod = tree("{'spec':{'nodeName':'n1','replicas':3,'empty':null,'list':[1],'obj':{}},'status':'x'}");
    for (int call = 0; call < 2; call++) { // the second call reads the cached split
      assertEquals("n1", Json.text(pod, "spec.nodeName"));
      assertEquals("3", Json.text(pod, "spec.replicas"));
      assertEquals("x", Json.text(pod, "status"));
      assertNull(Json.text(pod, "spec.missing"));
      assertNull(Json.text(pod, "spec.empty"));
      assertNull(Json.text(pod, "spec.list"));
      assertNull(Json.text(pod, "spec.obj"));
      assertNull(Json.text(pod, "status.phase"), "a path through a value, not an object");
      assertNull(Json.text(pod, "spec.nodeName.deeper"));
    }
  }

  @Test
  void copiesShareTheirShortTextsAndEqualTheOriginal() throws Exception {
    String longText = "x".repeat(41);
    String json = "{'spec':{'containers':[{'image':'busybox','imagePullPolicy':'IfNotPresent','args':['" + longText
        + "']}]}}";
    JsonNode first = Json.copy(tree(json));
    JsonNode second = Json.copy(tree(json)); // read again: every text a node of its own
    assertEquals(tree(json), first);
    assertEquals(first, second);
    JsonNode a = first.path("spec").path("containers").get(0);
    JsonNode b = second.path("spec").path("containers").get(0);
    assertSame(a.get("image"), b.get("image"));
    assertSame(a.get("imagePullPolicy"), b.get("imagePullPolicy"));
    assertNotSame(a.get("args").get(0), b.get("args").get(0), "a long text is copied as it is, never looked for");
  }
}
