package io.troupe.net.ingress;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/** The {@code troupe.net.ingress} block of the configuration. */
public record IngressSettings(
    int httpPort,
    int httpsPort,
    String className,
    Duration requestTimeout,
    Duration idleTimeout,
    Duration connectTimeout,
    int maxConnectionsPerEndpoint,
    int maxOpenRequestsPerEndpoint,
    Duration applyDelay,
    Duration statusResyncInterval) {

  public IngressSettings {
    if (httpPort < 0 || httpPort > 65535) throw new IllegalArgumentException("http-port: " + httpPort);
    if (httpsPort < -1 || httpsPort > 65535) throw new IllegalArgumentException("https-port: " + httpsPort);
    if (Integer.bitCount(maxOpenRequestsPerEndpoint) != 1) {
      throw new IllegalArgumentException("max-open-requests-per-endpoint must be a power of 2: "
          + maxOpenRequestsPerEndpoint);
    }
  }

  /** From a whole configuration (the actor system's): {@code troupe.net.ingress}, defaults from reference.conf. */
  public static IngressSettings from(Config config) {
    Config c = config.withFallback(ConfigFactory.defaultReference()).getConfig("troupe.net.ingress");
    return new IngressSettings(
        c.getInt("http-port"),
        c.getInt("https-port"),
        c.getString("class-name"),
        c.getDuration("request-timeout"),
        c.getDuration("idle-timeout"),
        c.getDuration("connect-timeout"),
        c.getInt("max-connections-per-endpoint"),
        c.getInt("max-open-requests-per-endpoint"),
        c.getDuration("apply-delay"),
        c.getDuration("status-resync-interval"));
  }

  public boolean https() {
    return httpsPort >= 0;
  }
}
