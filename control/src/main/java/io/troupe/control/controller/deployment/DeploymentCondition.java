package io.troupe.control.controller.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.Json;
import java.time.Instant;

/**
 * One entry of a Deployment's {@code status.conditions}, with the types and reasons Kubernetes' deployment
 * controller writes (deploymentutil): clients such as {@code kubectl rollout status} match on these strings.
 */
record DeploymentCondition(
    String type, String status, String lastUpdateTime, String lastTransitionTime, String reason, String message) {

  static final String AVAILABLE = "Available";
  static final String PROGRESSING = "Progressing";
  static final String REPLICA_FAILURE = "ReplicaFailure";

  static final String MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable";
  static final String MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable";
  static final String NEW_RS_CREATED = "NewReplicaSetCreated";
  static final String FOUND_NEW_RS = "FoundNewReplicaSet";
  static final String RS_UPDATED = "ReplicaSetUpdated";
  static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
  static final String TIMED_OUT = "ProgressDeadlineExceeded";
  static final String PAUSED = "DeploymentPaused";
  static final String RESUMED = "DeploymentResumed";

  /** deploymentutil.NewDeploymentCondition: both times {@code now}. */
  static DeploymentCondition of(String type, String status, String reason, String message, Instant now) {
    String at = Rfc3339.format(now);
    return new DeploymentCondition(type, status, at, at, reason, message);
  }

  static DeploymentCondition fromJson(JsonNode c) {
    return new DeploymentCondition(c.path("type").asText(null), c.path("status").asText(null),
        c.path("lastUpdateTime").asText(null), c.path("lastTransitionTime").asText(null),
        c.path("reason").asText(null), c.path("message").asText(null));
  }

  DeploymentCondition withLastTransitionTime(String value) {
    return new DeploymentCondition(type, status, lastUpdateTime, value, reason, message);
  }

  boolean isTrue() {
    return "True".equals(status);
  }

  /** In the field order of Kubernetes' DeploymentCondition; absent fields left out. */
  ObjectNode toJson() {
    ObjectNode c = Json.object();
    c.put("type", type);
    c.put("status", status);
    if (lastUpdateTime != null) c.put("lastUpdateTime", lastUpdateTime);
    if (lastTransitionTime != null) c.put("lastTransitionTime", lastTransitionTime);
    if (reason != null) c.put("reason", reason);
    if (message != null) c.put("message", message);
    return c;
  }
}
