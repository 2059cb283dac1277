package io.troupe.control.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The API of a test control plane over HTTP with the JDK client, as one user (a bearer token, or none). */
public final class TokenClient {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String token;

  public TokenClient(String base, String token) {
    this.base = base;
    this.token = token;
  }

  /** An answer: its code and body. */
  public record Answer(int code, String body) {
    public JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + code + "): " + body, e);
      }
    }

    public String message() {
      return json().path("message").asText();
    }
  }

  public Answer send(String method, String path, Object body) {
    return send(method, path, body, null);
  }

  /** With an Accept header ({@code application/json;as=Table;v=v1;g=meta.k8s.io} for kubectl's tables). */
  public Answer send(String method, String path, Object body, String accept) {
    String contentType = method.equals("PATCH") ? "application/merge-patch+json" : "application/json";
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? BodyPublishers.noBody()
            : BodyPublishers.ofString(body instanceof String s ? s : Json.write(body)));
    if (body != null) request.header("Content-Type", contentType);
    if (token != null) request.header("Authorization", "Bearer " + token);
    if (accept != null) request.header("Accept", accept);
    try {
      if (path.contains("watch=")) {
        // a watch streams until it times out: its status line is the answer, then the stream is closed
        HttpResponse<InputStream> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
          return new Answer(response.statusCode(), response.statusCode() == 200 ? "{}" : new String(in.readAllBytes()));
        }
      }
      HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public Answer get(String path) {
    return send("GET", path, null);
  }

  public Answer post(String path, Object body) {
    return send("POST", path, body);
  }
}
