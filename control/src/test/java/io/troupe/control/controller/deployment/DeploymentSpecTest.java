package io.troupe.control.controller.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeploymentSpecTest {
  private static JsonNode value(Object v) {
    return v instanceof Integer i ? Json.object().numberNode(i) : Json.object().textNode((String) v);
  }

  /** Rows: replicas, maxSurge, maxUnavailable, and the pod counts they resolve to (deploymentutil tests). */
  static Stream<Arguments> fenceposts() {
    return Stream.of(
        Arguments.of(10, "25%", "25%", 3, 2),
        Arguments.of(5, 1, 1, 1, 1),
        Arguments.of(4, "25%", "25%", 1, 1),
        Arguments.of(3, "25%", "25%", 1, 0),
        Arguments.of(1, "25%", "25%", 1, 0),
        Arguments.of(10, "0%", "10%", 0, 1),
        Arguments.of(3, 0, "10%", 0, 1),
        Arguments.of(5, "100%", "100%", 5, 5),
        Arguments.of(2, 0, 5, 0, 2),
        Arguments.of(0, "25%", "25%", 0, 0),
        Arguments.of(10, "33%", "33%", 4, 3));
  }

  @ParameterizedTest(name = "replicas {0}, surge {1}, unavailable {2} -> {3}, {4}")
  @MethodSource("fenceposts")
  void surgeRoundsUpAndUnavailableRoundsDown(int replicas, Object surge, Object unavailable, int expectedSurge,
      int expectedUnavailable) {
    DeploymentSpec spec = DeploymentSpec.of(TestDeployments.deployment().replicas(replicas)
        .rolling(value(surge), value(unavailable)).build());
    assertEquals(expectedSurge, spec.maxSurgeCount());
    assertEquals(expectedUnavailable, spec.maxUnavailableCount());
  }

  @Test
  void recreateHasNoFenceposts() {
    DeploymentSpec spec = DeploymentSpec.of(TestDeployments.deployment().recreate().build());
    assertTrue(spec.recreate());
    assertEquals(0, spec.maxSurgeCount());
    assertEquals(0, spec.maxUnavailableCount());
  }

  @Test
  void missingFieldsMeanTheApiDefaults() {
    KubeObject bare = new KubeObject("apps/v1", "Deployment", ObjectMeta.named("default", "web"),
        Json.object().set("spec", Json.object()));
    DeploymentSpec spec = DeploymentSpec.of(bare);
    assertEquals(1, spec.replicas());
    assertTrue(spec.rollingUpdate());
    assertEquals(1, spec.maxSurgeCount()); // 25% of 1, rounded up
    assertEquals(0, spec.maxUnavailableCount());
    assertEquals(10, spec.revisionHistoryLimit());
    assertEquals(600, spec.progressDeadlineSeconds());
    assertFalse(spec.paused());
  }

  @Test
  void maxInt32MeansNoLimit() {
    DeploymentSpec spec = DeploymentSpec.of(TestDeployments.deployment()
        .spec("progressDeadlineSeconds", Integer.MAX_VALUE).spec("revisionHistoryLimit", Integer.MAX_VALUE).build());
    assertFalse(spec.hasProgressDeadline());
    assertFalse(spec.hasRevisionHistoryLimit());
  }
}
