package io.troupe.control.scheduler;

import io.troupe.control.controller.volume.Claims;
import io.troupe.control.controller.volume.StorageClass;
import io.troupe.control.controller.volume.Volumes;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What a pod's PersistentVolumeClaims demand of its node, read once per scheduling attempt from the claims, their
 * volumes and classes (kube-scheduler's VolumeBinding PreFilter): the pod fits nowhere ({@code failure}), or only on
 * nodes that match every bound volume's node affinity and are the node already selected for a claim whose binding
 * waited for its first consumer.
 *
 * @param failure why no node fits the pod's claims (a claim missing, being deleted, unbound with an Immediate class),
 *     null when nodes may fit
 * @param nodeAffinity the required node affinity of each bound volume that has one
 * @param selectedNodes the nodes already selected for the pod's unbound WaitForFirstConsumer claims
 * @param claimsToSelectNode the unbound WaitForFirstConsumer claims without a selected node, as read (with their
 *     resourceVersion): once a node is chosen the scheduler writes it on each, before it binds the pod
 */
public record PodVolumes(Status failure, List<NodeSelector> nodeAffinity, List<String> selectedNodes,
    List<KubeObject> claimsToSelectNode) {

  public static final String UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";
  public static final String VOLUME_NOT_FOUND =
      "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";

  public PodVolumes {
    nodeAffinity = List.copyOf(nodeAffinity);
    selectedNodes = List.copyOf(selectedNodes);
    claimsToSelectNode = List.copyOf(claimsToSelectNode);
  }

  /** Whether no node can fail these volumes (kube-scheduler's Skip). */
  public boolean constrainsNothing() {
    return failure == null && nodeAffinity.isEmpty() && selectedNodes.isEmpty();
  }

  private static PodVolumes failed(String reason) {
    return new PodVolumes(Status.unresolvable(reason), List.of(), List.of(), List.of());
  }

  /**
   * Reads what the claims of {@code pod} demand.
   *
   * @param lookup the object with a store key ({@link ObjectKey}), or null when there is none
   */
  public static PodVolumes resolve(PodInfo pod, Function<String, KubeObject> lookup) {
    List<NodeSelector> affinity = new ArrayList<>();
    List<String> selected = new ArrayList<>();
    List<KubeObject> toSelect = new ArrayList<>();
    for (String name : pod.claims()) {
      KubeObject claim = lookup.apply(ObjectKey.of(Claims.KIND, pod.namespace(), name));
      if (claim == null) return failed("persistentvolumeclaim \"" + name + "\" not found");
      if (claim.metadata().isDeleting()) return failed("persistentvolumeclaim \"" + name + "\" is being deleted");
      String volumeName = Claims.volumeName(claim);
      if (!volumeName.isEmpty()) {
        KubeObject volume = lookup.apply(ObjectKey.of(Volumes.KIND, null, volumeName));
        if (volume == null) return failed(VOLUME_NOT_FOUND);
        var required = volume.body().path("spec").path("nodeAffinity").path("required");
        if (required.isObject()) {
          try {
            affinity.add(PodSpecReader.nodeSelector(required, "spec.nodeAffinity.required"));
          } catch (IllegalArgumentException e) {
            return failed("persistentvolume \"" + volumeName + "\": " + e.getMessage());
          }
        }
        continue;
      }
      String className = Claims.className(claim);
      KubeObject storageClass = className.isEmpty() ? null
          : lookup.apply(ObjectKey.of("StorageClass", null, className));
      if (storageClass == null || !StorageClass.from(storageClass).waitForFirstConsumer()) {
        return failed(className.isEmpty() || storageClass != null ? UNBOUND_IMMEDIATE
            : "storageclass.storage.k8s.io \"" + className + "\" not found");
      }
      String node = Claims.selectedNode(claim);
      if (node != null) selected.add(node);
      else toSelect.add(claim);
    }
    return new PodVolumes(null, affinity, selected, toSelect);
  }
}
