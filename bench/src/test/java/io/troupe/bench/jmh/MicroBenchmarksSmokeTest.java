package io.troupe.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * SMOKE TEST, NOT A MEASUREMENT: runs every micro-benchmark of {@code bench/jmh} exactly once (one single-shot
 * invocation, no warm-up, in this JVM, smallest parameters) so that a benchmark broken by a change in the code it
 * drives fails the build. It asserts that each one ran and that the report can be built; it checks no number.
 * Takes 10-40 s. The figures come from {@code bench/jmh}.
 */
class MicroBenchmarksSmokeTest {

  @Test
  void everyBenchmarkRunsOnce(@TempDir Path dir) throws Exception {
    Options options = new OptionsBuilder()
        .include("io\\.troupe\\.bench\\.jmh\\..*")
        .forks(0)
        .mode(Mode.SingleShotTime)
        .warmupIterations(0)
        .measurementIterations(1)
        .param("nodes", "100")
        .param("watchers", "0", "100")
        .shouldFailOnError(true)
        .result(dir.resolve("jmh.json").toString())
        .build();

    Collection<RunResult> results = new Runner(options).run();

    List<String> ran = new ArrayList<>();
    for (RunResult r : results) {
      ran.add(r.getParams().getBenchmark().replaceFirst(".*\\.jmh\\.", "") + params(r));
      assertTrue(Double.isFinite(r.getPrimaryResult().getScore()), r.getParams().getBenchmark());
    }
    assertEquals(List.of(
        "LabelSelectorBench.equality", "LabelSelectorBench.parseEquality", "LabelSelectorBench.parseSetBased",
        "LabelSelectorBench.setBased",
        "SchedulerBench.filterAndScoreAllNodes nodes=100", "SchedulerBench.scheduleAdaptive nodes=100",
        "SerializationBench.apiJsonRead", "SerializationBench.apiJsonWrite", "SerializationBench.journalJsonRead",
        "SerializationBench.journalJsonWrite", "SerializationBench.kryoRead", "SerializationBench.kryoWrite",
        "WatchFanOutBench.applyAndDeliver watchers=0", "WatchFanOutBench.applyAndDeliver watchers=100"),
        ran.stream().sorted().toList());

    String table = MicroBenchmarks.table(results);
    assertTrue(table.contains("Kryo / journal JSON, write"), table);
    assertTrue(table.contains("scheduler, filter + score per node (nodes=100)"), table);
    assertTrue(table.contains("watch cache, per delivery (watchers=100)"), table);
    assertTrue(table.contains("pod size, bytes"), table);
  }

  private static String params(RunResult r) {
    StringBuilder out = new StringBuilder();
    for (String key : r.getParams().getParamsKeys()) out.append(' ').append(key).append('=').append(r.getParams().getParam(key));
    return out.toString();
  }
}
