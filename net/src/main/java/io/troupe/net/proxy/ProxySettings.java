package io.troupe.net.proxy;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code troupe.net.proxy}: see net's reference.conf. */
public record ProxySettings(boolean enabled, Duration connectTimeout, Duration idleTimeout,
    Duration bindRetryInterval, int backlog, Duration affinitySweepInterval) {

  /** From a JVM's whole configuration. */
  public static ProxySettings of(Config config) {
    Config c = config.getConfig("troupe.net.proxy");
    return new ProxySettings(c.getBoolean("enabled"), c.getDuration("connect-timeout"), c.getDuration("idle-timeout"),
        c.getDuration("bind-retry-interval"), c.getInt("backlog"), c.getDuration("affinity-sweep-interval"));
  }
}
