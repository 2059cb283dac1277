package io.troupe.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code bench/jmh}: runs the micro-benchmarks of this package with short defaults (one fork, 2 × 1 s of warm-up,
 * 3 × 1 s measured), any JMH option given overriding them ({@code -f}, {@code -wi}, {@code -i}, {@code -p
 * nodes=5000}, a benchmark regex...). Writes JMH's JSON to {@code bench/results/jmh/jmh.json} (unless {@code -rff}
 * says otherwise) and prints a Markdown table, with the figures that only mean something against a baseline of the
 * same run: Kryo against JSON, the scheduler's time per node, the watch cache's time per delivery. Beside JMH's
 * score (the mean of the iterations) it shows the best iteration, which a busy machine disturbs least.
 */
public final class MicroBenchmarks {
  static final String DEFAULT_RESULT = "bench/results/jmh/jmh.json";

  private MicroBenchmarks() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    if (cli.shouldHelp()) {
      cli.showHelp();
      return;
    }
    if (cli.shouldList() || cli.shouldListWithParams()) {
      new Runner(cli).list();
      return;
    }
    Options options = withDefaults(cli);
    Path result = Path.of(options.getResult().orElse(DEFAULT_RESULT));
    if (result.getParent() != null) Files.createDirectories(result.getParent());
    Collection<RunResult> results = new Runner(options).run();
    String table = table(results);
    System.out.println();
    System.out.println(table);
    Path markdown = result.resolveSibling(result.getFileName().toString().replaceFirst("\\.json$", "") + ".md");
    Files.writeString(markdown, table);
    System.out.println("JSON: " + result + "   table: " + markdown);
  }

  /** The options given, with the short defaults for those not given. */
  static Options withDefaults(Options given) {
    ChainedOptionsBuilder b = new OptionsBuilder().parent(given);
    if (!given.getForkCount().hasValue()) b.forks(1);
    if (!given.getWarmupIterations().hasValue()) b.warmupIterations(2);
    if (!given.getWarmupTime().hasValue()) b.warmupTime(TimeValue.seconds(1));
    if (!given.getMeasurementIterations().hasValue()) b.measurementIterations(3);
    if (!given.getMeasurementTime().hasValue()) b.measurementTime(TimeValue.seconds(1));
    if (!given.getResult().hasValue()) b.result(DEFAULT_RESULT);
    if (!given.getResultFormat().hasValue()) b.resultFormat(ResultFormatType.JSON);
    if (!given.shouldFailOnError().hasValue()) b.shouldFailOnError(true);
    return b.build();
  }

  /** A Markdown table of the results, then the derived figures. */
  static String table(Collection<RunResult> results) throws Exception {
    StringBuilder out = new StringBuilder();
    out.append("| benchmark | params | score | ± error | best iteration | unit |\n|---|---|---:|---:|---:|---|\n");
    Map<String, Double> scores = new TreeMap<>();
    Map<String, Double> bests = new TreeMap<>();
    List<String> derived = new ArrayList<>();
    for (RunResult run : results) {
      String name = shortName(run.getParams().getBenchmark());
      String params = params(run);
      Result<?> r = run.getPrimaryResult();
      out.append("| ").append(name).append(" | ").append(params).append(" | ").append(number(r.getScore()))
          .append(" | ").append(number(r.getScoreError())).append(" | ").append(number(best(run)))
          .append(" | ").append(r.getScoreUnit()).append(" |\n");
      scores.put(name + (params.isEmpty() ? "" : " " + params), r.getScore());
      bests.put(name + (params.isEmpty() ? "" : " " + params), best(run));
      if (name.equals("SchedulerBench.filterAndScoreAllNodes")) {
        int nodes = Integer.parseInt(run.getParams().getParam("nodes"));
        derived.add("scheduler, filter + score per node (nodes=" + nodes + "): "
            + number(r.getScore() * 1_000 / nodes) + " ns");
      }
      if (name.equals("WatchFanOutBench.applyAndDeliver")) {
        int watchers = Integer.parseInt(run.getParams().getParam("watchers"));
        if (watchers > 0) {
          derived.add("watch cache, per delivery (watchers=" + watchers + "): "
              + number(r.getScore() * 1_000 / watchers) + " ns");
        }
      }
    }
    ratio(derived, scores, bests, "Kryo / journal JSON, write", "SerializationBench.kryoWrite",
        "SerializationBench.journalJsonWrite");
    ratio(derived, scores, bests, "Kryo / journal JSON, read", "SerializationBench.kryoRead",
        "SerializationBench.journalJsonRead");
    ratio(derived, scores, bests, "journal JSON / API JSON, write", "SerializationBench.journalJsonWrite",
        "SerializationBench.apiJsonWrite");
    ratio(derived, scores, bests, "journal JSON / API JSON, read", "SerializationBench.journalJsonRead",
        "SerializationBench.apiJsonRead");
    ratio(derived, scores, bests, "set-based / equality selector, 1k pods", "LabelSelectorBench.setBased",
        "LabelSelectorBench.equality");
    if (scores.keySet().stream().anyMatch(k -> k.startsWith("SerializationBench."))) {
      SerializationBench sizes = SerializationBench.started();
      int[] bytes = sizes.sizes();
      sizes.tearDown();
      derived.add("pod size, bytes: API JSON " + bytes[0] + ", journal JSON (Created event) " + bytes[1]
          + ", Kryo (Accepted reply) " + bytes[2]);
    }
    if (!derived.isEmpty()) {
      out.append("\nFrom the same run:\n");
      for (String line : derived) out.append("- ").append(line).append('\n');
    }
    return out.toString();
  }

  /** The ratio of two scores, and of their best iterations (steadier than the mean on a busy machine). */
  private static void ratio(List<String> out, Map<String, Double> scores, Map<String, Double> bests, String label,
      String a, String b) {
    Double x = scores.get(a);
    Double y = scores.get(b);
    if (x == null || y == null || y <= 0) return;
    out.add(label + ": " + String.format(Locale.ROOT, "%.2f (best iterations: %.2f)", x / y,
        bests.get(a) / bests.get(b)));
  }

  /** The lowest time of the measured iterations (for a time-per-operation mode). */
  private static double best(RunResult run) {
    double best = Double.NaN;
    for (BenchmarkResult fork : run.getBenchmarkResults()) {
      for (IterationResult iteration : fork.getIterationResults()) {
        double score = iteration.getPrimaryResult().getScore();
        if (Double.isNaN(best) || score < best) best = score;
      }
    }
    return best;
  }

  private static String shortName(String benchmark) {
    String[] parts = benchmark.split("\\.");
    return parts[parts.length - 2] + "." + parts[parts.length - 1];
  }

  private static String params(RunResult run) {
    List<String> out = new ArrayList<>();
    for (String key : run.getParams().getParamsKeys()) out.add(key + "=" + run.getParams().getParam(key));
    return String.join(" ", out);
  }

  private static String number(double value) {
    if (Double.isNaN(value)) return "—";
    return String.format(Locale.ROOT, value >= 100 ? "%,.0f" : value >= 1 ? "%.2f" : "%.4f", value);
  }
}
