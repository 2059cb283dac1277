package io.troupe.control.scheduler.plugins.nodeready;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.Manifests;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Status;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeReadyTest {

  private static final String NOT_READY = "node(s) had untolerated taint {node.kubernetes.io/not-ready: }";
  private static final String UNREACHABLE = "node(s) had untolerated taint {node.kubernetes.io/unreachable: }";

  static Stream<Arguments> readiness() {
    String ready = "[{type: Ready, status: \"True\"}]";
    String notReady = "[{type: Ready, status: \"False\"}]";
    String unknown = "[{type: Ready, status: Unknown}]";
    return Stream.of(
        Arguments.of(ready, "[]", ""),
        Arguments.of(notReady, "[]", NOT_READY),
        Arguments.of(unknown, "[]", UNREACHABLE),
        Arguments.of("[]", "[]", UNREACHABLE),
        Arguments.of("[{type: MemoryPressure, status: \"False\"}]", "[]", UNREACHABLE),
        Arguments.of(notReady, "[{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoSchedule}]", ""),
        Arguments.of(notReady,
            "[{key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}]",
            NOT_READY),
        Arguments.of(unknown, "[{key: node.kubernetes.io/not-ready, operator: Exists}]", UNREACHABLE),
        Arguments.of(unknown, "[{key: node.kubernetes.io/unreachable, operator: Exists}]", ""),
        Arguments.of(unknown, "[{operator: Exists}]", ""));
  }

  @ParameterizedTest(name = "conditions {0}, tolerations {1} -> ''{2}''")
  @MethodSource
  void readiness(String conditions, String tolerations, String reason) {
    NodeInfo node = Manifests.node("metadata: {name: n1}\nstatus: {conditions: " + conditions + "}");
    PodInfo pod = Manifests.pod("p", "", "tolerations: " + tolerations);
    Status status = new NodeReady().filter(pod, node, ClusterView.of(List.of(node)));
    assertEquals(reason.isEmpty() ? List.of() : List.of(reason), status.reasons());
    assertEquals(status, NodeReady.fits(pod, node));
  }
}
