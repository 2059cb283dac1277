package io.troupe.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The soak run of the bounded journal (issue 12): one {@code troupe server} JVM on a fresh H2 data directory, with
 * a short retention, {@code objects} ConfigMaps replaced continuously by {@code writers} clients in a closed loop
 * through the HTTP API. Every sample: writes/s, the journal's rows and size (from /metrics; the H2 file's size
 * when the server has no size gauge) and the latency of listing every ConfigMap. Every {@code restart-seconds}
 * and at the end: SIGTERM, a start on the same data directory timed to {@code /readyz} 200, and a check that every
 * ConfigMap is at the value it was last acknowledged at. Writes CSV, JSON, Markdown and PNG plots.
 *
 * <p>Options: {@link SoakSettings#OPTIONS}.
 */
public final class Soak {
  /** One sample; NaN where the server has no such gauge (yet). */
  record Sample(double seconds, double writesPerSecond, double rows, double sizeBytes, double fileBytes,
      double compactedTotal, double listP50Ms, long errors) {}

  /**
   * One restart: SIGTERM to exit, start to /readyz 200, the ConfigMaps not at their acknowledged value once ready
   * and, when there were any, still not 10 s later (0 then: the list was stale at first; the same: writes lost).
   */
  record Restart(double atSeconds, double stopSeconds, double startSeconds, int mismatches, int mismatchesLater) {}

  /** All that a run measured. */
  record Outcome(SoakSettings settings, double firstStartSeconds, long writes, long errors, List<Sample> samples,
      List<Restart> restarts) {
    int mismatches() {
      return restarts.stream().mapToInt(Restart::mismatches).sum();
    }
  }

  private final SoakSettings settings;
  private final Path dataDir;
  private final Path configFile;
  private final HttpClient http = SoakLoad.client();
  private final List<Sample> samples = new ArrayList<>();
  private final List<Restart> restarts = new ArrayList<>();
  private ServerJvm server;
  private SoakLoad load;
  /** The soak's own PostgreSQL database (dropped at the end), or null on H2. */
  private String database;
  private long startedNanos;
  private long lastSampleNanos;
  private long lastWrites;
  private long pausedNanos;

  private Soak(SoakSettings settings, Path work) {
    this.settings = settings;
    this.dataDir = work.resolve("data");
    this.configFile = work.resolve("soak.conf");
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 == args.length) {
        throw new IllegalArgumentException("usage: bench/soak " + SoakSettings.OPTIONS);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    Outcome outcome = run(SoakSettings.of(options));
    System.exit(outcome.mismatches() == 0 ? 0 : 1);
  }

  /** Runs the soak, writes its report into {@code settings.out()}, prints a summary. */
  static Outcome run(SoakSettings settings) throws Exception {
    Path work = Files.createTempDirectory("troupe-soak");
    try {
      Outcome outcome = new Soak(settings, work).soak();
      SoakReport.write(outcome);
      if (outcome.mismatches() > 0) keepServerLog(work, settings);
      return outcome;
    } catch (Exception e) {
      keepServerLog(work, settings);
      throw e;
    } finally {
      deleteRecursively(work);
    }
  }

  /** The data directory goes; its server log is what tells why a run failed. */
  private static void keepServerLog(Path work, SoakSettings settings) throws java.io.IOException {
    Path log = work.resolve("data").resolve("server.log");
    if (Files.exists(log)) {
      Files.createDirectories(settings.out());
      Files.copy(log, settings.out().resolve("server.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      progress("the server's log is in " + settings.out().resolve("server.log"));
    }
  }

  private Outcome soak() throws Exception {
    try {
      if (settings.onPostgres()) {
        database = "troupe_soak_" + Long.toHexString(System.nanoTime());
        postgres("CREATE DATABASE " + database);
      }
      return soakOnce();
    } finally {
      if (server != null) server.close();
      if (database != null) postgres("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }

  /** A statement on the database {@code --postgres} names, as role troupe (what .ci/postgres creates). */
  private void postgres(String sql) throws java.sql.SQLException {
    try (var c = java.sql.DriverManager.getConnection(settings.postgres(), "troupe", "troupe");
        var s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private Outcome soakOnce() throws Exception {
    String url = database == null ? null
        : settings.postgres().substring(0, settings.postgres().lastIndexOf('/') + 1) + database;
    Files.writeString(configFile, settings.journalConfig(url));
    long t0 = System.nanoTime();
    URI api = startServer();
    double firstStart = (System.nanoTime() - t0) / 1e9;
    progress(String.format(Locale.ROOT, "server up at %s in %.1f s; creating %d ConfigMaps", api, firstStart,
        settings.objects()));
    load = new SoakLoad(settings, api);
    load.create();
    load.start();
    startedNanos = lastSampleNanos = System.nanoTime();
    long end = startedNanos + settings.duration().toNanos();
    long nextSample = startedNanos + settings.sampleEvery().toNanos();
    long nextRestart = startedNanos + settings.restartEvery().toNanos();
    while (nextSample <= end) {
      sleepUntil(nextSample);
      // the last restart comes after the load; none just before it
      if (System.nanoTime() >= nextRestart && nextRestart < end - settings.sampleEvery().toNanos()) {
        restart();
        nextRestart += settings.restartEvery().toNanos();
        // the samples missed while the server was down are not made up for
        nextSample = Math.max(nextSample, System.nanoTime() + settings.sampleEvery().toNanos());
        if (nextSample > end) break;
        sleepUntil(nextSample);
      }
      sample();
      nextSample += settings.sampleEvery().toNanos();
    }
    load.stop();
    load.pause();
    restart();
    return new Outcome(settings, firstStart, load.writes(), load.errors(), List.copyOf(samples),
        List.copyOf(restarts));
  }

  /** Starts the server on the data directory and waits for /readyz; its API address. */
  private URI startServer() throws Exception {
    server = ServerJvm.start(dataDir, settings.serverJavaOptions(), List.of("--config", configFile.toString()),
        Duration.ofMinutes(3));
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(SoakLoad.request(server.url().resolve("/readyz")).GET().build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return server.url();
        }
      } catch (java.io.IOException e) {
        // not answering yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("/readyz not 200 within 3 minutes");
  }

  /** Pauses the load, stops the server (SIGTERM), starts it again, checks every ConfigMap, resumes the load. */
  private void restart() throws Exception {
    boolean running = !load.paused();
    if (running) load.pause();
    long pausedAt = System.nanoTime();
    double at = elapsedSeconds();
    server.close();
    double stop = (System.nanoTime() - pausedAt) / 1e9;
    long t0 = System.nanoTime();
    URI api = startServer();
    double start = (System.nanoTime() - t0) / 1e9;
    load.point(api);
    int mismatches = load.mismatches(http);
    int later = 0;
    if (mismatches > 0) {
      Thread.sleep(10_000);
      later = load.mismatches(http);
    }
    restarts.add(new Restart(round(at), round(stop), round(start), mismatches, later));
    progress(String.format(Locale.ROOT, "restart at %.0f s: stop %.1f s, start to ready %.1f s, %d ConfigMaps not "
        + "at their acknowledged value (%d still 10 s later)", at, stop, start, mismatches, later));
    if (running) {
      load.resume();
      pausedNanos += System.nanoTime() - pausedAt;
    }
  }

  private void sample() throws Exception {
    long now = System.nanoTime();
    long writes = load.writes();
    // the rate while the load ran: a restart's pause is left out
    double perSecond = (writes - lastWrites) / ((now - lastSampleNanos - pausedNanos) / 1e9);
    lastWrites = writes;
    lastSampleNanos = now;
    pausedNanos = 0;
    String metrics;
    try {
      metrics = http.send(SoakLoad.request(server.url().resolve("/metrics")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (java.io.IOException e) {
      progress("/metrics: " + e);
      metrics = "";
    }
    double file = fileBytes();
    double size = metric(metrics, "troupe_journal_size_bytes");
    Sample s = new Sample(round(elapsedSeconds()), round(perSecond), metric(metrics, "troupe_journal_rows"),
        Double.isNaN(size) ? file : size, file, metric(metrics, "troupe_journal_compacted_events_total"),
        listLatencyMs(), load.errors());
    samples.add(s);
    progress(String.format(Locale.ROOT, "%4.0f s: %6.0f writes/s, %8.0f rows, %6.1f MB, list %.1f ms, %d errors", s.seconds(),
        s.writesPerSecond(), s.rows(), s.sizeBytes() / 1e6, s.listP50Ms(), s.errors()));
  }

  /** The median of {@code list-repeats} lists of every ConfigMap, ms; NaN if one failed. */
  private double listLatencyMs() throws Exception {
    double[] ms = new double[settings.listRepeats()];
    for (int i = 0; i < ms.length; i++) {
      long t0 = System.nanoTime();
      try {
        HttpResponse<String> r = http.send(SoakLoad.request(server.url().resolve(SoakLoad.CONFIGMAPS)).GET()
            .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new java.io.IOException("status " + r.statusCode());
      } catch (java.io.IOException e) {
        progress("list: " + e);
        return Double.NaN;
      }
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return round(ms[ms.length / 2]);
  }

  /** The value of a metric without labels in Prometheus' text format; NaN when absent. */
  static double metric(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1).trim());
    }
    return Double.NaN;
  }

  private double fileBytes() throws Exception {
    Path file = dataDir.resolve("journal").resolve("troupe.mv.db");
    return Files.exists(file) ? Files.size(file) : Double.NaN;
  }

  private double elapsedSeconds() {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left = nanos - System.nanoTime();
    if (left > 0) Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
  }

  static double round(double value) {
    return Math.round(value * 1_000) / 1_000.0;
  }

  static void progress(String what) {
    System.err.println("soak: " + what);
  }

  private static void deleteRecursively(Path dir) throws Exception {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
