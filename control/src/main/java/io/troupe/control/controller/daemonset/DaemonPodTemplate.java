package io.troupe.control.controller.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.scheduler.NodeSelectorTerm;
import io.troupe.control.scheduler.Taint;
import io.troupe.control.controller.deployment.PodTemplateHash;
import io.troupe.persistence.model.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * What a DaemonSet's pod template becomes on its way to a node (Kubernetes' daemon util.CreatePodTemplate and
 * ReplaceDaemonSetPodNodeNameNodeAffinity): the automatic daemon tolerations, the {@code controller-revision-hash}
 * of the template, and a required node affinity that pins the pod to its node for the default scheduler.
 */
final class DaemonPodTemplate {
  /** The label that says which template revision a daemon pod was made from. */
  static final String HASH_LABEL = "controller-revision-hash";

  /** The taints every daemon pod tolerates (Exists), as util.AddOrUpdateDaemonPodTolerations adds them. */
  static final List<Taint> DAEMON_TAINTS = List.of(
      new Taint("node.kubernetes.io/not-ready", "", Taint.NO_EXECUTE),
      new Taint("node.kubernetes.io/unreachable", "", Taint.NO_EXECUTE),
      new Taint("node.kubernetes.io/disk-pressure", "", Taint.NO_SCHEDULE),
      new Taint("node.kubernetes.io/memory-pressure", "", Taint.NO_SCHEDULE),
      new Taint("node.kubernetes.io/pid-pressure", "", Taint.NO_SCHEDULE),
      new Taint("node.kubernetes.io/unschedulable", "", Taint.NO_SCHEDULE));

  /** Added too when the pod uses the host's network, which a node without a network plugin still offers. */
  static final Taint NETWORK_UNAVAILABLE = new Taint("node.kubernetes.io/network-unavailable", "", Taint.NO_SCHEDULE);


  private DaemonPodTemplate() {}

  /** The template's hash: the same as a Deployment's pod-template-hash (no collision count: no revisions). */
  static String hash(JsonNode template) {
    return PodTemplateHash.of(template, null);
  }

  /** The template's pod spec with the daemon tolerations: what eligibility is judged on and what pods get. */
  static ObjectNode specWithTolerations(JsonNode template) {
    JsonNode spec = template.get("spec");
    ObjectNode copy = spec != null && spec.isObject() ? ((ObjectNode) spec).deepCopy() : Json.object();
    List<Taint> taints = new ArrayList<>(DAEMON_TAINTS);
    if (copy.path("hostNetwork").asBoolean(false)) taints.add(NETWORK_UNAVAILABLE);
    ArrayNode tolerations = copy.get("tolerations") instanceof ArrayNode a ? a : copy.putArray("tolerations");
    for (Taint taint : taints) addOrUpdate(tolerations, taint);
    return copy;
  }

  /**
   * {@code spec} (changed in place) with its required node affinity replaced by one term, {@code matchFields
   * metadata.name In [node]}: the scheduler then binds the pod to that node and no other. The template's own
   * required terms were checked against the node before; preferred terms and pod affinities are kept.
   */
  static ObjectNode pinnedTo(ObjectNode spec, String node) {
    ObjectNode affinity = spec.get("affinity") instanceof ObjectNode a ? a : spec.putObject("affinity");
    ObjectNode nodeAffinity =
        affinity.get("nodeAffinity") instanceof ObjectNode n ? n : affinity.putObject("nodeAffinity");
    ObjectNode required = nodeAffinity.putObject("requiredDuringSchedulingIgnoredDuringExecution");
    ObjectNode field = required.putArray("nodeSelectorTerms").addObject().putArray("matchFields").addObject();
    field.put("key", NodeSelectorTerm.NAME_FIELD).put("operator", "In").putArray("values").add(node);
    return spec;
  }

  /**
   * The node a daemon pod is for: {@code spec.nodeName} once bound, before that the node its required affinity
   * pins it to (util.GetTargetNodeName); null for a pod that names no single node.
   */
  static String targetNode(JsonNode podSpec) {
    if (podSpec == null) return null;
    String bound = podSpec.path("nodeName").asText("");
    if (!bound.isEmpty()) return bound;
    JsonNode terms = podSpec.path("affinity").path("nodeAffinity")
        .path("requiredDuringSchedulingIgnoredDuringExecution").path("nodeSelectorTerms");
    for (JsonNode term : terms) {
      for (JsonNode field : term.path("matchFields")) {
        JsonNode values = field.path("values");
        if (NodeSelectorTerm.NAME_FIELD.equals(field.path("key").asText())
            && "In".equals(field.path("operator").asText()) && values.size() == 1) {
          return values.get(0).asText();
        }
      }
    }
    return null;
  }

  /**
   * AddOrUpdateTolerationInPodSpec: a toleration with the same key, operator, value and effect is replaced in
   * place (dropping, say, its tolerationSeconds, so the daemon pod is never evicted); otherwise appended.
   */
  private static void addOrUpdate(ArrayNode tolerations, Taint taint) {
    ObjectNode wanted = Json.object().put("key", taint.key()).put("operator", "Exists").put("effect", taint.effect());
    for (int i = 0; i < tolerations.size(); i++) {
      JsonNode t = tolerations.get(i);
      if (taint.key().equals(t.path("key").asText()) && "Exists".equals(t.path("operator").asText())
          && t.path("value").asText("").isEmpty() && taint.effect().equals(t.path("effect").asText())) {
        tolerations.set(i, wanted);
        return;
      }
    }
    tolerations.add(wanted);
  }
}
