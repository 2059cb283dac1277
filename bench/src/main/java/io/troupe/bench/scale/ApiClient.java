package io.troupe.bench.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The real Kubernetes API of the server under test, over the JDK's HTTP client (HTTP/1.1, a pool of connections). */
final class ApiClient {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final URI base;
  private final HttpClient http;

  ApiClient(URI base) {
    this.base = base;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  URI base() {
    return base;
  }

  HttpClient http() {
    return http;
  }

  URI uri(String path) {
    return base.resolve(path);
  }

  HttpRequest get(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).build();
  }

  HttpRequest post(String path, String body) {
    return HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  HttpRequest put(String path, String body) {
    return HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  HttpRequest delete(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).DELETE().build();
  }

  /** Sends and checks the status; the body as text. */
  String send(HttpRequest request, int... expected) throws Exception {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    for (int status : expected) if (response.statusCode() == status) return response.body();
    throw new IllegalStateException(request.method() + " " + request.uri() + ": " + response.statusCode() + " "
        + response.body());
  }

  JsonNode getJson(String path) throws Exception {
    return JSON.readTree(send(get(path), 200));
  }

  /** A namespace, created unless it is there. */
  void namespace(String name) throws Exception {
    // right after thousands of nodes registered the store can be behind: a 504 (the write may or may not have
    // happened) is asked again, for up to two minutes
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      HttpResponse<String> response = http.send(post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":"
          + "\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}"), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 201 || response.statusCode() == 409) return;
      if (response.statusCode() != 504 || System.nanoTime() > deadline) {
        throw new IllegalStateException("namespace " + name + ": " + response.statusCode() + " " + response.body());
      }
      Thread.sleep(1000);
    }
  }

  /** The list's resourceVersion: a watch from it sees every later change and none before. */
  String listRevision(String path) throws Exception {
    return getJson(path + (path.contains("?") ? "&" : "?") + "limit=1").path("metadata").path("resourceVersion")
        .asText();
  }

  static String configMap(String name, String labels, String data) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\""
        + (labels.isEmpty() ? "" : ",\"labels\":{" + labels + "}") + "},\"data\":{\"payload\":\"" + data + "\"}}";
  }
}
