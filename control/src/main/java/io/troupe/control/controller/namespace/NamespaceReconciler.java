package io.troupe.control.controller.namespace;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Deleting a namespace deletes everything in it, then the namespace: the namespace is marked Terminating,
 * its objects are deleted, and once none is left its {@code kubernetes} finalizer is removed (which lets the
 * store remove it).
 */
public final class NamespaceReconciler {
  static final String FINALIZER = "kubernetes";

  private NamespaceReconciler() {}

  /** @param contents every object in the namespace, of every kind */
  public static List<Action> reconcile(KubeObject namespace, List<KubeObject> contents) {
    if (namespace == null || !namespace.metadata().isDeleting()) return List.of();
    if (!"Terminating".equals(Json.text(namespace.body(), "status.phase"))) {
      ObjectNode status = namespace.status() instanceof ObjectNode s ? s.deepCopy() : Json.object();
      status.put("phase", "Terminating");
      return List.of(new Action.UpdateStatus(namespace.withField("status", status)));
    }
    List<Action> actions = new ArrayList<>();
    for (KubeObject o : contents) {
      if (!o.metadata().isDeleting()) actions.add(new Action.Delete(o.key(), o.metadata().uid()));
    }
    if (!contents.isEmpty()) return actions;
    ObjectNode spec = namespace.spec() instanceof ObjectNode s ? s.deepCopy() : Json.object();
    ArrayNode kept = Json.MAPPER.createArrayNode();
    spec.path("finalizers").forEach(f -> {
      if (!FINALIZER.equals(f.asText())) kept.add(f);
    });
    if (kept.size() == spec.path("finalizers").size()) return List.of();
    spec.set("finalizers", kept);
    return List.of(new Action.Update(namespace.withField("spec", spec)));
  }
}
