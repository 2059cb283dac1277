package io.troupe.control.controller.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.controller.replicaset.PodReadiness;
import io.troupe.persistence.model.KubeObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The RollingUpdate strategy without surge (Kubernetes' rollingUpdate with maxSurge 0): old pods, those whose
 * {@code controller-revision-hash} is not the template's, are deleted while at most {@code maxUnavailable} nodes
 * are without an available daemon pod; the core loop then creates the new pod on each node so freed. An old pod
 * that is not available anyway is replaced at once, whatever the budget; its node counts as unavailable, so healthy
 * old pods wait meanwhile (Kubernetes does not count it, and may then take down more than maxUnavailable nodes).
 *
 * <p>{@code maxSurge} is not honoured: a surge would run two pods on a node, and this controller keeps one.
 */
final class DaemonSetRollingUpdate {
  private DaemonSetRollingUpdate() {}

  /** Whether {@code spec.updateStrategy} asks for RollingUpdate (the default) rather than OnDelete. */
  static boolean isRollingUpdate(JsonNode spec) {
    return !"OnDelete".equals(spec.path("updateStrategy").path("type").asText(""));
  }

  /**
   * util.UnavailableCount: {@code rollingUpdate.maxUnavailable} (default 1), a percentage of the desired number
   * rounded up; at least 1, as validation refuses maxUnavailable and maxSurge both 0.
   */
  static int maxUnavailable(JsonNode spec, int desiredNumberScheduled) {
    JsonNode value = spec.path("updateStrategy").path("rollingUpdate").get("maxUnavailable");
    int scaled = 1;
    if (value != null && !value.isNull()) {
      if (value.isNumber()) {
        scaled = value.asInt();
      } else {
        String text = value.asText().trim();
        try {
          if (text.endsWith("%")) {
            int percent = Integer.parseInt(text.substring(0, text.length() - 1));
            scaled = (int) Math.ceil((double) percent * desiredNumberScheduled / 100);
          } else {
            scaled = Integer.parseInt(text);
          }
        } catch (NumberFormatException e) {
          scaled = 1;
        }
      }
    }
    return Math.max(1, scaled);
  }

  /**
   * The old pods to delete now.
   *
   * @param eligibility every existing node's eligibility, in the order nodes are considered
   * @param podsByNode the DaemonSet's pods by target node
   */
  static List<KubeObject> oldPodsToDelete(Map<String, NodeEligibility> eligibility,
      Map<String, List<KubeObject>> podsByNode, String hash, int maxUnavailable, int minReadySeconds, Instant now) {
    int unavailable = 0;
    List<KubeObject> replacements = new ArrayList<>();
    List<KubeObject> candidates = new ArrayList<>();
    for (Map.Entry<String, NodeEligibility> node : eligibility.entrySet()) {
      List<KubeObject> pods = podsByNode.getOrDefault(node.getKey(), List.of());
      if (pods.isEmpty()) {
        // Kubernetes leaves such a node to the core loop; counting it keeps the budget honest meanwhile.
        if (node.getValue().shouldRun()) unavailable++;
        continue;
      }
      KubeObject newPod = null;
      KubeObject oldPod = null;
      boolean single = true;
      for (KubeObject pod : pods) {
        if (pod.metadata().isDeleting()) continue;
        if (hash.equals(pod.metadata().labels().get(DaemonPodTemplate.HASH_LABEL))) {
          if (newPod != null) single = false;
          newPod = pod;
        } else {
          if (oldPod != null) single = false;
          oldPod = pod;
        }
      }
      if (!single || (newPod == null) == (oldPod == null)) {
        unavailable++; // duplicates, or nothing but pods going away: the core loop's to settle
      } else if (newPod != null) {
        if (!PodReadiness.isAvailable(newPod, minReadySeconds, now)) unavailable++;
      } else if (!PodReadiness.isAvailable(oldPod, minReadySeconds, now)) {
        replacements.add(oldPod);
        unavailable++; // stricter than Kubernetes, which lets a broken old pod go without using the budget

      } else {
        candidates.add(oldPod);
      }
    }
    int room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.size());
    List<KubeObject> victims = new ArrayList<>(replacements);
    victims.addAll(candidates.subList(0, room));
    return victims;
  }
}
