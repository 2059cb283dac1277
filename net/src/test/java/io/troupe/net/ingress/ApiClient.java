package io.troupe.net.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Consumer;

/** The Kubernetes API of a test control plane, over real HTTP, with JSON written in single quotes for brevity. */
final class ApiClient {
  private final HttpClient client = HttpClient.newHttpClient();
  private final String base;

  ApiClient(String base) {
    this.base = base;
  }

  static ObjectNode json(String singleQuoted) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(singleQuoted.replace('\'', '"'));
    } catch (IOException e) {
      throw new IllegalArgumentException(singleQuoted, e);
    }
  }

  /** POSTs to a collection; fails the test unless created. */
  ObjectNode create(String collection, ObjectNode object) {
    return expect(201, send("POST", collection, object), "create " + collection);
  }

  ObjectNode get(String path) {
    return expect(200, send("GET", path, null), "get " + path);
  }

  int status(String path) {
    return send("GET", path, null).statusCode();
  }

  /**
   * Reads, changes and PUTs back (at the version read) the object or, with a path ending in /status, its status;
   * on 409 Conflict (someone else wrote in between: the ingress proxy writes Ingress status) reads and tries again,
   * as client-go's RetryOnConflict does.
   */
  ObjectNode update(String path, Consumer<ObjectNode> change) {
    for (int attempt = 1; ; attempt++) {
      ObjectNode object = get(path.endsWith("/status") ? path.substring(0, path.length() - 7) : path);
      change.accept(object);
      HttpResponse<String> r = send("PUT", path, object);
      if (r.statusCode() != 409 || attempt == 5) return expect(200, r, "update " + path);
    }
  }

  void delete(String path) {
    HttpResponse<String> r = send("DELETE", path, null);
    if (r.statusCode() != 200 && r.statusCode() != 202 && r.statusCode() != 404) {
      throw new AssertionError("delete " + path + ": " + r.statusCode() + " " + r.body());
    }
  }

  private static ObjectNode expect(int code, HttpResponse<String> r, String what) {
    if (r.statusCode() != code) throw new AssertionError(what + ": " + r.statusCode() + " " + r.body());
    try {
      JsonNode tree = Json.MAPPER.readTree(r.body());
      return (ObjectNode) tree;
    } catch (IOException e) {
      throw new AssertionError(what + ": not JSON: " + r.body(), e);
    }
  }

  private HttpResponse<String> send(String method, String path, ObjectNode body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(Json.write(body)));
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
