package io.troupe.control.api;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.controller.TestNodeAgent;
import io.troupe.persistence.model.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Persistent volumes through the API with the controllers and the scheduler running: a pod's claim of a
 * WaitForFirstConsumer local-path class gets the pod's node selected, a volume provisioned there and bound; the
 * volume is reclaimed as its class says once pod and claim are gone.
 */
class PersistentVolumeControllersTest {
  static final Duration DEADLINE = Duration.ofSeconds(30);
  static final String CLASSES = "/apis/storage.k8s.io/v1/storageclasses";
  static final String CLAIMS = "/api/v1/namespaces/default/persistentvolumeclaims";
  static final String PODS = "/api/v1/namespaces/default/pods";
  static final String VOLUMES = "/api/v1/persistentvolumes";
  static ControlPlane plane;
  static HttpApi api;
  static TestNodeAgent agent;

  @BeforeAll
  static void start() throws Exception {
    plane = TestControlPlane.start(Map.of("troupe.controllers.enabled", true));
    api = new HttpApi(TestControlPlane.url(plane));
    agent = TestNodeAgent.start(plane.system(), plane.store(), Map.of("node-1", "zone-a", "node-2", "zone-b"));
    // the control plane creates local-path at start once that part of issue #10 is in; until then, the test does
    if (api.get(CLASSES + "/local-path").code() == 404) createClass("local-path", "Delete", true);
    createClass("keep", "Retain", false);
  }

  @AfterAll
  static void stop() throws Exception {
    agent.close();
    plane.close();
  }

  private static void createClass(String name, String reclaimPolicy, boolean isDefault) {
    ObjectNode sc = Json.object();
    sc.put("apiVersion", "storage.k8s.io/v1");
    sc.put("kind", "StorageClass");
    ObjectNode meta = sc.putObject("metadata");
    meta.put("name", name);
    if (isDefault) meta.putObject("annotations").put("storageclass.kubernetes.io/is-default-class", "true");
    sc.put("provisioner", "troupe.io/local-path");
    sc.put("reclaimPolicy", reclaimPolicy);
    sc.put("volumeBindingMode", "WaitForFirstConsumer");
    var created = api.post(CLASSES, sc);
    assertEquals(201, created.code(), created.body());
  }

  /** A claim of 1Gi; it carries the protection finalizer as admission adds it. */
  private static JsonNode createClaim(String name, String className) {
    ObjectNode claim = Json.object();
    claim.put("apiVersion", "v1");
    claim.put("kind", "PersistentVolumeClaim");
    ObjectNode meta = claim.putObject("metadata");
    meta.put("name", name);
    meta.putArray("finalizers").add("kubernetes.io/pvc-protection");
    ObjectNode spec = claim.putObject("spec");
    spec.put("storageClassName", className);
    spec.putArray("accessModes").add("ReadWriteOnce");
    spec.putObject("resources").putObject("requests").put("storage", "1Gi");
    var created = api.post(CLAIMS, claim);
    assertEquals(201, created.code(), created.body());
    return created.json();
  }

  private static void createPod(String name, String claim) {
    ObjectNode pod = HttpApi.pod(name);
    ObjectNode volume = ((ObjectNode) pod.path("spec")).putArray("volumes").addObject();
    volume.put("name", "data");
    volume.putObject("persistentVolumeClaim").put("claimName", claim);
    var created = api.post(PODS, pod);
    assertEquals(201, created.code(), created.body());
  }

  private static String text(String path, String field) {
    var answer = api.get(path);
    return answer.code() == 200 ? Json.text(answer.json(), field) : null;
  }

  /** Creates claim and pod, waits until both are bound: the claim's volume (pvc-uid). */
  private static JsonNode provisioned(String claim, String className, String pod) {
    String uid = createClaim(claim, className).path("metadata").path("uid").asText();
    createPod(pod, claim);
    awaitUntil(DEADLINE, () -> text(PODS + "/" + pod, "spec.nodeName") != null,
        () -> "the pod is not scheduled: " + api.get(PODS + "/" + pod).body());
    String node = text(PODS + "/" + pod, "spec.nodeName");
    String volume = VOLUMES + "/pvc-" + uid;
    awaitUntil(DEADLINE, () -> "Bound".equals(text(CLAIMS + "/" + claim, "status.phase"))
            && "Bound".equals(text(volume, "status.phase")),
        () -> "not bound: " + api.get(CLAIMS + "/" + claim).body() + "\n" + api.get(volume).body());

    JsonNode c = api.get(CLAIMS + "/" + claim).json();
    assertEquals(node, c.path("metadata").path("annotations").path("volume.kubernetes.io/selected-node").asText());
    assertEquals("pvc-" + uid, c.path("spec").path("volumeName").asText());
    assertEquals("yes", c.path("metadata").path("annotations").path("pv.kubernetes.io/bind-completed").asText());
    assertEquals("1Gi", c.path("status").path("capacity").path("storage").asText());
    JsonNode v = api.get(volume).json();
    assertEquals(TestNodeAgent.localPathRoot(node) + "/pvc-" + uid + "_default_" + claim,
        v.path("spec").path("hostPath").path("path").asText());
    assertEquals(node, v.path("spec").path("nodeAffinity").path("required").path("nodeSelectorTerms").get(0)
        .path("matchExpressions").get(0).path("values").get(0).asText());
    assertEquals(uid, v.path("spec").path("claimRef").path("uid").asText());
    assertEquals(className, v.path("spec").path("storageClassName").asText());

    // events as Kubernetes' provisioners record them, each once
    String provisionedEvent = "Normal ProvisioningSucceeded: Successfully provisioned volume pvc-" + uid;
    awaitUntil(DEADLINE, () -> eventsAbout(uid).contains(provisionedEvent), () -> "events: " + eventsAbout(uid));
    List<String> events = eventsAbout(uid);
    assertEquals(events.size(), new java.util.HashSet<>(events).size(), "an event repeated: " + events);
    return v;
  }

