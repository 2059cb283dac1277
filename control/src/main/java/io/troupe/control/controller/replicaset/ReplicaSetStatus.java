package io.troupe.control.controller.replicaset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The counts of a ReplicaSet's status that its controller owns. Read from an object's status (for a ReplicaSet's
 * own "did it change" test, and for the Deployment controller, which only ever sees ReplicaSets through them)
 * and computed from the claimed pods.
 */
public record ReplicaSetStatus(
    int replicas, int fullyLabeledReplicas, int readyReplicas, int availableReplicas, long observedGeneration) {

  /** The counts written in {@code status} (a missing field is zero, as Kubernetes' omitempty implies). */
  public static ReplicaSetStatus observed(JsonNode status) {
    if (status == null || !status.isObject()) return new ReplicaSetStatus(0, 0, 0, 0, 0);
    return new ReplicaSetStatus(status.path("replicas").asInt(0), status.path("fullyLabeledReplicas").asInt(0),
        status.path("readyReplicas").asInt(0), status.path("availableReplicas").asInt(0),
        status.path("observedGeneration").asLong(0));
  }

  /**
   * calculateStatus in Kubernetes' replica_set_utils.go: over the active pods the ReplicaSet owns, how many
   * carry all the template's labels, are Ready, and have been Ready for {@code minReadySeconds}.
   */
  public static ReplicaSetStatus of(List<KubeObject> ownedActivePods, Map<String, String> templateLabels,
      int minReadySeconds, long generation, Instant now) {
    int fullyLabeled = 0;
    int ready = 0;
    int available = 0;
    for (KubeObject pod : ownedActivePods) {
      if (pod.metadata().labels().entrySet().containsAll(templateLabels.entrySet())) fullyLabeled++;
      if (PodReadiness.isReady(pod)) {
        ready++;
        if (PodReadiness.isAvailable(pod, minReadySeconds, now)) available++;
      }
    }
    return new ReplicaSetStatus(ownedActivePods.size(), fullyLabeled, ready, available, generation);
  }

  /**
   * {@code existing} (the status as stored, other fields such as conditions kept) with these counts. Zero counts
   * are left out except {@code replicas}, as Kubernetes serializes ReplicaSetStatus (omitempty on all but it).
   */
  public ObjectNode writeInto(JsonNode existing) {
    ObjectNode status = existing != null && existing.isObject() ? ((ObjectNode) existing).deepCopy() : Json.object();
    status.put("replicas", replicas);
    putOrRemove(status, "fullyLabeledReplicas", fullyLabeledReplicas);
    putOrRemove(status, "readyReplicas", readyReplicas);
    putOrRemove(status, "availableReplicas", availableReplicas);
    putOrRemove(status, "observedGeneration", observedGeneration);
    return status;
  }

  private static void putOrRemove(ObjectNode status, String field, long value) {
    if (value == 0) status.remove(field);
    else if (value == (int) value) status.put(field, (int) value);
    else status.put(field, value);
  }
}
