package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.Json;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The service account controller through the real API: a new namespace gets its default account, again when deleted. */
class ServiceAccountsControllerTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static ControlPlane plane;
  private static HttpApi api;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true));
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  @Test
  void everyNamespaceHasADefaultServiceAccountAndGetsItBack() {
    var ns = Json.object().put("apiVersion", "v1").put("kind", "Namespace");
    ns.putObject("metadata").put("name", "team-a");
    String accounts = "/api/v1/namespaces/team-a/serviceaccounts";
    try (HttpApi.Watch watch = api.watch(accounts + "?watch=true")) {
      assertEquals(201, api.post("/api/v1/namespaces", ns).code());
      JsonNode added = watch.nextChange(WITHIN);
      assertEquals("ADDED", added.path("type").asText(), added::toString);
      assertEquals("default", added.path("object").path("metadata").path("name").asText());
      String uid = added.path("object").path("metadata").path("uid").asText();

      assertEquals(200, api.delete(accounts + "/default").code());
      assertEquals("DELETED", watch.nextChange(WITHIN).path("type").asText());
      JsonNode again = watch.nextChange(WITHIN);
      assertEquals("ADDED", again.path("type").asText(), again::toString);
      assertEquals("default", again.path("object").path("metadata").path("name").asText());
      assertEquals(false, uid.equals(again.path("object").path("metadata").path("uid").asText()));
    }
    // the namespaces of every cluster have theirs too
    for (String name : new String[] {"default", "kube-system", "kube-public", "kube-node-lease"}) {
      try (HttpApi.Watch watch = api.watch("/api/v1/namespaces/" + name + "/serviceaccounts?watch=true")) {
        JsonNode first = watch.nextChange(WITHIN);
        assertEquals("default", first.path("object").path("metadata").path("name").asText(), first::toString);
      }
    }
  }
}
