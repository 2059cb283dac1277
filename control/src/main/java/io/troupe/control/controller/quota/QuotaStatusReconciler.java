package io.troupe.control.controller.quota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.QuantityFormatException;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The ResourceQuota controller's decision, without I/O: {@code status.hard} as {@code spec.hard} says (in canonical
 * form) and {@code status.used} counted from the objects of the quota's namespace, written when either changed.
 */
public final class QuotaStatusReconciler {
  private QuotaStatusReconciler() {}

  /**
   * @param quota the ResourceQuota (being deleted or null: nothing to do)
   * @param objectsByKind the objects of the quota's namespace by kind ("Pod", "ConfigMap", "Deployment"...); a
   *     kind missing counts as none. Objects of other namespaces are ignored.
   * @return an UpdateStatus (conditional on the quota's resourceVersion) when the status changed, else nothing
   */
  public static List<Action> reconcile(KubeObject quota, Map<String, List<KubeObject>> objectsByKind) {
    if (quota == null || quota.metadata().isDeleting()) return List.of();
    Map<String, QuotaQuantity> hard;
    try {
      hard = QuotaAdmission.hard(quota);
    } catch (QuantityFormatException e) {
      return List.of(); // validation keeps such quotas out
    }
    List<KubeObject> objects = new ArrayList<>();
    for (List<KubeObject> list : objectsByKind.values()) {
      for (KubeObject o : list) {
        if (Objects.equals(o.metadata().namespace(), quota.metadata().namespace())) objects.add(o);
      }
    }
    Map<String, QuotaQuantity> counted = QuotaAdmission.usage(objects);
    Map<String, String> hardText = new TreeMap<>();
    Map<String, String> usedText = new TreeMap<>();
    for (Map.Entry<String, QuotaQuantity> h : hard.entrySet()) {
      hardText.put(h.getKey(), h.getValue().toString());
      usedText.put(h.getKey(), counted.getOrDefault(h.getKey(), QuotaQuantity.ZERO).toString());
    }
    JsonNode current = quota.status();
    if (hardText.equals(strings(current, "hard")) && usedText.equals(strings(current, "used"))) return List.of();
    ObjectNode status = current instanceof ObjectNode s ? s.deepCopy() : Json.object();
    ObjectNode hardNode = status.putObject("hard");
    hardText.forEach(hardNode::put);
    ObjectNode usedNode = status.putObject("used");
    usedText.forEach(usedNode::put);
    return List.of(new Action.UpdateStatus(quota.withField("status", status)));
  }

  /** status.{field} as resource name to text. */
  private static Map<String, String> strings(JsonNode status, String field) {
    Map<String, String> out = new TreeMap<>();
    JsonNode node = status == null ? null : status.get(field);
    if (node != null && node.isObject()) node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
