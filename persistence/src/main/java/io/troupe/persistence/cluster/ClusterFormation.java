package io.troupe.persistence.cluster;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** How a JVM enters its cluster: with no seed nodes configured it is a cluster of one and joins itself. */
public final class ClusterFormation {
  private ClusterFormation() {}

  public static void join(ActorSystem<?> system) {
    if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }
}
