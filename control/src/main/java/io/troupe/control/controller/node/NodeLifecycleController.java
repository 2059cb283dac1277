package io.troupe.control.controller.node;

import io.troupe.control.controller.ControllerSpec;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.cluster.ClusterMember;
import io.troupe.persistence.model.Heartbeats;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.watch.Stored;
import io.troupe.persistence.watch.WatchCache;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The node lifecycle controller: Ready turns Unknown when a node's heartbeats (its Lease's renewals) stop (or at once
 * when its JVM's cluster member is gone), the node gets the not-ready/unreachable taint, and its pods are evicted
 * after the eviction delay so that their owners recreate them elsewhere.
 */
public final class NodeLifecycleController {
  private NodeLifecycleController() {}

  public static ControllerSpec spec(WatchCache cache, ActorSystem<?> system) {
    var config = system.settings().config().getConfig("troupe.node-lifecycle");
    NodeLifecycleSettings settings = new NodeLifecycleSettings(config.getDuration("grace-period"),
        config.getDuration("eviction-delay"));
    return new ControllerSpec("node-lifecycle-controller", "Node",
        // a pod that lands on a node whose JVM is gone (bound before the scheduler saw the node Unknown) makes the
        // node due, so that it is evicted now rather than at the next resync
        Map.of("Node", o -> List.of(o.key()),
            "Pod", pod -> onGoneNode(cache, system, pod)),
        key -> cache.get(key).map(Stored::object)
            .map(node -> NodeLifecycleReconciler.reconcile(node, () -> podsOn(cache, node), leaseRenewed(cache, node),
                memberUp(system, node), Instant.now(), settings))
            .orElse(List.of()),
        key -> cache.get(key).map(Stored::object)
            .flatMap(node -> NodeLifecycleReconciler.nextCheckAt(node, () -> podsOn(cache, node),
                leaseRenewed(cache, node), memberUp(system, node), Instant.now(), settings)),
        // a JVM downed or removed: its nodes at once, not when their heartbeats go stale
        member -> cache.items("Node", null).stream()
            .filter(node -> member.equals(node.metadata().annotations().get(ClusterMember.ANNOTATION)))
            .map(KubeObject::key)
            .toList(),
        Duration.ofSeconds(30), 8);
  }

  /**
   * From the cache's nodeName index (a scan of every pod for every node reconcile was a quarter of the CPU), and
   * only for a tainted node: a Ready node's reconcile on each heartbeat lists none (JFR: 3.6 % of the server's samples
   * with 1,000 nodes, a heartbeat every 2 s, under a stream of pod creates).
   */
  private static List<KubeObject> podsOn(WatchCache cache, KubeObject node) {
    return cache.podsOnNode(node.metadata().name());
  }

  /**
   * The renewTime of the node's Lease ({@code kube-node-lease/<node>}); null without one. Its renewals need no watch
   * here: a node is looked at again when its last heartbeat would go stale (nextCheckAt), and then the Lease says
   * whether one came since.
   */
  private static Instant leaseRenewed(WatchCache cache, KubeObject node) {
    return cache.get(ObjectKey.of("Lease", Heartbeats.NODE_LEASE_NAMESPACE, node.metadata().name())).map(Stored::object)
        .map(lease -> Rfc3339.parse(Json.text(lease.body(), "spec.renewTime")))
        .orElse(null);
  }

  private static List<String> onGoneNode(WatchCache cache, ActorSystem<?> system, KubeObject pod) {
    String nodeName = Json.text(pod.body(), "spec.nodeName");
    if (nodeName == null || nodeName.isEmpty()) return List.of();
    return cache.get(ObjectKey.of("Node", null, nodeName)).map(Stored::object)
        .filter(node -> !memberUp(system, node))
        .map(node -> List.of(node.key()))
        .orElse(List.of());
  }

  /** False when the node names its cluster member and that member is no longer Up (or Weakly Up). */
  private static boolean memberUp(ActorSystem<?> system, KubeObject node) {
    String member = node.metadata().annotations().get(ClusterMember.ANNOTATION);
    if (member == null) return true;
    Optional<Boolean> up = java.util.stream.StreamSupport.stream(
            Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.address().toString().equals(member))
        .findFirst()
        .map(m -> m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp());
    return up.orElse(false);
  }
}
