package io.troupe.control.controller.volume;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The claim half of the PersistentVolume binder, as Kubernetes' {@code syncClaim}: binds a Pending claim to a volume
 * (one pre-bound to it by a provisioner, or the best Available one), keeps a bound claim Bound, and marks it Lost
 * when its volume is gone or bound elsewhere.
 *
 * <p>Binding takes several writes, one per object and reconcile, each conditional on what it was decided against, in
 * Kubernetes' order: the volume's {@code claimRef} first (so no other claim takes it), then the claim's
 * {@code spec.volumeName} and annotations, then the claim's status. A reconcile that wrote runs again and takes the
 * next step. The volume's phase is the volume half's ({@link VolumeReconciler}).
 */
public final class ClaimReconciler {
  static final String NO_CLASS = "no persistent volumes available for this claim and no storage class is set";
  static final String WAITING = "waiting for first consumer to be created before binding";

  private ClaimReconciler() {}

  /**
   * @param claim the claim, or null when it is gone
   * @param volumes every PersistentVolume
   * @param classes the StorageClasses by name
   */
  public static List<Action> reconcile(KubeObject claim, List<KubeObject> volumes, Map<String, StorageClass> classes) {
    if (claim == null) return List.of();
    if (Claims.bindCompleted(claim)) return syncBound(claim, volume(volumes, Claims.volumeName(claim)));
    if (claim.metadata().isDeleting()) return List.of();
    String volumeName = Claims.volumeName(claim);
    if (!volumeName.isEmpty()) return syncPreBoundClaim(claim, volume(volumes, volumeName));

    if (Claims.storageClassName(claim) == null) {
      // a claim made before any class was the default gets the default now (Kubernetes' retroactive default)
      StorageClass defaultClass = defaultClass(classes);
      if (defaultClass != null) {
        ObjectNode spec = claim.spec().deepCopy();
        spec.put("storageClassName", defaultClass.name());
        return List.of(new Action.Update(claim.withField("spec", spec)));
      }
    }
    StorageClass storageClass = classes.get(Claims.className(claim));
    boolean delayBinding = storageClass != null && storageClass.waitForFirstConsumer();
    KubeObject volume = VolumeMatch.bestFor(claim, volumes, delayBinding);
    if (volume != null) return bind(volume, claim, true);

    List<Action> actions = new ArrayList<>(pending(claim));
    String className = Claims.className(claim);
    if (className.isEmpty()) {
      actions.add(new Action.RecordEvent(claim, "Warning", "FailedBinding", NO_CLASS));
    } else if (storageClass == null) {
      actions.add(new Action.RecordEvent(claim, "Warning", "ProvisioningFailed",
          "storageclass.storage.k8s.io \"" + className + "\" not found"));
    } else if (delayBinding && Claims.selectedNode(claim) == null) {
      actions.add(new Action.RecordEvent(claim, "Normal", "WaitForFirstConsumer", WAITING));
    } else if (storageClass.provisioner() != null && !storageClass.provisioner().isEmpty()) {
      actions.add(new Action.RecordEvent(claim, "Normal", "ExternalProvisioning",
          "Waiting for a volume to be created either by the external provisioner '" + storageClass.provisioner()
              + "' or manually by the system administrator. If volume creation is delayed, please verify that your"
              + " external provisioner is running and correctly registered."));
    }
    return actions;
  }

  /** A claim whose {@code spec.volumeName} a user set: it binds to that volume only, once it exists and fits. */
  private static List<Action> syncPreBoundClaim(KubeObject claim, KubeObject volume) {
    if (volume == null) return pending(claim);
    Volumes.ClaimRef ref = Volumes.claimRef(volume);
    if (ref == null) {
      String why = VolumeMatch.unsatisfied(volume, claim);
      if (why != null) {
        List<Action> actions = new ArrayList<>(pending(claim));
        actions.add(new Action.RecordEvent(claim, "Warning", "FailedBinding",
            "Cannot bind to requested volume \"" + volume.metadata().name() + "\": " + why));
        return actions;
      }
      return bind(volume, claim, false);
    }
    if (ref.refersTo(claim)) return bind(volume, claim, false);
    List<Action> actions = new ArrayList<>(pending(claim));
    actions.add(new Action.RecordEvent(claim, "Warning", "FailedBinding",
        "volume \"" + volume.metadata().name() + "\" already bound to a different claim."));
    return actions;
  }

