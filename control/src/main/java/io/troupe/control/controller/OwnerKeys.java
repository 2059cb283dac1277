package io.troupe.control.controller;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.OwnerReference;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import java.util.Optional;

/** Keys of the objects an object's ownerReferences point to. */
public final class OwnerKeys {
  private OwnerKeys() {}

  /** The key of the object's controller (the ownerReference with controller=true), if it is of {@code kind}. */
  public static Optional<String> controller(KubeObject o, String kind) {
    for (OwnerReference ref : o.metadata().ownerReferences()) {
      if (Boolean.TRUE.equals(ref.controller()) && kind.equals(ref.kind())) {
        return Optional.of(ObjectKey.of(kind, o.metadata().namespace(), ref.name()));
      }
    }
    return Optional.empty();
  }

  /** The key an ownerReference of {@code dependent} points to (a namespaced owner is in the dependent's namespace). */
  public static String of(KubeObject dependent, OwnerReference ref) {
    boolean namespaced = ResourceTypes.byKind(ref.kind()).map(ResourceType::namespaced).orElse(true);
    return ObjectKey.of(ref.kind(), namespaced ? dependent.metadata().namespace() : null, ref.name());
  }
}
