package io.troupe.control.api.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.KubeObject;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a PersistentVolumeClaim gets at its creation, as from Kubernetes' DefaultStorageClass and
 * StorageObjectInUseProtection admission plugins: the default StorageClass when it names none (absent or null;
 * {@code ""} asks for no class and is kept), and the finalizer that keeps it while pods use it.
 */
public final class ClaimAdmission {
  /** Removed by the controller once the claim is being deleted and no running pod uses it. */
  public static final String PROTECTION_FINALIZER = "kubernetes.io/pvc-protection";
  public static final String IS_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
  private static final String BETA_IS_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class";
  /** The class of a claim from before storageClassName existed; such a claim is left alone. */
  private static final String BETA_CLAIM_CLASS = "volume.beta.kubernetes.io/storage-class";

  private ClaimAdmission() {}

  static void admit(ObjectNode claim, List<KubeObject> storageClasses) {
    ObjectNode metadata = claim.get("metadata") instanceof ObjectNode m ? m : claim.putObject("metadata");
    ArrayNode finalizers = metadata.get("finalizers") instanceof ArrayNode f ? f : metadata.putArray("finalizers");
    boolean protectedAlready = false;
    for (JsonNode finalizer : finalizers) protectedAlready |= PROTECTION_FINALIZER.equals(finalizer.asText());
    if (!protectedAlready) finalizers.add(PROTECTION_FINALIZER);
    if (!(claim.get("spec") instanceof ObjectNode spec) || metadata.path("annotations").has(BETA_CLAIM_CLASS)) return;
    JsonNode className = spec.get("storageClassName");
    if (className == null || className.isNull()) {
      defaultClass(storageClasses).ifPresent(name -> spec.put("storageClassName", name));
    }
  }

  /** GetDefaultClass: of the classes marked default, the newest (on a tie, the first by name); none if none is. */
  public static Optional<String> defaultClass(List<KubeObject> storageClasses) {
    return storageClasses.stream()
        .filter(ClaimAdmission::isDefault)
        .max(Comparator.comparing((KubeObject c) -> String.valueOf(c.metadata().creationTimestamp()))
            .thenComparing(c -> c.metadata().name(), Comparator.reverseOrder()))
        .map(c -> c.metadata().name());
  }

  private static boolean isDefault(KubeObject storageClass) {
    var annotations = storageClass.metadata().annotations();
    return "true".equals(annotations.get(IS_DEFAULT_CLASS)) || "true".equals(annotations.get(BETA_IS_DEFAULT_CLASS));
  }
}
