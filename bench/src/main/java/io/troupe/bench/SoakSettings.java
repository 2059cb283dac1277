package io.troupe.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one soak run does: how long, on how many ConfigMaps, with how many writers, how often it samples and
 * restarts the server, and the journal retention it gives the server ({@code troupe.journal}, HOCON durations).
 * The defaults make the journal level off well inside ten minutes.
 */
record SoakSettings(Duration duration, int objects, int writers, int payloadBytes, Duration sampleEvery,
    int listRepeats, Duration restartEvery, String maxAge, int maxEventsPerObject, String minAge,
    String compactionInterval, String serverConfig, List<String> serverJavaOptions, Path out, String commit) {

  static final String OPTIONS = "--minutes 10 (or --seconds N) --objects 500 --writers 16 --payload-bytes 200 "
      + "--sample-seconds 10 --list-repeats 5 --restart-seconds 150 --max-age 24h --max-events-per-object 20 "
      + "--min-age 30s --compaction-interval 15s --server-config 'more HOCON' --server-java-opts \"-Xmx1g\" --out bench/results/soak --commit ID";

  static SoakSettings of(Map<String, String> o) {
    Duration duration = o.containsKey("seconds") ? Duration.ofSeconds(Long.parseLong(o.get("seconds")))
        : Duration.ofMinutes(Long.parseLong(o.getOrDefault("minutes", "10")));
    String javaOptions = o.getOrDefault("server-java-opts", "-Xmx1g").trim();
    return new SoakSettings(duration,
        Integer.parseInt(o.getOrDefault("objects", "500")),
        Integer.parseInt(o.getOrDefault("writers", "16")),
        Integer.parseInt(o.getOrDefault("payload-bytes", "200")),
        Duration.ofSeconds(Long.parseLong(o.getOrDefault("sample-seconds", "10"))),
        Integer.parseInt(o.getOrDefault("list-repeats", "5")),
        Duration.ofSeconds(Long.parseLong(o.getOrDefault("restart-seconds", "150"))),
        o.getOrDefault("max-age", "24h"),
        Integer.parseInt(o.getOrDefault("max-events-per-object", "20")),
        o.getOrDefault("min-age", "30s"),
        o.getOrDefault("compaction-interval", "15s"),
        o.getOrDefault("server-config", ""),
        javaOptions.isEmpty() ? List.of() : List.of(javaOptions.split("\\s+")),
        Path.of(o.getOrDefault("out", "bench/results/soak")),
        o.getOrDefault("commit", "unknown"));
  }

  SoakSettings {
    if (objects < 1 || writers < 1 || writers > objects) {
      throw new IllegalArgumentException("need 1 <= writers <= objects, got " + writers + " writers, " + objects
          + " objects");
    }
    serverJavaOptions = List.copyOf(serverJavaOptions);
  }

  /** The server's journal settings and {@code serverConfig}, as a HOCON file for {@code troupe server --config}. */
  String journalConfig() {
    return "troupe.journal {\n"
        + "  retention.max-age = " + maxAge + "\n"
        + "  retention.max-events-per-object = " + maxEventsPerObject + "\n"
        + "  retention.min-age = " + minAge + "\n"
        + "  compaction.interval = " + compactionInterval + "\n"
        + "}\n" + serverConfig + "\n";
  }
}
