package io.troupe.control.controller.deployment;

import static io.troupe.control.controller.deployment.DeploymentCondition.AVAILABLE;
import static io.troupe.control.controller.deployment.DeploymentCondition.PROGRESSING;
import static io.troupe.control.controller.deployment.DeploymentCondition.REPLICA_FAILURE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Deployment's status: the counts summed over its ReplicaSets and the Available and Progressing conditions,
 * computed as Kubernetes' calculateStatus and syncRolloutStatus do, so that {@code kubectl rollout status} and
 * anything else reading them sees what it would see on Kubernetes.
 */
record DeploymentStatus(
    long observedGeneration,
    int replicas,
    int updatedReplicas,
    int readyReplicas,
    int availableReplicas,
    int unavailableReplicas,
    Integer collisionCount,
    List<DeploymentCondition> conditions) {

  DeploymentStatus {
    conditions = List.copyOf(conditions);
  }

  /** The status as stored (missing counts are zero: Kubernetes leaves zeros out). */
  static DeploymentStatus of(JsonNode status) {
    if (status == null || !status.isObject()) return new DeploymentStatus(0, 0, 0, 0, 0, 0, null, List.of());
    List<DeploymentCondition> conditions = new ArrayList<>();
    for (JsonNode c : status.path("conditions")) conditions.add(DeploymentCondition.fromJson(c));
    JsonNode collisions = status.get("collisionCount");
    return new DeploymentStatus(status.path("observedGeneration").asLong(0), status.path("replicas").asInt(0),
        status.path("updatedReplicas").asInt(0), status.path("readyReplicas").asInt(0),
        status.path("availableReplicas").asInt(0), status.path("unavailableReplicas").asInt(0),
        collisions == null || collisions.isNull() ? null : collisions.asInt(), conditions);
  }

  /**
   * calculateStatus: counts from the ReplicaSets' statuses (their planned spec.replicas for the unavailable
   * count), the conditions of {@code current} kept, and Available set from whether at least replicas minus
   * maxUnavailable pods are available.
   */
  static DeploymentStatus calculate(DeploymentSpec spec, long generation, DeploymentStatus current,
      List<ReplicaSetDraft> all, ReplicaSetDraft newRs, Instant now) {
    int actual = 0;
    int ready = 0;
    int available = 0;
    int planned = 0;
    for (ReplicaSetDraft rs : all) {
      actual += rs.status().replicas();
      ready += rs.status().readyReplicas();
      available += rs.status().availableReplicas();
      planned += rs.replicas();
    }
    int updated = newRs == null ? 0 : newRs.status().replicas();
    DeploymentStatus status = new DeploymentStatus(generation, actual, updated, ready, available,
        Math.max(0, planned - available), current.collisionCount(), current.conditions());
    if (available >= spec.replicas() - spec.maxUnavailableCount()) {
      return status.withCondition(DeploymentCondition.of(AVAILABLE, "True",
          DeploymentCondition.MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", now));
    }
    return status.withCondition(DeploymentCondition.of(AVAILABLE, "False",
        DeploymentCondition.MINIMUM_REPLICAS_UNAVAILABLE, "Deployment does not have minimum availability.", now));
  }

  /**
   * syncRolloutStatus, applied to a status from {@link #calculate}: the Progressing condition says whether the
   * latest rollout completed, moved since the last status ({@code current}), or made no progress for
   * progressDeadlineSeconds; ReplicaSet failures are carried over, the new ReplicaSet's first.
   */
  DeploymentStatus withRolloutProgress(DeploymentSpec spec, long generation, DeploymentStatus current,
      List<ReplicaSetDraft> all, ReplicaSetDraft newRs, Instant now) {
    DeploymentStatus next = this;
    if (!spec.hasProgressDeadline()) next = next.withoutCondition(PROGRESSING);
    Optional<DeploymentCondition> currentProgress = current.condition(PROGRESSING);
    boolean alreadyComplete = next.replicas == next.updatedReplicas
        && currentProgress.map(c -> DeploymentCondition.NEW_RS_AVAILABLE.equals(c.reason())).orElse(false);
    if (spec.hasProgressDeadline() && !alreadyComplete) {
      String subject = newRs == null ? null : "ReplicaSet \"" + newRs.name() + "\"";
      if (complete(spec, generation, next)) {
        next = next.withCondition(DeploymentCondition.of(PROGRESSING, "True", DeploymentCondition.NEW_RS_AVAILABLE,
            (subject == null ? "Deployment" : subject) + " has successfully progressed.", now));
      } else if (progressed(current, next)) {
        // Unlike the other transitions, progress refreshes lastUpdateTime even with an unchanged reason: the
        // deadline counts from the last progress.
        DeploymentCondition progressing = DeploymentCondition.of(PROGRESSING, "True", DeploymentCondition.RS_UPDATED,
            (subject == null ? "Deployment" : subject) + " is progressing.", now);
        if (currentProgress.isPresent() && currentProgress.get().isTrue()) {
          progressing = progressing.withLastTransitionTime(currentProgress.get().lastTransitionTime());
        }
        next = next.withoutCondition(PROGRESSING).withCondition(progressing);
      } else if (timedOut(spec, next, now)) {
        next = next.withCondition(DeploymentCondition.of(PROGRESSING, "False", DeploymentCondition.TIMED_OUT,
            (subject == null ? "Deployment" : subject) + " has timed out progressing.", now));
      }
    }
    Optional<DeploymentCondition> failure = replicaFailure(all, newRs);
    return failure.isPresent() ? next.withCondition(failure.get()) : next.withoutCondition(REPLICA_FAILURE);
  }

  /** DeploymentComplete: every replica updated and available, and the status is of the current spec. */
  static boolean complete(DeploymentSpec spec, long generation, DeploymentStatus status) {
    return status.updatedReplicas == spec.replicas() && status.replicas == spec.replicas()
        && status.availableReplicas == spec.replicas() && status.observedGeneration >= generation;
  }

  /** DeploymentProgressing: more updated, ready or available pods, or fewer old ones, than last recorded. */
  static boolean progressed(DeploymentStatus before, DeploymentStatus after) {
    return after.updatedReplicas > before.updatedReplicas
        || after.replicas - after.updatedReplicas < before.replicas - before.updatedReplicas
        || after.readyReplicas > before.readyReplicas
        || after.availableReplicas > before.availableReplicas;
  }

  /** DeploymentTimedOut: no progress recorded for longer than the deadline (never after a completed rollout). */
  static boolean timedOut(DeploymentSpec spec, DeploymentStatus status, Instant now) {
    if (!spec.hasProgressDeadline()) return false;
    Optional<DeploymentCondition> progressing = status.condition(PROGRESSING);
    if (progressing.isEmpty() || DeploymentCondition.NEW_RS_AVAILABLE.equals(progressing.get().reason())) {
      return false;
    }
    if (DeploymentCondition.TIMED_OUT.equals(progressing.get().reason())) return true;
    Instant from = Rfc3339.parse(progressing.get().lastUpdateTime());
    return from != null && from.plusSeconds(spec.progressDeadlineSeconds()).isBefore(now);
  }

  Optional<DeploymentCondition> condition(String type) {
    for (DeploymentCondition c : conditions) {
      if (type.equals(c.type())) return Optional.of(c);
    }
    return Optional.empty();
  }

  /**
   * SetDeploymentCondition: a condition with the same status and reason is left as it is (times included); a
   * new reason with the same status keeps the transition time; the changed condition moves to the end.
   */
  DeploymentStatus withCondition(DeploymentCondition condition) {
    Optional<DeploymentCondition> existing = condition(condition.type());
    if (existing.isPresent() && Objects.equals(existing.get().status(), condition.status())
        && Objects.equals(existing.get().reason(), condition.reason())) {
      return this;
    }
    DeploymentCondition set = existing.isPresent() && Objects.equals(existing.get().status(), condition.status())
        ? condition.withLastTransitionTime(existing.get().lastTransitionTime())
        : condition;
    List<DeploymentCondition> next = new ArrayList<>(withoutCondition(condition.type()).conditions);
    next.add(set);
    return withConditions(next);
  }

  DeploymentStatus withoutCondition(String type) {
    List<DeploymentCondition> next = new ArrayList<>();
    for (DeploymentCondition c : conditions) {
      if (!type.equals(c.type())) next.add(c);
    }
    return next.size() == conditions.size() ? this : withConditions(next);
  }

  DeploymentStatus withCollisionCount(Integer value) {
    return new DeploymentStatus(observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas,
        unavailableReplicas, value, conditions);
  }

  DeploymentStatus withObservedGeneration(long value) {
    return new DeploymentStatus(value, replicas, updatedReplicas, readyReplicas, availableReplicas,
        unavailableReplicas, collisionCount, conditions);
  }

  private DeploymentStatus withConditions(List<DeploymentCondition> value) {
    return new DeploymentStatus(observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas,
        unavailableReplicas, collisionCount, value);
  }

  /**
   * {@code existing} (other fields kept) with this status, serialized as Kubernetes does: zero counts left out
   * (omitempty), collisionCount only once set.
   */
  ObjectNode writeInto(JsonNode existing) {
    ObjectNode out = existing != null && existing.isObject() ? ((ObjectNode) existing).deepCopy() : Json.object();
    putOrRemove(out, "observedGeneration", observedGeneration);
    putOrRemove(out, "replicas", replicas);
    putOrRemove(out, "updatedReplicas", updatedReplicas);
    putOrRemove(out, "readyReplicas", readyReplicas);
    putOrRemove(out, "availableReplicas", availableReplicas);
    putOrRemove(out, "unavailableReplicas", unavailableReplicas);
    if (collisionCount == null) out.remove("collisionCount");
    else out.put("collisionCount", collisionCount);
    if (conditions.isEmpty()) {
      out.remove("conditions");
    } else {
      ArrayNode list = out.putArray("conditions");
      for (DeploymentCondition c : conditions) list.add(c.toJson());
    }
    return out;
  }

  private static Optional<DeploymentCondition> replicaFailure(List<ReplicaSetDraft> all, ReplicaSetDraft newRs) {
    if (newRs != null && newRs.replicaFailure().isPresent()) return newRs.replicaFailure();
    for (ReplicaSetDraft rs : all) {
      if (rs.replicaFailure().isPresent()) return rs.replicaFailure();
    }
    return Optional.empty();
  }

  private static void putOrRemove(ObjectNode status, String field, long value) {
    if (value == 0) status.remove(field);
    else if (value == (int) value) status.put(field, (int) value);
    else status.put(field, value);
  }
}
