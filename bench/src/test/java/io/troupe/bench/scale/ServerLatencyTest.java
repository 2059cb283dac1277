package io.troupe.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ServerLatencyTest {
  /** As the server exports its request latency: one cumulative series per verb and resource. */
  private static final String BEFORE = """
      troupe_apiserver_request_duration_seconds_bucket{resource="configmaps",verb="create",le="0.01"} 90
      troupe_apiserver_request_duration_seconds_bucket{resource="configmaps",verb="create",le="0.025"} 100
      troupe_apiserver_request_duration_seconds_bucket{resource="configmaps",verb="create",le="10.0"} 100
      troupe_apiserver_request_duration_seconds_bucket{resource="configmaps",verb="create",le="+Inf"} 100
      troupe_apiserver_request_duration_seconds_bucket{resource="configmaps",verb="get",le="0.01"} 5000
      troupe_apiserver_request_duration_seconds_bucket{resource="configmaps",verb="get",le="0.025"} 5000
      troupe_apiserver_request_duration_seconds_bucket{resource="configmaps",verb="get",le="10.0"} 5000
      troupe_apiserver_request_duration_seconds_bucket{resource="configmaps",verb="get",le="+Inf"} 5000
      troupe_apiserver_request_duration_seconds_bucket{resource="pods",verb="create",le="0.01"} 0
      troupe_apiserver_request_duration_seconds_bucket{resource="pods",verb="create",le="0.025"} 0
      troupe_apiserver_request_duration_seconds_bucket{resource="pods",verb="create",le="10.0"} 7
      troupe_apiserver_request_duration_seconds_bucket{resource="pods",verb="create",le="+Inf"} 7
      """;

  @Test
  void theP99IsTheBoundOfItsBucketAmongTheRoundsOwnRequests() {
    // the round: 1,000 creates, 985 within 10 ms, 12 more within 25 ms, 3 slower; before it, 100 fast ones
    String after = BEFORE.replace("create\",le=\"0.01\"} 90", "create\",le=\"0.01\"} 1075")
        .replace("create\",le=\"0.025\"} 100", "create\",le=\"0.025\"} 1097")
        .replace("configmaps\",verb=\"create\",le=\"10.0\"} 100", "configmaps\",verb=\"create\",le=\"10.0\"} 1100")
        .replace("configmaps\",verb=\"create\",le=\"+Inf\"} 100", "configmaps\",verb=\"create\",le=\"+Inf\"} 1100");
    ServerLatency round = ServerLatency.of(after, "create", "configmaps")
        .since(ServerLatency.of(BEFORE, "create", "configmaps"));
    assertEquals(1000, round.count());
    assertEquals(25, round.percentileUpperBoundMs(99), 1e-9);
    assertEquals(10, round.percentileUpperBoundMs(50), 1e-9);
    assertEquals(10_000, round.percentileUpperBoundMs(99.9), 1e-9);
  }

  @Test
  void noRequestsInTheSeriesIsNoFigure() {
    ServerLatency none = ServerLatency.of(BEFORE, "get", "configmaps")
        .since(ServerLatency.of(BEFORE, "get", "configmaps"));
    assertEquals(0, none.count());
    assertEquals(-1, none.percentileUpperBoundMs(99));
    assertEquals(-1, ServerLatency.of("", "create", "configmaps").percentileUpperBoundMs(99));
  }

  @Test
  void requestsPastTheLastFiniteBoundHaveNoUpperBound() {
    String slow = BEFORE.replace("pods\",verb=\"create\",le=\"+Inf\"} 7", "pods\",verb=\"create\",le=\"+Inf\"} 100");
    assertEquals(Double.POSITIVE_INFINITY, ServerLatency.of(slow, "create", "pods").percentileUpperBoundMs(99));
  }
}
