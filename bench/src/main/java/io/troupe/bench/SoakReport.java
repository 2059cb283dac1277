package io.troupe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A soak run's report in its output folder: {@code samples.csv}, {@code soak.json} (settings, summary, samples,
 * restarts), {@code soak.md} (the table for a note) and the plots; the Markdown is printed too.
 */
final class SoakReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final int[] MINUTES = {1, 2, 5, 10};

  private SoakReport() {}

  static void write(Soak.Outcome outcome) throws Exception {
    Path out = outcome.settings().out();
    Files.createDirectories(out);
    Files.writeString(out.resolve("samples.csv"), csv(outcome.samples()));
    Files.writeString(out.resolve("soak.json"), JSON.writeValueAsString(json(outcome)) + "\n");
    String markdown = markdown(outcome);
    Files.writeString(out.resolve("soak.md"), markdown);
    SoakPlots.write(outcome, out);
    System.out.println();
    System.out.print(markdown);
    System.out.println("\nwritten to " + out.toAbsolutePath());
  }

  static String csv(List<Soak.Sample> samples) {
    StringBuilder csv = new StringBuilder(
        "seconds,writes_per_second,journal_rows,journal_size_bytes,h2_file_bytes,compacted_events_total,"
            + "list_p50_ms,errors\n");
    for (Soak.Sample s : samples) {
      csv.append(String.format(Locale.ROOT, "%.1f,%.0f,%s,%s,%s,%s,%.3f,%d%n", s.seconds(), s.writesPerSecond(),
          number(s.rows()), number(s.sizeBytes()), number(s.fileBytes()), number(s.compactedTotal()),
          s.listP50Ms(), s.errors()));
    }
    return csv.toString();
  }

  private static ObjectNode json(Soak.Outcome o) {
    SoakSettings s = o.settings();
    ObjectNode json = JSON.createObjectNode();
    json.put("benchmark", "soak");
    json.put("date", Instant.now().toString());
    json.put("commit", s.commit());
    ObjectNode env = json.putObject("environment");
    env.put("cpus", Runtime.getRuntime().availableProcessors());
    env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    env.put("loadAverageAtEnd", Soak.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    ObjectNode settings = json.putObject("settings");
    settings.put("seconds", s.duration().toSeconds());
    settings.put("objects", s.objects());
    settings.put("writers", s.writers());
    settings.put("payloadBytes", s.payloadBytes());
    settings.put("sampleSeconds", s.sampleEvery().toSeconds());
    settings.put("listRepeats", s.listRepeats());
    settings.put("restartSeconds", s.restartEvery().toSeconds());
    settings.put("retentionMaxAge", s.maxAge());
    settings.put("retentionMaxEventsPerObject", s.maxEventsPerObject());
    settings.put("retentionMinAge", s.minAge());
    settings.put("compactionInterval", s.compactionInterval());
    settings.put("serverConfig", s.serverConfig());
    settings.put("journal", s.onPostgres() ? "postgresql" : "h2");
    settings.put("serverJavaOptions", String.join(" ", s.serverJavaOptions()));
    settings.put("server", "troupe server (config/single.conf: H2 file, WRITE_DELAY=0) in its own JVM");
    ObjectNode summary = json.putObject("summary");
    summary.put("firstStartSeconds", Soak.round(o.firstStartSeconds()));
    summary.put("acknowledgedWrites", o.writes());
    summary.put("errors", o.errors());
    summary.put("meanWritesPerSecond", Soak.round(o.writes() / (double) s.duration().toSeconds()));
    summary.put("mismatches", o.mismatches());
    summary.put("mismatchesLater", o.restarts().stream().mapToInt(Soak.Restart::mismatchesLater).sum());
    summary.put("journalGauges", o.samples().stream().anyMatch(x -> !Double.isNaN(x.rows())));
    summary.put("maxRows", max(o.samples(), Soak.Sample::rows));
    summary.put("lastRows", last(o.samples(), Soak.Sample::rows));
    summary.put("maxSizeBytes", max(o.samples(), Soak.Sample::sizeBytes));
    summary.put("lastSizeBytes", last(o.samples(), Soak.Sample::sizeBytes));
    summary.put("listP50MsFirstMinute", listFirstMinute(o));
    summary.put("listP50MsLastMinute", listLastMinute(o));
    json.set("restarts", JSON.valueToTree(o.restarts()));
    json.set("samples", JSON.valueToTree(o.samples()));
    return json;
  }

  static String markdown(Soak.Outcome o) {
    SoakSettings s = o.settings();
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Soak: %d ConfigMaps replaced by %d writers for %s s (commit %s); "
            + "retention max-events-per-object %d, min-age %s, max-age %s, compaction every %s.%n%n", s.objects(),
        s.writers(), s.duration().toSeconds(), s.commit(), s.maxEventsPerObject(), s.minAge(), s.maxAge(),
        s.compactionInterval()));
    md.append("| minute | journal rows | journal size MB | H2 file MB | events compacted by this JVM | writes/s |\n");
    md.append("|---:|---:|---:|---:|---:|---:|\n");
    for (Soak.Sample x : atMinutes(o)) {
      md.append(String.format(Locale.ROOT, "| %.1f | %s | %.1f | %.1f | %s | %.0f |%n", x.seconds() / 60,
          number(x.rows()), x.sizeBytes() / 1e6, x.fileBytes() / 1e6, number(x.compactedTotal()),
          x.writesPerSecond()));
    }
    md.append(String.format(Locale.ROOT, "%n| list of every ConfigMap, p50 ms | first minute | last minute |%n"
        + "|---|---:|---:|%n| median of the samples | %.1f | %.1f |%n", listFirstMinute(o), listLastMinute(o)));
    md.append("\n| restart | at s | SIGTERM to exit s | start to /readyz 200 s | ConfigMaps not at their "
        + "acknowledged value when ready | still not 10 s later |\n|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < o.restarts().size(); i++) {
      Soak.Restart r = o.restarts().get(i);
      md.append(String.format(Locale.ROOT, "| %d | %.0f | %.1f | %.1f | %d | %d |%n", i + 1, r.atSeconds(),
          r.stopSeconds(), r.startSeconds(), r.mismatches(), r.mismatchesLater()));
    }
    md.append(String.format(Locale.ROOT, "%nFirst start (empty journal) to /readyz: %.1f s. %d acknowledged "
            + "writes (%.0f/s on average, restarts included), %d failed writes, %d mismatches after restarts.%n",
        o.firstStartSeconds(), o.writes(), o.writes() / (double) s.duration().toSeconds(), o.errors(),
        o.mismatches()));
    if (o.samples().stream().allMatch(x -> Double.isNaN(x.rows()))) {
      md.append("The server exposes no troupe_journal_rows or troupe_journal_size_bytes: sizes are the H2 "
          + "file's.\n");
    }
    return md.toString();
  }

  /** The samples nearest minutes 1, 2, 5 and 10 that the run reached, and the last one. */
  private static List<Soak.Sample> atMinutes(Soak.Outcome o) {
    List<Soak.Sample> picked = new ArrayList<>();
    if (o.samples().isEmpty()) return picked;
    for (int minute : MINUTES) {
      if (minute * 60 > o.settings().duration().toSeconds()) break;
      picked.add(o.samples().stream()
          .min(Comparator.comparingDouble(x -> Math.abs(x.seconds() - minute * 60))).orElseThrow());
    }
    Soak.Sample last = o.samples().get(o.samples().size() - 1);
    if (picked.isEmpty() || picked.get(picked.size() - 1) != last) picked.add(last);
    return picked;
  }

  private static double listFirstMinute(Soak.Outcome o) {
    return medianList(o, x -> x.seconds() <= 60.5);
  }

  private static double listLastMinute(Soak.Outcome o) {
    return medianList(o, x -> x.seconds() >= o.settings().duration().toSeconds() - 60);
  }

  private static double medianList(Soak.Outcome o, Predicate<Soak.Sample> which) {
    double[] ms = o.samples().stream().filter(which).mapToDouble(Soak.Sample::listP50Ms)
        .filter(x -> !Double.isNaN(x)).sorted().toArray();
    return ms.length == 0 ? Double.NaN : ms[ms.length / 2];
  }

  private static double max(List<Soak.Sample> samples, java.util.function.ToDoubleFunction<Soak.Sample> f) {
    return samples.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
  }

  private static double last(List<Soak.Sample> samples, java.util.function.ToDoubleFunction<Soak.Sample> f) {
    return samples.isEmpty() ? Double.NaN : f.applyAsDouble(samples.get(samples.size() - 1));
  }

  /** A whole number, or empty for NaN (a gauge the server does not have). */
  private static String number(double value) {
    return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.0f", value);
  }
}
