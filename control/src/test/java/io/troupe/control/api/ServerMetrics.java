package io.troupe.control.api;

import java.util.Arrays;

/** What a Troupe server reports on {@code /metrics}, read as a Prometheus scraper reads it. */
final class ServerMetrics {
  private ServerMetrics() {}

  /**
   * The sum of the samples of {@code metric} at {@code url} whose labels include every one of {@code labels}
   * (each written {@code name="value"}); 0 when there is none.
   */
  static double sum(String url, String metric, String... labels) {
    HttpApi.Answer answer = new HttpApi(url).get("/metrics");
    if (answer.code() != 200) throw new AssertionError("/metrics answered " + answer.code() + ": " + answer.body());
    return answer.body().lines()
        .filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
        .filter(line -> Arrays.stream(labels).allMatch(line::contains))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }
}
