package io.troupe.bench.scale;

import io.troupe.bench.PodStartup;
import io.troupe.bench.PostgresDatabase;
import io.troupe.bench.Result;
import io.troupe.bench.ServerJvm;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The scale harness ({@code bench/scale}): for each simulated node count, a {@code troupe server} JVM of its own
 * with the {@code simulated} runtime and that many nodes, driven through its real HTTP API: API latency at fixed
 * offered rates (open loop), watch delivery to concurrent watchers, scheduling throughput for each pod count (the
 * pods of one count stay while the next is created), with the heap and RSS after each count. Pod startup with the
 * {@code process} runtime comes from {@link PodStartup}. Writes {@code scale.json}, {@code scale.md} and PNG plots
 * under {@code --out} (default {@code bench/results/scale}).
 */
public final class ScaleBench {
  private ScaleBench() {}

  /** Everything one run measured. */
  public record Outcome(ScaleSettings settings, String date, double loadAverageAtStart, double loadAverageAtEnd,
      List<Scheduling.Outcome> scheduling, List<NodesLatency> latency, List<NodesWatch> watch,
      List<ServerMemory.Outcome> memory, Result podStartup) {}

  /** The API latencies measured on a server with {@code nodes} simulated nodes. */
  record NodesLatency(int nodes, List<OpenLoop.Outcome> outcomes) {}

  /** Watch delivery on a server with {@code nodes} simulated nodes. */
  record NodesWatch(int nodes, WatchDelivery.Outcome outcome) {}

  public static void main(String[] args) throws Exception {
    Outcome outcome = run(ScaleSettings.parse(args));
    System.out.println(ScaleReport.markdown(outcome, ScaleReport.storeComparison(outcome.settings())));
    System.exit(0);
  }

  public static Outcome run(ScaleSettings settings) throws Exception {
    double loadAtStart = loadAverage();
    List<Scheduling.Outcome> scheduling = new ArrayList<>();
    List<NodesLatency> latency = new ArrayList<>();
    List<NodesWatch> watch = new ArrayList<>();
    List<ServerMemory.Outcome> memory = new ArrayList<>();
    for (int nodes : settings.nodes()) {
      Path dataDir = Files.createTempDirectory("troupe-scale-" + nodes);
      try (PostgresDatabase postgres = settings.journal().equals("postgres")
          ? PostgresDatabase.create(settings.postgresUrl(), "scale") : null;
          ServerJvm server = start(dataDir, settings, nodes, postgres)) {
        ApiClient api = new ApiClient(server.url());
        progress(nodes + " simulated nodes: server at " + server.url() + ", pid " + server.pid() + ", journal "
            + (postgres == null ? "H2" : "PostgreSQL " + postgres.url()));
        awaitNodesReady(api, nodes);
        latency.add(new NodesLatency(nodes, ApiLatency.run(api, settings)));
        WatchDelivery.Outcome w = WatchDelivery.run(api, settings.watchers(), settings.watchWrites());
        progress(w.toString());
        watch.add(new NodesWatch(nodes, w));
        int held = 0;
        for (int i = 0; i < settings.pods().size(); i++) {
          int pods = settings.pods().get(i);
          // distinct names in every round, even for a pod count given twice (--pods 10000,10000: 20,000 held)
          Scheduling.Outcome s = Scheduling.run(api, nodes, pods, settings.clients(), "n" + nodes + "r" + i);
          progress(s.toString());
          scheduling.add(s);
          held += s.bound();
          // after each pod count: the heap's growth per pod held, not only its size at the end
          ServerMemory.Outcome m = ServerMemory.measure(api, server.pid(), nodes, held, settings.out());
          progress(m.toString());
          memory.add(m);
        }
      } finally {
        deleteRecursively(dataDir);
      }
    }
    Result startup = null;
    if (settings.startupPods() > 0) startup = podStartup(settings.startupPods());
    Outcome outcome = new Outcome(settings, Instant.now().toString(), loadAtStart, loadAverage(), scheduling,
        latency, watch, memory, startup);
    ScaleReport.write(outcome);
    return outcome;
  }

  /**
   * PodStartupBench's run, a second time if the first fails (its clean-up has met a connection the server closed
   * while idle): the scale figures already measured are reported either way, without this one if both fail.
   */
  private static Result podStartup(int pods) {
    for (int attempt = 1; attempt <= 2; attempt++) {
      try {
        Result startup = PodStartup.processRuntime(pods);
        progress(startup.summary());
        return startup;
      } catch (Exception e) {
        progress("pod startup, attempt " + attempt + ", failed: " + e);
      }
    }
    return null;
  }

  private static ServerJvm start(Path dataDir, ScaleSettings settings, int nodes, PostgresDatabase postgres)
      throws Exception {
    Files.createDirectories(dataDir);
    Path config = dataDir.resolve("scale.conf");
    // thousands of simulated nodes in one JVM: a heartbeat every 30 s (a Node status write each), so the heartbeats
    // of 5,000 nodes are ~170 writes/s and not the bulk of the load; the grace period follows (4 heartbeats)
    List<String> lines = List.of(
        "troupe.node { name = sim, runtime = simulated, simulated.nodes = " + nodes + ", heartbeat-interval = 30s }",
        "troupe.node-lifecycle.grace-period = 2m");
    List<String> args;
    if (postgres == null) {
      Files.writeString(config, String.join("\n", lines) + "\n");
      args = List.of("--config", config.toString());
    } else {
      args = postgres.serverArguments(config, lines);
    }
    return ServerJvm.start(dataDir, settings.serverJavaOptions(), args, Duration.ofMinutes(3));
  }

  private static void awaitNodesReady(ApiClient api, int nodes) throws Exception {
    long started = System.nanoTime();
    long deadline = started + Duration.ofMinutes(5).plusSeconds(nodes / 20).toNanos();
    int ready = 0;
    while (System.nanoTime() < deadline) {
      ready = 0;
      for (var node : api.getJson("/api/v1/nodes").path("items")) {
        for (var c : node.path("status").path("conditions")) {
          if (c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True")) ready++;
        }
      }
      if (ready >= nodes) {
        progress(nodes + " nodes Ready after " + (System.nanoTime() - started) / 1_000_000_000 + " s");
        return;
      }
      Thread.sleep(2000);
    }
    throw new IllegalStateException(ready + " of " + nodes + " nodes Ready before the deadline");
  }

  static double loadAverage() {
    return Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0;
  }

  static void progress(String what) {
    System.err.println("scale: " + what);
  }

  private static void deleteRecursively(Path dir) throws Exception {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
