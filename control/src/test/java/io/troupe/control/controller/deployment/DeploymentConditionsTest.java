package io.troupe.control.controller.deployment;

import static io.troupe.control.controller.deployment.DeploymentCondition.AVAILABLE;
import static io.troupe.control.controller.deployment.DeploymentCondition.PROGRESSING;
import static io.troupe.control.controller.deployment.DeploymentCondition.REPLICA_FAILURE;
import static io.troupe.control.controller.deployment.TestDeployments.condition;
import static io.troupe.control.controller.deployment.TestDeployments.deployment;
import static io.troupe.control.controller.deployment.TestDeployments.replicaSetOf;
import static io.troupe.control.controller.deployment.TestDeployments.status;
import static io.troupe.control.controller.replicaset.TestPods.NOW;
import static io.troupe.control.controller.replicaset.TestPods.statusUpdates;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.controller.Action;
import io.troupe.control.controller.replicaset.Rfc3339;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Available and Progressing conditions of a 3-replica Deployment (maxSurge 1, maxUnavailable 1: at least 2
 * available) whose ReplicaSet is at revision 1, as Kubernetes writes them after one reconcile.
 */
class DeploymentConditionsTest {
  private static final Instant T100 = NOW.minusSeconds(100);
  private static final Instant T200 = NOW.minusSeconds(200);

  private static final DeploymentCondition AVAILABLE_TRUE = condition(AVAILABLE, "True",
      DeploymentCondition.MINIMUM_REPLICAS_AVAILABLE, "Deployment has minimum availability.", T200);
  private static final DeploymentCondition AVAILABLE_FALSE = condition(AVAILABLE, "False",
      DeploymentCondition.MINIMUM_REPLICAS_UNAVAILABLE, "Deployment does not have minimum availability.", T200);

  private static String rsName() {
    return replicaSetOf(deployment().replicas(3).build(), 3, 3, 1, NOW).metadata().name();
  }

  private static DeploymentCondition updatedSince(Instant lastUpdate, Instant lastTransition) {
    return condition(PROGRESSING, "True", DeploymentCondition.RS_UPDATED,
        "ReplicaSet \"" + rsName() + "\" is progressing.", lastUpdate)
        .withLastTransitionTime(Rfc3339.format(lastTransition));
  }

