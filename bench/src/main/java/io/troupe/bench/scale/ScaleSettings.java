package io.troupe.bench.scale;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of the scale harness measures. From {@code --option value} pairs, after a preset: {@code --smoke}
 * (CI-sized: 50 nodes, 500 pods, 100 req/s for 5 s, 10 watchers, 5 pods started) or {@code --quick}; the defaults
 * are the full configuration (1k and 5k nodes, 10k and 100k pods, 100/500/1,000 req/s).
 *
 * @param nodes simulated node counts, one server per count
 * @param pods pod counts created one after the other on each server (the pods of earlier counts stay: held)
 * @param clients concurrent clients creating the pods
 * @param rates offered request rates of the open-loop API latency run
 * @param rateDuration how long each (operation, rate) is measured, after {@code rateWarmup}
 * @param serverWarmup how long {@code clients} clients create and delete ConfigMaps on each new server before its API
 *     latency is measured, so that its JIT compilers are done with that path (0: not at all)
 * @param listObjects how many ConfigMaps the listed namespace holds
 * @param watchers concurrent watchers of the watch delivery run
 * @param watchWrites writes each watcher must see
 * @param startupPods pods of the create-to-Running run with the process runtime (0: skipped)
 * @param serverJavaOptions the server JVM's options (heap, JFR)
 * @param storeReport the store-bench JSON with the etcd comparison to show in the targets table, if any
 * @param journal {@code h2} (the embedded file, the default) or {@code postgres}: a one-JVM cluster whose journal is
 *     a database of its own on the PostgreSQL server of {@code postgresUrl} (made per server, dropped after it)
 */
public record ScaleSettings(List<Integer> nodes, List<Integer> pods, int clients, List<Integer> rates,
    Duration rateDuration, Duration rateWarmup, Duration serverWarmup, int listObjects, int watchers, int watchWrites,
    int startupPods, List<String> serverJavaOptions, Path out, String commit, Path storeReport, String preset,
    String journal, String postgresUrl) {

  public ScaleSettings {
    nodes = List.copyOf(nodes);
    pods = List.copyOf(pods);
    rates = List.copyOf(rates);
    serverJavaOptions = List.copyOf(serverJavaOptions);
    if (!journal.equals("h2") && !journal.equals("postgres")) {
      throw new IllegalArgumentException("--journal is h2 or postgres, not " + journal);
    }
  }

  public static ScaleSettings parse(String... args) {
    Map<String, String> options = new LinkedHashMap<>();
    String preset = "full";
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--smoke") || args[i].equals("--quick")) {
        preset = args[i].substring(2);
      } else if (args[i].equals("--no-etcd")) {
        continue; // bench/scale's: it then skips store-bench's etcd comparison
      } else if (args[i].startsWith("--") && i + 1 < args.length) {
        options.put(args[i].substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("expected --option value, --smoke or --quick, got " + args[i]);
      }
    }
    Map<String, String> all = new LinkedHashMap<>(defaults(preset));
    all.putAll(options);
    all.put("preset", preset);
    return of(all);
  }

  static Map<String, String> defaults(String preset) {
    Map<String, String> d = new LinkedHashMap<>(Map.of("nodes", "1000,5000", "pods", "10000,100000",
        "clients", "32", "rates", "100,500,1000", "rate-seconds", "30", "rate-warmup-seconds", "5",
        "list-objects", "1000", "watchers", "100", "watch-writes", "200", "startup-pods", "100"));
    d.put("server-java-opts", "-Xmx4g");
    d.put("server-warmup-seconds", "120");
    d.put("out", "bench/results/scale");
    d.put("journal", "h2");
    d.put("postgres-url", io.troupe.bench.PostgresDatabase.DEFAULT_ADMIN_URL);
    if (preset.equals("smoke")) {
      d.putAll(Map.of("nodes", "50", "pods", "500", "clients", "8", "rates", "100", "rate-seconds", "5",
          "rate-warmup-seconds", "1", "list-objects", "100", "watchers", "10", "watch-writes", "20",
          "startup-pods", "5"));
      d.put("server-java-opts", "-Xmx1g");
      d.put("server-warmup-seconds", "2");
    } else if (preset.equals("quick")) {
      d.putAll(Map.of("nodes", "1000,5000", "pods", "10000", "rate-seconds", "10", "rate-warmup-seconds", "3",
          "server-warmup-seconds", "60"));
    }
    return d;
  }

  /** From options by name (the preset's defaults already merged in). */
  public static ScaleSettings of(Map<String, String> o) {
    String java = o.getOrDefault("server-java-opts", "").trim();
    String store = o.getOrDefault("store-report", "");
    return new ScaleSettings(ints(o.get("nodes")), ints(o.get("pods")), Integer.parseInt(o.get("clients")),
        ints(o.get("rates")), Duration.ofSeconds(Long.parseLong(o.get("rate-seconds"))),
        Duration.ofSeconds(Long.parseLong(o.get("rate-warmup-seconds"))),
        Duration.ofSeconds(Long.parseLong(o.get("server-warmup-seconds"))), Integer.parseInt(o.get("list-objects")),
        Integer.parseInt(o.get("watchers")), Integer.parseInt(o.get("watch-writes")),
        Integer.parseInt(o.get("startup-pods")), java.isEmpty() ? List.of() : Arrays.asList(java.split("\\s+")),
        Path.of(o.get("out")), o.getOrDefault("commit", "unknown"), store.isEmpty() ? null : Path.of(store),
        o.getOrDefault("preset", "custom"), o.getOrDefault("journal", "h2"),
        o.getOrDefault("postgres-url", io.troupe.bench.PostgresDatabase.DEFAULT_ADMIN_URL));
  }

  private static List<Integer> ints(String csv) {
    List<Integer> out = new ArrayList<>();
    for (String s : csv.split(",")) if (!s.isBlank()) out.add(Integer.parseInt(s.trim()));
    return out;
  }
}
