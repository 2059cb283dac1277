package io.troupe.control.scheduler.plugins.noderesources;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.Manifests;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Status;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeResourcesFitTest {

  /**
   * A node with allocatable {@code cpu}, {@code memory} and {@code pods}, holding pods that request
   * "cpu/memory" each (a "-" leaves the resource out), and the incoming pod's request in the same form.
   */
  @ParameterizedTest(name = "node {0}/{1}/{2} pods, holding [{3}], pod {4} -> ''{5}''")
  @CsvSource(delimiter = '|', textBlock = """
      2  | 4Gi | 110 | ''                | 1/1Gi      | ''
      2  | 4Gi | 110 | ''                | 2/4Gi      | ''
      2  | 4Gi | 110 | ''                | 2100m/1Gi  | Insufficient cpu
      2  | 4Gi | 110 | ''                | 1/5Gi      | Insufficient memory
      2  | 4Gi | 110 | ''                | 3/5Gi      | Insufficient cpu;Insufficient memory
      2  | 4Gi | 110 | 1500m/3Gi         | 500m/1Gi   | ''
      2  | 4Gi | 110 | 1500m/3Gi         | 501m/1Gi   | Insufficient cpu
      2  | 4Gi | 110 | 1500m/3Gi,-/-     | 500m/1025Mi | Insufficient memory
      2  | 4Gi | 2   | -/-,-/-           | -/-        | Too many pods
      2  | 4Gi | 2   | 2/-,-/-           | 1/-        | Too many pods;Insufficient cpu
      2  | 4Gi | 3   | 2/4Gi,-/-         | -/-        | ''
      2  | 4Gi | 3   | 2/4Gi             | 1m/1       | Insufficient cpu;Insufficient memory
      0  | 0   | 0   | ''                | -/-        | Too many pods
      """)
  void fits(String cpu, String memory, String pods, String existing, String request, String reasons) {
    List<PodInfo> bound = existing.isEmpty() ? List.of()
        : Arrays.stream(existing.split(",")).map(NodeResourcesFitTest::pod).toList();
    NodeInfo node = Manifests.node("""
        metadata: {name: n1}
        status:
          allocatable: {cpu: "%s", memory: "%s", pods: "%s"}
          conditions: [{type: Ready, status: "True"}]
        """.formatted(cpu, memory, pods), bound.toArray(new PodInfo[0]));
    PodInfo pod = pod(request);
    Status status = new NodeResourcesFit().filter(pod, node, ClusterView.of(List.of(node)));
    assertEquals(reasons.isEmpty() ? List.of() : List.of(reasons.split(";")), status.reasons());
    assertEquals(status, NodeResourcesFit.fits(pod.requests(), node));
  }

  private static PodInfo pod(String request) {
    String[] parts = request.split("/");
    return Manifests.podRequesting("p" + System.identityHashCode(request),
        parts[0].equals("-") ? null : parts[0], parts[1].equals("-") ? null : parts[1]);
  }
}
