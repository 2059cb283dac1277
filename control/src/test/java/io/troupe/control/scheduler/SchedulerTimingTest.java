package io.troupe.control.scheduler;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.troupe.persistence.model.OwnerReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Prints how long {@link Scheduler#schedule} takes against 5,000 nodes holding 20 pods each (100,000 pods), so
 * that a change that slows the inner loop shows (each case runs as many times again first, to warm the JIT).
 * Measures, asserts nothing about time: machines differ. The output is in
 * target/surefire-reports/io.troupe.control.scheduler.SchedulerTimingTest-output.txt.
 */
class SchedulerTimingTest {

  private static final int NODES = 5_000;
  private static final int PODS_PER_NODE = 20;

  @Test
  void scheduleAgainstFiveThousandNodes() {
    PodInfo template = Manifests.pod("""
        metadata: {name: template, namespace: default, labels: {app: web}}
        spec:
          containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}}}]
        """);
    PodInfo antiAffine = Manifests.pod("""
        metadata: {name: template, namespace: default, labels: {app: db}}
        spec:
          affinity:
            podAntiAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
              - {labelSelector: {matchLabels: {app: db}}, topologyKey: kubernetes.io/hostname}
          containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}}}]
        """);
    List<NodeInfo> nodes = new ArrayList<>(NODES);
    int podCount = 0;
    for (int n = 0; n < NODES; n++) {
      String name = String.format("node-%05d", n);
      List<PodInfo> pods = new ArrayList<>(PODS_PER_NODE);
      for (int p = 0; p < PODS_PER_NODE; p++) {
        pods.add(variant(template, "pod-" + podCount, "rs-" + (podCount % 500), name));
        podCount++;
      }
      nodes.add(NodeInfo.of(name, Map.of(NodeInfo.LABEL_HOSTNAME, name, NodeInfo.LABEL_ZONE, "zone-" + (n % 3)),
          ConditionStatus.TRUE, false, List.of(), new Resources(32_000, 128L << 30, 110), pods));
    }
    ClusterView view = ClusterView.of(nodes);
    PodInfo incoming = variant(template, "incoming", "rs-7", null);
    PodInfo incomingAntiAffine = variant(antiAffine, "incoming-db", "rs-db", null);
    SplittableRandom random = new SplittableRandom(1);

    StringBuilder report = new StringBuilder("\nschedule() against " + NODES + " nodes, " + podCount + " pods:\n");
    report.append(time("default (adaptive: 500 of the nodes scored)", Scheduler.withDefaultPlugins(), incoming, view,
        random, 2_000));
    report.append(time("every node filtered and scored", Scheduler.withDefaultPlugins(100), incoming, view, random,
        300));
    report.append(time("required pod anti-affinity, default", Scheduler.withDefaultPlugins(), incomingAntiAffine,
        view, random, 200));
    report.append(assumeLoop(Scheduler.withDefaultPlugins(), template, view, random));
    System.out.println(report);
  }

  private static String time(String label, Scheduler scheduler, PodInfo pod, ClusterView view,
      SplittableRandom random, int runs) {
    for (int i = 0; i < runs; i++) assertInstanceOf(Decision.Assign.class, scheduler.schedule(pod, view, random));
    long start = System.nanoTime();
    for (int i = 0; i < runs; i++) scheduler.schedule(pod, view, random);
    double micros = (System.nanoTime() - start) / 1_000.0 / runs;
    return String.format("  %-45s %8.1f µs/pod  (%,.0f pods/s)%n", label, micros, 1_000_000 / micros);
  }

  /** The scheduler's loop: decide, then assume the pod onto its node for the next decision. */
  private static String assumeLoop(Scheduler scheduler, PodInfo template, ClusterView view, SplittableRandom random) {
    int pods = 3_000;
    long start = System.nanoTime();
    long assuming = 0;
    for (int i = 0; i < pods; i++) {
      PodInfo pod = variant(template, "new-" + i, "rs-new-" + (i % 50), null);
      Decision.Assign assign = (Decision.Assign) scheduler.schedule(pod, view, random);
      long before = System.nanoTime();
      view = view.withPod(assign.nodeName(), pod);
      assuming += System.nanoTime() - before;
    }
    double micros = (System.nanoTime() - start) / 1_000.0 / pods;
    return String.format("  %-45s %8.1f µs/pod  (%,.0f pods/s), of which assume %.1f µs%n",
        "decide + assume, " + pods + " pods in a row", micros, 1_000_000 / micros, assuming / 1_000.0 / pods);
  }

  private static PodInfo variant(PodInfo template, String name, String owner, String nodeName) {
    return new PodInfo(template.namespace(), name, "uid-" + name, template.labels(), template.requests(),
        template.nonZeroRequests(), template.nodeSelector(), template.requiredNodeAffinity(),
        template.preferredNodeAffinity(), template.requiredAffinityTerms(), template.requiredAntiAffinityTerms(),
        template.preferredAffinityTerms(), template.preferredAntiAffinityTerms(), template.tolerations(),
        new OwnerReference("apps/v1", "ReplicaSet", owner, owner, true, true), nodeName);
  }
}
