package io.troupe.control.controller.deployment;

import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.ControllerRefClaim;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.selector.LabelSelector;
import io.troupe.persistence.selector.SelectorException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Deployment control loop's decision, without I/O (Kubernetes' syncDeployment): given a Deployment, the
 * ReplicaSets and the pods of its namespace, the writes that move it one step along its rollout, and its status.
 *
 * <p>One reconcile writes each object at most once, conditional on the resourceVersion it read, so a decision
 * taken on a stale view fails as a whole and is retried: a ReplicaSet gets one Create or Update carrying
 * everything decided for it (adoption, annotations, size); the Deployment gets either its status or, in the
 * reconcile after a new revision appears, its {@code deployment.kubernetes.io/revision} annotation (Kubernetes
 * writes that annotation through the status subresource; here status and metadata are separate writes, and the
 * status follows in the reconcile that the annotation's change triggers).
 */
public final class DeploymentReconciler {

  /**
   * The writes for one Deployment: ReplicaSet adoptions and releases, the new ReplicaSet's creation, scaling,
   * cleanup of old revisions beyond revisionHistoryLimit, the Deployment's status or revision, and
   * ScalingReplicaSet Events. A Deployment being deleted only gets its status.
   */
  public List<Action> reconcile(KubeObject deployment, List<KubeObject> replicaSetsInNamespace,
      List<KubeObject> podsInNamespace, Instant now) {
    DeploymentSpec spec = DeploymentSpec.of(deployment);
    DeploymentStatus stored = DeploymentStatus.of(deployment.status());
    long generation = deployment.metadata().generation() == null ? 0 : deployment.metadata().generation();
    LabelSelector selector;
    try {
      selector = LabelSelector.fromJson(spec.selector());
    } catch (SelectorException e) {
      return List.of(); // validation keeps such objects out; nothing sensible can be decided for one
    }
    List<Action> actions = new ArrayList<>();
    if (selector.isEverything()) {
      // Selecting every pod of the namespace would adopt other workloads' ReplicaSets: refuse, as Kubernetes does.
      if (stored.observedGeneration() < generation) {
        actions.add(statusWrite(deployment, stored.withObservedGeneration(generation)));
      }
      actions.add(new Action.RecordEvent(deployment, "Warning", "SelectingAll",
          "This deployment is selecting all pods. A non-empty selector is required."));
      return List.copyOf(actions);
    }

    ControllerRefClaim claim = ControllerRefClaim.of(deployment, selector, replicaSetsInNamespace);
    for (KubeObject released : claim.released()) actions.add(new Action.Update(released));
    Set<String> adopted = claim.adopted().stream().map(rs -> rs.metadata().uid()).collect(Collectors.toSet());
    List<ReplicaSetDraft> drafts = new ArrayList<>();
    for (KubeObject rs : claim.claimed()) {
      drafts.add(ReplicaSetDraft.existing(rs, adopted.contains(rs.metadata().uid())));
    }
    DeploymentRollout rollout =
        new DeploymentRollout(deployment, spec, drafts, replicaSetsInNamespace, podsInNamespace, now);

    if (deployment.metadata().isDeleting()) {
      // syncStatusOnly: the garbage collector is taking the ReplicaSets away; report, do not fight it.
      DeploymentStatus status = DeploymentStatus.calculate(spec, generation, rollout.working, rollout.all(),
          rollout.newRs, now);
      if (!status.equals(stored)) actions.add(statusWrite(deployment, status));
      return List.copyOf(actions);
    }

    rollout.checkPausedConditions();
    rollout.syncNewReplicaSetRevision();
    boolean rollingOut = false;
    if (spec.paused() || DeploymentScaling.isScalingEvent(rollout)) {
      DeploymentScaling.sync(rollout);
    } else if (spec.recreate()) {
      RecreateStrategy.rollout(rollout);
      rollingOut = true;
    } else {
      RollingUpdateStrategy.rollout(rollout);
      rollingOut = true;
    }

    if (rollout.newRs != null) rollout.newRs.write().ifPresent(actions::add);
    for (ReplicaSetDraft old : rollout.oldRss) old.write().ifPresent(actions::add);
    actions.addAll(rollout.deletes);
    actions.addAll(deploymentWrite(rollout, stored, generation, rollingOut));
    actions.addAll(rollout.events);
    return List.copyOf(actions);
  }

  /**
   * When this Deployment should be reconciled again although nothing changes: the moment an unfinished rollout
   * passes its progress deadline (Kubernetes' requeueStuckDeployment), so that ProgressDeadlineExceeded is
   * reported on time rather than at the next resync.
   */
  public static Optional<Instant> progressDeadlineAt(KubeObject deployment) {
    DeploymentSpec spec = DeploymentSpec.of(deployment);
    if (!spec.hasProgressDeadline() || spec.paused() || deployment.metadata().isDeleting()) return Optional.empty();
    Optional<DeploymentCondition> progressing =
        DeploymentStatus.of(deployment.status()).condition(DeploymentCondition.PROGRESSING);
    if (progressing.isEmpty() || !progressing.get().isTrue()
        || DeploymentCondition.NEW_RS_AVAILABLE.equals(progressing.get().reason())) {
      return Optional.empty();
    }
    Instant from = Rfc3339.parse(progressing.get().lastUpdateTime());
    // The deadline is passed strictly after lastUpdateTime + progressDeadlineSeconds.
    return from == null ? Optional.empty() : Optional.of(from.plusSeconds(spec.progressDeadlineSeconds() + 1L));
  }

  /** The one write this reconcile makes to the Deployment itself, if any. */
  private static List<Action> deploymentWrite(DeploymentRollout rollout, DeploymentStatus stored, long generation,
      boolean rollingOut) {
    KubeObject deployment = rollout.deployment;
    if (rollout.collision) {
      return List.of(statusWrite(deployment, rollout.working));
    }
    String revision = deployment.metadata().annotations().get(RevisionAnnotations.REVISION);
    // The reconcile that creates a ReplicaSet writes status (it says NewReplicaSetCreated); the revision follows.
    if (rollout.deploymentRevision != null && !rollout.deploymentRevision.equals(revision)
        && !rollout.createsNewRs) {
      Map<String, String> annotations = new HashMap<>(deployment.metadata().annotations());
      annotations.put(RevisionAnnotations.REVISION, rollout.deploymentRevision);
      return List.of(new Action.Update(deployment.withMetadata(withAnnotations(deployment.metadata(), annotations))));
    }
    DeploymentStatus status = DeploymentStatus.calculate(rollout.spec, generation, rollout.working, rollout.all(),
        rollout.newRs, rollout.now);
    if (rollingOut) {
      status = status.withRolloutProgress(rollout.spec, generation, rollout.working, rollout.all(), rollout.newRs,
          rollout.now);
    }
    return status.equals(stored) ? List.of() : List.of(statusWrite(deployment, status));
  }

  private static Action statusWrite(KubeObject deployment, DeploymentStatus status) {
    return new Action.UpdateStatus(deployment.withField("status", status.writeInto(deployment.status())));
  }

  private static ObjectMeta withAnnotations(ObjectMeta m, Map<String, String> annotations) {
    return new ObjectMeta(m.name(), m.generateName(), m.namespace(), m.uid(), m.resourceVersion(), m.generation(),
        m.creationTimestamp(), m.deletionTimestamp(), m.deletionGracePeriodSeconds(), m.labels(), annotations,
        m.ownerReferences(), m.finalizers());
  }
}