  /** Rows: the stored status, the ReplicaSet's available pods (of 3), and the conditions written (null: none). */
  static Stream<Arguments> rows() {
    String progressed = "ReplicaSet \"" + rsName() + "\" has successfully progressed.";
    return Stream.of(
        Arguments.of("complete: NewReplicaSetAvailable, transition time kept",
            status(3, 3, 3, 2, AVAILABLE_TRUE, updatedSince(T100, T200)), 3,
            List.of(AVAILABLE_TRUE, condition(PROGRESSING, "True", DeploymentCondition.NEW_RS_AVAILABLE, progressed,
                NOW).withLastTransitionTime(Rfc3339.format(T200)))),
        Arguments.of("progress refreshes lastUpdateTime only",
            status(3, 3, 1, 1, AVAILABLE_FALSE, updatedSince(T100, T200)), 2,
            List.of(condition(AVAILABLE, "True", DeploymentCondition.MINIMUM_REPLICAS_AVAILABLE,
                "Deployment has minimum availability.", NOW), updatedSince(NOW, T200))),
        Arguments.of("no progress past the deadline times out",
            status(3, 3, 1, 1, AVAILABLE_FALSE, updatedSince(NOW.minusSeconds(601), T200)), 1,
            List.of(AVAILABLE_FALSE, condition(PROGRESSING, "False", DeploymentCondition.TIMED_OUT,
                "ReplicaSet \"" + rsName() + "\" has timed out progressing.", NOW))),
        Arguments.of("exactly at the deadline is not yet late",
            status(3, 3, 1, 1, AVAILABLE_FALSE, updatedSince(NOW.minusSeconds(600), T200)), 1, null),
        Arguments.of("a timeout stays until there is progress",
            status(3, 3, 1, 1, AVAILABLE_FALSE, condition(PROGRESSING, "False", DeploymentCondition.TIMED_OUT,
                "x", T100)), 1, null),
        Arguments.of("a completed rollout is not looked at again",
            status(3, 3, 3, 3, AVAILABLE_TRUE, condition(PROGRESSING, "True", DeploymentCondition.NEW_RS_AVAILABLE,
                progressed, T100)), 3, null),
        Arguments.of("losing pods after completion flips Available only",
            status(3, 3, 3, 3, AVAILABLE_TRUE, condition(PROGRESSING, "True", DeploymentCondition.NEW_RS_AVAILABLE,
                progressed, T100)), 1,
            List.of(condition(PROGRESSING, "True", DeploymentCondition.NEW_RS_AVAILABLE, progressed, T100),
                condition(AVAILABLE, "False", DeploymentCondition.MINIMUM_REPLICAS_UNAVAILABLE,
                    "Deployment does not have minimum availability.", NOW))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void conditions(String why, DeploymentStatus stored, int available, List<DeploymentCondition> expected) {
    KubeObject d = deployment().replicas(3).revision(1).status(stored).build();
    List<Action> actions = new DeploymentReconciler().reconcile(d,
        List.of(replicaSetOf(d, 3, available, 1, NOW.minusSeconds(1000))), List.of(), NOW);
    if (expected == null) {
      assertEquals(List.of(), actions);
    } else {
      assertEquals(expected, TestDeployments.statusWritten(actions).conditions());
    }
  }

  @Test
  void countsComeFromTheReplicaSets() {
    KubeObject d = deployment().replicas(3).revision(1).generation(4).build();
    DeploymentStatus status = TestDeployments.statusWritten(new DeploymentReconciler().reconcile(d,
        List.of(replicaSetOf(d, 3, 1, 1, NOW.minusSeconds(1000))), List.of(), NOW));
    assertEquals(4, status.observedGeneration());
    assertEquals(3, status.replicas());
    assertEquals(3, status.updatedReplicas());
    assertEquals(1, status.readyReplicas());
    assertEquals(1, status.availableReplicas());
    assertEquals(2, status.unavailableReplicas());
  }

  @Test
  void withoutAProgressDeadlineThereIsNoProgressingCondition() {
    KubeObject d = deployment().replicas(3).revision(1).spec("progressDeadlineSeconds", Integer.MAX_VALUE)
        .status(status(3, 3, 1, 1, AVAILABLE_FALSE, updatedSince(T100, T200))).build();
    DeploymentStatus status = TestDeployments.statusWritten(new DeploymentReconciler().reconcile(d,
        List.of(replicaSetOf(d, 3, 3, 1, NOW.minusSeconds(1000))), List.of(), NOW));
    assertEquals(List.of(AVAILABLE), status.conditions().stream().map(DeploymentCondition::type).toList());
  }

  @Test
  void aReplicaSetsFailureIsReported() {
    KubeObject d = deployment().replicas(3).revision(1).build();
    KubeObject rs = replicaSetOf(d, 3, 0, 1, NOW.minusSeconds(1000));
    ObjectNode rsStatus = ((ObjectNode) rs.status()).deepCopy();
    rsStatus.putArray("conditions").addObject().put("type", "ReplicaFailure").put("status", "True")
        .put("lastTransitionTime", Rfc3339.format(T100)).put("reason", "FailedCreate")
        .put("message", "pods \"web-x\" is forbidden: exceeded quota");
    List<Action> actions = new DeploymentReconciler().reconcile(d, List.of(rs.withField("status", rsStatus)),
        List.of(), NOW);
    DeploymentCondition failure = TestDeployments.statusWritten(actions).condition(REPLICA_FAILURE).orElseThrow();
    assertEquals(new DeploymentCondition(REPLICA_FAILURE, "True", Rfc3339.format(T100), Rfc3339.format(T100),
        "FailedCreate", "pods \"web-x\" is forbidden: exceeded quota"), failure);
    assertEquals(1, statusUpdates(actions).size());
    assertEquals(Json.object().textNode("True"), statusUpdates(actions).get(0).object().status()
        .path("conditions").get(2).path("status"));
  }
}
