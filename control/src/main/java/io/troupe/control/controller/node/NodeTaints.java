package io.troupe.control.controller.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.time.Instant;

/**
 * The NoExecute taints the node lifecycle controller owns ({@code node.kubernetes.io/not-ready} and
 * {@code node.kubernetes.io/unreachable}) and how a pod's tolerations answer them (Kubernetes' taint manager:
 * {@code ToleratesTaint} and {@code getMinTolerationTime}).
 */
final class NodeTaints {
  static final String NOT_READY = "node.kubernetes.io/not-ready";
  static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  static final String NO_EXECUTE = "NoExecute";

  /** A pod without a matching toleration: evicted after the controller's delay. */
  static final long NOT_TOLERATED = -2;

  /** A matching toleration without tolerationSeconds: never evicted. */
  static final long FOREVER = -1;

  private NodeTaints() {}

  /** Whether spec.taints holds a taint with this key and effect NoExecute. */
  static boolean has(KubeObject node, String key) {
    for (JsonNode t : taints(node)) {
      if (key.equals(t.path("key").asText()) && NO_EXECUTE.equals(t.path("effect").asText())) return true;
    }
    return false;
  }

  /**
   * The node's spec with its taints changed so that, of the two owned ones, only {@code wanted} (null: neither)
   * is present; other taints are kept in their order. A taint added gets {@code timeAdded}, as Kubernetes sets
   * it for NoExecute taints.
   */
  static ObjectNode specWith(KubeObject node, String wanted, Instant now) {
    ObjectNode spec = node.spec() instanceof ObjectNode s ? s.deepCopy() : Json.object();
    ArrayNode taints = Json.MAPPER.createArrayNode();
    boolean present = false;
    for (JsonNode t : taints(node)) {
      String key = t.path("key").asText();
      boolean owned = (NOT_READY.equals(key) || UNREACHABLE.equals(key)) && NO_EXECUTE.equals(t.path("effect").asText());
      if (!owned) {
        taints.add(t.deepCopy());
      } else if (key.equals(wanted) && !present) {
        taints.add(t.deepCopy());
        present = true;
      }
    }
    if (wanted != null && !present) {
      taints.addObject().put("key", wanted).put("effect", NO_EXECUTE).put("timeAdded", Rfc3339.format(now));
    }
    if (taints.isEmpty()) spec.remove("taints");
    else spec.set("taints", taints);
    return spec;
  }

  /**
   * How long {@code pod} tolerates a NoExecute taint {@code key} (with an empty value): {@link #NOT_TOLERATED},
   * {@link #FOREVER}, or the smallest tolerationSeconds among the matching tolerations (a negative one counts as
   * zero, as in Kubernetes).
   */
  static long tolerationSeconds(KubeObject pod, String key) {
    JsonNode tolerations = pod.spec() == null ? null : pod.spec().get("tolerations");
    if (tolerations == null || !tolerations.isArray()) return NOT_TOLERATED;
    boolean matched = false;
    long min = Long.MAX_VALUE;
    for (JsonNode t : tolerations) {
      if (!tolerates(t, key)) continue;
      matched = true;
      JsonNode seconds = t.get("tolerationSeconds");
      if (seconds != null && seconds.canConvertToLong()) min = Math.min(min, Math.max(0, seconds.asLong()));
    }
    if (!matched) return NOT_TOLERATED;
    return min == Long.MAX_VALUE ? FOREVER : min;
  }

  /** Kubernetes' Toleration.ToleratesTaint for a NoExecute taint with this key and no value. */
  private static boolean tolerates(JsonNode toleration, String key) {
    String effect = toleration.path("effect").asText("");
    if (!effect.isEmpty() && !NO_EXECUTE.equals(effect)) return false;
    String tolerationKey = toleration.path("key").asText("");
    String operator = toleration.path("operator").asText("");
    if (tolerationKey.isEmpty()) return "Exists".equals(operator);
    if (!tolerationKey.equals(key)) return false;
    if ("Exists".equals(operator)) return true;
    return (operator.isEmpty() || "Equal".equals(operator)) && toleration.path("value").asText("").isEmpty();
  }

  private static Iterable<JsonNode> taints(KubeObject node) {
    JsonNode taints = node.spec() == null ? null : node.spec().get("taints");
    return taints != null && taints.isArray() ? taints : Json.MAPPER.createArrayNode();
  }
}
