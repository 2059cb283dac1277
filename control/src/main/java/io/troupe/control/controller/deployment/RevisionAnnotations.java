package io.troupe.control.controller.deployment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The annotations by which a Deployment numbers its ReplicaSets and remembers its size (Kubernetes'
 * deploymentutil). {@code kubectl rollout history} and {@code undo} read the revisions; the desired and max
 * replicas let a later scale of the Deployment be spread proportionally over its ReplicaSets.
 */
final class RevisionAnnotations {
  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
  static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
  static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";

  /** Kubernetes' maxRevHistoryLengthInChars: the history of revision numbers kept on a reused ReplicaSet. */
  static final int MAX_HISTORY_CHARS = 2000;

  /** Deployment annotations never copied onto its ReplicaSets: they describe the Deployment itself. */
  private static final Set<String> NOT_COPIED = Set.of(
      "kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY, DESIRED_REPLICAS,
      MAX_REPLICAS, "deprecated.deployment.rollback.to");

  private RevisionAnnotations() {}

  /** The revision of a ReplicaSet, 0 when missing or not a number (deploymentutil.Revision). */
  static long revision(Map<String, String> annotations) {
    String value = annotations.get(REVISION);
    if (value == null) return 0;
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * SetNewReplicaSetAnnotations on {@code rs} (mutable): copies the Deployment's own annotations, raises the
   * revision to {@code newRevision} when it is lower (a rollback reuses an old ReplicaSet under a new number and
   * keeps the old number in the revision history), and gives a ReplicaSet being created its replica annotations.
   *
   * @return whether any annotation changed
   */
  static boolean setNewReplicaSetAnnotations(Map<String, String> deployment, DeploymentSpec spec,
      Map<String, String> rs, long newRevision, boolean exists) {
    boolean changed = copyDeploymentAnnotations(deployment, rs);
    String oldRevision = rs.get(REVISION);
    long oldRevisionNumber = 0;
    if (oldRevision != null) {
      try {
        oldRevisionNumber = Long.parseLong(oldRevision);
      } catch (NumberFormatException e) {
        return changed; // someone wrote a revision that is not ours to interpret: leave it
      }
    }
    if (oldRevisionNumber < newRevision) {
      rs.put(REVISION, Long.toString(newRevision));
      changed = true;
      if (oldRevision != null) appendHistory(rs, oldRevision);
    }
    if (!exists && setReplicasAnnotations(rs, spec.replicas(), spec.replicas() + spec.maxSurgeCount())) {
      changed = true;
    }
    return changed;
  }

  /** SetReplicasAnnotations: records the Deployment's size and its size with surge; whether anything changed. */
  static boolean setReplicasAnnotations(Map<String, String> rs, int desired, int max) {
    boolean changed = !Integer.toString(desired).equals(rs.get(DESIRED_REPLICAS))
        || !Integer.toString(max).equals(rs.get(MAX_REPLICAS));
    rs.put(DESIRED_REPLICAS, Integer.toString(desired));
    rs.put(MAX_REPLICAS, Integer.toString(max));
    return changed;
  }

  /** The desired-replicas annotation, or null when missing or not a number. */
  static Integer desiredReplicas(Map<String, String> rs) {
    return intOrNull(rs.get(DESIRED_REPLICAS));
  }

  /** The max-replicas annotation, or null when missing or not a number. */
  static Integer maxReplicas(Map<String, String> rs) {
    return intOrNull(rs.get(MAX_REPLICAS));
  }

  private static boolean copyDeploymentAnnotations(Map<String, String> deployment, Map<String, String> rs) {
    boolean changed = false;
    for (Map.Entry<String, String> e : deployment.entrySet()) {
      if (NOT_COPIED.contains(e.getKey()) || e.getValue().equals(rs.get(e.getKey()))) continue;
      rs.put(e.getKey(), e.getValue());
      changed = true;
    }
    return changed;
  }

  /** Keeps the history under {@link #MAX_HISTORY_CHARS} by dropping its oldest entries, as Kubernetes does. */
  private static void appendHistory(Map<String, String> rs, String oldRevision) {
    String history = rs.getOrDefault(REVISION_HISTORY, "");
    if (history.isEmpty()) {
      rs.put(REVISION_HISTORY, oldRevision);
      return;
    }
    List<String> entries = new ArrayList<>(Arrays.asList(history.split(",", -1)));
    int total = history.length() + oldRevision.length() + 1;
    while (total > MAX_HISTORY_CHARS && !entries.isEmpty()) {
      total -= entries.remove(0).length() + 1;
    }
    if (total <= MAX_HISTORY_CHARS) {
      entries.add(oldRevision);
      rs.put(REVISION_HISTORY, String.join(",", entries));
    }
  }

  private static Integer intOrNull(String value) {
    if (value == null) return null;
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