  /** A claim whose binding completed: it stays Bound while its volume names it, and is Lost otherwise. */
  private static List<Action> syncBound(KubeObject claim, KubeObject volume) {
    if (Claims.volumeName(claim).isEmpty()) {
      return lost(claim, "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
    }
    if (volume == null) {
      return lost(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    }
    Volumes.ClaimRef ref = Volumes.claimRef(volume);
    if (ref == null || ref.refersTo(claim)) return bind(volume, claim, Claims.boundByController(claim));
    return lost(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly");
  }

  /**
   * The next step of binding {@code volume} and {@code claim}; none when both are done.
   *
   * @param byController whether the binder chose the volume (the claim did not name it)
   */
  private static List<Action> bind(KubeObject volume, KubeObject claim, boolean byController) {
    Volumes.ClaimRef ref = Volumes.claimRef(volume);
    if (ref == null || ref.uid().isEmpty()) {
      ObjectNode spec = volume.spec() instanceof ObjectNode s ? s.deepCopy() : Json.object();
      ObjectNode claimRef = spec.putObject("claimRef");
      claimRef.put("kind", Claims.KIND);
      claimRef.put("namespace", claim.metadata().namespace());
      claimRef.put("name", claim.metadata().name());
      claimRef.put("uid", claim.metadata().uid());
      claimRef.put("apiVersion", "v1");
      if (claim.metadata().resourceVersion() != null) claimRef.put("resourceVersion", claim.metadata().resourceVersion());
      KubeObject bound = volume.withField("spec", spec);
      if (ref == null) bound = Volumes.withAnnotation(bound, Claims.BOUND_BY_CONTROLLER, "yes");
      return List.of(new Action.Update(bound));
    }
    String name = volume.metadata().name();
    if (!name.equals(Claims.volumeName(claim)) || !Claims.bindCompleted(claim)
        || (byController && !Claims.boundByController(claim))) {
      ObjectNode spec = claim.spec() instanceof ObjectNode s ? s.deepCopy() : Json.object();
      spec.put("volumeName", name);
      KubeObject bound = Volumes.withAnnotation(claim.withField("spec", spec), Claims.BIND_COMPLETED, "yes");
      if (byController) bound = Volumes.withAnnotation(bound, Claims.BOUND_BY_CONTROLLER, "yes");
      return List.of(new Action.Update(bound));
    }
    ObjectNode status = status(claim);
    status.put("phase", Claims.BOUND);
    status.set("accessModes", volume.body().path("spec").path("accessModes").deepCopy());
    JsonNode capacity = volume.body().path("spec").path("capacity");
    status.set("capacity", capacity.isObject() ? capacity.deepCopy() : Json.object());
    if (Objects.equals(status, claim.status())) return List.of();
    return List.of(new Action.UpdateStatus(claim.withField("status", status)));
  }

  private static List<Action> pending(KubeObject claim) {
    if (Claims.PENDING.equals(Json.text(claim.body(), "status.phase"))) return List.of();
    ObjectNode status = status(claim);
    status.put("phase", Claims.PENDING);
    return List.of(new Action.UpdateStatus(claim.withField("status", status)));
  }

  private static List<Action> lost(KubeObject claim, String reason, String message) {
    if (Claims.LOST.equals(Claims.phase(claim))) return List.of();
    ObjectNode status = status(claim);
    status.put("phase", Claims.LOST);
    return List.of(new Action.UpdateStatus(claim.withField("status", status)),
        new Action.RecordEvent(claim, "Warning", reason, message));
  }

  private static ObjectNode status(KubeObject claim) {
    return claim.status() instanceof ObjectNode s ? s.deepCopy() : Json.object();
  }

  private static KubeObject volume(List<KubeObject> volumes, String name) {
    if (name.isEmpty()) return null;
    for (KubeObject v : volumes) {
      if (name.equals(v.metadata().name())) return v;
    }
    return null;
  }

  /** The default StorageClass; with several, the first by name. */
  static StorageClass defaultClass(Map<String, StorageClass> classes) {
    StorageClass chosen = null;
    for (StorageClass c : classes.values()) {
      if (c.isDefault() && (chosen == null || c.name().compareTo(chosen.name()) < 0)) chosen = c;
    }
    return chosen;
  }
}
