package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Graceful pod deletion through the API, as Kubernetes does it: a pod bound to a node is only marked
 * (deletionTimestamp, deletionGracePeriodSeconds) and stays readable until a delete with grace 0 (its node agent's)
 * removes it. No controllers and no agent run here, so nothing but the test finishes a deletion.
 */
class GracefulDeletionTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static ControlPlane plane;
  private static HttpApi api;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
    api = new HttpApi(TestControlPlane.url(plane));
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    plane.close();
  }

  private static String namespace() {
    return "/api/v1/namespaces/" + Fabric8Clients.newNamespace(client, "grace");
  }

  /** A pod created already bound to node-1 (a scheduler's work), with the default grace period of 30 s. */
  private static JsonNode boundPod(String ns, String name) {
    ObjectNode pod = HttpApi.pod(name);
    ((ObjectNode) pod.path("spec")).put("nodeName", "node-1");
    HttpApi.Answer created = api.post(ns + "/pods", pod);
    assertEquals(201, created.code(), created::body);
    assertEquals(30, created.json().path("spec").path("terminationGracePeriodSeconds").asInt(),
        "defaulted by admission");
    return created.json();
  }

  private static Instant deletionTimestamp(JsonNode pod) {
    return Instant.parse(pod.path("metadata").path("deletionTimestamp").asText());
  }

  private static long grace(JsonNode pod) {
    return pod.path("metadata").path("deletionGracePeriodSeconds").asLong(-1);
  }

  @Test
  void aBoundPodIsMarkedForItsGracePeriodAndStaysUntilDeletedWithGraceZero() {
    String ns = namespace();
    boundPod(ns, "web");

    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    HttpApi.Answer marked = api.delete(ns + "/pods/web");
    Instant after = Instant.now();
    assertEquals(200, marked.code(), marked::body);
    assertEquals("Pod", marked.json().path("kind").asText(), "the answer is the pod, marked");
    assertEquals(30, grace(marked.json()));
    Instant at = deletionTimestamp(marked.json());
    assertFalse(at.isBefore(before.plusSeconds(30)) || at.isAfter(after.plusSeconds(30)),
        "deletionTimestamp is now + 30 s: " + at);

    HttpApi.Answer read = api.get(ns + "/pods/web");
    assertEquals(200, read.code(), "a terminating pod can still be read");
    assertEquals(at, deletionTimestamp(read.json()));
    assertEquals(30, grace(read.json()));

    HttpApi.Answer again = api.delete(ns + "/pods/web");
    assertEquals(200, again.code(), again::body);
    assertEquals(at, deletionTimestamp(again.json()), "a second delete without a shorter grace changes nothing");

    HttpApi.Answer gone = api.delete(ns + "/pods/web?gracePeriodSeconds=0");
    assertEquals(200, gone.code(), gone::body);
    assertEquals(0, grace(gone.json()));
    assertStatus(api.get(ns + "/pods/web"), 404, "NotFound");
  }

  @Test
  void aSecondDeleteMayOnlyShortenTheGracePeriod() {
    String ns = namespace();
    boundPod(ns, "slow");
    JsonNode first = api.delete(ns + "/pods/slow?gracePeriodSeconds=60").json();
    assertEquals(60, grace(first));
    Instant at = deletionTimestamp(first);

    JsonNode longer = api.delete(ns + "/pods/slow?gracePeriodSeconds=120").json();
    assertEquals(60, grace(longer), "never lengthened");
    assertEquals(at, deletionTimestamp(longer));

    // kubectl delete --grace-period=10 sends it in a DeleteOptions body; the deadline moves back by 50 s
    HttpApi.Answer shorter = api.send("DELETE", ns + "/pods/slow", HttpApi.JSON,
        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":10,\"propagationPolicy\":"
            + "\"Background\"}");
    assertEquals(200, shorter.code(), shorter::body);
    assertEquals(10, grace(shorter.json()));
    assertEquals(at.minusSeconds(50), deletionTimestamp(shorter.json()));
    assertEquals(10, grace(api.get(ns + "/pods/slow").json()));

    // kubectl delete --now sends 1; a negative grace counts as 1 too, as in Kubernetes
    assertEquals(1, grace(api.delete(ns + "/pods/slow?gracePeriodSeconds=-3").json()));
    // kubectl delete --force --grace-period=0
    HttpApi.Answer forced = api.send("DELETE", ns + "/pods/slow", HttpApi.JSON,
        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":0,\"propagationPolicy\":"
            + "\"Background\"}");
    assertEquals(200, forced.code(), forced::body);
    assertStatus(api.get(ns + "/pods/slow"), 404, "NotFound");
  }

  @Test
  void anUnboundPodATerminatedPodAndOtherKindsGoAtOnce() {
    String ns = namespace();
    assertEquals(201, api.post(ns + "/pods", HttpApi.pod("pending")).code());
    HttpApi.Answer deleted = api.delete(ns + "/pods/pending?gracePeriodSeconds=30");
    assertEquals(200, deleted.code(), deleted::body);
    assertEquals(0, grace(deleted.json()), "a pod no node runs needs no grace");
    assertStatus(api.get(ns + "/pods/pending"), 404, "NotFound");

    JsonNode done = boundPod(ns, "done");
    ObjectNode status = (ObjectNode) done.deepCopy();
    ((ObjectNode) status.path("status")).put("phase", "Succeeded");
    assertEquals(200, api.put(ns + "/pods/done/status", status).code());
    assertEquals(200, api.delete(ns + "/pods/done").code());
    assertStatus(api.get(ns + "/pods/done"), 404, "NotFound");

    assertEquals(201, api.post(ns + "/configmaps", HttpApi.configMap("settings", "v")).code());
    assertEquals(200, api.delete(ns + "/configmaps/settings?gracePeriodSeconds=30").code());
    assertStatus(api.get(ns + "/configmaps/settings"), 404, "NotFound");
  }

  @Test
  void aWatchSeesTheMarkThenTheRemoval() {
    String ns = namespace();
    String version = boundPod(ns, "watched").path("metadata").path("resourceVersion").asText();
    try (HttpApi.Watch watch = api.watch(ns + "/pods?watch=true&timeoutSeconds=30&resourceVersion=" + version)) {
      assertEquals(200, watch.code());
      assertEquals(200, api.delete(ns + "/pods/watched?gracePeriodSeconds=20").code());
      JsonNode modified = watch.nextChange(WAIT);
      assertEquals("MODIFIED", modified.path("type").asText(), modified::toString);
      assertEquals(20, grace(modified.path("object")));

      assertEquals(200, api.delete(ns + "/pods/watched?gracePeriodSeconds=0").code());
      JsonNode deleted = watch.nextChange(WAIT);
      assertEquals("DELETED", deleted.path("type").asText(), deleted::toString);
      assertEquals("watched", deleted.path("object").path("metadata").path("name").asText());
    }
  }

  @Test
  void aGracePeriodThatIsNotANumberIsABadRequest() {
    String ns = namespace();
    boundPod(ns, "kept");
    JsonNode query = assertStatus(api.delete(ns + "/pods/kept?gracePeriodSeconds=soon"), 400, "BadRequest");
    assertTrue(query.path("message").asText().contains("gracePeriodSeconds"), query::toString);
    JsonNode body = assertStatus(api.send("DELETE", ns + "/pods/kept", HttpApi.JSON,
        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":\"soon\"}"), 400, "BadRequest");
    assertTrue(body.path("message").asText().contains("gracePeriodSeconds"), body::toString);
    assertStatus(api.send("DELETE", ns + "/pods/kept", HttpApi.JSON, "{\"gracePeriodSeconds\":1.5}"), 400,
        "BadRequest");
    JsonNode pod = api.get(ns + "/pods/kept").json();
    assertTrue(pod.path("metadata").path("deletionTimestamp").isMissingNode(), "a refused delete marks nothing");
  }

  @Test
  void aDeleteCollectionCarriesTheGracePeriod() {
    String ns = namespace();
    boundPod(ns, "a");
    boundPod(ns, "b");
    HttpApi.Answer marked = api.delete(ns + "/pods");
    assertEquals(200, marked.code(), marked::body);
    assertEquals(2, api.get(ns + "/pods").json().path("items").size(), "both only marked");
    for (JsonNode pod : api.get(ns + "/pods").json().path("items")) assertEquals(30, grace(pod));

    assertEquals(200, api.delete(ns + "/pods?gracePeriodSeconds=0").code());
    assertEquals(0, api.get(ns + "/pods").json().path("items").size());
  }

  @Test
  void fabric8DeletesGracefullyOrAtOnceWithGracePeriodZero() {
    String ns = namespace();
    String name = ns.substring(ns.lastIndexOf('/') + 1);
    boundPod(ns, "f8");

    assertEquals(1, client.pods().inNamespace(name).withName("f8").delete().size());
    Pod terminating = client.pods().inNamespace(name).withName("f8").get();
    assertNotNull(terminating, "a graceful delete leaves the pod until its agent removes it");
    assertNotNull(terminating.getMetadata().getDeletionTimestamp());
    assertEquals(30L, terminating.getMetadata().getDeletionGracePeriodSeconds());

    assertEquals(1, client.pods().inNamespace(name).withName("f8").withGracePeriod(0).delete().size());
    assertNull(client.pods().inNamespace(name).withName("f8").get());
  }

  @Test
  void theWrongUidPreconditionLeavesATerminatingPodAlone() {
    String ns = namespace();
    boundPod(ns, "guarded");
    api.delete(ns + "/pods/guarded");
    // what a node agent sends once the containers are gone, with a uid from a pod of the same name before
    assertStatus(api.send("DELETE", ns + "/pods/guarded", HttpApi.JSON,
        "{\"gracePeriodSeconds\":0,\"preconditions\":{\"uid\":\"not-this-one\"}}"), 409, "Conflict");
    assertEquals(200, api.get(ns + "/pods/guarded").code());
    Map<String, Object> options = Map.of("gracePeriodSeconds", 0, "preconditions",
        Map.of("uid", api.get(ns + "/pods/guarded").json().path("metadata").path("uid").asText()));
    assertEquals(200, api.send("DELETE", ns + "/pods/guarded", HttpApi.JSON,
        io.troupe.persistence.model.Json.write(options)).code());
    assertStatus(api.get(ns + "/pods/guarded"), 404, "NotFound");
  }
}
