package io.troupe.control.controller.deployment;

import static io.troupe.control.controller.deployment.DeploymentCondition.PROGRESSING;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.ControllerRefClaim;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plan of one Deployment reconcile, which the strategies ({@link RollingUpdateStrategy},
 * {@link RecreateStrategy}, {@link DeploymentScaling}) move forward: the new ReplicaSet (the one whose template
 * is the Deployment's), the old ones, the status being worked on, and the Events and deletions decided so far.
 * Also the steps the strategies share: finding or creating the new ReplicaSet, scaling one ReplicaSet, and
 * cleaning up old ones beyond revisionHistoryLimit.
 */
final class DeploymentRollout {
  final KubeObject deployment;
  final DeploymentSpec spec;
  final Instant now;
  private final List<KubeObject> replicaSetsInNamespace;
  private final List<KubeObject> podsInNamespace;

  /** The ReplicaSet whose template is the Deployment's, or null until one is created. */
  ReplicaSetDraft newRs;

  /** Every other ReplicaSet the Deployment owns, oldest first. */
  final List<ReplicaSetDraft> oldRss = new ArrayList<>();

  /** The Deployment's status as Kubernetes would hold it in memory: conditions and collisionCount changed here. */
  DeploymentStatus working;

  /** The revision the Deployment's annotation should carry, or null to leave it. */
  String deploymentRevision;

  /** Whether this reconcile creates the new ReplicaSet. */
  boolean createsNewRs;

  /** Whether the new ReplicaSet's name is taken by another; collisionCount was raised and nothing else is done. */
  boolean collision;

  final List<Action> events = new ArrayList<>();
  final List<Action> deletes = new ArrayList<>();

  DeploymentRollout(KubeObject deployment, DeploymentSpec spec, List<ReplicaSetDraft> claimed,
      List<KubeObject> replicaSetsInNamespace, List<KubeObject> podsInNamespace, Instant now) {
    this.deployment = deployment;
    this.spec = spec;
    this.now = now;
    this.replicaSetsInNamespace = replicaSetsInNamespace;
    this.podsInNamespace = podsInNamespace;
    this.working = DeploymentStatus.of(deployment.status());
    List<ReplicaSetDraft> byAge = new ArrayList<>(claimed);
    byAge.sort(ReplicaSetDraft.BY_CREATION);
    // FindNewReplicaSet: the oldest with the Deployment's template, should there be several.
    for (ReplicaSetDraft rs : byAge) {
      if (newRs == null && PodTemplateHash.equalIgnoringHash(rs.template(), spec.template())) newRs = rs;
      else oldRss.add(rs);
    }
    if (newRs == null) {
      // The name carries the template's hash: an owned ReplicaSet with exactly this name is this template's even
      // if its stored template differs (defaults filled in on one side only). Taking it for a hash collision
      // would create a ReplicaSet per reconcile, each one as different as the last.
      String expected = newReplicaSetName();
      for (ReplicaSetDraft rs : oldRss) {
        if (expected.equals(rs.name())) newRs = rs;
      }
      oldRss.remove(newRs);
    }
  }

  /** The name a ReplicaSet for the Deployment's template gets: "<deployment>-<pod-template-hash>". */
  private String newReplicaSetName() {
    return deployment.metadata().name() + "-" + PodTemplateHash.of(spec.template(), working.collisionCount());
  }

  /** The old ReplicaSets, then the new one (if any). */
  List<ReplicaSetDraft> all() {
    List<ReplicaSetDraft> all = new ArrayList<>(oldRss);
    if (newRs != null) all.add(newRs);
    return all;
  }

  long generation() {
    Long generation = deployment.metadata().generation();
    return generation == null ? 0 : generation;
  }

  /**
   * checkPausedConditions: pausing and resuming set Progressing to Unknown, so that the time spent paused never
   * counts against the progress deadline. A reported timeout is not overwritten.
   */
  void checkPausedConditions() {
    if (!spec.hasProgressDeadline()) return;
    Optional<DeploymentCondition> progressing = working.condition(PROGRESSING);
    if (progressing.isPresent() && DeploymentCondition.TIMED_OUT.equals(progressing.get().reason())) return;
    boolean pausedCondition = progressing.isPresent()
        && DeploymentCondition.PAUSED.equals(progressing.get().reason());
    if (spec.paused() && !pausedCondition) {
      working = working.withCondition(DeploymentCondition.of(PROGRESSING, "Unknown", DeploymentCondition.PAUSED,
          "Deployment is paused", now));
    } else if (!spec.paused() && pausedCondition) {
      working = working.withCondition(DeploymentCondition.of(PROGRESSING, "Unknown", DeploymentCondition.RESUMED,
          "Deployment is resumed", now));
    }
  }

  /**
   * getNewReplicaSet for an existing new ReplicaSet: it takes the Deployment's annotations, a revision above
   * every old one (this is how a rollback to an old template gets a new revision number) and the Deployment's
   * minReadySeconds; the Deployment's revision follows it.
   */
  void syncNewReplicaSetRevision() {
    if (newRs == null) return;
    boolean changed = RevisionAnnotations.setNewReplicaSetAnnotations(deployment.metadata().annotations(), spec,
        newRs.annotations(), maxOldRevision() + 1, true);
    if (newRs.minReadySeconds() != spec.minReadySeconds()) {
      newRs.minReadySeconds(spec.minReadySeconds());
      changed = true;
    }
    deploymentRevision = newRs.annotations().get(RevisionAnnotations.REVISION);
    if (!changed && spec.hasProgressDeadline() && working.condition(PROGRESSING).isEmpty()) {
      working = working.withCondition(DeploymentCondition.of(PROGRESSING, "True", DeploymentCondition.FOUND_NEW_RS,
          "Found new replica set \"" + newRs.name() + "\"", now));
    }
  }

  /**
   * getNewReplicaSet's create branch: a ReplicaSet named after the template's hash, labelled and selected by it,
   * sized by the strategy. A name already taken (by a ReplicaSet this Deployment did not find as its own with this
   * template) is a hash collision: collisionCount goes up, which changes the hash for the next reconcile.
   *
   * @return false on a collision
   */
  boolean createNewReplicaSet() {
    String name = newReplicaSetName();
    String hash = name.substring(deployment.metadata().name().length() + 1);
    for (KubeObject rs : replicaSetsInNamespace) {
      if (name.equals(rs.metadata().name())) {
        Integer count = working.collisionCount();
        working = working.withCollisionCount(count == null ? 1 : count + 1);
        collision = true;
        return false;
      }
    }
    ObjectNode template = PodTemplateHash.withHashLabel(spec.template(), hash);
    ObjectNode selector = spec.selector() != null && spec.selector().isObject()
        ? ((ObjectNode) spec.selector()).deepCopy() : Json.object();
    ObjectNode matchLabels =
        selector.get("matchLabels") instanceof ObjectNode m ? m : selector.putObject("matchLabels");
    matchLabels.put(PodTemplateHash.LABEL, hash);
    ObjectNode rsSpec = Json.object();
    rsSpec.put("replicas", 0);
    if (spec.minReadySeconds() != 0) rsSpec.put("minReadySeconds", spec.minReadySeconds());
    rsSpec.set("selector", selector);
    rsSpec.set("template", template);
    ObjectNode body = Json.object();
    body.set("spec", rsSpec);
    Map<String, String> labels = stringMap(template.path("metadata").path("labels"));
    ObjectMeta meta = new ObjectMeta(name, null, deployment.metadata().namespace(), null, null, null, null, null,
        null, labels, Map.of(), List.of(ControllerRefClaim.controllerRefTo(deployment)), List.of());
    ReplicaSetDraft created = ReplicaSetDraft.toCreate(new KubeObject("apps/v1", "ReplicaSet", meta, body), now);
    long newRevision = maxOldRevision() + 1;
    newRs = created;
    created.replicas(newRsNewReplicas());
    RevisionAnnotations.setNewReplicaSetAnnotations(deployment.metadata().annotations(), spec,
        created.annotations(), newRevision, false);
    createsNewRs = true;
    if (created.replicas() > 0) {
      scalingEvent("up", name, 0, created.replicas());
    }
    deploymentRevision = Long.toString(newRevision);
    if (spec.hasProgressDeadline()) {
      working = working.withCondition(DeploymentCondition.of(PROGRESSING, "True", DeploymentCondition.NEW_RS_CREATED,
          "Created new replica set \"" + name + "\"", now));
    }
    return true;
  }

  /**
   * NewRSNewReplicas: under RollingUpdate, as many as fit in replicas + maxSurge (counting every ReplicaSet's
   * spec.replicas) without exceeding replicas; under Recreate, all of them at once.
   */
  int newRsNewReplicas() {
    if (spec.recreate()) return spec.replicas();
    int maxTotal = spec.replicas() + spec.maxSurgeCount();
    int current = replicasOf(all());
    if (current >= maxTotal) return newRs.replicas();
    return newRs.replicas() + Math.min(maxTotal - current, spec.replicas() - newRs.replicas());
  }

  /** scaleReplicaSetAndRecordEvent: nothing when the size is already right. */
  boolean scaleAndRecordEvent(ReplicaSetDraft rs, int replicas) {
    if (rs.replicas() == replicas) return false;
    return scale(rs, replicas, rs.replicas() < replicas ? "up" : "down");
  }

  /**
   * scaleReplicaSet: sets the size and the replica annotations (kept current even when the size stays, for a
   * later proportional scaling); a change of size is announced with a ScalingReplicaSet Event.
   *
   * @return whether the size changed
   */
  boolean scale(ReplicaSetDraft rs, int replicas, String direction) {
    RevisionAnnotations.setReplicasAnnotations(rs.annotations(), spec.replicas(),
        spec.replicas() + spec.maxSurgeCount());
    int before = rs.replicas();
    if (before == replicas) return false;
    rs.replicas(replicas);
    scalingEvent(direction, rs.name(), before, replicas);
    return true;
  }

  /**
   * cleanupDeployment: deletes the oldest revisions beyond revisionHistoryLimit, but only ReplicaSets that are
   * scaled to zero, have no pods left, whose status is current, and that this reconcile does not also write.
   */
  void cleanup(List<ReplicaSetDraft> old) {
    if (!spec.hasRevisionHistoryLimit()) return;
    List<ReplicaSetDraft> cleanable = new ArrayList<>();
    for (ReplicaSetDraft rs : old) {
      if (!rs.isDeleting() && !rs.isCreated()) cleanable.add(rs);
    }
    int excess = cleanable.size() - spec.revisionHistoryLimit();
    if (excess <= 0) return;
    cleanable.sort(ReplicaSetDraft.BY_REVISION);
    for (ReplicaSetDraft rs : cleanable.subList(0, excess)) {
      if (rs.status().replicas() != 0 || rs.replicas() != 0 || !rs.statusIsCurrent() || rs.changed()) continue;
      deletes.add(new Action.Delete(rs.key(), rs.uid()));
    }
  }

  /**
   * oldPodsRunning (Recreate): whether an old ReplicaSet still reports pods, or a pod it controls is not yet
   * terminated. Pods being deleted count: Recreate promises that old and new pods never run together.
   */
  boolean oldPodsRunning() {
    if (statusReplicasOf(oldRss) > 0) return true;
    for (KubeObject pod : podsInNamespace) {
      for (ReplicaSetDraft rs : oldRss) {
        if (!ControllerRefClaim.isControlledBy(pod, rs.uid())) continue;
        String phase = pod.status() == null ? "" : pod.status().path("phase").asText("");
        if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) return true;
      }
    }
    return false;
  }

  /** deploymentutil.MaxRevision over the old ReplicaSets. */
  long maxOldRevision() {
    long max = 0;
    for (ReplicaSetDraft rs : oldRss) max = Math.max(max, rs.revision());
    return max;
  }

  static int replicasOf(List<ReplicaSetDraft> rss) {
    int sum = 0;
    for (ReplicaSetDraft rs : rss) sum += rs.replicas();
    return sum;
  }

  static int statusReplicasOf(List<ReplicaSetDraft> rss) {
    int sum = 0;
    for (ReplicaSetDraft rs : rss) sum += rs.status().replicas();
    return sum;
  }

  static List<ReplicaSetDraft> active(List<ReplicaSetDraft> rss) {
    List<ReplicaSetDraft> active = new ArrayList<>();
    for (ReplicaSetDraft rs : rss) {
      if (rs.replicas() > 0) active.add(rs);
    }
    return active;
  }

  private void scalingEvent(String direction, String name, int from, int to) {
    events.add(new Action.RecordEvent(deployment, "Normal", "ScalingReplicaSet",
        "Scaled " + direction + " replica set " + name + " from " + from + " to " + to));
  }

  private static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    if (node != null && node.isObject()) node.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }
}
