package io.troupe.control.scheduler.plugins.noderesources;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.Manifests;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeResourcesLeastAllocatedTest {

  private static final long MI = 1024L * 1024;

  /** Millicores and MiB: what the node's pods request, the pod's request, the node's allocatable. */
  @ParameterizedTest(name = "requested {0}m/{1}Mi + pod {2}m/{3}Mi on {4}m/{5}Mi -> {6}")
  @CsvSource({
      "0, 0, 0, 0, 4000, 8192, 100",
      "0, 0, 1000, 2048, 4000, 8192, 75",
      "2000, 4096, 0, 0, 4000, 8192, 50",
      "2000, 0, 1000, 0, 4000, 8192, 62",
      "3000, 6144, 1000, 2048, 4000, 8192, 0",
      "4000, 0, 1000, 0, 4000, 8192, 50",
      "0, 0, 1000, 1024, 0, 8192, 87",
      "0, 0, 1000, 1024, 0, 0, 0"})
  void score(long nodeCpu, long nodeMemory, long podCpu, long podMemory, long allocCpu, long allocMemory,
      long score) {
    assertEquals(score, NodeResourcesLeastAllocated.score(new Resources(podCpu, podMemory * MI, 1),
        new Resources(nodeCpu, nodeMemory * MI, 0), new Resources(allocCpu, allocMemory * MI, 110)));
  }

  @Test
  void podsWithoutRequestsCountAsTheDefaults() {
    NodeInfo empty = Manifests.readyNode("empty", "1", "2000Mi");
    NodeInfo busy = empty.withPod(Manifests.podRequesting("idle", null, null));
    PodInfo pod = Manifests.podRequesting("p", null, null);
    var scorer = new NodeResourcesLeastAllocated().prepare(pod, ClusterView.of(List.of(empty)), List.of(empty));
    // 100m of 1000m and 200Mi of 2000Mi: 90 each; with one more such pod, 80.
    assertEquals(90, scorer.score(empty));
    assertEquals(80, scorer.score(busy));
  }
}
