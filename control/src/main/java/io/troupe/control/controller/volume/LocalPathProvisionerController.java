package io.troupe.control.controller.volume;

import io.troupe.control.controller.ControllerSpec;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Provisions local-path volumes for the claims that wait for one ({@link LocalPathProvisioner}). */
public final class LocalPathProvisionerController {
  private LocalPathProvisionerController() {}

  public static ControllerSpec spec(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put(Claims.KIND, o -> List.of(o.key()));
    triggers.put(Volumes.KIND, o -> {
      Volumes.ClaimRef ref = Volumes.claimRef(o);
      return ref == null ? List.of() : List.of(ref.claimKey());
    });
    triggers.put("StorageClass", o -> PersistentVolumeBinderController.unboundClaims(cache));
    return new ControllerSpec("local-path-provisioner", Claims.KIND, triggers, key -> {
      KubeObject claim = cache.get(key).map(Stored::object).orElse(null);
      if (claim == null) return List.of();
      StorageClass storageClass = cache.get(ObjectKey.of("StorageClass", null, Claims.className(claim)))
          .map(s -> StorageClass.from(s.object())).orElse(null);
      String selected = Claims.selectedNode(claim);
      KubeObject node = selected == null ? null
          : cache.get(ObjectKey.of("Node", null, selected)).map(Stored::object).orElse(null);
      boolean volumeExists =
          cache.get(ObjectKey.of(Volumes.KIND, null, LocalPathProvisioner.volumeName(claim))).isPresent();
      return RepeatedEvents.drop(LocalPathProvisioner.reconcile(claim, storageClass, node, volumeExists), cache);
    }, Duration.ofSeconds(30), 4);
  }
}
