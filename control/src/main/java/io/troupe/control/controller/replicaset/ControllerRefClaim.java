package io.troupe.control.controller.replicaset;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.OwnerReference;
import io.troupe.persistence.selector.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which objects a controller owns, as Kubernetes' ControllerRefManager.ClaimObject decides it: an object whose
 * controller reference names the owner's uid is the owner's while the selector matches, and is released when it
 * stops matching; an orphan that matches is adopted. Objects controlled by someone else are never touched.
 *
 * <p>The adopted and released objects are returned already rewritten (their resourceVersion unchanged), so the
 * writes stay conditional: an object that changed since this view was read is not adopted on stale grounds.
 *
 * @param claimed the owner's objects after this claim: those it already controlled plus the adopted ones
 * @param adopted orphans to write back with a controller reference to the owner added
 * @param released objects to write back with the owner's reference removed
 */
public record ControllerRefClaim(List<KubeObject> claimed, List<KubeObject> adopted, List<KubeObject> released) {

  public ControllerRefClaim {
    claimed = List.copyOf(claimed);
    adopted = List.copyOf(adopted);
    released = List.copyOf(released);
  }

  /**
   * Claims among {@code candidates} (other namespaces are skipped). An owner without a uid (not stored yet)
   * claims nothing; an owner being deleted keeps what it controls but neither adopts nor releases, so that the
   * garbage collector sees a stable set.
   */
  public static ControllerRefClaim of(KubeObject owner, LabelSelector selector, List<KubeObject> candidates) {
    List<KubeObject> claimed = new ArrayList<>();
    List<KubeObject> adopted = new ArrayList<>();
    List<KubeObject> released = new ArrayList<>();
    String uid = owner.metadata().uid();
    if (uid == null || uid.isEmpty()) return new ControllerRefClaim(claimed, adopted, released);
    boolean ownerDeleting = owner.metadata().isDeleting();
    for (KubeObject candidate : candidates) {
      if (!Objects.equals(owner.metadata().namespace(), candidate.metadata().namespace())) continue;
      boolean matches = selector.matches(candidate.metadata().labels());
      Optional<OwnerReference> controller = controllerOf(candidate);
      if (controller.isPresent()) {
        if (!uid.equals(controller.get().uid())) continue;
        if (matches) {
          claimed.add(candidate);
        } else if (!ownerDeleting) {
          released.add(withoutOwner(candidate, uid));
        }
      } else if (matches && !ownerDeleting && !candidate.metadata().isDeleting()) {
        KubeObject adoptedObject = withOwner(candidate, controllerRefTo(owner));
        adopted.add(adoptedObject);
        claimed.add(adoptedObject);
      }
    }
    return new ControllerRefClaim(claimed, adopted, released);
  }

  /** The owner reference marked controller=true, if any: at most one per object in Kubernetes. */
  public static Optional<OwnerReference> controllerOf(KubeObject object) {
    for (OwnerReference ref : object.metadata().ownerReferences()) {
      if (Boolean.TRUE.equals(ref.controller())) return Optional.of(ref);
    }
    return Optional.empty();
  }

  /** Whether {@code object}'s controller reference names {@code ownerUid}. */
  public static boolean isControlledBy(KubeObject object, String ownerUid) {
    return ownerUid != null && controllerOf(object).map(ref -> ownerUid.equals(ref.uid())).orElse(false);
  }

  /**
   * metav1.NewControllerRef: controller and blockOwnerDeletion set, so that a foreground deletion of the
   * owner waits for its dependents.
   */
  public static OwnerReference controllerRefTo(KubeObject owner) {
    return new OwnerReference(owner.apiVersion(), owner.kind(), owner.metadata().name(), owner.metadata().uid(),
        true, true);
  }

  /** A copy of {@code object} with these owner references (everything else in its metadata kept). */
  public static KubeObject withOwnerReferences(KubeObject object, List<OwnerReference> refs) {
    return object.withMetadata(object.metadata().withOwnerReferences(refs));
  }

  private static KubeObject withOwner(KubeObject object, OwnerReference ref) {
    List<OwnerReference> refs = new ArrayList<>(object.metadata().ownerReferences());
    refs.add(ref);
    return withOwnerReferences(object, refs);
  }

  private static KubeObject withoutOwner(KubeObject object, String uid) {
    List<OwnerReference> refs = new ArrayList<>();
    for (OwnerReference ref : object.metadata().ownerReferences()) {
      if (!uid.equals(ref.uid())) refs.add(ref);
    }
    return withOwnerReferences(object, refs);
  }
}
