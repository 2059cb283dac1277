package io.troupe.bench.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The scale run's outputs: {@code scale.json} (every figure), {@code scale.md} (the targets of issue 9 next to what
 * was measured, then one table per measurement) and the plots {@code scheduling.png} (pods/s against nodes) and
 * {@code latency.png} (API p99 against the offered rate, one line per operation and node count), with XChart.
 */
final class ScaleReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ScaleReport() {}

  static void write(ScaleBench.Outcome outcome) throws Exception {
    Path out = outcome.settings().out();
    Files.createDirectories(out);
    Map<String, Double> store = storeComparison(outcome.settings());
    Files.writeString(out.resolve("scale.json"), JSON.writeValueAsString(json(outcome, store)) + "\n");
    Files.writeString(out.resolve("scale.md"), markdown(outcome, store));
    plots(outcome, out);
    ScaleBench.progress("written to " + out.toAbsolutePath());
  }

  static ObjectNode json(ScaleBench.Outcome o, Map<String, Double> store) {
    ObjectNode json = JSON.createObjectNode();
    json.put("benchmark", "scale");
    json.put("date", o.date());
    ScaleSettings s = o.settings();
    json.put("commit", s.commit());
    ObjectNode env = json.putObject("environment");
    env.put("cpus", Runtime.getRuntime().availableProcessors());
    env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    env.put("loadAverageAtStart", o.loadAverageAtStart());
    env.put("loadAverageAtEnd", o.loadAverageAtEnd());
    ObjectNode settings = json.putObject("settings");
    settings.put("preset", s.preset());
    settings.put("journal", s.journal());
    settings.set("nodes", JSON.valueToTree(s.nodes()));
    settings.set("pods", JSON.valueToTree(s.pods()));
    settings.put("podCreateClients", s.clients());
    settings.set("ratesPerSecond", JSON.valueToTree(s.rates()));
    settings.put("rateSeconds", s.rateDuration().toSeconds());
    settings.put("rateWarmupSeconds", s.rateWarmup().toSeconds());
    settings.put("serverWarmupSeconds", s.serverWarmup().toSeconds());
    settings.put("listObjects", s.listObjects());
    settings.put("watchers", s.watchers());
    settings.put("watchWrites", s.watchWrites());
    settings.put("startupPods", s.startupPods());
    settings.set("serverJavaOptions", JSON.valueToTree(s.serverJavaOptions()));
    json.set("scheduling", JSON.valueToTree(o.scheduling()));
    json.set("apiLatency", JSON.valueToTree(o.latency()));
    json.set("watch", JSON.valueToTree(o.watch()));
    json.set("memory", JSON.valueToTree(o.memory()));
    if (o.podStartup() != null) json.set("podStartupProcessRuntime", JSON.valueToTree(o.podStartup()));
    if (store != null) json.set("storeVsEtcd", JSON.valueToTree(store));
    return json;
  }

  /** The etcd comparison from store-bench's JSON ({@code --store-report}), if it was run: its ratios. */
  static Map<String, Double> storeComparison(ScaleSettings settings) throws Exception {
    if (settings.storeReport() == null || !Files.exists(settings.storeReport())) return null;
    JsonNode etcd = JSON.readTree(settings.storeReport().toFile()).path("etcd");
    if (etcd.isMissingNode()) return null;
    Map<String, Double> out = new LinkedHashMap<>();
    etcd.fields().forEachRemaining(e -> {
      if (e.getValue().isNumber()) out.put(e.getKey(), e.getValue().asDouble());
    });
    return out;
  }

  static String markdown(ScaleBench.Outcome o, Map<String, Double> store) {
    StringBuilder md = new StringBuilder();
    ScaleSettings s = o.settings();
    md.append(String.format(Locale.ROOT, "Scale run of %s (commit %s, preset %s, journal on %s), %d cores, load "
        + "average %.2f at the start and %.2f at the end.%n%n", o.date(), s.commit(), s.preset(),
        s.journal().equals("postgres") ? "PostgreSQL" : "H2",
        Runtime.getRuntime().availableProcessors(), o.loadAverageAtStart(), o.loadAverageAtEnd()));
    md.append("| target (issue 9) | goal | measured | met |\n|---|---|---|---|\n");
    int maxNodes = s.nodes().stream().mapToInt(Integer::intValue).max().orElse(0);
    o.scheduling().stream().filter(x -> x.nodes() == maxNodes).forEach(x -> target(md,
        "scheduling + durable bind, " + x.nodes() + " nodes, " + x.pods() + " pods", "≥ 2,000 pods/s",
        fmt(x.podsPerSecond()) + " pods/s" + (x.bound() < x.pods() ? " (" + x.bound() + " bound)" : ""),
        x.podsPerSecond() >= 2000 && x.bound() == x.pods()));
    for (ScaleBench.NodesLatency l : o.latency()) {
      l.outcomes().stream().filter(x -> x.operation().equals("create") && x.offeredPerSecond() == 500)
          .forEach(x -> target(md, "API create p99 at 500 req/s, " + l.nodes() + " nodes", "≤ 20 ms",
              fmt(x.p99Ms()) + " ms" + (x.dropped() + x.errors() > 0 ? " (" + x.dropped() + " dropped, "
                  + x.errors() + " errors)" : ""), x.p99Ms() <= 20 && x.dropped() + x.errors() == 0));
    }
    if (o.podStartup() != null) {
      target(md, "pod create → Running p99, process runtime, " + o.podStartup().operations() + " pods", "≤ 1 s",
          fmt(o.podStartup().p99Ms()) + " ms", o.podStartup().p99Ms() <= 1000);
    }
    if (store != null) {
      store.entrySet().stream().filter(e -> e.getKey().startsWith("ops/s")).forEach(e -> target(md,
          "durable writes, " + e.getKey(), "≥ 1.0× etcd", fmt(e.getValue()) + "×", e.getValue() >= 1.0));
    }
    // the goal is for 100k pods and 5k nodes: a smaller run's heap cannot meet it, only show where it stands
    o.memory().stream().filter(x -> x.nodes() == maxNodes).reduce((a, b) -> b).ifPresent(x -> target(md,
        "heap after full GC, "
        + x.nodes() + " nodes + " + x.pods() + " pods held", "≤ 2 GiB (100k pods + 5k nodes)",
        fmt(x.heapUsedMiB()) + " MiB (RSS " + fmt(x.rssMiB()) + " MiB)", x.pods() < 100_000 || x.nodes() < 5000
            ? "not at the target's size" : x.heapUsedMiB() <= 2048 ? "yes" : "**no**"));

    md.append("\n### Scheduling: create → bind seen by a watch (bare pods, ").append(s.clients())
        .append(" concurrent clients)\n\n| nodes | pods | bound | seconds | creates/s | pods bound/s | "
            + "bind p50 ms | bind p99 ms | create errors |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Scheduling.Outcome x : o.scheduling()) {
      md.append(String.format(Locale.ROOT, "| %d | %d | %d | %s | %s | %s | %s | %s | %d |%n", x.nodes(), x.pods(),
          x.bound(), fmt(x.seconds()), fmt(x.createsPerSecond()), fmt(x.podsPerSecond()), fmt(x.bindP50Ms()),
          fmt(x.bindP99Ms()), x.createErrors()));
    }
    md.append("\n### API latency, open loop (from the intended send time), ConfigMaps of 200 bytes, ")
        .append(s.rateDuration().toSeconds()).append(" s per rate\n\n| nodes | operation | offered/s | achieved/s "
            + "| p50 ms | p99 ms | p99.9 ms | max ms | server's own p99 ms | errors | dropped | server GC pauses (ms) "
            + "| journal held (ms) |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ScaleBench.NodesLatency l : o.latency()) {
      for (OpenLoop.Outcome x : l.outcomes()) {
        md.append(String.format(Locale.ROOT,
            "| %d | %s | %d | %s | %s | %s | %s | %s | %s | %d | %d | %d (%s) | %d (%s) |%n", l.nodes(),
            x.operation(), x.offeredPerSecond(), fmt(x.achievedPerSecond()), fmt(x.p50Ms()), fmt(x.p99Ms()),
            fmt(x.p999Ms()), fmt(x.maxMs()), bucketBound(x.serverP99Ms()), x.errors(), x.dropped(), x.gcPauses(),
            fmt(x.gcPauseMs()), x.journalFullCompactions(), fmt(x.journalFullCompactionMs())));
      }
    }
    md.append("\n### Watch delivery: write acknowledged → event at each watcher\n\n| nodes | watchers | writes | "
        + "deliveries | missing | before the ack | p50 ms | p99 ms | p99.9 ms | max ms |\n"
        + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ScaleBench.NodesWatch w : o.watch()) {
      WatchDelivery.Outcome x = w.outcome();
      md.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %s | %s | %s | %s |%n", w.nodes(),
          x.watchers(), x.writes(), x.deliveries(), x.missing(), x.beforeAcknowledgement(), fmt(x.p50Ms()),
          fmt(x.p99Ms()), fmt(x.p999Ms()), fmt(x.maxMs())));
    }
    md.append("\n### Server memory after a full GC (jcmd GC.run)\n\n| nodes | pods held | heap used MiB | "
        + "heap committed MiB | RSS MiB |\n|---:|---:|---:|---:|---:|\n");
    for (ServerMemory.Outcome x : o.memory()) {
      md.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s |%n", x.nodes(), x.pods(),
          fmt(x.heapUsedMiB()), fmt(x.heapCommittedMiB()), fmt(x.rssMiB())));
    }
    if (o.podStartup() != null) {
      var r = o.podStartup();
      md.append(String.format(Locale.ROOT, "%n### Pod startup, process runtime (bench/pod-startup's run)%n%n"
          + "| pods | p50 ms | p99 ms | max ms |%n|---:|---:|---:|---:|%n| %d | %s | %s | %s |%n", r.operations(),
          fmt(r.p50Ms()), fmt(r.p99Ms()), fmt(r.maxMs())));
    }
    if (store != null) {
      md.append("\n### Durable writes: Troupe (create ConfigMap, H2) against etcd (put), store-bench\n\n"
          + "| ratio | value |\n|---|---:|\n");
      store.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(fmt(v)).append(" |\n"));
    }
    return md.toString();
  }

  private static void target(StringBuilder md, String what, String goal, String measured, boolean met) {
    target(md, what, goal, measured, met ? "yes" : "**no**");
  }

  private static void target(StringBuilder md, String what, String goal, String measured, String met) {
    md.append("| ").append(what).append(" | ").append(goal).append(" | ").append(measured).append(" | ")
        .append(met).append(" |\n");
  }

  /** A percentile read from the server's histogram: the upper bound of its bucket. */
  private static String bucketBound(double ms) {
    if (ms < 0) return "n/a";
    return Double.isInfinite(ms) ? "> 10000" : "≤ " + fmt(ms);
  }

  private static String fmt(double v) {
    if (Double.isNaN(v)) return "n/a";
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  static void plots(ScaleBench.Outcome o, Path out) throws Exception {
    System.setProperty("java.awt.headless", "true");
    XYChart scheduling = new XYChartBuilder().width(900).height(450).title("Scheduling + durable bind throughput")
        .xAxisTitle("simulated nodes").yAxisTitle("pods bound / s").build();
    style(scheduling);
    scheduling.getStyler().setYAxisMin(0.0);
    for (int pods : o.settings().pods().stream().distinct().toList()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      o.scheduling().stream().filter(s -> s.pods() == pods).forEach(s -> {
        x.add((double) s.nodes());
        y.add(s.podsPerSecond());
      });
      if (!x.isEmpty()) scheduling.addSeries(pods + " pods", x, y);
    }
    BitmapEncoder.saveBitmap(scheduling, out.resolve("scheduling.png").toString(), BitmapEncoder.BitmapFormat.PNG);

    XYChart latency = new XYChartBuilder().width(900).height(450).title("API latency p99, open loop")
        .xAxisTitle("offered requests / s").yAxisTitle("p99 ms (log)").build();
    style(latency);
    latency.getStyler().setYAxisLogarithmic(true);
    for (ScaleBench.NodesLatency l : o.latency()) {
      Map<String, List<OpenLoop.Outcome>> byOperation = new LinkedHashMap<>();
      l.outcomes().forEach(x -> byOperation.computeIfAbsent(x.operation(), k -> new ArrayList<>()).add(x));
      byOperation.forEach((operation, xs) -> latency.addSeries(operation + ", " + l.nodes() + " nodes",
          xs.stream().map(x -> (double) x.offeredPerSecond()).toList(),
          xs.stream().map(x -> Math.max(0.01, x.p99Ms())).toList()));
    }
    if (!o.latency().isEmpty()) {
      BitmapEncoder.saveBitmap(latency, out.resolve("latency.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
  }

  private static void style(XYChart chart) {
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
  }
}
