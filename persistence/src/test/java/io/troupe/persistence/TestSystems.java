package io.troupe.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Map;

/** Configuration of a single-JVM Troupe (config/single.conf) on a data directory of the test's own. */
public final class TestSystems {
  private TestSystems() {}

  public static Config singleJvm(Path dataDir) {
    return singleJvm(dataDir, Map.of());
  }

  public static Config singleJvm(Path dataDir, Map<String, Object> overrides) {
    return ConfigFactory.parseMap(overrides)
        .withFallback(ConfigFactory.parseMap(Map.of("troupe.data-dir", dataDir.toAbsolutePath().toString())))
        .withFallback(ConfigFactory.parseResources("single.conf"))
        .withFallback(ConfigFactory.load())
        .resolve();
  }
}
