package io.troupe.bench.jmh;

import io.troupe.control.scheduler.ClusterView;
import io.troupe.control.scheduler.Decision;
import io.troupe.control.scheduler.NodeInfo;
import io.troupe.control.scheduler.PodInfo;
import io.troupe.control.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One scheduling decision with the real scheduler ({@link Scheduler#withDefaultPlugins}: Kubernetes' default filters
 * and weighted scores) for a Deployment's pod ({@link Manifests#pod}: requests, tolerations, a preferred node
 * affinity, a ReplicaSet owner) on {@code nodes} Ready nodes ({@link Manifests#node}: 3.9 CPUs, 15 GiB, three zones)
 * that already run {@value #PODS_PER_NODE} pods each.
 * <ul>
 *   <li>{@code filterAndScoreAllNodes}: {@code percentageOfNodesToScore = 100}, so every node is filtered and
 *       every node scored; divided by {@code nodes} it is the cost per node (the report prints it);
 *   <li>{@code scheduleAdaptive}: Kubernetes' adaptive percentage, as the scheduler singleton runs (above 100 nodes
 *       it stops filtering once enough feasible nodes are found).
 * </ul>
 * The view is not changed between decisions (no assume): every decision sees the same cluster.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SchedulerBench {
  static final int PODS_PER_NODE = 10;
  /** Distinct running pods the nodes' pods are drawn from (five Deployments). */
  private static final int RUNNING_TEMPLATES = 50;

  @Param({"100", "1000", "5000"})
  public int nodes;

  private ClusterView view;
  private PodInfo pod;
  private Scheduler allNodes;
  private Scheduler adaptive;
  private SplittableRandom random;

  @Setup(Level.Trial)
  public void setUp() {
    List<PodInfo> running = new ArrayList<>(RUNNING_TEMPLATES);
    for (int i = 0; i < RUNNING_TEMPLATES; i++) running.add(PodInfo.from(Manifests.pod(100_000 + i)));
    List<NodeInfo> infos = new ArrayList<>(nodes);
    for (int n = 0; n < nodes; n++) {
      String name = "node-%05d".formatted(n);
      List<PodInfo> pods = new ArrayList<>(PODS_PER_NODE);
      for (int k = 0; k < PODS_PER_NODE; k++) {
        pods.add(running.get((n * PODS_PER_NODE + k) % RUNNING_TEMPLATES).withNodeName(name));
      }
      infos.add(NodeInfo.from(Manifests.node(n), pods));
    }
    view = ClusterView.of(infos);
    pod = PodInfo.from(Manifests.pod(7));
    allNodes = Scheduler.withDefaultPlugins(100);
    adaptive = Scheduler.withDefaultPlugins();
    random = new SplittableRandom(42);
    if (!(allNodes.schedule(pod, view, random) instanceof Decision.Assign)) {
      throw new IllegalStateException("the pod should fit: " + allNodes.schedule(pod, view, random));
    }
  }

  @Benchmark
  public Decision filterAndScoreAllNodes() {
    return allNodes.schedule(pod, view, random);
  }

  @Benchmark
  public Decision scheduleAdaptive() {
    return adaptive.schedule(pod, view, random);
  }
}
