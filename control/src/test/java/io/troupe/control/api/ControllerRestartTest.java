package io.troupe.control.api;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With a tiny watcher buffer the watch cache closes the controllers' watches under a burst of changes; the
 * controllers start over with a full sync and still finish their work.
 */
class ControllerRestartTest {
  static ControlPlane plane;
  static HttpApi api;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true, "troupe.watch-cache.watcher-buffer", 2));
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  @Test
  void aNamespaceEmptiedUnderABurstOfChangesIsStillDeleted() {
    assertEquals(201, api.post("/api/v1/namespaces", Map.of("metadata", Map.of("name", "burst"))).code());
    CompletableFuture.allOf(IntStream.range(0, 60).mapToObj(i -> CompletableFuture.runAsync(() ->
            assertEquals(201, api.post("/api/v1/namespaces/burst/configmaps", HttpApi.configMap("cm-" + i, "v")).code())))
        .toArray(CompletableFuture[]::new)).join();
    assertEquals(202, api.delete("/api/v1/namespaces/burst").code());
    awaitUntil(Duration.ofSeconds(60), () -> api.get("/api/v1/namespaces/burst").code() == 404,
        () -> "namespace remains with " + api.get("/api/v1/namespaces/burst/configmaps").json().path("items").size()
            + " config maps");
  }
}
