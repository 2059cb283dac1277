package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.Json;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests Pekko HTTP cannot parse get a Status too, over a raw socket. */
class MalformedHttpTest {
  private static ControlPlane plane;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
  }

  @AfterAll
  static void stop() throws Exception {
    plane.close();
  }

  /** Sends bytes as they are and reads the answer until the server closes the connection. */
  private static String exchange(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", plane.apiAddress().getPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        received.write(buffer, 0, n);
        String text = received.toString(StandardCharsets.ISO_8859_1);
        if (text.contains("\r\n\r\n") && text.trim().endsWith("}")) break;
      }
      return received.toString(StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void unparseableRequestsGetAStatusOfTheirCode() throws Exception {
    record Case(String request, int code) {}
    List<Case> cases = List.of(
        new Case("NOT A REQUEST\r\n\r\n", 405),
        new Case("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", 400),
        new Case("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n", 400),
        new Case("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        new Case("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n", 431),
        new Case("POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            400));
    for (Case c : cases) {
      String answer = exchange(c.request());
      assertTrue(answer.startsWith("HTTP/1.1 " + c.code()), () -> c.request().substring(0, Math.min(40, c.request().length())) + " → " + answer);
      String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
      HttpApi.assertNoStackTrace(body);
      JsonNode status = Json.MAPPER.readTree(body);
      assertEquals("Status", status.path("kind").asText(), body);
      assertEquals(c.code(), status.path("code").asInt(), body);
      assertTrue(!status.path("reason").asText().isEmpty() && !status.path("message").asText().isEmpty(), body);
    }
  }
}
