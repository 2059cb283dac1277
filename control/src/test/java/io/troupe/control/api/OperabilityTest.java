package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.configMap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What an operator's probes and Prometheus see. */
class OperabilityTest {
  private static final String NS = "/api/v1/namespaces/default";
  private static ControlPlane plane;
  private static HttpApi api;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  @Test
  void probesAnswerOk() {
    for (String path : List.of("/healthz", "/livez", "/readyz")) {
      HttpApi.Answer answer = api.get(path);
      assertEquals(200, answer.code(), path);
      assertEquals("ok", answer.body(), path);
      assertTrue(answer.contentType().startsWith("text/plain"), answer::contentType);
    }
  }

  @Test
  void metricsCountRequestsByVerbResourceAndCode() {
    Map<String, Double> before = scrape();
    assertEquals(201, api.post(NS + "/configmaps", configMap("counted", "v")).code());
    assertEquals(200, api.get(NS + "/configmaps/counted").code());
    assertEquals(200, api.get(NS + "/configmaps").code());
    assertEquals(404, api.get(NS + "/secrets-nope").code());
    assertEquals(404, api.get(NS + "/pods/not-there").code());
    assertEquals(409, api.post(NS + "/configmaps", configMap("counted", "v")).code());
    Map<String, Double> after = scrape();

    String requests = "troupe_apiserver_requests_total";
    assertIncreasedBy(1, before, after, requests + "{code=\"201\",resource=\"configmaps\",verb=\"create\"}");
    assertIncreasedBy(1, before, after, requests + "{code=\"200\",resource=\"configmaps\",verb=\"get\"}");
    assertIncreasedBy(1, before, after, requests + "{code=\"200\",resource=\"configmaps\",verb=\"list\"}");
    assertIncreasedBy(1, before, after, requests + "{code=\"404\",resource=\"pods\",verb=\"get\"}");
    assertIncreasedBy(1, before, after, requests + "{code=\"409\",resource=\"configmaps\",verb=\"create\"}");

    String latency = "troupe_apiserver_request_duration_seconds";
    assertTrue(after.containsKey(latency + "_bucket{le=\"0.005\",resource=\"configmaps\",verb=\"create\"}"),
        () -> keys(after, latency));
    String infinity = latency + "_bucket{le=\"+Inf\",resource=\"configmaps\",verb=\"get\"}";
    assertEquals(after.get(latency + "_count{resource=\"configmaps\",verb=\"get\"}"), after.get(infinity));
    assertTrue(after.get(latency + "_sum{resource=\"configmaps\",verb=\"get\"}") > 0);

    assertTrue(after.get("troupe_journal_write_seconds_count") >= 1, () -> keys(after, "troupe_journal"));
    assertTrue(after.containsKey("troupe_journal_write_seconds_bucket{le=\"0.01\"}"), () -> keys(after, "troupe_journal"));
  }

  @Test
  void pathsThatAreNoResourceAddNoLabelValues() {
    for (int i = 0; i < 3; i++) assertEquals(404, api.get(NS + "/typo-" + i + "/x").code());
    assertEquals(404, api.get("/apis/made.up/v1/namespaces/default/things").code());
    Map<String, Double> samples = scrape();
    String requests = keys(samples, "troupe_apiserver_request");
    assertFalse(requests.contains("typo-") || requests.contains("things"), requests);
    assertTrue(samples.get("troupe_apiserver_requests_total{code=\"404\",resource=\"\",verb=\"get\"}") >= 4,
        requests);
  }

  @Test
  void watchCacheGaugesFollowThisServer() {
    Map<String, Double> before = scrape();
    double objects = before.get("troupe_watch_cache_objects");
    // at least the four namespaces every cluster starts with
    assertTrue(objects >= 4, () -> "objects " + objects);
    assertEquals(201, api.post(NS + "/configmaps", configMap("gauged", "v")).code());
    Map<String, Double> after = scrape();
    assertEquals(objects + 1, after.get("troupe_watch_cache_objects"), 0.0);
    assertTrue(after.get("troupe_watch_cache_resource_version") > before.get("troupe_watch_cache_resource_version"));
    assertEquals(200, api.delete(NS + "/configmaps/gauged").code());
    assertEquals(objects, scrape().get("troupe_watch_cache_objects"), 0.0);
  }

  @Test
  void metricsAreServedAsPrometheusText() {
    HttpApi.Answer answer = api.get("/metrics");
    assertEquals(200, answer.code());
    assertTrue(answer.contentType().startsWith("text/plain"), answer::contentType);
    assertTrue(answer.contentType().contains("version=0.0.4"), answer::contentType);
    assertTrue(answer.body().contains("# TYPE troupe_apiserver_requests_total counter"), answer::body);
    assertTrue(answer.body().contains("# TYPE troupe_apiserver_request_duration_seconds histogram"));
    assertTrue(answer.body().contains("# TYPE troupe_journal_write_seconds histogram"));
    assertTrue(answer.body().contains("# TYPE troupe_watch_cache_objects gauge"));
    for (String line : answer.body().split("\n")) {
      assertTrue(line.isEmpty() || line.startsWith("#") || SAMPLE.matcher(line).matches(), line);
    }
  }

  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)( \\d+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** The samples of /metrics, keyed by name and labels (labels sorted by name). */
  private static Map<String, Double> scrape() {
    HttpApi.Answer answer = api.get("/metrics");
    assertEquals(200, answer.code());
    Map<String, Double> samples = new TreeMap<>();
    for (String line : answer.body().split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), line);
      samples.put(m.group(1) + labels(m.group(3)), Double.parseDouble(m.group(4)));
    }
    return samples;
  }

  private static String labels(String text) {
    if (text == null || text.isEmpty()) return "";
    Map<String, String> sorted = new TreeMap<>();
    Matcher m = LABEL.matcher(text);
    while (m.find()) sorted.put(m.group(1), m.group(2));
    List<String> parts = new ArrayList<>();
    sorted.forEach((k, v) -> parts.add(k + "=\"" + v + "\""));
    return "{" + String.join(",", parts) + "}";
  }

  private static void assertIncreasedBy(double delta, Map<String, Double> before, Map<String, Double> after,
      String key) {
    assertTrue(after.containsKey(key), () -> key + " missing from " + keys(after, "troupe_apiserver_requests"));
    assertEquals(delta, after.get(key) - before.getOrDefault(key, 0.0), 0.0, key);
    assertFalse(after.get(key).isNaN());
  }

  private static String keys(Map<String, Double> samples, String prefix) {
    List<String> keys = new ArrayList<>();
    for (String k : samples.keySet()) if (k.startsWith(prefix)) keys.add(k);
    return String.join("\n", keys);
  }
}
