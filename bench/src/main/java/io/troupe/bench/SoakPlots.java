package io.troupe.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The soak's plots (PNG, XChart): {@code journal.png} (rows and size against time), {@code latency.png} (list
 * latency and writes/s against time), {@code restarts.png} (start to /readyz of each restart).
 */
final class SoakPlots {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 450;

  private SoakPlots() {}

  static void write(Soak.Outcome outcome, Path out) throws Exception {
    System.setProperty("java.awt.headless", "true");
    List<Soak.Sample> samples = outcome.samples();
    if (samples.isEmpty()) return;
    double[] minutes = series(samples, s -> s.seconds() / 60);

    XYChart journal = chart("Journal against time", "journal rows");
    double[] rows = series(samples, Soak.Sample::rows);
    if (!allNaN(rows)) journal.addSeries("rows", minutes, rows).setMarker(SeriesMarkers.NONE);
    XYSeries size = journal.addSeries("size MB", minutes, series(samples, s -> s.sizeBytes() / 1e6));
    size.setMarker(SeriesMarkers.NONE);
    size.setYAxisGroup(1);
    journal.setYAxisGroupTitle(1, "journal size MB");
    if (allNaN(rows)) journal.setYAxisTitle("(no troupe_journal_rows gauge)");
    BitmapEncoder.saveBitmap(journal, out.resolve("journal.png").toString(), BitmapEncoder.BitmapFormat.PNG);

    XYChart latency = chart("List latency and write rate against time", "list of every ConfigMap, p50 ms");
    latency.addSeries("list p50 ms", minutes, series(samples, Soak.Sample::listP50Ms)).setMarker(SeriesMarkers.NONE);
    XYSeries writes = latency.addSeries("writes/s", minutes, series(samples, Soak.Sample::writesPerSecond));
    writes.setMarker(SeriesMarkers.NONE);
    writes.setYAxisGroup(1);
    latency.setYAxisGroupTitle(1, "acknowledged writes/s");
    BitmapEncoder.saveBitmap(latency, out.resolve("latency.png").toString(), BitmapEncoder.BitmapFormat.PNG);

    if (outcome.restarts().isEmpty()) return;
    CategoryChart restarts = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
        .title("Restart: process start to /readyz 200").xAxisTitle("restart at minute").yAxisTitle("seconds")
        .build();
    restarts.getStyler().setLegendVisible(false);
    restarts.addSeries("start to ready", outcome.restarts().stream()
            .map(r -> String.format(java.util.Locale.ROOT, "%.1f", r.atSeconds() / 60)).toList(),
        outcome.restarts().stream().map(Soak.Restart::startSeconds).toList());
    BitmapEncoder.saveBitmap(restarts, out.resolve("restarts.png").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static XYChart chart(String title, String yTitle) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("minutes")
        .yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    return chart;
  }

  private static double[] series(List<Soak.Sample> samples, ToDoubleFunction<Soak.Sample> f) {
    return samples.stream().mapToDouble(f).toArray();
  }

  private static boolean allNaN(double[] values) {
    for (double v : values) if (!Double.isNaN(v)) return false;
    return true;
  }
}
