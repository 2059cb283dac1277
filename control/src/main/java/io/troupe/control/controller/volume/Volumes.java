package io.troupe.control.controller.volume;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.model.QuantityFormatException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The fields of a PersistentVolume the volume controllers and the scheduler read, and their names. */
public final class Volumes {
  public static final String KIND = "PersistentVolume";
  public static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
  public static final String HOSTNAME = "kubernetes.io/hostname";

  public static final String PENDING = "Pending";
  public static final String AVAILABLE = "Available";
  public static final String BOUND = "Bound";
  public static final String RELEASED = "Released";
  public static final String FAILED = "Failed";

  /** {@code spec.claimRef}: the claim a volume is bound (or pre-bound) to; uid "" when only the name is given. */
  public record ClaimRef(String namespace, String name, String uid) {
    public String claimKey() {
      return ObjectKey.of(Claims.KIND, namespace, name);
    }

    /** Whether this reference names {@code claim} (by namespace and name, and by uid when it has one). */
    public boolean refersTo(KubeObject claim) {
      return namespace.equals(claim.metadata().namespace()) && name.equals(claim.metadata().name())
          && (uid.isEmpty() || uid.equals(claim.metadata().uid()));
    }
  }

  private Volumes() {}

  /** {@code status.phase}; a volume without one is Pending. */
  public static String phase(KubeObject volume) {
    String phase = Json.text(volume.body(), "status.phase");
    return phase == null || phase.isEmpty() ? PENDING : phase;
  }

  /** The claim reference, or null when the volume has none. */
  public static ClaimRef claimRef(KubeObject volume) {
    JsonNode ref = volume.body().path("spec").path("claimRef");
    String name = Json.text(ref, "name");
    if (name == null || name.isEmpty()) return null;
    String namespace = Json.text(ref, "namespace");
    String uid = Json.text(ref, "uid");
    return new ClaimRef(namespace == null ? "default" : namespace, name, uid == null ? "" : uid);
  }

  /** Whether the volume is bound or pre-bound to {@code claim}. */
  public static boolean isBoundTo(KubeObject volume, KubeObject claim) {
    ClaimRef ref = claimRef(volume);
    return ref != null && ref.refersTo(claim);
  }

  /** {@code spec.capacity.storage} in bytes; zero when unset or unreadable. */
  public static BigDecimal capacity(KubeObject volume) {
    return bytes(volume.body().path("spec").path("capacity").get("storage"));
  }

  public static List<String> accessModes(KubeObject volume) {
    return Claims.texts(volume.body().path("spec").path("accessModes"));
  }

  /** {@code spec.storageClassName}, "" when unset. */
  public static String className(KubeObject volume) {
    String name = Json.text(volume.body(), "spec.storageClassName");
    return name == null ? "" : name;
  }

  /** {@code spec.persistentVolumeReclaimPolicy}, Retain when unset (the API server's default for static volumes). */
  public static String reclaimPolicy(KubeObject volume) {
    String policy = Json.text(volume.body(), "spec.persistentVolumeReclaimPolicy");
    return policy == null || policy.isEmpty() ? "Retain" : policy;
  }

  /** {@code spec.volumeMode}, Filesystem when unset. */
  public static String volumeMode(KubeObject volume) {
    String mode = Json.text(volume.body(), "spec.volumeMode");
    return mode == null || mode.isEmpty() ? "Filesystem" : mode;
  }

  /**
   * The node a volume is pinned to: the single value of a {@code kubernetes.io/hostname In [...]} expression of
   * its required node affinity (how local volumes name their node), or null.
   */
  public static String pinnedNode(KubeObject volume) {
    JsonNode terms = volume.body().path("spec").path("nodeAffinity").path("required").path("nodeSelectorTerms");
    for (JsonNode term : terms) {
      for (JsonNode e : term.path("matchExpressions")) {
        JsonNode values = e.path("values");
        if (HOSTNAME.equals(e.path("key").asText()) && "In".equals(e.path("operator").asText())
            && values.size() == 1) {
          return values.get(0).asText();
        }
      }
    }
    return null;
  }

  static BigDecimal bytes(JsonNode quantity) {
    if (quantity == null || quantity.isNull()) return BigDecimal.ZERO;
    try {
      return Quantity.parse(quantity).amount();
    } catch (QuantityFormatException e) {
      return BigDecimal.ZERO;
    }
  }

  /** {@code object} with one annotation set. */
  public static KubeObject withAnnotation(KubeObject object, String key, String value) {
    Map<String, String> annotations = new HashMap<>(object.metadata().annotations());
    annotations.put(key, value);
    return object.withMetadata(meta(object.metadata(), annotations, object.metadata().finalizers()));
  }

  /** {@code object} without the finalizer {@code name}. */
  static KubeObject withoutFinalizer(KubeObject object, String name) {
    List<String> finalizers = new ArrayList<>(object.metadata().finalizers());
    finalizers.remove(name);
    return object.withMetadata(meta(object.metadata(), object.metadata().annotations(), finalizers));
  }

  static ObjectMeta meta(ObjectMeta m, Map<String, String> annotations, List<String> finalizers) {
    return new ObjectMeta(m.name(), m.generateName(), m.namespace(), m.uid(), m.resourceVersion(), m.generation(),
        m.creationTimestamp(), m.deletionTimestamp(), m.deletionGracePeriodSeconds(), m.labels(), annotations,
        m.ownerReferences(), finalizers);
  }
}
