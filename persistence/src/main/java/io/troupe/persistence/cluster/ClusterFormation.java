package io.troupe.persistence.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** How a JVM enters its cluster: with no seed nodes configured it is a cluster of one and joins itself. */
public final class ClusterFormation {
  private ClusterFormation() {}

  /** Joins (itself, or the configured seed nodes) and completes once this member is Up. */
  public static CompletionStage<Void> join(ActorSystem<?> system) {
    CompletableFuture<Void> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> up.complete(null));
    if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    return up;
  }
}
