package io.troupe.control.controller.volume;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.selector.LabelSelector;
import io.troupe.persistence.selector.SelectorException;
import java.math.BigDecimal;
import java.util.List;

/**
 * Which volume a claim binds to, as Kubernetes' {@code findBestMatchForClaim}: a volume pre-bound to the claim if
 * one is large enough, otherwise the smallest Available volume of the claim's class that holds the request, offers
 * every requested access mode and matches the claim's selector. Claims whose binding waits for their first consumer
 * take only pre-bound volumes.
 */
public final class VolumeMatch {
  private VolumeMatch() {}

  /** The best volume for {@code claim} among {@code volumes}, or null. */
  public static KubeObject bestFor(KubeObject claim, List<KubeObject> volumes, boolean delayBinding) {
    BigDecimal requested = Claims.requestedStorage(claim);
    String className = Claims.className(claim);
    List<String> modes = Claims.accessModes(claim);
    LabelSelector selector = selector(claim);
    KubeObject best = null;
    BigDecimal bestCapacity = null;
    for (KubeObject volume : volumes) {
      if (volume.metadata().isDeleting()) continue;
      boolean preBound = Volumes.isBoundTo(volume, claim);
      if (Volumes.claimRef(volume) != null && !preBound) continue;
      BigDecimal capacity = Volumes.capacity(volume);
      if (capacity.compareTo(requested) < 0) continue;
      if (!Volumes.volumeMode(volume).equals(Claims.volumeMode(claim))) continue;
      if (preBound) return volume;
      if (delayBinding) continue;
      if (!Volumes.AVAILABLE.equals(Volumes.phase(volume))) continue;
      if (selector == null || !selector.matches(volume.metadata().labels())) continue;
      if (!Volumes.className(volume).equals(className)) continue;
      if (!Volumes.accessModes(volume).containsAll(modes)) continue;
      if (best == null || capacity.compareTo(bestCapacity) < 0) {
        best = volume;
        bestCapacity = capacity;
      }
    }
    return best;
  }

  /**
   * Why {@code volume} cannot serve {@code claim} that names it in {@code spec.volumeName}, or null when it can
   * (Kubernetes' {@code checkVolumeSatisfyClaim}).
   */
  public static String unsatisfied(KubeObject volume, KubeObject claim) {
    if (Volumes.capacity(volume).compareTo(Claims.requestedStorage(claim)) < 0) {
      return "requested PV is too small";
    }
    if (!Volumes.className(volume).equals(Claims.className(claim))) {
      return "storageClassName does not match";
    }
    if (!Volumes.volumeMode(volume).equals(Claims.volumeMode(claim))) {
      return "incompatible volumeMode";
    }
    if (!Volumes.accessModes(volume).containsAll(Claims.accessModes(claim))) {
      return "incompatible accessMode";
    }
    return null;
  }

  /** The claim's {@code spec.selector}: everything when absent; null (matches nothing) when malformed. */
  private static LabelSelector selector(KubeObject claim) {
    JsonNode selector = claim.body().path("spec").get("selector");
    if (selector == null || selector.isNull()) return LabelSelector.everything();
    try {
      return LabelSelector.fromJson(selector);
    } catch (SelectorException e) {
      return null;
    }
  }
}
