package io.troupe.control.scheduler.plugins.nodeunschedulable;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.Manifests;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Status;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeUnschedulableTest {

  @ParameterizedTest(name = "unschedulable={0}, tolerations {1} -> fits={2}")
  @CsvSource(delimiter = '|', textBlock = """
      false | []                                                                    | true
      true  | []                                                                    | false
      true  | [{key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoSchedule}] | true
      true  | [{key: node.kubernetes.io/unschedulable, operator: Exists}]           | true
      true  | [{operator: Exists}]                                                  | true
      true  | [{key: node.kubernetes.io/unschedulable, operator: Exists, effect: NoExecute}] | false
      true  | [{key: other, operator: Exists}]                                      | false
      """)
  void cordonedNodes(boolean unschedulable, String tolerations, boolean fits) {
    NodeInfo node = Manifests.node("""
        metadata: {name: n1}
        spec: {unschedulable: %s}
        status: {conditions: [{type: Ready, status: "True"}]}
        """.formatted(unschedulable));
    PodInfo pod = Manifests.pod("p", "", "tolerations: " + tolerations);
    NodeUnschedulable plugin = new NodeUnschedulable();
    Status status = plugin.filter(pod, node, ClusterView.of(List.of(node)));
    assertEquals(fits, status.isSuccess());
    assertEquals(fits, NodeUnschedulable.fits(pod, node));
    if (!fits) assertEquals(List.of("node(s) were unschedulable"), status.reasons());
  }
}
