package io.troupe.net.policy;

import com.typesafe.config.Config;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.WatchCache;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * The NetworkPolicy verdicts the service proxy and the ingress proxy apply in loopback mode, where no packet filter
 * tells pods apart: one {@link VerdictWatch} per watch cache (per JVM), shared by every proxy that starts it and
 * stopped when the last one closes. In bridge mode nftables judges the packets, and these verdicts are
 * {@link PolicyVerdicts#OPEN}: the proxies forward as before.
 */
public final class LoopbackPolicies implements AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  /** The running watches by cache, and how many proxies use each. */
  private static final Map<WatchCache, Shared> SHARED = new IdentityHashMap<>();

  private static final class Shared {
    final AtomicReference<PolicyVerdicts> current = new AtomicReference<>(PolicyVerdicts.OPEN);
    ActorRef<VerdictWatch.Command> watch;
    int users;
  }

  private static final LoopbackPolicies NOT_JUDGED = new LoopbackPolicies(null, null);

  private final WatchCache cache;
  private final Shared shared;
  private boolean closed;

  private LoopbackPolicies(WatchCache cache, Shared shared) {
    this.cache = cache;
    this.shared = shared;
  }

  /**
   * The verdicts of this JVM: in loopback mode ({@code troupe.net.mode}) kept current from the watch cache, computed
   * at once when the cache is ready (until then everything passes); in bridge mode always open.
   */
  public static LoopbackPolicies start(ActorSystem<?> system, Store store, Config config) {
    PolicySettings settings = PolicySettings.of(config);
    if (settings.enforced()) return NOT_JUDGED;
    WatchCache cache = store.cache();
    synchronized (SHARED) {
      Shared shared = SHARED.computeIfAbsent(cache, c -> new Shared());
      if (shared.users++ == 0) {
        PolicyVerdicts now = VerdictWatch.read(cache);
        if (now != null) shared.current.set(now);
        shared.watch = system.systemActorOf(VerdictWatch.create(cache, settings.applyDelay(), shared.current),
            "network-policy-verdicts-" + INSTANCES.incrementAndGet(), Props.empty());
      }
      return new LoopbackPolicies(cache, shared);
    }
  }

  /** Whether connections are judged here (loopback mode). */
  public boolean judging() {
    return shared != null;
  }

  /** The verdicts now; read on every new connection. */
  public PolicyVerdicts current() {
    return shared == null ? PolicyVerdicts.OPEN : shared.current.get();
  }

  @Override
  public void close() {
    if (shared == null) return;
    synchronized (SHARED) {
      if (closed) return;
      closed = true;
      if (--shared.users == 0) {
        shared.watch.tell(VerdictWatch.Stop.INSTANCE);
        SHARED.remove(cache);
      }
    }
  }
}
