package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.configMap;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow and idle clients over raw sockets: a connection without a request in progress for
 * {@code troupe.api.limits.idle-connection-timeout} (2 s here) is closed, whether it sends nothing, drips its
 * header bytes (slow-loris) or idles after a response; a watch longer than that lives on.
 */
class SlowClientsTest {
  private static final Duration IDLE = Duration.ofSeconds(2);
  private static ControlPlane plane;
  private static HttpApi api;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start(Map.of("troupe.api.limits.idle-connection-timeout", IDLE.toMillis() + "ms"));
    api = new HttpApi(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", plane.apiAddress().getPort());
    socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
    return socket;
  }

  /** Reads until the server closes the connection; what it sent before. */
  private static CompletableFuture<String> readToEnd(Socket socket) {
    return CompletableFuture.supplyAsync(() -> {
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      try {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) >= 0; ) received.write(buffer, 0, n);
      } catch (IOException e) {
        // a reset is a close too
      }
      return received.toString(StandardCharsets.ISO_8859_1);
    });
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() throws Exception {
    try (Socket socket = connect()) {
      long started = System.nanoTime();
      String received = readToEnd(socket).get(20, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertFalse(received.contains("200 OK"), received);
      assertTrue(took.compareTo(IDLE.minusMillis(500)) >= 0, "closed after " + took);
    }
  }

  @Test
  void aClientDrippingItsHeadersIsClosed() throws Exception {
    try (Socket socket = connect()) {
      CompletableFuture<String> closed = readToEnd(socket);
      OutputStream out = socket.getOutputStream();
      byte[] request = ("GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "X-Slow: " + "x".repeat(2000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      long started = System.nanoTime();
      // one byte every 100 ms: each byte is activity for Pekko's idle-timeout, the request never completes
      for (int i = 0; i < request.length && !closed.isDone(); i++) {
        try {
          out.write(request[i]);
          out.flush();
        } catch (IOException e) {
          break;
        }
        try {
          closed.get(100, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillOpen) {
          // the next byte
        }
        if (Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(20)) > 0) break;
      }
      String received = closed.get(20, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertFalse(received.contains("200 OK"), received);
      assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "closed after " + took);
    }
  }

  @Test
  void aKeepAliveConnectionServesRequestsThenIsClosedWhenIdle() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      String get = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      out.write((get + get).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String received = readToEnd(socket).get(20, TimeUnit.SECONDS);
      assertEquals(2, received.split("HTTP/1.1 200 OK", -1).length - 1, received);
    }
  }

  @Test
  void aWatchLongerThanTheIdleTimeoutLivesOn() {
    try (HttpApi.Watch watch = api.watch("/api/v1/namespaces/default/configmaps?watch=true")) {
      assertEquals(200, watch.code());
      // the watch's connection outlives the idle timeout (a request is in progress) and still carries events
      long until = System.nanoTime() + IDLE.multipliedBy(2).toNanos();
      while (System.nanoTime() < until) {
        assertFalse(watch.endsWithin(Duration.ofMillis(200)), "the watch ended");
      }
      assertEquals(201, api.post("/api/v1/namespaces/default/configmaps", configMap("after-idle", "v")).code());
      JsonNode event = watch.nextChange(Duration.ofSeconds(10));
      assertNotNull(event, "the watch ended");
      assertEquals("after-idle", event.path("object").path("metadata").path("name").asText(), event::toString);
    }
  }
}
