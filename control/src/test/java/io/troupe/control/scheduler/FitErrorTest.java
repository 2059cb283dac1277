package io.troupe.control.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FitErrorTest {

  static Stream<Arguments> messages() {
    return Stream.of(
        Arguments.of(3, Map.of("node(s) didn't match pod anti-affinity rules", 3),
            "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."),
        // kube-scheduler sorts "count reason" strings as a whole, so the count decides first.
        Arguments.of(3, Map.of("Insufficient cpu", 2, "node(s) didn't match Pod's node affinity/selector", 1),
            "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu."),
        Arguments.of(2, Map.of("Insufficient cpu", 2, "Insufficient memory", 2),
            "0/2 nodes are available: 2 Insufficient cpu, 2 Insufficient memory."),
        Arguments.of(12, Map.of("node(s) were unschedulable", 10, "Too many pods", 2),
            "0/12 nodes are available: 10 node(s) were unschedulable, 2 Too many pods."),
        Arguments.of(0, Map.of(), "no nodes available to schedule pods"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource
  void messages(int nodes, Map<String, Integer> reasons, String message) {
    assertEquals(message, new FitError(nodes, reasons).message());
  }
}
