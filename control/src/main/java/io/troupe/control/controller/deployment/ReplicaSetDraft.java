package io.troupe.control.controller.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.ReplicaSetStatus;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One of a Deployment's ReplicaSets as this reconcile would leave it. Kubernetes' controller writes each change
 * as it decides it and carries on with the object the API returned; here the changes of one reconcile (adoption,
 * revision annotations, minReadySeconds, scale) gather on the draft and become a single write, conditional on the
 * resourceVersion that was read, so the decisions of a reconcile stand or fall together.
 */
final class ReplicaSetDraft {
  /** Oldest first, then by name: controller.ReplicaSetsByCreationTimestamp. */
  static final Comparator<ReplicaSetDraft> BY_CREATION =
      Comparator.comparing(ReplicaSetDraft::created).thenComparing(ReplicaSetDraft::name);

  /** Lowest revision first, then by creation: deploymentutil.ReplicaSetsByRevision. */
  static final Comparator<ReplicaSetDraft> BY_REVISION =
      Comparator.comparingLong(ReplicaSetDraft::revision).thenComparing(BY_CREATION);

  private final KubeObject read;
  private final boolean created;
  private final boolean adopted;
  private final Instant creationTime;
  private final Map<String, String> annotations;
  private final int readReplicas;
  private final int readMinReadySeconds;
  private int replicas;
  private int minReadySeconds;

  private ReplicaSetDraft(KubeObject read, boolean created, boolean adopted, Instant creationTime) {
    this.read = read;
    this.created = created;
    this.adopted = adopted;
    this.creationTime = creationTime;
    this.annotations = new LinkedHashMap<>(read.metadata().annotations());
    JsonNode spec = spec(read);
    JsonNode readValue = spec.get("replicas");
    this.readReplicas = readValue == null || readValue.isNull() ? 1 : readValue.asInt(1);
    this.readMinReadySeconds = spec.path("minReadySeconds").asInt(0);
    this.replicas = readReplicas;
    this.minReadySeconds = readMinReadySeconds;
  }

  /** A ReplicaSet read from the store; {@code adopted} when this reconcile adds the Deployment's reference. */
  static ReplicaSetDraft existing(KubeObject rs, boolean adopted) {
    Instant at = Rfc3339.parse(rs.metadata().creationTimestamp());
    return new ReplicaSetDraft(rs, false, adopted, at == null ? Instant.EPOCH : at);
  }

  /** A ReplicaSet this reconcile creates; it sorts as created {@code now}, the newest of all. */
  static ReplicaSetDraft toCreate(KubeObject rs, Instant now) {
    return new ReplicaSetDraft(rs, true, false, now);
  }

  String name() {
    return read.metadata().name();
  }

  String key() {
    return read.key();
  }

  String uid() {
    return read.metadata().uid();
  }

  Instant created() {
    return creationTime;
  }

  boolean isCreated() {
    return created;
  }

  boolean isDeleting() {
    return read.metadata().isDeleting();
  }

  /** spec.replicas as planned so far. */
  int replicas() {
    return replicas;
  }

  void replicas(int value) {
    replicas = value;
  }

  void minReadySeconds(int value) {
    minReadySeconds = value;
  }

  int minReadySeconds() {
    return minReadySeconds;
  }

  /** The annotations as planned; callers change them in place. */
  Map<String, String> annotations() {
    return annotations;
  }

  long revision() {
    return RevisionAnnotations.revision(annotations);
  }

  JsonNode template() {
    return spec(read).path("template");
  }

  /** The counts the ReplicaSet controller last wrote (zero for one being created). */
  ReplicaSetStatus status() {
    return created ? ReplicaSetStatus.observed(null) : ReplicaSetStatus.observed(read.status());
  }

  /** Whether the ReplicaSet controller has seen the current spec; a status from before it may be stale. */
  boolean statusIsCurrent() {
    Long generation = read.metadata().generation();
    return generation == null || status().observedGeneration() >= generation;
  }

  /** Available pods, counted for decisions: never more than the planned replicas, whatever a lagging status says. */
  int availableForRollout() {
    return Math.min(status().availableReplicas(), replicas);
  }

  /** The ReplicaFailure condition of the ReplicaSet's status, as the Deployment reports it. */
  Optional<DeploymentCondition> replicaFailure() {
    JsonNode conditions = read.status() == null ? null : read.status().get("conditions");
    if (conditions == null || !conditions.isArray()) return Optional.empty();
    for (JsonNode c : conditions) {
      if (!DeploymentCondition.REPLICA_FAILURE.equals(c.path("type").asText())) continue;
      String at = c.path("lastTransitionTime").asText(null);
      return Optional.of(new DeploymentCondition(DeploymentCondition.REPLICA_FAILURE, c.path("status").asText(),
          at, at, c.path("reason").asText(null), c.path("message").asText(null)));
    }
    return Optional.empty();
  }

  /** The write that brings the stored ReplicaSet to this draft, if any. */
  Optional<Action> write() {
    if (created) return Optional.of(new Action.Create(planned()));
    boolean changed = adopted
        || !annotations.equals(read.metadata().annotations())
        || replicas != readReplicas
        || minReadySeconds != readMinReadySeconds;
    return changed ? Optional.of(new Action.Update(planned())) : Optional.empty();
  }

  /** True when this reconcile writes the ReplicaSet (so it must not also delete it). */
  boolean changed() {
    return write().isPresent();
  }

  KubeObject planned() {
    ObjectMeta m = read.metadata();
    ObjectMeta meta = new ObjectMeta(m.name(), m.generateName(), m.namespace(), m.uid(), m.resourceVersion(),
        m.generation(), m.creationTimestamp(), m.deletionTimestamp(), m.deletionGracePeriodSeconds(), m.labels(),
        annotations, m.ownerReferences(), m.finalizers());
    ObjectNode spec = spec(read).deepCopy();
    spec.put("replicas", replicas);
    if (minReadySeconds != 0 || spec.has("minReadySeconds")) spec.put("minReadySeconds", minReadySeconds);
    return read.withMetadata(meta).withField("spec", spec);
  }

  private static ObjectNode spec(KubeObject rs) {
    return rs.spec() instanceof ObjectNode o ? o : Json.object();
  }

  @Override
  public String toString() {
    return name() + "(" + replicas + ")";
  }
}
