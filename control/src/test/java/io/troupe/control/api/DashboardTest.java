package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How the dashboard's files are served (what the page does in a browser is DashboardBrowserTest's, in node/). */
class DashboardTest {
  private static ControlPlane plane;
  private static String base;
  private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
    base = TestControlPlane.url(plane);
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  private static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) request.headers(headers);
    return client.send(request.build(), BodyHandlers.ofString());
  }

  @Test
  void uiRedirectsToTheFolder() throws Exception {
    HttpResponse<String> answer = send("GET", "/ui");
    assertEquals(301, answer.statusCode());
    assertEquals("/ui/", answer.headers().firstValue("Location").orElseThrow());
  }

  @Test
  void theFolderIsThePageWithItsScriptsAndStyle() throws Exception {
    HttpResponse<String> page = send("GET", "/ui/");
    assertEquals(200, page.statusCode());
    assertEquals("text/html; charset=UTF-8", page.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(page.body().contains("<script type=\"module\" src=\"app.js\">"), page::body);
    assertEquals(page.body(), send("GET", "/ui/index.html").body());
    for (String file : List.of("app.js", "kube.js", "views.js", "history.js", "dom.js", "resources.js")) {
      HttpResponse<String> script = send("GET", "/ui/" + file);
      assertEquals(200, script.statusCode(), file);
      assertEquals("text/javascript; charset=UTF-8", script.headers().firstValue("Content-Type").orElseThrow(), file);
    }
    HttpResponse<String> style = send("GET", "/ui/style.css");
    assertEquals("text/css; charset=UTF-8", style.headers().firstValue("Content-Type").orElseThrow());
  }

  @Test
  void filesAreRevalidatedWithTheirETag() throws Exception {
    HttpResponse<String> first = send("GET", "/ui/app.js");
    assertEquals("no-cache", first.headers().firstValue("Cache-Control").orElseThrow());
    assertEquals("nosniff", first.headers().firstValue("X-Content-Type-Options").orElseThrow());
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertTrue(etag.matches("\"[0-9a-f]{32}\""), etag);
    HttpResponse<String> again = send("GET", "/ui/app.js", "If-None-Match", etag);
    assertEquals(304, again.statusCode());
    assertEquals("", again.body());
    assertEquals(etag, again.headers().firstValue("ETag").orElseThrow());
    assertEquals(200, send("GET", "/ui/app.js", "If-None-Match", "\"other\"").statusCode());
    HttpResponse<String> head = send("HEAD", "/ui/");
    assertEquals(200, head.statusCode());
    assertTrue(head.headers().firstValue("Content-Security-Policy").orElseThrow().contains("default-src 'self'"));
  }

  @Test
  void unknownFilesAreNotFoundStatuses() throws Exception {
    for (String path : List.of("/ui/nope.js", "/ui/../pom.xml", "/ui/%2e%2e/ApiServer.class",
        "/ui/io/troupe/control/api/ApiServer.class", "/ui/app", "/uifoo")) {
      HttpResponse<String> answer = send("GET", path);
      assertEquals(404, answer.statusCode(), path);
      JsonNode status = Json.MAPPER.readTree(answer.body());
      assertEquals("Status", status.path("kind").asText(), path);
      assertEquals("NotFound", status.path("reason").asText(), path);
    }
  }

  @Test
  void onlyReadsAreAllowed() throws Exception {
    HttpResponse<String> answer = send("POST", "/ui/app.js");
    assertEquals(405, answer.statusCode());
    assertEquals("MethodNotAllowed", Json.MAPPER.readTree(answer.body()).path("reason").asText());
  }
}
