package io.troupe.node.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Heartbeats;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.model.OwnerReference;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;

/**
 * A node's Lease, {@code kube-node-lease/<node>}, as the kubelet keeps it (Kubernetes' node heartbeats, KEP 589):
 * held by the node, owned by its Node (the garbage collector deletes it with the Node), and renewed every heartbeat.
 * A renewal changes only {@code spec.renewTime}: a small write that nothing but the node lifecycle controller reads,
 * where posting the whole Node status every heartbeat (~2 KB, which the scheduler and every controller watching
 * Nodes received) cost as much as an object's create; the status is posted when it changes instead. Pure: the time
 * comes in as an argument.
 */
public final class NodeLease {
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private NodeLease() {}

  /**
   * {@code existing} (null: none yet) renewed at {@code now} by node {@code nodeName}, owned by its Node
   * ({@code nodeUid}), lasting four heartbeats (the kubelet renews at a quarter of the lease's duration).
   */
  public static KubeObject renewed(KubeObject existing, String nodeName, String nodeUid, Duration heartbeatInterval,
      Instant now) {
    ObjectMeta meta = existing == null
        ? ObjectMeta.named(Heartbeats.NODE_LEASE_NAMESPACE, nodeName).withCreation(UUID.randomUUID().toString(),
            PodStatusBuilder.timestamp(now))
        : existing.metadata();
    meta = meta.withOwnerReferences(List.of(new OwnerReference("v1", "Node", nodeName, nodeUid, null, null)));
    ObjectNode body = existing == null ? Json.object() : existing.body().deepCopy();
    ObjectNode spec = body.path("spec") instanceof ObjectNode s ? s : body.putObject("spec");
    spec.put("holderIdentity", nodeName);
    spec.put("leaseDurationSeconds", Math.max(1, (heartbeatInterval.toMillis() * 4 + 999) / 1000));
    spec.put("renewTime", microTime(now));
    return new KubeObject("coordination.k8s.io/v1", "Lease", meta, body);
  }

  /** metav1.MicroTime on the wire: RFC 3339 in UTC with six decimals, {@code 2006-01-02T15:04:05.000000Z}. */
  static String microTime(Instant instant) {
    return MICRO_TIME.format(instant);
  }
}
