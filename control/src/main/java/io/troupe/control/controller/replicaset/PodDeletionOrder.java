package io.troupe.control.controller.replicaset;

import io.troupe.persistence.model.KubeObject;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;

/**
 * The order in which a ReplicaSet that has too many pods deletes them, the cheapest loss first (Kubernetes'
 * controller.ActivePods without the co-location ranks): unscheduled before scheduled, Pending before Unknown
 * before Running, not ready before ready, ready for a shorter time before a longer one, more restarts before
 * fewer, newer before older; the name last, so the choice never depends on list order.
 */
public final class PodDeletionOrder implements Comparator<KubeObject> {
  public static final PodDeletionOrder INSTANCE = new PodDeletionOrder();

  /** Kubernetes' podPhaseToOrdinal; any other phase (or none) counts as Pending. */
  private static final Map<String, Integer> PHASE_ORDINAL = Map.of("Pending", 0, "Unknown", 1, "Running", 2);

  private PodDeletionOrder() {}

  @Override
  public int compare(KubeObject a, KubeObject b) {
    boolean aBound = PodReadiness.nodeName(a) != null;
    boolean bBound = PodReadiness.nodeName(b) != null;
    if (aBound != bBound) return aBound ? 1 : -1;
    int byPhase = Integer.compare(phaseOrdinal(a), phaseOrdinal(b));
    if (byPhase != 0) return byPhase;
    boolean aReady = PodReadiness.isReady(a);
    boolean bReady = PodReadiness.isReady(b);
    if (aReady != bReady) return aReady ? 1 : -1;
    if (aReady) {
      int byReadyTime = newerFirst(PodReadiness.readySince(a), PodReadiness.readySince(b));
      if (byReadyTime != 0) return byReadyTime;
    }
    int byRestarts = Integer.compare(PodReadiness.maxRestarts(b), PodReadiness.maxRestarts(a));
    if (byRestarts != 0) return byRestarts;
    int byAge = newerFirst(Rfc3339.parse(a.metadata().creationTimestamp()),
        Rfc3339.parse(b.metadata().creationTimestamp()));
    if (byAge != 0) return byAge;
    return String.valueOf(a.metadata().name()).compareTo(String.valueOf(b.metadata().name()));
  }

  private static int phaseOrdinal(KubeObject pod) {
    return PHASE_ORDINAL.getOrDefault(PodReadiness.phase(pod), 0);
  }

  /** Later instants first; a missing time (Kubernetes' zero time) counts as the newest, as afterOrZero does. */
  private static int newerFirst(Instant a, Instant b) {
    if (a == null || b == null) return a == null ? (b == null ? 0 : -1) : 1;
    return b.compareTo(a);
  }
}
