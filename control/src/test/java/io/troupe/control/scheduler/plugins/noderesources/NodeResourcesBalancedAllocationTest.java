package io.troupe.control.scheduler.plugins.noderesources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.Manifests;
import io.troupe.control.scheduler.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeResourcesBalancedAllocationTest {

  private static final long MI = 1024L * 1024;

  /** Millicores and MiB: what the node's pods request, the pod's request, the node's allocatable. */
  @ParameterizedTest(name = "requested {0}m/{1}Mi + pod {2}m/{3}Mi on {4}m/{5}Mi -> {6}")
  @CsvSource({
      "0, 0, 1000, 2048, 4000, 8192, 100",
      "0, 0, 2000, 2048, 4000, 8192, 87",
      "0, 0, 4000, 0, 4000, 8192, 50",
      "3000, 0, 2000, 1024, 4000, 8192, 56",
      "1000, 6144, 0, 0, 4000, 8192, 75",
      "0, 0, 1000, 2048, 0, 8192, 100"})
  void score(long nodeCpu, long nodeMemory, long podCpu, long podMemory, long allocCpu, long allocMemory,
      long score) {
    assertEquals(score, NodeResourcesBalancedAllocation.score(new Resources(podCpu, podMemory * MI, 1),
        new Resources(nodeCpu, nodeMemory * MI, 0), new Resources(allocCpu, allocMemory * MI, 110)));
  }

  @Test
  void podsThatRequestNothingAreNotScored() {
    var node = Manifests.readyNode("n1", "4", "8Gi");
    assertNull(new NodeResourcesBalancedAllocation().prepare(Manifests.podRequesting("p", null, null),
        ClusterView.of(List.of(node)), List.of(node)));
  }
}
