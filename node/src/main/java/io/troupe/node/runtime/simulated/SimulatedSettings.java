package io.troupe.node.runtime.simulated;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the {@code simulated} runtime, under {@code troupe.node.simulated}.
 *
 * @param startDelay how long a container takes to start ({@code start-delay}, default 1s)
 */
public record SimulatedSettings(Duration startDelay) {
  public static final String PATH = "troupe.node.simulated";
  public static final SimulatedSettings DEFAULT = new SimulatedSettings(Duration.ofSeconds(1));

  public SimulatedSettings {
    if (startDelay == null || startDelay.isNegative()) {
      throw new IllegalArgumentException("start-delay must be zero or more");
    }
  }

  /** Reads {@code troupe.node.simulated}; a missing key takes its default. */
  public static SimulatedSettings fromConfig(Config config) {
    String key = PATH + ".start-delay";
    return new SimulatedSettings(config.hasPath(key) ? config.getDuration(key) : DEFAULT.startDelay());
  }
}