  /** "Type Reason: message" of the events about the object with this uid. */
  private static List<String> eventsAbout(String uid) {
    List<String> out = new java.util.ArrayList<>();
    for (JsonNode e : api.get("/api/v1/namespaces/default/events").json().path("items")) {
      if (uid.equals(e.path("involvedObject").path("uid").asText())) {
        out.add(e.path("type").asText() + " " + e.path("reason").asText() + ": " + e.path("message").asText());
      }
    }
    return out;
  }

  private static void awaitGone(String path) {
    awaitUntil(DEADLINE, () -> api.get(path).code() == 404, () -> "still there: " + api.get(path).body());
  }

  @Test
  void aClaimOfTheDefaultClassIsProvisionedOnThePodsNodeAndDeletedWithIt() {
    JsonNode volume = provisioned("data", "local-path", "app");
    String path = VOLUMES + "/" + volume.path("metadata").path("name").asText();
    assertTrue(api.get(PODS + "/app").json().path("status").path("phase").asText().equals("Running"));

    // the claim is protected while its pod runs
    int deleted = api.delete(CLAIMS + "/data").code();
    assertTrue(deleted == 200 || deleted == 202, "delete: " + deleted);
    assertFalse(api.get(CLAIMS + "/data").json().path("metadata").path("deletionTimestamp").isMissingNode());
    assertEquals(200, api.get(CLAIMS + "/data").code());
    assertEquals("Bound", text(path, "status.phase"));

    // the pod goes, then the claim; the volume is Released and, its policy being Delete, deleted
    assertEquals(200, api.delete(PODS + "/app").code());
    awaitGone(PODS + "/app");
    awaitGone(CLAIMS + "/data");
    awaitUntil(DEADLINE, () -> api.get(path).json().path("metadata").has("deletionTimestamp"),
        () -> "the released volume is not deleted: " + api.get(path).body());
    JsonNode deleting = api.get(path).json();
    assertEquals("Released", deleting.path("status").path("phase").asText());
    assertEquals(List.of("troupe.io/local-path"),
        Json.MAPPER.convertValue(deleting.path("metadata").path("finalizers"), List.class));

    // the node agent would now remove the directory, then the finalizer: here the test stands in for it
    var patched = api.mergePatch(path, Map.of("metadata", Map.of("finalizers", List.of())));
    assertEquals(200, patched.code(), patched.body());
    awaitGone(path);
  }

  @Test
  void aVolumeOfARetainClassStaysReleased() {
    JsonNode volume = provisioned("kept", "keep", "app-2");
    String path = VOLUMES + "/" + volume.path("metadata").path("name").asText();
    assertEquals("Retain", volume.path("spec").path("persistentVolumeReclaimPolicy").asText());

    assertEquals(200, api.delete(PODS + "/app-2").code());
    awaitGone(PODS + "/app-2");
    int deleted = api.delete(CLAIMS + "/kept").code();
    assertTrue(deleted == 200 || deleted == 202, "delete: " + deleted);
    awaitGone(CLAIMS + "/kept");
    awaitUntil(DEADLINE, () -> "Released".equals(text(path, "status.phase")),
        () -> "not released: " + api.get(path).body());
    assertTrue(api.get(path).json().path("metadata").path("deletionTimestamp").isMissingNode());
  }

  @Test
  void aPodWhoseClaimIsMissingIsUnschedulableUntilItExists() {
    createPod("waiting", "later");
    awaitUntil(DEADLINE, () -> api.get(PODS + "/waiting").body().contains("persistentvolumeclaim \\\"later\\\" not found"),
        () -> "no such reason: " + api.get(PODS + "/waiting").body());
    createClaim("later", "local-path");
    awaitUntil(DEADLINE, () -> text(PODS + "/waiting", "spec.nodeName") != null,
        () -> "the pod is not scheduled once its claim exists: " + api.get(PODS + "/waiting").body());
  }
}
