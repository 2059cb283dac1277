package io.troupe.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * SMOKE TEST, NOT A MEASUREMENT: the scale harness end to end at its CI size ({@code --smoke}: 50 simulated nodes,
 * 500 pods, ConfigMaps at 100 req/s for 5 s, 10 watchers, 5 pods started with the process runtime) against real
 * {@code troupe server} JVMs. It fails when the harness breaks (a phase throws, a report is missing, pods are not
 * bound, watch events are lost), never on a figure. About 90 s (3 minutes on a busy 2-core machine). The figures
 * come from {@code bench/scale}.
 */
class ScaleBenchSmokeTest {

  @Test
  void everyPhaseRunsAndEveryReportIsWritten() throws Exception {
    Path out = Path.of("target", "scale-smoke");
    ScaleBench.Outcome outcome = ScaleBench.run(ScaleSettings.parse("--smoke", "--out", out.toString()));

    assertEquals(1, outcome.scheduling().size());
    assertEquals(500, outcome.scheduling().get(0).bound(), "every pod bound and seen bound by the watch");
    assertEquals(4, outcome.latency().get(0).outcomes().size(), "create, get, list and update at 100 req/s");
    for (OpenLoop.Outcome o : outcome.latency().get(0).outcomes()) {
      assertTrue(o.completed() > 0, o.toString());
      assertEquals(0, o.errors(), o.toString());
      assertTrue(o.serverP99Ms() > 0, "the server's own latency of the round's requests read: " + o);
    }
    assertEquals(0, outcome.watch().get(0).outcome().missing(), "every watcher saw every write");
    assertEquals(200, outcome.watch().get(0).outcome().deliveries(), "10 watchers x 20 writes");
    assertFalse(Double.isNaN(outcome.memory().get(0).heapUsedMiB()), "heap gauge read");
    assertTrue(outcome.memory().get(0).rssMiB() > 0, "RSS read");
    assertNotNull(outcome.podStartup(), "pod startup with the process runtime");
    assertEquals(5, outcome.podStartup().operations());
    for (String file : new String[] {"scale.json", "scale.md", "scheduling.png", "latency.png"}) {
      assertTrue(Files.size(out.resolve(file)) > 0, file);
    }
    assertTrue(Files.readString(out.resolve("scale.md")).contains("| target (issue 9) |"));
    assertTrue(Files.readString(out.resolve("scale.md"))
            .contains("| server's own p99 ms | errors | dropped | server GC pauses (ms) | journal held (ms) |"),
        "the server's own p99 and its stalls beside each latency round");
  }
}
