package io.troupe.control.controller.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;

/**
 * The fields of a Deployment's spec the controller reads, with the API's defaults for any that are missing (the
 * API server fills them on create, so a missing one means what the default means).
 *
 * @param maxSurge the raw {@code rollingUpdate.maxSurge}: a number or a percentage string
 * @param maxUnavailable the raw {@code rollingUpdate.maxUnavailable}
 * @param revisionHistoryLimit {@link #UNLIMITED} for no limit, as Kubernetes reads MaxInt32
 * @param progressDeadlineSeconds {@link #UNLIMITED} for no deadline
 */
record DeploymentSpec(
    int replicas,
    JsonNode selector,
    ObjectNode template,
    boolean recreate,
    JsonNode maxSurge,
    JsonNode maxUnavailable,
    int revisionHistoryLimit,
    int progressDeadlineSeconds,
    int minReadySeconds,
    boolean paused) {

  static final int UNLIMITED = Integer.MAX_VALUE;

  static DeploymentSpec of(KubeObject deployment) {
    JsonNode spec = deployment.spec() == null ? Json.object() : deployment.spec();
    JsonNode strategy = spec.path("strategy");
    JsonNode rolling = strategy.path("rollingUpdate");
    JsonNode template = spec.get("template");
    return new DeploymentSpec(
        intOr(spec, "replicas", 1),
        spec.get("selector"),
        template != null && template.isObject() ? (ObjectNode) template : Json.object(),
        "Recreate".equals(strategy.path("type").asText()),
        rolling.hasNonNull("maxSurge") ? rolling.get("maxSurge") : Json.object().textNode("25%"),
        rolling.hasNonNull("maxUnavailable") ? rolling.get("maxUnavailable") : Json.object().textNode("25%"),
        intOr(spec, "revisionHistoryLimit", 10),
        intOr(spec, "progressDeadlineSeconds", 600),
        intOr(spec, "minReadySeconds", 0),
        spec.path("paused").asBoolean(false));
  }

  boolean rollingUpdate() {
    return !recreate;
  }

  boolean hasProgressDeadline() {
    return progressDeadlineSeconds != UNLIMITED;
  }

  boolean hasRevisionHistoryLimit() {
    return revisionHistoryLimit != UNLIMITED;
  }

  /** deploymentutil.MaxSurge: how many pods above {@code replicas} a rolling update may run; 0 for Recreate. */
  int maxSurgeCount() {
    return rollingUpdate() ? fenceposts()[0] : 0;
  }

  /** deploymentutil.MaxUnavailable: how many of {@code replicas} may be unavailable, never more than replicas. */
  int maxUnavailableCount() {
    if (!rollingUpdate() || replicas == 0) return 0;
    return Math.min(fenceposts()[1], replicas);
  }

  /**
   * ResolveFenceposts: surge rounds up, unavailable rounds down; when both come to zero (a small deployment with
   * percentages), one pod may be unavailable, or the rollout could never move.
   */
  private int[] fenceposts() {
    int surge = scaled(maxSurge, replicas, true);
    int unavailable = scaled(maxUnavailable, replicas, false);
    if (surge == 0 && unavailable == 0) unavailable = 1;
    return new int[] {surge, unavailable};
  }

  /** intstr.GetScaledValueFromIntOrPercent; a value validation would refuse counts as 0. */
  static int scaled(JsonNode value, int total, boolean roundUp) {
    if (value == null || value.isNull()) return 0;
    if (value.isNumber()) return Math.max(0, value.asInt());
    String text = value.asText().trim();
    try {
      if (!text.endsWith("%")) return Math.max(0, Integer.parseInt(text));
      int percent = Integer.parseInt(text.substring(0, text.length() - 1));
      double exact = (double) percent * total / 100;
      return Math.max(0, (int) (roundUp ? Math.ceil(exact) : Math.floor(exact)));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int intOr(JsonNode spec, String field, int fallback) {
    JsonNode value = spec.get(field);
    return value == null || value.isNull() || !value.canConvertToInt() ? fallback : value.asInt();
  }
}
