package io.troupe.control.controller.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.PodReadiness;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The node lifecycle control loop's decision, without I/O (Kubernetes' node lifecycle controller and its taint
 * manager): given a Node, the pods bound to it and whether Pekko Cluster still has the node's member, the writes
 * that keep the node's conditions, its NoExecute taints and its pods in line with its health.
 *
 * <ul>
 *   <li>No heartbeat (the later of the node's Lease's {@code renewTime} and its Ready condition's
 *       {@code lastHeartbeatTime}: the agent renews the one every heartbeat and posts the other when its status
 *       changes, as the kubelet does) for {@code gracePeriod}, or the member
 *       gone: every condition becomes Unknown (reason {@value #NODE_STATUS_UNKNOWN}), with an Event NodeNotReady
 *       when Ready was True.
 *   <li>Ready=Unknown carries the taint {@code node.kubernetes.io/unreachable:NoExecute}, Ready=False
 *       {@code node.kubernetes.io/not-ready:NoExecute}, Ready=True neither.
 *   <li>Pods of a node NotReady or Unknown for {@code evictionDelay} (from the Ready condition's
 *       lastTransitionTime) are deleted, so that their owners recreate them elsewhere, unless they tolerate the
 *       taint: a toleration with tolerationSeconds keeps the pod that long instead, one without keeps it forever.
 *       From an Unknown node they are deleted with grace 0, and so are the pods already terminating there: no
 *       agent is left to finish a graceful deletion.
 * </ul>
 *
 * <p>One write per object per reconcile: the actions run concurrently, each conditional on the resourceVersion
 * read, and a status write and a spec write of the same node would make the second one fail. So when the
 * conditions change, the taints follow on the next reconcile (the one the status write's watch event triggers),
 * from the conditions as stored. The node agent, like the kubelet, posts the whole Ready condition (status
 * True) with its heartbeats; this loop only ever turns conditions Unknown.
 */
public final class NodeLifecycleReconciler {
  public static final String NODE_STATUS_UNKNOWN = "NodeStatusUnknown";
  public static final String NODE_STATUS_UNKNOWN_MESSAGE = "Kubelet stopped posting node status.";
  public static final String NODE_STATUS_NEVER_UPDATED = "NodeStatusNeverUpdated";
  public static final String NODE_STATUS_NEVER_UPDATED_MESSAGE = "Kubelet never posted node status.";

  private static final String READY = "Ready";
  private static final String UNKNOWN = "Unknown";

  private NodeLifecycleReconciler() {}

  /**
   * The writes for one node at {@code now}: the conditions turned Unknown, or else the taints changed; the
   * evictions due; and the Events. A node being deleted gets nothing.
   *
   * @param podsOnNode the pods whose spec.nodeName is this node (others are ignored)
   * @param memberUp whether the node's JVM is still a member of the Pekko cluster (false: Unknown at once)
   */
  public static List<Action> reconcile(KubeObject node, List<KubeObject> podsOnNode, boolean memberUp, Instant now,
      NodeLifecycleSettings settings) {
    return reconcile(node, () -> podsOnNode, null, memberUp, now, settings);
  }

  /**
   * As above, the pods asked for only when the node carries a NoExecute taint (a Ready node's reconcile needs none
   * of them), with the node's Lease's {@code renewTime} ({@code leaseRenewed}; null without a Lease).
   */
  public static List<Action> reconcile(KubeObject node, Supplier<List<KubeObject>> podsOnNode, Instant leaseRenewed,
      boolean memberUp, Instant now, NodeLifecycleSettings settings) {
    if (node == null || node.metadata().isDeleting()) return List.of();
    List<Action> actions = new ArrayList<>();
    JsonNode ready = condition(node, READY);
    String readyStatus = ready == null ? null : ready.path("status").asText("");

    boolean statusWritten = false;
    String taint = taintFor(readyStatus);
    if (!memberUp || isStale(node, leaseRenewed, now, settings)) {
      ObjectNode status = unknownStatus(node, now);
      if (status != null) {
        KubeObject unknown = node.withField("status", status);
        actions.add(new Action.UpdateStatus(unknown));
        if ("True".equals(readyStatus)) actions.add(nodeNotReady(node));
        statusWritten = true;
        if (!memberUp) {
          // its JVM is gone: the pods go in this pass, as of the status just written (the taint follows next pass)
          ready = condition(unknown, READY);
          taint = taintFor(UNKNOWN);
        }
      }
    }

    if (!statusWritten && ready != null) {
      JsonNode spec = node.spec() == null ? Json.object() : node.spec();
      ObjectNode wanted = NodeTaints.specWith(node, taint, now);
      if (!wanted.equals(spec)) {
        actions.add(new Action.Update(node.withField("spec", wanted)));
        // Ready=False reported by the agent: the transition this loop did not write itself.
        if (NodeTaints.NOT_READY.equals(taint) && !NodeTaints.has(node, NodeTaints.NOT_READY)
            && !NodeTaints.has(node, NodeTaints.UNREACHABLE)) {
          actions.add(nodeNotReady(node));
        }
      }
    }

    if (taint != null) {
      Instant since = Rfc3339.parse(ready.path("lastTransitionTime").asText(null));
      for (KubeObject pod : podsOnNode.get()) {
        if (!isOnNode(pod, node)) continue;
        Instant forced = forcedDeletionAt(pod, taint, since, memberUp, settings);
        if (forced != null && !now.isBefore(forced)) actions.add(Action.Delete.now(pod.key(), pod.metadata().uid()));
        Instant due = evictionAt(pod, taint, since, memberUp, settings);
        if (due == null || now.isBefore(due)) continue;
        actions.add(eviction(pod, taint));
        actions.add(new Action.RecordEvent(pod, "Normal", "TaintManagerEviction",
            "Marking for deletion Pod " + pod.metadata().namespace() + "/" + pod.metadata().name()));
      }
    }
    return List.copyOf(actions);
  }

  /**
   * When this node should be looked at again although no watch event comes: the moment its heartbeat goes
   * stale, or the next eviction falls due. Empty when nothing is pending.
   */
  public static Optional<Instant> nextCheckAt(KubeObject node, List<KubeObject> podsOnNode, boolean memberUp,
      Instant now, NodeLifecycleSettings settings) {
    return nextCheckAt(node, () -> podsOnNode, null, memberUp, now, settings);
  }

  /** As above, the pods asked for only when the node carries a NoExecute taint, with its Lease's renewTime. */
  public static Optional<Instant> nextCheckAt(KubeObject node, Supplier<List<KubeObject>> podsOnNode,
      Instant leaseRenewed, boolean memberUp, Instant now, NodeLifecycleSettings settings) {
    if (node == null || node.metadata().isDeleting()) return Optional.empty();
    Instant earliest = null;
    JsonNode ready = condition(node, READY);
    String readyStatus = ready == null ? null : ready.path("status").asText("");
    Instant heartbeat = lastHeartbeat(node, leaseRenewed);
    if (memberUp && !UNKNOWN.equals(readyStatus) && heartbeat != null) {
      Instant stale = heartbeat.plus(settings.gracePeriod());
      if (stale.isAfter(now)) earliest = stale;
    }
    String taint = taintFor(readyStatus);
    if (taint != null) {
      Instant since = Rfc3339.parse(ready.path("lastTransitionTime").asText(null));
      for (KubeObject pod : podsOnNode.get()) {
        if (!isOnNode(pod, node)) continue;
        for (Instant due : new Instant[] {evictionAt(pod, taint, since, memberUp, settings),
            forcedDeletionAt(pod, taint, since, memberUp, settings)}) {
          if (due != null && due.isAfter(now) && (earliest == null || due.isBefore(earliest))) earliest = due;
        }
      }
    }
    return Optional.ofNullable(earliest);
  }

  /**
   * No heartbeat for gracePeriod or more (a node that never posted one counts from its creation; one without
   * either time, which the store never gives, is never stale).
   */
  static boolean isStale(KubeObject node, Instant leaseRenewed, Instant now, NodeLifecycleSettings settings) {
    Instant heartbeat = lastHeartbeat(node, leaseRenewed);
    return heartbeat != null && !now.isBefore(heartbeat.plus(settings.gracePeriod()));
  }

  /** The later of the Lease's renewTime (null: none) and the Ready condition's lastHeartbeatTime. */
  private static Instant lastHeartbeat(KubeObject node, Instant leaseRenewed) {
    JsonNode ready = condition(node, READY);
    Instant heartbeat = ready == null ? null : Rfc3339.parse(ready.path("lastHeartbeatTime").asText(null));
    if (heartbeat == null) heartbeat = Rfc3339.parse(node.metadata().creationTimestamp());
    if (leaseRenewed != null && (heartbeat == null || leaseRenewed.isAfter(heartbeat))) heartbeat = leaseRenewed;
    return heartbeat;
  }

  private static String taintFor(String readyStatus) {
    if ("False".equals(readyStatus)) return NodeTaints.NOT_READY;
    if (UNKNOWN.equals(readyStatus)) return NodeTaints.UNREACHABLE;
    return null;
  }

  /**
   * When {@code pod} is to be evicted from a node tainted {@code taint} since {@code since}; null: never. The
   * eviction delay (Kubernetes' default toleration of 300 s) waits for a node that may come back; a node whose JVM
   * has left the cluster (downed by the split brain resolver, or gone) will not, so its pods go at once.
   */
  private static Instant evictionAt(KubeObject pod, String taint, Instant since, boolean memberUp,
      NodeLifecycleSettings settings) {
    if (since == null || pod.metadata().isDeleting()) return null;
    long tolerated = NodeTaints.tolerationSeconds(pod, taint);
    if (tolerated == NodeTaints.FOREVER) return null;
    return tolerated == NodeTaints.NOT_TOLERATED
        ? since.plus(memberUp ? settings.evictionDelay() : Duration.ZERO)
        : since.plusSeconds(tolerated);
  }

  /**
   * The delete of an evicted pod. From an unreachable node (Ready Unknown) with grace 0: no agent is there to
   * stop the pod's containers and finish a graceful deletion, so the pod would stay Terminating forever and its
   * owner's replacement would wait on nothing. From a node whose agent reports NotReady, gracefully, as
   * Kubernetes' taint manager does: that agent is alive and finishes the deletion.
   */
  private static Action.Delete eviction(KubeObject pod, String taint) {
    return NodeTaints.UNREACHABLE.equals(taint)
        ? Action.Delete.now(pod.key(), pod.metadata().uid())
        : new Action.Delete(pod.key(), pod.metadata().uid());
  }

  /**
   * When a pod already terminating gracefully on an unreachable node is deleted with grace 0 (null: never):
   * after the eviction delay, whatever it tolerates, since nobody is left to finish its deletion (Kubernetes
   * would leave it Terminating until the node comes back or is deleted). Pods on a NotReady node are left to
   * their agent; a pod held only by finalizers (grace already 0) is left to them.
   */
  private static Instant forcedDeletionAt(KubeObject pod, String taint, Instant since, boolean memberUp,
      NodeLifecycleSettings settings) {
    Long grace = pod.metadata().deletionGracePeriodSeconds();
    if (since == null || !NodeTaints.UNREACHABLE.equals(taint) || !pod.metadata().isDeleting()
        || grace == null || grace == 0) {
      return null;
    }
    return since.plus(memberUp ? settings.evictionDelay() : Duration.ZERO);
  }

  private static boolean isOnNode(KubeObject pod, KubeObject node) {
    return node.metadata().name() != null && node.metadata().name().equals(PodReadiness.nodeName(pod));
  }

  /**
   * The status with every condition Unknown (a missing Ready condition added as never updated), or null when
   * they all already are.
   */
  private static ObjectNode unknownStatus(KubeObject node, Instant now) {
    ObjectNode status = node.status() instanceof ObjectNode s ? s.deepCopy() : Json.object();
    String at = Rfc3339.format(now);
    boolean changed = false;
    boolean hasReady = false;
    ArrayNode conditions = status.get("conditions") instanceof ArrayNode a ? a : status.putArray("conditions");
    for (JsonNode c : conditions) {
      if (!(c instanceof ObjectNode condition)) continue;
      if (READY.equals(condition.path("type").asText())) hasReady = true;
      if (UNKNOWN.equals(condition.path("status").asText())) continue;
      condition.put("status", UNKNOWN);
      condition.put("reason", NODE_STATUS_UNKNOWN);
      condition.put("message", NODE_STATUS_UNKNOWN_MESSAGE);
      condition.put("lastTransitionTime", at);
      changed = true;
    }
    if (!hasReady) {
      ObjectNode condition = conditions.addObject();
      condition.put("type", READY);
      condition.put("status", UNKNOWN);
      condition.put("reason", NODE_STATUS_NEVER_UPDATED);
      condition.put("message", NODE_STATUS_NEVER_UPDATED_MESSAGE);
      String created = node.metadata().creationTimestamp();
      if (created != null) condition.put("lastHeartbeatTime", created);
      condition.put("lastTransitionTime", at);
      changed = true;
    }
    return changed ? status : null;
  }

  private static Action nodeNotReady(KubeObject node) {
    return new Action.RecordEvent(node, "Normal", "NodeNotReady",
        "Node " + node.metadata().name() + " status is now: NodeNotReady");
  }

  private static JsonNode condition(KubeObject node, String type) {
    JsonNode status = node.status();
    JsonNode conditions = status == null ? null : status.get("conditions");
    if (conditions == null || !conditions.isArray()) return null;
    for (JsonNode c : conditions) {
      if (type.equals(c.path("type").asText())) return c;
    }
    return null;
  }
}
