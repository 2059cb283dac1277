package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.Events;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.store.EventRecorder;
import io.troupe.persistence.watch.Stored;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Events as a user lists them: the same event recorded again counts up, and every event expires after its TTL. */
class EventsTest {
  private static final Duration TTL = Duration.ofSeconds(3);
  private static ControlPlane plane;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true, "troupe.events.ttl", TTL.toSeconds() + "s"));
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) client.close();
    if (plane != null) plane.close();
  }

  static KubeObject configMap(String name) {
    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName(name)
        .endMetadata().addToData("k", "v").build()).create();
    return plane.store().get(ObjectKey.of("ConfigMap", "default", name)).map(Stored::object).orElseThrow();
  }

  static void record(KubeObject involved, String reason, String message) throws Exception {
    EventRecorder.record(plane.store().as("test-recorder"),
        Events.about(involved, "Warning", reason, message, "test-recorder", null))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static List<Event> eventsAbout(String name) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  @Test
  void theSameEventAgainCountsUpAndADifferentOneIsItsOwn() throws Exception {
    KubeObject cm = configMap("counted");
    record(cm, "Failing", "it failed");
    record(cm, "Failing", "it failed");
    record(cm, "Failing", "it failed");
    record(cm, "Failing", "it failed differently");
    List<Event> events = eventsAbout("counted");
    assertEquals(2, events.size(), "one event per distinct message: " + events);
    Event repeated = events.stream().filter(e -> e.getMessage().equals("it failed")).findFirst().orElseThrow();
    assertEquals(3, repeated.getCount());
    Event other = events.stream().filter(e -> e.getMessage().equals("it failed differently")).findFirst()
        .orElseThrow();
    assertEquals(1, other.getCount());
    assertNotEquals(repeated.getMetadata().getName(), other.getMetadata().getName());
  }

  @Test
  void anEventExpiresAfterItsTtl() throws Exception {
    KubeObject cm = configMap("fleeting");
    record(cm, "Noticed", "something happened");
    assertEquals(1, eventsAbout("fleeting").size());
    Fabric8Clients.awaitUntil(TTL.plusSeconds(20), () -> eventsAbout("fleeting").isEmpty(),
        () -> "the event gone after its TTL of " + TTL + ": " + eventsAbout("fleeting"));
  }
}
