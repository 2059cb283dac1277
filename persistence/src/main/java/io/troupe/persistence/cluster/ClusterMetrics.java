package io.troupe.persistence.cluster;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;

/** The cluster as this JVM sees it, in /metrics: members by status, and those unreachable from here. */
final class ClusterMetrics {
  /** The cluster of the system last started in this JVM: the gauges read it when scraped. */
  private static volatile Cluster current;
  private static boolean registered;

  private ClusterMetrics() {}

  static synchronized void follow(Cluster cluster) {
    current = cluster;
    if (registered) return;
    registered = true;
    GaugeWithCallback.builder()
        .name("troupe_cluster_members")
        .help("Members of the cluster this JVM belongs to, by status, as this JVM sees them")
        .labelNames("status")
        .callback(cb -> {
          ClusterEvent.CurrentClusterState state = current.state();
          for (String status : new String[] {"joining", "weaklyup", "up", "leaving", "exiting", "down"}) {
            long n = 0;
            for (Member m : state.getMembers()) {
              if (m.status().toString().equalsIgnoreCase(status)) n++;
            }
            cb.call(n, status);
          }
        })
        .register(PrometheusRegistry.defaultRegistry);
    GaugeWithCallback.builder()
        .name("troupe_cluster_unreachable_members")
        .help("Members this JVM's failure detector finds unreachable")
        .callback(cb -> cb.call(current.state().getUnreachable().size()))
        .register(PrometheusRegistry.defaultRegistry);
  }
}
