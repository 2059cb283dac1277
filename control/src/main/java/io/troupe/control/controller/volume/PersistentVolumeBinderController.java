package io.troupe.control.controller.volume;

import io.troupe.control.controller.ControllerSpec;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Kubernetes' PersistentVolume binder, as two controllers (one per kind it reconciles, each with its own resync, as
 * Kubernetes' has a claim queue and a volume queue): {@link #claims} binds claims ({@link ClaimReconciler}),
 * {@link #volumes} keeps the volumes' phases and reclaims released ones ({@link VolumeReconciler}).
 */
public final class PersistentVolumeBinderController {
  private PersistentVolumeBinderController() {}

  public static ControllerSpec claims(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put(Claims.KIND, o -> List.of(o.key()));
    // a volume wakes the claim it names; an unclaimed one may suit any claim still waiting
    triggers.put(Volumes.KIND, o -> {
      Volumes.ClaimRef ref = Volumes.claimRef(o);
      return ref != null ? List.of(ref.claimKey()) : unboundClaims(cache);
    });
    triggers.put("StorageClass", o -> unboundClaims(cache));
    return new ControllerSpec("persistentvolume-binder-claims", Claims.KIND, triggers, key -> {
      KubeObject claim = cache.get(key).map(Stored::object).orElse(null);
      if (claim == null) return List.of();
      return RepeatedEvents.drop(
          ClaimReconciler.reconcile(claim, cache.items(Volumes.KIND, null), classes(cache)), cache);
    }, Duration.ofSeconds(15), 8);
  }

  public static ControllerSpec volumes(WatchCache cache) {
    Map<String, Function<KubeObject, List<String>>> triggers = new HashMap<>();
    triggers.put(Volumes.KIND, o -> List.of(o.key()));
    // a claim wakes the volume it is bound to, and the one provisioned for it
    triggers.put(Claims.KIND, o -> {
      List<String> keys = new ArrayList<>(2);
      String volumeName = Claims.volumeName(o);
      if (!volumeName.isEmpty()) keys.add(ObjectKey.of(Volumes.KIND, null, volumeName));
      String provisioned = LocalPathProvisioner.volumeName(o);
      if (!provisioned.equals(volumeName)) keys.add(ObjectKey.of(Volumes.KIND, null, provisioned));
      return keys;
    });
    // a node gone leaves its local volumes to us (heartbeats, which change nodes all the time, look at nothing)
    triggers.put("Node", o -> cache.get(o.key()).isPresent() ? List.of()
        : cache.items(Volumes.KIND, null).stream()
            .filter(v -> o.metadata().name().equals(Volumes.pinnedNode(v)))
            .map(KubeObject::key)
            .toList());
    return new ControllerSpec("persistentvolume-binder-volumes", Volumes.KIND, triggers, key -> {
      KubeObject volume = cache.get(key).map(Stored::object).orElse(null);
      if (volume == null) return List.of();
      Volumes.ClaimRef ref = Volumes.claimRef(volume);
      KubeObject claim = ref == null ? null : cache.get(ref.claimKey()).map(Stored::object).orElse(null);
      String node = Volumes.pinnedNode(volume);
      boolean nodeGone = node != null && cache.get(ObjectKey.of("Node", null, node)).isEmpty();
      return VolumeReconciler.reconcile(volume, claim, nodeGone);
    }, Duration.ofSeconds(15), 8);
  }

  static Map<String, StorageClass> classes(WatchCache cache) {
    Map<String, StorageClass> classes = new HashMap<>();
    for (KubeObject c : cache.items("StorageClass", null)) classes.put(c.metadata().name(), StorageClass.from(c));
    return classes;
  }

  /** The keys of the claims not bound to a volume yet. */
  static List<String> unboundClaims(WatchCache cache) {
    return cache.list(Claims.KIND, null, c -> Claims.volumeName(c).isEmpty(), null, 0).items().stream()
        .map(KubeObject::key)
        .toList();
  }
}
