package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Leases (coordination.k8s.io/v1) through the API: what a leader election in a real client (fabric8's LeaderElector
 * on a LeaseLock) does with them, and the Leases Kubernetes refuses.
 */
class LeaseApiTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static ControlPlane plane;
  private static KubernetesClient client;
  private static HttpApi api;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) client.close();
    if (plane != null) plane.close();
  }

  @Test
  void oneOfTwoCandidatesLeadsAndTheOtherTakesOverWhenItLetsGo() {
    String ns = Fabric8Clients.newNamespace(client, "leases");
    List<String> events = new CopyOnWriteArrayList<>();
    CompletableFuture<?> first = elector(ns, "first", events::add).start();
    Fabric8Clients.awaitUntil(DEADLINE, () -> events.contains("first leads"), () -> "first leads: " + events);
    CompletableFuture<?> second = elector(ns, "second", events::add).start();
    try {
      Lease held = client.leases().inNamespace(ns).withName("leader").get();
      assertEquals("first", held.getSpec().getHolderIdentity());
      assertEquals(3, held.getSpec().getLeaseDurationSeconds());
      // the leader renews: renewTime moves on while the holder stays, and the other candidate waits
      var renewed = held.getSpec().getRenewTime();
      Fabric8Clients.awaitUntil(DEADLINE, () -> client.leases().inNamespace(ns).withName("leader").get().getSpec()
          .getRenewTime().isAfter(renewed), () -> "the lease renewed");
      assertEquals("first", client.leases().inNamespace(ns).withName("leader").get().getSpec().getHolderIdentity());
      assertFalse(events.contains("second leads"), events.toString());

      first.cancel(true); // releases the lease (releaseOnCancel)
      Fabric8Clients.awaitUntil(DEADLINE, () -> events.contains("second leads"), () -> "second leads: " + events);
      Lease taken = client.leases().inNamespace(ns).withName("leader").get();
      assertEquals("second", taken.getSpec().getHolderIdentity());
      assertTrue(taken.getSpec().getLeaseTransitions() >= 1, "a transition counted: " + taken.getSpec());
      assertTrue(events.indexOf("first stops") < events.indexOf("second leads"), events.toString());
    } finally {
      first.cancel(true);
      second.cancel(true);
    }
  }

  @Test
  void aRenewalKeepsTheGenerationAndIsListedWithItsHolder() throws Exception {
    String ns = Fabric8Clients.newNamespace(client, "lease-renewal");
    String path = "/apis/coordination.k8s.io/v1/namespaces/" + ns + "/leases";
    HttpApi.Answer created = api.post(path, lease("renewed", 15, "2026-12-06T10:00:00.000000Z"));
    assertEquals(201, created.code(), created.body());
    ObjectNode renewal = (ObjectNode) created.json();
    ((ObjectNode) renewal.path("spec")).put("renewTime", "2026-12-06T10:00:02.500000Z");
    HttpApi.Answer replaced = api.put(path + "/renewed", renewal);
    assertEquals(200, replaced.code(), replaced.body());
    assertEquals("2026-12-06T10:00:02.500000Z", replaced.json().path("spec").path("renewTime").asText());
    assertEquals(created.json().path("metadata").path("generation"),
        replaced.json().path("metadata").path("generation"), "a renewal is no new generation");
    // as kubectl lists them: NAME, HOLDER, AGE
    HttpRequest list = HttpRequest.newBuilder(URI.create(TestControlPlane.url(plane) + path))
        .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").build();
    JsonNode table = Json.MAPPER.readTree(
        HttpClient.newHttpClient().send(list, HttpResponse.BodyHandlers.ofString()).body());
    List<String> columns = new java.util.ArrayList<>();
    table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
    assertEquals(List.of("Name", "Holder", "Age"), columns);
    JsonNode cells = table.path("rows").get(0).path("cells");
    assertEquals(List.of("renewed", "me"), List.of(cells.get(0).asText(), cells.get(1).asText()));
  }

  @Test
  void leasesKubernetesRefusesAreRefusedAndNothingIsWritten() {
    String ns = Fabric8Clients.newNamespace(client, "bad-leases");
    String path = "/apis/coordination.k8s.io/v1/namespaces/" + ns + "/leases";
    expectInvalid(path, lease("zero", 0, null),
        "Lease.coordination.k8s.io \"zero\" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be "
            + "greater than 0");
    ObjectNode transitions = lease("transitions", 10, null);
    ((ObjectNode) transitions.path("spec")).put("leaseTransitions", -1);
    expectInvalid(path, transitions, "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0");
    expectInvalid(path, lease("yesterday", 10, "yesterday"),
        "spec.renewTime: Invalid value: \"yesterday\": must be an RFC 3339 time");
    ObjectNode words = lease("words", 10, null);
    ((ObjectNode) words.path("spec")).put("leaseDurationSeconds", "ten");
    expectInvalid(path, words, "spec.leaseDurationSeconds: Invalid value: \"ten\": must be an integer");
    ObjectNode preferred = lease("preferred", 10, null);
    ((ObjectNode) preferred.path("spec")).put("preferredHolder", "someone");
    expectInvalid(path, preferred, "spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined");
    assertEquals(0, api.get(path).json().path("items").size(), "no lease was written");
  }

  private static void expectInvalid(String path, ObjectNode lease, String message) {
    HttpApi.Answer answer = api.post(path, lease);
    assertEquals(422, answer.code(), answer.body());
    JsonNode status = answer.json();
    assertEquals("Invalid", status.path("reason").asText(), answer.body());
    assertTrue(status.path("message").asText().contains(message), status.path("message").asText());
    String name = lease.path("metadata").path("name").asText();
    assertEquals(404, api.get(path + "/" + name).code(), "half-written: " + name);
  }

  private static ObjectNode lease(String name, int durationSeconds, String renewTime) {
    ObjectNode lease = Json.object();
    lease.put("apiVersion", "coordination.k8s.io/v1");
    lease.put("kind", "Lease");
    lease.putObject("metadata").put("name", name);
    ObjectNode spec = lease.putObject("spec").put("holderIdentity", "me").put("leaseDurationSeconds", durationSeconds);
    if (renewTime != null) spec.put("renewTime", renewTime);
    return lease;
  }

  private static io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector elector(String ns, String identity,
      Consumer<String> events) {
    return client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
        .withName("troupe-test")
        .withLock(new LeaseLock(ns, "leader", identity))
        .withLeaseDuration(Duration.ofSeconds(3))
        .withRenewDeadline(Duration.ofSeconds(2))
        .withRetryPeriod(Duration.ofMillis(250))
        .withReleaseOnCancel(true)
        .withLeaderCallbacks(new LeaderCallbacks(() -> events.accept(identity + " leads"),
            () -> events.accept(identity + " stops"), leader -> {}))
        .build()).build();
  }
}
