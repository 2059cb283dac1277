package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Storage through the API: the default StorageClass every control plane has, what a claim and a volume get at
 * creation, what may change afterwards, and pods whose volumes a Troupe node could never provide.
 */
class StorageApiTest {
  private static final String CLASSES = "/apis/storage.k8s.io/v1/storageclasses";
  private static final String CLAIMS = "/api/v1/namespaces/default/persistentvolumeclaims";
  private static final String VOLUMES = "/api/v1/persistentvolumes";
  private static Path dataDir;
  private static ControlPlane plane;
  private static HttpApi api;

  @BeforeAll
  static void start() throws Exception {
    dataDir = Files.createTempDirectory("troupe-storage");
    plane = TestControlPlane.start(dataDir, Map.of());
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  private static ObjectNode claim(String name) {
    ObjectNode claim = Json.object();
    claim.put("apiVersion", "v1");
    claim.put("kind", "PersistentVolumeClaim");
    claim.putObject("metadata").put("name", name);
    ObjectNode spec = claim.putObject("spec");
    spec.putArray("accessModes").add("ReadWriteOnce");
    spec.putObject("resources").putObject("requests").put("storage", "1Gi");
    return claim;
  }

  private static ObjectNode storageClass(String name, boolean isDefault) {
    ObjectNode storageClass = Json.object();
    storageClass.put("apiVersion", "storage.k8s.io/v1");
    storageClass.put("kind", "StorageClass");
    ObjectNode metadata = storageClass.putObject("metadata").put("name", name);
    if (isDefault) metadata.putObject("annotations").put("storageclass.kubernetes.io/is-default-class", "true");
    storageClass.put("provisioner", "example.com/" + name);
    return storageClass;
  }

  private static List<String> causes(JsonNode status) {
    List<String> causes = new ArrayList<>();
    for (JsonNode c : status.path("details").path("causes")) causes.add(c.path("field").asText() + ": "
        + c.path("message").asText());
    return causes;
  }

  @Test
  void everyControlPlaneHasTheLocalPathClassAsDefault() {
    JsonNode list = api.get(CLASSES).json();
    JsonNode localPath = null;
    for (JsonNode item : list.path("items")) {
      if (item.path("metadata").path("name").asText().equals("local-path")) localPath = item;
    }
    assertTrue(localPath != null, list::toString);
    assertEquals("true", localPath.path("metadata").path("annotations")
        .path("storageclass.kubernetes.io/is-default-class").asText());
    assertEquals("troupe.io/local-path", localPath.path("provisioner").asText());
    assertEquals("Delete", localPath.path("reclaimPolicy").asText());
    assertEquals("WaitForFirstConsumer", localPath.path("volumeBindingMode").asText());
  }

  @Test
  void aClaimGetsTheDefaultClassTheProtectionFinalizerAndPending() {
    JsonNode created = api.post(CLAIMS, claim("data")).json();
    for (JsonNode answer : new JsonNode[] {created, api.get(CLAIMS + "/data").json()}) {
      assertEquals("local-path", answer.path("spec").path("storageClassName").asText(), answer::toString);
      assertEquals("Filesystem", answer.path("spec").path("volumeMode").asText());
      assertEquals("[\"kubernetes.io/pvc-protection\"]", answer.path("metadata").path("finalizers").toString());
      assertEquals("Pending", answer.path("status").path("phase").asText());
    }
  }

  @Test
  void aClaimForNoClassKeepsTheEmptyClass() {
    ObjectNode claim = claim("static");
    ((ObjectNode) claim.path("spec")).put("storageClassName", "");
    JsonNode created = api.post(CLAIMS, claim).json();
    assertEquals("", created.path("spec").path("storageClassName").asText("absent"), created::toString);
  }

  @Test
  void aNewerDefaultClassIsPreferred() {
    // named to win a tie of creation seconds too
    assertEquals(201, api.post(CLASSES, storageClass("a-default", true)).code());
    assertEquals(201, api.post(CLASSES, storageClass("b-not-default", false)).code());
    try {
      JsonNode created = api.post(CLAIMS, claim("newer")).json();
      assertEquals("a-default", created.path("spec").path("storageClassName").asText(), created::toString);
    } finally {
      api.delete(CLASSES + "/a-default");
    }
  }

  @Test
  void aBoundClaimMayGrowButNotShrinkBelowItsCapacity() {
    assertEquals(201, api.post(CLAIMS, claim("growing")).code());
    ObjectNode bound = api.get(CLAIMS + "/growing").json().deepCopy();
    ObjectNode status = bound.putObject("status").put("phase", "Bound");
    status.putObject("capacity").put("storage", "1Gi");
    assertEquals(200, api.put(CLAIMS + "/growing/status", bound).code());

    JsonNode shrunk = assertStatus(api.mergePatch(CLAIMS + "/growing",
        "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"512Mi\"}}}}"), 422, "Invalid");
    assertEquals(List.of("spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"),
        causes(shrunk));
    JsonNode grown = api.mergePatch(CLAIMS + "/growing", "{\"spec\":{\"resources\":{\"requests\":{\"storage\":"
        + "\"2Gi\"}}}}").json();
    assertEquals("2Gi", grown.path("spec").path("resources").path("requests").path("storage").asText(),
        grown::toString);
    JsonNode reclassed = assertStatus(api.mergePatch(CLAIMS + "/growing", "{\"spec\":{\"storageClassName\":"
        + "\"other\"}}"), 422, "Invalid");
    assertTrue(causes(reclassed).get(0).startsWith("spec: Forbidden: spec is immutable after creation"),
        reclassed::toString);
  }

  @Test
  void aVolumeGetsItsDefaultsAndOnlyHostPathOrLocal() {
    ObjectNode volume = Json.object();
    volume.put("apiVersion", "v1");
    volume.put("kind", "PersistentVolume");
    volume.putObject("metadata").put("name", "pv-static");
    ObjectNode spec = volume.putObject("spec");
    spec.putObject("capacity").put("storage", "5Gi");
    spec.putArray("accessModes").add("ReadWriteOnce");
    spec.putObject("hostPath").put("path", "/srv/pv-static");
    JsonNode created = api.post(VOLUMES, volume).json();
    assertEquals("Retain", created.path("spec").path("persistentVolumeReclaimPolicy").asText(), created::toString);
    assertEquals("Filesystem", created.path("spec").path("volumeMode").asText());
    assertEquals("Pending", created.path("status").path("phase").asText());
    assertFalse(created.path("metadata").has("finalizers"), created::toString);

    JsonNode moved = assertStatus(api.mergePatch(VOLUMES + "/pv-static", "{\"spec\":{\"hostPath\":{\"path\":"
        + "\"/srv/elsewhere\"}}}"), 422, "Invalid");
    assertTrue(causes(moved).get(0).startsWith("spec.persistentvolumesource: Forbidden: "
        + "spec.persistentvolumesource is immutable after creation"), moved::toString);

    spec.remove("hostPath");
    spec.putObject("nfs").put("server", "nas").put("path", "/exports");
    volume.putObject("metadata").put("name", "pv-nfs");
    JsonNode refused = assertStatus(api.post(VOLUMES, volume), 422, "Invalid");
    assertEquals(List.of("spec.nfs: Forbidden: nfs volumes are not supported by Troupe; supported persistent volume "
        + "types: hostPath, local"), causes(refused));
    assertStatus(api.get(VOLUMES + "/pv-nfs"), 404, "NotFound");
  }

  @Test
  void aStorageClassKeepsItsProvisioner() {
    assertEquals(201, api.post(CLASSES, storageClass("fixed", false)).code());
    JsonNode created = api.get(CLASSES + "/fixed").json();
    assertEquals("Delete", created.path("reclaimPolicy").asText(), created::toString);
    assertEquals("Immediate", created.path("volumeBindingMode").asText());
    JsonNode refused = assertStatus(api.mergePatch(CLASSES + "/fixed", "{\"provisioner\":\"example.com/other\"}"),
        422, "Invalid");
    assertEquals(List.of("provisioner: Forbidden: updates to provisioner are forbidden."), causes(refused));
  }

  @Test
  void aPodWithAVolumeNoNodeCanProvideIsRefused() {
    ObjectNode pod = HttpApi.pod("nfs-user");
    ObjectNode volume = ((ObjectNode) pod.path("spec")).putArray("volumes").addObject().put("name", "shared");
    volume.putObject("nfs").put("server", "nas").put("path", "/exports");
    JsonNode refused = assertStatus(api.post("/api/v1/namespaces/default/pods", pod), 422, "Invalid");
    assertEquals("spec.volumes[0].nfs", refused.path("details").path("causes").path(0).path("field").asText(),
        refused::toString);
    assertStatus(api.get("/api/v1/namespaces/default/pods/nfs-user"), 404, "NotFound");
  }

  @Test
  void aDeletedDefaultClassLeavesClaimsWithoutOneAndComesBackAtTheNextStart() throws Exception {
    assertEquals(200, api.delete(CLASSES + "/local-path").code());
    try {
      JsonNode created = api.post(CLAIMS, claim("classless")).json();
      assertFalse(created.path("spec").has("storageClassName"), created::toString);
    } finally {
      plane.close();
      plane = TestControlPlane.start(dataDir, Map.of());
      api = new HttpApi(TestControlPlane.url(plane));
    }
    JsonNode localPath = api.get(CLASSES + "/local-path").json();
    assertEquals("troupe.io/local-path", localPath.path("provisioner").asText(), localPath::toString);
  }
}
