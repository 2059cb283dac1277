package io.troupe.control.controller.replicaset;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import java.time.Instant;

/**
 * What a controller reads from a pod's status: whether it still counts (active), whether it is Ready and since
 * when, and whether it has been ready long enough to be available. Kubernetes' podutil.IsPodReady,
 * IsPodAvailable and controller.IsPodActive.
 */
public final class PodReadiness {
  private PodReadiness() {}

  /** Neither terminated (Succeeded, Failed) nor being deleted: the pods a ReplicaSet counts. */
  public static boolean isActive(KubeObject pod) {
    String phase = phase(pod);
    return !pod.metadata().isDeleting() && !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  /** status.phase, or "" when the pod has no status yet (as for a pod nobody has looked at). */
  public static String phase(KubeObject pod) {
    JsonNode status = pod.status();
    return status == null ? "" : status.path("phase").asText("");
  }

  /** Whether the pod's Ready condition is True. */
  public static boolean isReady(KubeObject pod) {
    JsonNode ready = readyCondition(pod);
    return ready != null && "True".equals(ready.path("status").asText());
  }

  /** When the Ready condition last changed (for a ready pod: since when it has been ready), or null. */
  public static Instant readySince(KubeObject pod) {
    JsonNode ready = readyCondition(pod);
    return ready == null ? null : Rfc3339.parse(ready.path("lastTransitionTime").asText(null));
  }

  /**
   * Ready for at least {@code minReadySeconds} at {@code now}. A ready pod without a transition time is
   * available only when no minimum is asked for, as in Kubernetes (a zero time never satisfies a minimum).
   */
  public static boolean isAvailable(KubeObject pod, int minReadySeconds, Instant now) {
    if (!isReady(pod)) return false;
    if (minReadySeconds <= 0) return true;
    Instant since = readySince(pod);
    return since != null && !since.plusSeconds(minReadySeconds).isAfter(now);
  }

  /** The largest restartCount among the pod's containers: a crash-looping pod is a better one to delete. */
  public static int maxRestarts(KubeObject pod) {
    JsonNode statuses = pod.status() == null ? null : pod.status().get("containerStatuses");
    int max = 0;
    if (statuses != null && statuses.isArray()) {
      for (JsonNode s : statuses) max = Math.max(max, s.path("restartCount").asInt(0));
    }
    return max;
  }

  /** spec.nodeName, or null for a pod the scheduler has not bound yet. */
  public static String nodeName(KubeObject pod) {
    JsonNode spec = pod.spec();
    String node = spec == null ? null : spec.path("nodeName").asText(null);
    return node == null || node.isEmpty() ? null : node;
  }

  private static JsonNode readyCondition(KubeObject pod) {
    JsonNode status = pod.status();
    JsonNode conditions = status == null ? null : status.get("conditions");
    if (conditions == null || !conditions.isArray()) return null;
    for (JsonNode c : conditions) {
      if ("Ready".equals(c.path("type").asText())) return c;
    }
    return null;
  }
}
