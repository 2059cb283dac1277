package io.troupe.control.controller.gc;

import io.troupe.control.controller.Action;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.model.OwnerReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Kubernetes' garbage collector over ownerReferences, for one object seen both as a dependent and as an owner.
 *
 * <ul>
 *   <li>A dependent whose owners are all gone is deleted (the Background cascade); a reference to an owner that
 *       is gone while others remain is dropped.
 *   <li>An owner being deleted with {@code orphan} releases its dependents (drops their reference to it), with
 *       {@code foregroundDeletion} deletes them; once none refers to it, the finalizer goes (and so the owner).
 * </ul>
 */
public final class GarbageCollector {
  public static final String ORPHAN = "orphan";
  public static final String FOREGROUND = "foregroundDeletion";

  private GarbageCollector() {}

  /**
   * @param object the object (null when gone: nothing to do)
   * @param owner the current owner an ownerReference points to, or null when it is gone (same uid only)
   * @param dependents the objects whose ownerReferences name this object's uid
   */
  public static List<Action> reconcile(KubeObject object, Function<OwnerReference, KubeObject> owner,
      List<KubeObject> dependents) {
    if (object == null) return List.of();
    List<Action> actions = new ArrayList<>(asDependent(object, owner));
    if (actions.isEmpty()) actions.addAll(asOwner(object, dependents));
    return actions;
  }

  private static List<Action> asDependent(KubeObject object, Function<OwnerReference, KubeObject> owner) {
    ObjectMeta meta = object.metadata();
    if (meta.ownerReferences().isEmpty() || meta.isDeleting()) return List.of();
    List<OwnerReference> alive = new ArrayList<>();
    for (OwnerReference ref : meta.ownerReferences()) if (owner.apply(ref) != null) alive.add(ref);
    if (alive.isEmpty()) return List.of(new Action.Delete(object.key(), meta.uid()));
    if (alive.size() == meta.ownerReferences().size()) return List.of();
    return List.of(new Action.Update(object.withMetadata(with(meta, alive, meta.finalizers()))));
  }

  private static List<Action> asOwner(KubeObject object, List<KubeObject> dependents) {
    ObjectMeta meta = object.metadata();
    boolean orphan = meta.finalizers().contains(ORPHAN);
    boolean foreground = meta.finalizers().contains(FOREGROUND);
    if (!meta.isDeleting() || (!orphan && !foreground)) return List.of();
    if (dependents.isEmpty()) {
      List<String> finalizers = new ArrayList<>(meta.finalizers());
      finalizers.remove(ORPHAN);
      finalizers.remove(FOREGROUND);
      return List.of(new Action.Update(object.withMetadata(with(meta, meta.ownerReferences(), finalizers))));
    }
    List<Action> actions = new ArrayList<>();
    for (KubeObject d : dependents) {
      ObjectMeta dm = d.metadata();
      if (foreground) {
        if (!dm.isDeleting()) actions.add(new Action.Delete(d.key(), dm.uid()));
      } else {
        List<OwnerReference> others = dm.ownerReferences().stream()
            .filter(r -> !meta.uid().equals(r.uid())).toList();
        actions.add(new Action.Update(d.withMetadata(with(dm, others, dm.finalizers()))));
      }
    }
    return actions;
  }

  private static ObjectMeta with(ObjectMeta m, List<OwnerReference> owners, List<String> finalizers) {
    return new ObjectMeta(m.name(), m.generateName(), m.namespace(), m.uid(), m.resourceVersion(), m.generation(),
        m.creationTimestamp(), m.deletionTimestamp(), m.deletionGracePeriodSeconds(), m.labels(), m.annotations(),
        owners, finalizers);
  }
}
