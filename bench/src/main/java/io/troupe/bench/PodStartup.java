package io.troupe.bench;

import java.util.List;

/**
 * Pod startup latency (create to Running) as {@link PodStartupBench} measures it, for callers outside this package
 * (the scale harness, {@code io.troupe.bench.scale}): the same run, called rather than copied.
 */
public final class PodStartup {
  private PodStartup() {}

  /** {@code pods} pods created at once on one node of the {@code process} runtime, after one warm-up round. */
  public static Result processRuntime(int pods) throws Exception {
    return PodStartupBench.run("process", pods, List.of("-Dtroupe.node.runtime=process"), List.of(), null,
        PodStartupBench.HOST_POD, 0, 1);
  }
}
