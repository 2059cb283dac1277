package io.troupe.control.controller.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.replicaset.PodReadiness;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The counts of a DaemonSet's status (Kubernetes' updateDaemonSetStatus), node by node: a node that should run
 * the pod counts as desired, as scheduled when it has one, and its oldest pod says whether it is ready, available
 * and of the current template; a node that should not run it but has one counts as misscheduled.
 */
public record DaemonSetStatus(
    int desiredNumberScheduled,
    int currentNumberScheduled,
    int numberMisscheduled,
    int numberReady,
    int numberAvailable,
    int numberUnavailable,
    int updatedNumberScheduled,
    long observedGeneration) {

  /** The counts written in {@code status}; a missing field is zero. */
  public static DaemonSetStatus observed(JsonNode status) {
    if (status == null || !status.isObject()) return new DaemonSetStatus(0, 0, 0, 0, 0, 0, 0, 0);
    return new DaemonSetStatus(status.path("desiredNumberScheduled").asInt(0),
        status.path("currentNumberScheduled").asInt(0), status.path("numberMisscheduled").asInt(0),
        status.path("numberReady").asInt(0), status.path("numberAvailable").asInt(0),
        status.path("numberUnavailable").asInt(0), status.path("updatedNumberScheduled").asInt(0),
        status.path("observedGeneration").asLong(0));
  }

  /**
   * @param eligibility every existing node's eligibility, by name
   * @param podsByNode the DaemonSet's pods by target node
   */
  static DaemonSetStatus of(Map<String, NodeEligibility> eligibility, Map<String, List<KubeObject>> podsByNode,
      String hash, int minReadySeconds, long generation, Instant now) {
    int desired = 0;
    int current = 0;
    int misscheduled = 0;
    int ready = 0;
    int available = 0;
    int updated = 0;
    for (Map.Entry<String, NodeEligibility> node : eligibility.entrySet()) {
      List<KubeObject> pods = podsByNode.getOrDefault(node.getKey(), List.of());
      if (!node.getValue().shouldRun()) {
        if (!pods.isEmpty()) misscheduled++;
        continue;
      }
      desired++;
      if (pods.isEmpty()) continue;
      current++;
      List<KubeObject> sorted = new ArrayList<>(pods);
      sorted.sort(DaemonSetReconciler.OLDEST_FIRST);
      KubeObject pod = sorted.get(0);
      if (PodReadiness.isReady(pod)) {
        ready++;
        if (PodReadiness.isAvailable(pod, minReadySeconds, now)) available++;
      }
      if (hash.equals(pod.metadata().labels().get(DaemonPodTemplate.HASH_LABEL))) updated++;
    }
    return new DaemonSetStatus(desired, current, misscheduled, ready, available, desired - available, updated,
        generation);
  }

  /**
   * {@code existing} (other fields such as conditions and collisionCount kept) with these counts, serialized as
   * Kubernetes does: the first four always, the others omitted when zero.
   */
  public ObjectNode writeInto(JsonNode existing) {
    ObjectNode status = existing != null && existing.isObject() ? ((ObjectNode) existing).deepCopy() : Json.object();
    status.put("currentNumberScheduled", currentNumberScheduled);
    status.put("numberMisscheduled", numberMisscheduled);
    status.put("desiredNumberScheduled", desiredNumberScheduled);
    status.put("numberReady", numberReady);
    putOrRemove(status, "observedGeneration", observedGeneration);
    putOrRemove(status, "updatedNumberScheduled", updatedNumberScheduled);
    putOrRemove(status, "numberAvailable", numberAvailable);
    putOrRemove(status, "numberUnavailable", numberUnavailable);
    return status;
  }

  private static void putOrRemove(ObjectNode status, String field, long value) {
    if (value == 0) status.remove(field);
    else if (value == (int) value) status.put(field, (int) value);
    else status.put(field, value);
  }
}
