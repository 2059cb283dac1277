package io.troupe.persistence.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a heartbeat changes and nothing else: the {@code lastHeartbeatTime}s of a Node's conditions, a Lease's
 * {@code spec.renewTime}. A write that changes only these is journaled as a heartbeat (removed by compaction as soon
 * as a newer event of the object exists), and a node agent posts its Node's status only when more than these changed.
 */
public final class Heartbeats {
  /** Where node agents hold their Leases, {@code kube-node-lease/<node>}, as kubelets do. */
  public static final String NODE_LEASE_NAMESPACE = "kube-node-lease";

  private Heartbeats() {}

  /** A status without its conditions' {@code lastHeartbeatTime}s. */
  private static JsonNode withoutHeartbeats(JsonNode status) {
    if (status == null || !status.path("conditions").isArray()) return status;
    ObjectNode copy = ((ObjectNode) status).deepCopy();
    for (JsonNode condition : copy.path("conditions")) {
      if (condition instanceof ObjectNode o) o.remove("lastHeartbeatTime");
    }
    return copy;
  }

  /** Whether two statuses differ in their heartbeat times at most. */
  public static boolean sameStatus(JsonNode a, JsonNode b) {
    return java.util.Objects.equals(withoutHeartbeats(a), withoutHeartbeats(b));
  }

  /**
   * Whether {@code next} is {@code current}, a Lease, renewed: its {@code spec.renewTime} changed and nothing else
   * (its holder, duration and transitions are the same).
   */
  public static boolean onlyRenewed(KubeObject current, KubeObject next) {
    if (!"Lease".equals(current.kind()) || !(current.spec() instanceof ObjectNode before)
        || !(next.spec() instanceof ObjectNode after)) {
      return false;
    }
    if (before.path("renewTime").equals(after.path("renewTime"))) return false;
    ObjectNode renewed = before.deepCopy();
    renewed.set("renewTime", after.get("renewTime"));
    return current.withField("spec", renewed).equals(next);
  }
}
