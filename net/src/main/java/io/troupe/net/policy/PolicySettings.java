package io.troupe.net.policy;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * NetworkPolicy enforcement, from {@code troupe.net.mode} and {@code troupe.net.policy}.
 *
 * @param enforced bridge mode: pods have network namespaces whose packets nftables sees
 * @param table the nftables table (family {@code inet}) Troupe owns and rewrites whole
 * @param applyDelay changes are applied this long after the first of a burst
 * @param retryInterval a failed {@code nft} run is tried again after this long
 */
record PolicySettings(boolean enforced, String table, Duration applyDelay, Duration retryInterval) {

  PolicySettings {
    if (!table.matches("[A-Za-z][A-Za-z0-9_]{0,31}")) {
      throw new IllegalArgumentException("troupe.net.policy.table must be a plain nftables name, got " + table);
    }
  }

  static PolicySettings of(Config config) {
    String mode = config.hasPath("troupe.net.mode") ? config.getString("troupe.net.mode").trim() : "loopback";
    if (!mode.equals("loopback") && !mode.equals("bridge")) {
      throw new IllegalArgumentException("troupe.net.mode must be loopback or bridge, not " + mode);
    }
    Config c = config.getConfig("troupe.net.policy");
    return new PolicySettings(mode.equals("bridge"), c.getString("table"), c.getDuration("apply-delay"),
        c.getDuration("retry-interval"));
  }
}
