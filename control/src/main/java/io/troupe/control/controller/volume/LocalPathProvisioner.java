package io.troupe.control.controller.volume;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.List;
import java.util.Map;

/**
 * The local-path provisioner (as Rancher's local-path-provisioner): for a Pending claim of a class whose provisioner
 * is {@code troupe.io/local-path}, once the scheduler has selected a node for it, creates a PersistentVolume
 * {@code pvc-<claim uid>} pre-bound to the claim, pinned to that node, whose data lives in a directory under the
 * node's {@code troupe.io/local-path-root}. The node agent creates and removes that directory; the PV's finalizer
 * {@code troupe.io/local-path} holds a deleted PV until it has.
 */
public final class LocalPathProvisioner {
  public static final String NAME = "troupe.io/local-path";
  public static final String FINALIZER = "troupe.io/local-path";
  /** A node's annotation: the absolute directory under which its local-path volumes live. */
  public static final String ROOT_ANNOTATION = "troupe.io/local-path-root";

  private LocalPathProvisioner() {}

  /** The name of the volume provisioned for a claim. */
  public static String volumeName(KubeObject claim) {
    return "pvc-" + claim.metadata().uid();
  }

  /**
   * @param claim the claim, or null when it is gone
   * @param storageClass the claim's class, or null when it names none or it does not exist
   * @param node the node selected for the claim, or null when none is selected or it does not exist
   * @param volumeExists whether the volume {@code pvc-<claim uid>} exists already
   */
  public static List<Action> reconcile(KubeObject claim, StorageClass storageClass, KubeObject node,
      boolean volumeExists) {
    if (claim == null || claim.metadata().isDeleting() || storageClass == null
        || !NAME.equals(storageClass.provisioner())) {
      return List.of();
    }
    if (!Claims.PENDING.equals(Claims.phase(claim)) || !Claims.volumeName(claim).isEmpty() || volumeExists) {
      return List.of();
    }
    String selected = Claims.selectedNode(claim);
    if (selected == null) {
      if (storageClass.waitForFirstConsumer()) return List.of(); // the binder says it waits for a consumer
      return failed(claim, storageClass, "configuration error, no node was specified");
    }
    if (node == null) return failed(claim, storageClass, "node \"" + selected + "\" not found");
    String root = node.metadata().annotations().get(ROOT_ANNOTATION);
    if (root == null || root.isEmpty()) {
      return failed(claim, storageClass, "node \"" + selected + "\" has no annotation " + ROOT_ANNOTATION);
    }
    KubeObject volume = volume(claim, storageClass, selected, root);
    return List.of(new Action.Create(volume), new Action.RecordEvent(claim, "Normal", "ProvisioningSucceeded",
        "Successfully provisioned volume " + volume.metadata().name()));
  }

  private static List<Action> failed(KubeObject claim, StorageClass storageClass, String why) {
    return List.of(new Action.RecordEvent(claim, "Warning", "ProvisioningFailed",
        "failed to provision volume with StorageClass \"" + storageClass.name() + "\": " + why));
  }

  /** The PersistentVolume for {@code claim} on {@code node}, as the contract of issue #10 writes it. */
  static KubeObject volume(KubeObject claim, StorageClass storageClass, String node, String root) {
    String name = volumeName(claim);
    String namespace = claim.metadata().namespace();
    ObjectMeta meta = new ObjectMeta(name, null, null, null, null, null, null, null, null, null,
        Map.of(Volumes.PROVISIONED_BY, NAME), null, List.of(FINALIZER));
    ObjectNode body = Json.object();
    ObjectNode spec = body.putObject("spec");
    ObjectNode capacity = spec.putObject("capacity");
    var storage = claim.body().path("spec").path("resources").path("requests").get("storage");
    if (storage != null && !storage.isNull()) capacity.set("storage", storage.deepCopy());
    ArrayNode modes = spec.putArray("accessModes");
    claim.body().path("spec").path("accessModes").forEach(m -> modes.add(m.deepCopy()));
    spec.put("persistentVolumeReclaimPolicy", storageClass.reclaimPolicy());
    spec.put("storageClassName", storageClass.name());
    spec.put("volumeMode", "Filesystem");
    ObjectNode hostPath = spec.putObject("hostPath");
    String directory = root.endsWith("/") ? root : root + "/";
    hostPath.put("path", directory + name + "_" + namespace + "_" + claim.metadata().name());
    hostPath.put("type", "DirectoryOrCreate");
    ObjectNode expression = spec.putObject("nodeAffinity").putObject("required").putArray("nodeSelectorTerms")
        .addObject().putArray("matchExpressions").addObject();
    expression.put("key", Volumes.HOSTNAME);
    expression.put("operator", "In");
    expression.putArray("values").add(node);
    ObjectNode claimRef = spec.putObject("claimRef");
    claimRef.put("apiVersion", "v1");
    claimRef.put("kind", Claims.KIND);
    claimRef.put("namespace", namespace);
    claimRef.put("name", claim.metadata().name());
    claimRef.put("uid", claim.metadata().uid());
    return new KubeObject("v1", Volumes.KIND, meta, body);
  }
}
