package io.troupe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's report from made-up samples, without a server: metrics parsing, CSV, Markdown, plots. */
class SoakReportTest {
  private static final String METRICS = """
      # HELP troupe_journal_rows Rows in the event journal
      # TYPE troupe_journal_rows gauge
      troupe_journal_rows 10512.0
      troupe_journal_size_bytes{store="h2"} 7.5E7
      troupe_journal_compacted_events_total 3.0
      """;

  @Test
  void readsAGaugeWithoutLabelsAndNaNForAnAbsentOne() {
    assertEquals(10512.0, Soak.metric(METRICS, "troupe_journal_rows"));
    assertEquals(3.0, Soak.metric(METRICS, "troupe_journal_compacted_events_total"));
    assertTrue(Double.isNaN(Soak.metric(METRICS, "troupe_journal_size_bytes")), "labelled: not this series");
    assertTrue(Double.isNaN(Soak.metric(METRICS, "troupe_journal_rows_total")));
  }

  @Test
  void csvLeavesAnAbsentGaugeEmpty() {
    String csv = SoakReport.csv(List.of(new Soak.Sample(10, 950, Double.NaN, 2e6, 2e6, Double.NaN, 3.5, 0)));
    assertEquals("10.0,950,,2000000,2000000,,3.500,0", csv.split("\n")[1]);
  }

  @Test
  void markdownHasTheMinutesTheRunReachedAndTheRestarts(@TempDir Path dir) throws Exception {
    SoakSettings settings = SoakSettings.of(Map.of("seconds", "150", "out", dir.toString()));
    List<Soak.Sample> samples = List.of(
        new Soak.Sample(30, 1000, 5000, 1e6, 1e6, 0, 3, 0), new Soak.Sample(61, 1000, 9000, 2e6, 2e6, 100, 4, 0),
        new Soak.Sample(119, 1000, 9500, 2e6, 2e6, 900, 4, 0), new Soak.Sample(150, 1000, 9400, 2e6, 2e6, 1800, 5, 0));
    Soak.Outcome outcome = new Soak.Outcome(settings, 9.5, 150_000, 0, samples,
        List.of(new Soak.Restart(150, 1.2, 8.4, 0, 0)));

    String md = SoakReport.markdown(outcome);

    assertTrue(md.contains("| 1.0 | 9000 | 2.0 | 2.0 | 100 | 1000 |"), md);
    assertTrue(md.contains("| 2.0 | 9500 |"), md);
    assertTrue(md.contains("| 2.5 | 9400 |"), md);
    assertTrue(md.contains("| median of the samples | 3.0 | 5.0 |"), md);
    assertTrue(md.contains("| 1 | 150 | 1.2 | 8.4 | 0 | 0 |"), md);
    SoakPlots.write(outcome, dir);
    for (String png : new String[] {"journal.png", "latency.png", "restarts.png"}) {
      assertTrue(Files.size(dir.resolve(png)) > 0, png);
    }
  }
}
