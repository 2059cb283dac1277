package io.troupe.persistence.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** An Event's name: the same for the same event about any version of its object, another for anything else. */
class EventsTest {
  private static KubeObject pod(String name, String uid, String resourceVersion) throws Exception {
    return KubeObject.fromTree((ObjectNode) Json.MAPPER.readTree(("{'apiVersion':'v1','kind':'Pod','metadata':{"
        + "'name':'" + name + "','namespace':'default','uid':'" + uid + "','resourceVersion':'" + resourceVersion
        + "'}}").replace('\'', '"')));
  }

  private static String name(KubeObject involved, String reason, String message, String host) {
    return Events.about(involved, "Normal", reason, message, "kubelet", host).metadata().name();
  }

  @Test
  void sameEventAboutAnotherVersionHasTheSameName() throws Exception {
    String first = name(pod("web", "u1", "7"), "Started", "Started container c", "n1");
    assertTrue(first.matches("web\\.[0-9a-f]{16}"), first);
    assertEquals(first, name(pod("web", "u1", "8"), "Started", "Started container c", "n1"));
    assertEquals("default", Events.about(pod("web", "u1", "7"), "Normal", "Started", "m", "kubelet", null)
        .metadata().namespace());
  }

  @Test
  void anythingElseTheEventIsAboutGivesAnotherName() throws Exception {
    String base = name(pod("web", "u1", "7"), "Started", "Started container c", "n1");
    assertNotEquals(base, name(pod("web", "u2", "7"), "Started", "Started container c", "n1"));
    assertNotEquals(base, name(pod("web", "u1", "7"), "Created", "Started container c", "n1"));
    assertNotEquals(base, name(pod("web", "u1", "7"), "Started", "Started container d", "n1"));
    assertNotEquals(base, name(pod("web", "u1", "7"), "Started", "Started container c", "n2"));
    assertNotEquals(base, name(pod("web", "u1", "7"), "Started", "Started container c", null));
    // the separators keep one field's end from passing for the next one's start
    assertNotEquals(name(pod("web", "u1", "7"), "Started", "ab", "n1"), name(pod("web", "u1", "7"), "Starteda", "b",
        "n1"));
  }
}
