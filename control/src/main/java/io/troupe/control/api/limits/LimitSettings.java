package io.troupe.control.api.limits;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code troupe.api.limits}: each client's request rate (a token bucket per authenticated user, or per remote
 * address for anonymous requests), the groups exempt from it, and the bounds on a client's open watches.
 *
 * @param enabled whether requests are rate limited at all
 * @param rate tokens added to a client's bucket per second: its sustained request rate
 * @param burst the bucket's size: how many requests a client may send at once after being quiet
 * @param exemptGroups members of these groups are never limited (Kubernetes' API Priority and Fairness puts
 *     {@code system:masters} in its {@code exempt} priority level)
 * @param maxWatchesPerClient open watches a client may hold at once; the next one is a 429
 * @param watchMinTimeout a watch without {@code timeoutSeconds} lasts a random time in [min, 2 min), as
 *     kube-apiserver's {@code --min-request-timeout} (30 minutes)
 * @param idleConnectionTimeout a connection without a request in progress this long is closed (slow-loris);
 *     applies whether or not {@code enabled}
 */
public record LimitSettings(boolean enabled, double rate, int burst, Set<String> exemptGroups,
    int maxWatchesPerClient, Duration watchMinTimeout, Duration idleConnectionTimeout) {

  public LimitSettings {
    if (rate <= 0) throw new IllegalArgumentException("troupe.api.limits.rate must be above 0, got " + rate);
    if (burst < 1) throw new IllegalArgumentException("troupe.api.limits.burst must be at least 1, got " + burst);
    if (maxWatchesPerClient < 1) {
      throw new IllegalArgumentException("troupe.api.limits.max-watches-per-client must be at least 1");
    }
    if (watchMinTimeout.isNegative() || watchMinTimeout.isZero()) {
      throw new IllegalArgumentException("troupe.api.watch.min-timeout must be above 0");
    }
    if (idleConnectionTimeout.isNegative() || idleConnectionTimeout.isZero()) {
      throw new IllegalArgumentException("troupe.api.limits.idle-connection-timeout must be above 0");
    }
    exemptGroups = Set.copyOf(exemptGroups);
  }

  public static LimitSettings from(Config config) {
    Config limits = config.getConfig("troupe.api.limits");
    List<String> exempt = limits.getStringList("exempt-groups");
    return new LimitSettings(limits.getBoolean("enabled"), limits.getDouble("rate"), limits.getInt("burst"),
        Set.copyOf(exempt), limits.getInt("max-watches-per-client"),
        config.getDuration("troupe.api.watch.min-timeout"), limits.getDuration("idle-connection-timeout"));
  }
}
