package io.troupe.control.controller.volume;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** The fields of a PersistentVolumeClaim the volume controllers and the scheduler read, and their names. */
public final class Claims {
  public static final String KIND = "PersistentVolumeClaim";
  /** Set by the scheduler on an unbound claim of a WaitForFirstConsumer class: where its volume must live. */
  public static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
  public static final String BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
  public static final String BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
  /** Holds a claim being deleted while a pod still uses it. */
  public static final String PROTECTION_FINALIZER = "kubernetes.io/pvc-protection";

  public static final String PENDING = "Pending";
  public static final String BOUND = "Bound";
  public static final String LOST = "Lost";

  private Claims() {}

  /** {@code status.phase}; a claim without one (admission did not set it) is Pending. */
  public static String phase(KubeObject claim) {
    String phase = Json.text(claim.body(), "status.phase");
    return phase == null || phase.isEmpty() ? PENDING : phase;
  }

  /** {@code spec.volumeName}, "" when unset. */
  public static String volumeName(KubeObject claim) {
    String name = Json.text(claim.body(), "spec.volumeName");
    return name == null ? "" : name;
  }

  /** {@code spec.storageClassName}: null when the field is absent, "" for "no class". */
  public static String storageClassName(KubeObject claim) {
    return Json.text(claim.body(), "spec.storageClassName");
  }

  /** The class the claim binds with: "" when it names none. */
  public static String className(KubeObject claim) {
    String name = storageClassName(claim);
    return name == null ? "" : name;
  }

  /** {@code spec.resources.requests.storage} in bytes; zero when unset or unreadable. */
  public static BigDecimal requestedStorage(KubeObject claim) {
    JsonNode storage = claim.body().path("spec").path("resources").path("requests").get("storage");
    return Volumes.bytes(storage);
  }

  public static List<String> accessModes(KubeObject claim) {
    return texts(claim.body().path("spec").path("accessModes"));
  }

  /** {@code spec.volumeMode}, Filesystem when unset. */
  public static String volumeMode(KubeObject claim) {
    String mode = Json.text(claim.body(), "spec.volumeMode");
    return mode == null || mode.isEmpty() ? "Filesystem" : mode;
  }

  /** The node the scheduler selected for the claim's volume, or null. */
  public static String selectedNode(KubeObject claim) {
    String node = claim.metadata().annotations().get(SELECTED_NODE);
    return node == null || node.isEmpty() ? null : node;
  }

  public static boolean bindCompleted(KubeObject claim) {
    return claim.metadata().annotations().containsKey(BIND_COMPLETED);
  }

  public static boolean boundByController(KubeObject claim) {
    return claim.metadata().annotations().containsKey(BOUND_BY_CONTROLLER);
  }

  /**
   * The claims a pod's volumes name ({@code spec.volumes[].persistentVolumeClaim.claimName}), each once, in order.
   */
  public static List<String> claimNames(KubeObject pod) {
    return claimNames(pod.spec());
  }

  /** The claims a pod spec's volumes name. */
  public static List<String> claimNames(JsonNode podSpec) {
    List<String> names = List.of();
    if (podSpec == null) return names;
    for (JsonNode volume : podSpec.path("volumes")) {
      JsonNode claim = volume.path("persistentVolumeClaim").get("claimName");
      if (claim == null || !claim.isTextual() || claim.textValue().isEmpty()) continue;
      if (names.isEmpty()) names = new ArrayList<>(1);
      if (!names.contains(claim.textValue())) names.add(claim.textValue());
    }
    return names.isEmpty() ? names : List.copyOf(names);
  }

  /** The keys of the claims a pod uses, in the pod's namespace. */
  public static List<String> keysUsedBy(KubeObject pod) {
    List<String> names = claimNames(pod);
    if (names.isEmpty()) return List.of();
    List<String> keys = new ArrayList<>(names.size());
    for (String name : names) keys.add(ObjectKey.of(KIND, pod.metadata().namespace(), name));
    return keys;
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) {
      if (n.isTextual()) out.add(n.textValue());
    }
    return out;
  }
}
