package io.troupe.control.controller.volume;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The volume half of the PersistentVolume binder, as Kubernetes' {@code syncVolume}: a volume's phase follows its
 * claim (Available while unclaimed or its claim is not bound yet, Bound while the claim names it, Released once the
 * claim is gone), and a Released volume is reclaimed as its policy says: Delete deletes the object (a finalizer then
 * lets whoever owns the data remove it), Retain keeps it Released, anything else (Recycle) cannot be done: Failed.
 *
 * <p>A local-path volume being deleted whose node no longer exists loses its finalizer here: no node agent is left to
 * remove its directory.
 */
public final class VolumeReconciler {
  private VolumeReconciler() {}

  /**
   * @param volume the volume, or null when it is gone
   * @param claim the claim its {@code claimRef} names (by namespace and name), or null when none or gone
   * @param pinnedNodeGone whether the volume is pinned to a node ({@link Volumes#pinnedNode}) that no longer exists
   */
  public static List<Action> reconcile(KubeObject volume, KubeObject claim, boolean pinnedNodeGone) {
    if (volume == null) return List.of();
    if (volume.metadata().isDeleting()) {
      if (pinnedNodeGone && volume.metadata().finalizers().contains(LocalPathProvisioner.FINALIZER)) {
        return List.of(new Action.Update(Volumes.withoutFinalizer(volume, LocalPathProvisioner.FINALIZER)));
      }
      return List.of();
    }
    Volumes.ClaimRef ref = Volumes.claimRef(volume);
    if (ref == null) return phase(volume, Volumes.AVAILABLE);
    boolean claimGone = claim == null || (!ref.uid().isEmpty() && !ref.uid().equals(claim.metadata().uid()));
    if (claimGone) {
      // pre-bound by name to a claim that does not exist yet: it waits for it
      if (ref.uid().isEmpty()) return phase(volume, Volumes.AVAILABLE);
      return released(volume);
    }
    String claimVolume = Claims.volumeName(claim);
    if (claimVolume.equals(volume.metadata().name())) return phase(volume, Volumes.BOUND);
    if (claimVolume.isEmpty()) return phase(volume, Volumes.AVAILABLE); // the claim's binding is under way
    // the claim bound another volume: one the binder reserved goes back, one a user pre-bound waits
    if (volume.metadata().annotations().containsKey(Claims.BOUND_BY_CONTROLLER)) {
      ObjectNode spec = volume.spec().deepCopy();
      spec.remove("claimRef");
      Map<String, String> annotations = new HashMap<>(volume.metadata().annotations());
      annotations.remove(Claims.BOUND_BY_CONTROLLER);
      return List.of(new Action.Update(volume.withField("spec", spec)
          .withMetadata(Volumes.meta(volume.metadata(), annotations, volume.metadata().finalizers()))));
    }
    return phase(volume, Volumes.AVAILABLE);
  }

  private static List<Action> released(KubeObject volume) {
    String phase = Volumes.phase(volume);
    if (Volumes.FAILED.equals(phase)) return List.of();
    if (!Volumes.RELEASED.equals(phase)) return phase(volume, Volumes.RELEASED);
    String policy = Volumes.reclaimPolicy(volume);
    if ("Retain".equals(policy)) return List.of();
    if ("Delete".equals(policy)) return List.of(new Action.Delete(volume.key(), volume.metadata().uid()));
    ObjectNode status = status(volume);
    status.put("phase", Volumes.FAILED);
    status.put("message", "No recycler plugin found for the volume!");
    return List.of(new Action.UpdateStatus(volume.withField("status", status)),
        new Action.RecordEvent(volume, "Warning", "VolumeFailedRecycle", "No recycler plugin found for the volume!"));
  }

  private static List<Action> phase(KubeObject volume, String phase) {
    if (phase.equals(Json.text(volume.body(), "status.phase"))) return List.of();
    ObjectNode status = status(volume);
    status.put("phase", phase);
    status.remove("message");
    status.remove("reason");
    return List.of(new Action.UpdateStatus(volume.withField("status", status)));
  }

  private static ObjectNode status(KubeObject volume) {
    return volume.status() instanceof ObjectNode s ? s.deepCopy() : Json.object();
  }
}
