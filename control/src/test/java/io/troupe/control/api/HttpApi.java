package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The Kubernetes API of a test control plane, spoken over plain HTTP with the JDK client, as a user would. */
final class HttpApi {
  static final String JSON = "application/json";
  static final String MERGE_PATCH = "application/merge-patch+json";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String base;
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  /** Sent as {@code Authorization: Bearer}, when not null. */
  private final String bearerToken;

  HttpApi(String base) {
    this(base, null);
  }

  HttpApi(String base, String bearerToken) {
    this.base = base;
    this.bearerToken = bearerToken;
  }

  /** A whole answer: its code and its body, as text and (when it is JSON) as a tree. */
  record Answer(int code, String body, String contentType) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (JsonProcessingException e) {
        throw new AssertionError("the answer is not JSON (" + code + "): " + body, e);
      }
    }
  }

  Answer get(String path) {
    return send("GET", path, null, null);
  }

  Answer post(String path, Object body) {
    return send("POST", path, JSON, text(body));
  }

  Answer put(String path, Object body) {
    return send("PUT", path, JSON, text(body));
  }

  Answer mergePatch(String path, Object body) {
    return send("PATCH", path, MERGE_PATCH, text(body));
  }

  Answer delete(String path) {
    return send("DELETE", path, null, null);
  }

  Answer send(String method, String path, String contentType, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
        .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    if (contentType != null) request.header("Content-Type", contentType);
    if (bearerToken != null) request.header("Authorization", "Bearer " + bearerToken);
    try {
      HttpResponse<String> response = client.send(request.build(), BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body(),
          response.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String text(Object body) {
    return body instanceof String s ? s : Json.write(body);
  }

  /** Opens a streamed answer (a followed log) and reads it line by line, as {@link #watch} does. */
  Watch stream(String pathAndQuery) {
    return watch(pathAndQuery);
  }

  /** Opens a watch (a path with its query, watch=true included) and reads its events line by line. */
  Watch watch(String pathAndQuery) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET().build();
    try {
      HttpResponse<Stream<String>> response = client.send(request, BodyHandlers.ofLines());
      return new Watch(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new AssertionError("watch " + pathAndQuery + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A watch stream: its lines are read on a thread of their own, the test takes them with a deadline. */
  static final class Watch implements AutoCloseable {
    private static final String END = "\u0000end";
    private final int code;
    private final Stream<String> lines;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private volatile boolean ended;

    private Watch(int code, Stream<String> lines) {
      this.code = code;
      this.lines = lines;
      Thread reader = new Thread(() -> {
        try {
          lines.forEach(received::add);
        } catch (RuntimeException e) {
          // closed by the test, or the connection dropped: the stream has ended either way
        } finally {
          received.add(END);
        }
      }, "watch-reader");
      reader.setDaemon(true);
      reader.start();
    }

    int code() {
      return code;
    }

    /** The next event, or null if the stream ended; fails when none arrives before the deadline. */
    JsonNode next(Duration within) {
      if (ended) return null;
      try {
        String line = received.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) fail("no watch event within " + within);
        if (line.equals(END)) {
          ended = true;
          return null;
        }
        return Json.MAPPER.readTree(line);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      } catch (JsonProcessingException e) {
        throw new AssertionError("a watch line is not one JSON event: " + e.getOriginalMessage(), e);
      }
    }

    /** The next line as it is (a streamed log's), or null if the stream ended; fails after the deadline. */
    String nextLine(Duration within) {
      if (ended) return null;
      try {
        String line = received.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) fail("no line within " + within);
        if (line.equals(END)) {
          ended = true;
          return null;
        }
        return line;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    /** The next event that is not a periodic BOOKMARK. */
    JsonNode nextChange(Duration within) {
      long deadline = System.nanoTime() + within.toNanos();
      while (true) {
        Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        JsonNode e = next(left);
        if (e == null || !e.path("type").asText().equals("BOOKMARK")) return e;
      }
    }

    /** True once the server ended the stream within the deadline (events before the end are skipped). */
    boolean endsWithin(Duration within) {
      long deadline = System.nanoTime() + within.toNanos();
      while (System.nanoTime() < deadline) {
        try {
          String line = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          if (line != null && line.equals(END)) {
            ended = true;
            return true;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return false;
    }

    /** Closing a blocked line reader may wait for its next line: done off the test's thread. */
    @Override
    public void close() {
      Thread closer = new Thread(lines::close, "watch-closer");
      closer.setDaemon(true);
      closer.start();
    }
  }

  // ---- what the tests send and check ----

  /** A minimal valid Pod. */
  static ObjectNode pod(String name) {
    ObjectNode pod = Json.object();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    pod.putObject("metadata").put("name", name);
    pod.putObject("spec").putArray("containers").addObject().put("name", "main").put("image", "busybox");
    return pod;
  }

  /** A ConfigMap with one data entry. */
  static ObjectNode configMap(String name, String value) {
    ObjectNode cm = Json.object();
    cm.put("apiVersion", "v1");
    cm.put("kind", "ConfigMap");
    cm.putObject("metadata").put("name", name);
    cm.putObject("data").put("key", value);
    return cm;
  }

  /** The answer is a Kubernetes Status of failure with this code and reason; returns the Status. */
  static JsonNode assertStatus(Answer answer, int code, String reason) {
    assertEquals(code, answer.code(), () -> "HTTP code of " + answer.body());
    assertNoStackTrace(answer.body());
    assertTrue(answer.contentType().startsWith(JSON), () -> "Content-Type " + answer.contentType());
    JsonNode status = answer.json();
    assertStatusObject(status, code, reason);
    return status;
  }

  /** A Status object (an answer's body, or the object of an ERROR watch event) with this code and reason. */
  static void assertStatusObject(JsonNode status, int code, String reason) {
    assertEquals("Status", status.path("kind").asText(), () -> "kind of " + status);
    assertEquals("v1", status.path("apiVersion").asText(), () -> "apiVersion of " + status);
    assertEquals("Failure", status.path("status").asText(), () -> "status of " + status);
    assertEquals(code, status.path("code").asInt(), () -> "code of " + status);
    assertEquals(reason, status.path("reason").asText(), () -> "reason of " + status);
    assertFalse(status.path("message").asText().isBlank(), () -> "message of " + status);
  }

  static void assertNoStackTrace(String body) {
    assertNotNull(body);
    assertFalse(body.contains("at io.troupe") || body.contains("at org.apache") || body.contains("Exception"),
        () -> "the answer carries a Java stack trace or exception name: " + body);
  }
}
