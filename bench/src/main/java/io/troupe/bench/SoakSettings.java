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
    String compactionInterval, String serverConfig, List<String> serverJavaOptions, String postgres, Path out,
    String commit) {

  static final String OPTIONS = "--minutes 10 (or --seconds N) --objects 500 --writers 16 --payload-bytes 200 "
      + "--sample-seconds 10 --list-repeats 5 --restart-seconds 150 --max-age 24h --max-events-per-object 20 "
      + "--min-age 30s --compaction-interval 15s --server-config 'more HOCON' --server-java-opts \"-Xmx1g\" "
      + "--postgres jdbc:postgresql://127.0.0.1:5432/troupe --out bench/results/soak --commit ID";

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
        o.getOrDefault("postgres", ""),
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

  /** Whether the journal is on PostgreSQL ({@code --postgres}: a fresh database next to the one named) or H2. */
  boolean onPostgres() {
    return !postgres.isEmpty();
  }

  /**
   * The server's journal settings and {@code serverConfig}, as a HOCON file for {@code troupe server --config};
   * {@code postgresUrl}, when not null, puts the journal there (as config/cluster.conf does).
   */
  String journalConfig(String postgresUrl) {
    String database = postgresUrl == null ? "" : "pekko-persistence-jdbc.shared-databases.troupe {\n"
        + "  profile = \"slick.jdbc.PostgresProfile$\"\n"
        + "  db { url = \"" + postgresUrl + "\", user = troupe, password = troupe, driver = \"org.postgresql.Driver\" }\n"
        + "}\njdbc-journal.parallelism = 4\ntroupe.watch-cache.idle-poll-interval = 20ms\n";
    return database + "troupe.journal {\n"
        + "  retention.max-age = " + maxAge + "\n"
        + "  retention.max-events-per-object = " + maxEventsPerObject + "\n"
        + "  retention.min-age = " + minAge + "\n"
        + "  compaction.interval = " + compactionInterval + "\n"
        + "}\n" + serverConfig + "\n";
  }
}
