package io.troupe.persistence.cluster;

import com.typesafe.config.Config;
import io.troupe.persistence.store.JournalDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a JVM enters its cluster. With no seed nodes ({@code troupe.cluster.seed-nodes}) it is a cluster of one and
 * joins itself. With seed nodes and the journal on PostgreSQL, it first looks in the database for members alive
 * ({@link MemberRegistry}): if there are, it joins them and never founds a cluster of its own, even as the first
 * seed node; if there are none, it joins the seed nodes as Pekko does (the first of them founds the cluster when no
 * other answers within {@code pekko.cluster.seed-node-timeout}). It looks again every second until it is Up, and
 * switches when the answer changes (the cluster it was joining died meanwhile, or one formed). Once Up, it records
 * itself alive every second.
 */
public final class ClusterFormation {
  private static final Logger log = LoggerFactory.getLogger(ClusterFormation.class);
  /** Members seen within this are taken for alive: long enough for a member starved of CPU for a few seconds. */
  static final Duration ALIVE_WITHIN = Duration.ofSeconds(10);
  private static final Duration TICK = Duration.ofSeconds(1);

  private ClusterFormation() {}

  /** Joins (itself, the running cluster, or the configured seed nodes) and completes once this member is Up. */
  public static CompletionStage<Void> join(ActorSystem<?> system) {
    CompletableFuture<Void> up = new CompletableFuture<>();
    Cluster cluster = Cluster.get(Adapter.toClassic(system));
    cluster.registerOnMemberUp(() -> up.complete(null));
    ClusterMetrics.follow(cluster);
    Config config = system.settings().config();
    if (!config.getStringList("pekko.cluster.seed-nodes").isEmpty()) return up; // Pekko joins them by itself
    List<Address> seeds = config.getStringList("troupe.cluster.seed-nodes").stream()
        .map(AddressFromURIString::parse).toList();
    MemberRegistry registry = seeds.isEmpty() ? null : MemberRegistry.of(config);
    if (seeds.isEmpty()) {
      cluster.join(cluster.selfAddress());
    } else if (registry == null) {
      cluster.joinSeedNodes(seeds);
    } else {
      new Joining(cluster, seeds, registry).start(system);
      ProcessDeathDowning.start(system, cluster, JournalDatabase.of(config));
    }
    return up;
  }

  /** One daemon thread for periodic JDBC work (which blocks, so not on Pekko's dispatchers). */
  static ScheduledExecutorService daemonThread(String name) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  /** Joining guided by the registry, then recording this member alive; on its own thread (JDBC blocks). */
  private static final class Joining {
    private final Cluster cluster;
    private final List<Address> seeds;
    private final MemberRegistry registry;
    private final ScheduledExecutorService thread = daemonThread("troupe-cluster-formation");
    /** What this JVM last asked Pekko to join: the members alive (true) or the seed nodes (false); null: nothing. */
    private Boolean joiningRunning;
    private boolean wasUp;

    Joining(Cluster cluster, List<Address> seeds, MemberRegistry registry) {
      this.cluster = cluster;
      this.seeds = seeds;
      this.registry = registry;
    }

    void start(ActorSystem<?> system) {
      thread.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
      system.getWhenTerminated().thenRun(() -> {
        thread.shutdownNow();
        registry.close();
      });
    }

    private void tick() {
      try {
        MemberStatus status = cluster.selfMember().status();
        if (status == MemberStatus.up() || status == MemberStatus.weaklyUp()) {
          wasUp = true;
          registry.seen(cluster.selfAddress());
        } else if (!wasUp) {
          List<Address> alive = registry.alive(cluster.selfAddress(), ALIVE_WITHIN);
          boolean running = !alive.isEmpty();
          if (joiningRunning == null || joiningRunning != running) {
            joiningRunning = running;
            log.info(running ? "joining the running cluster: {}" : "no member alive in the database; joining "
                + "the seed nodes: {}", running ? alive : seeds);
            cluster.joinSeedNodes(running ? alive : seeds);
          }
        }
      } catch (RuntimeException e) {
        log.warn("cluster formation: {}", e.toString());
      }
    }
  }
}
