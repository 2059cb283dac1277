package io.troupe.node.runtime.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessRuntimeSettingsTest {
  @Test
  void theDefaultsComeFromReferenceConf() {
    ProcessRuntimeSettings settings = ProcessRuntimeSettings.fromConfig(ConfigFactory.load(), Path.of("/data"),
        "node-a");

    assertEquals(new ProcessRuntimeSettings(Path.of("/data/node/node-a"), Path.of("/data/images"),
        ProcessRuntimeSettings.Namespaces.AUTO, "node-a", 10L * 1024 * 1024, 5, Duration.ofSeconds(5)), settings);
  }

  @Test
  void aBlockOverridesThem() {
    ProcessRuntimeSettings settings = ProcessRuntimeSettings.fromConfig(ConfigFactory.parseString(
        "troupe.node.process { image-dir = /srv/images, namespaces = off, log-max-size = 1MiB, log-max-files = 2 }")
        .withFallback(ConfigFactory.load()), Path.of("/data"), "node-a");

    assertEquals(Path.of("/srv/images"), settings.imageDir());
    assertEquals(ProcessRuntimeSettings.Namespaces.OFF, settings.namespaces());
    assertEquals(1024 * 1024, settings.logMaxBytes());
    assertEquals(2, settings.logMaxFiles());
  }

  @Test
  void nonsenseIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> ProcessRuntimeSettings.of(Path.of("/s"), Path.of("/i"),
        "../escape"));
    assertThrows(IllegalArgumentException.class, () -> ProcessRuntimeSettings.fromConfig(ConfigFactory.parseString(
        "troupe.node.process.namespaces = sometimes").withFallback(ConfigFactory.load()), Path.of("/d"), "n"));
  }
}
