package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A watch whose client has gone ends on the server, even when nothing is written to it: its place in the watch
 * cache is freed and its socket closed, as the Kubernetes API server cancels a watch whose connection is closed.
 */
class ClosedWatchTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private static ControlPlane plane;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (plane != null) plane.close();
  }

  @Test
  void quietWatchEndsWhenItsClientClosesTheConnection() throws Exception {
    double before = openWatches();
    try (Socket socket = new Socket("127.0.0.1", plane.apiAddress().getPort())) {
      // no bookmarks and no changes in its namespace: the server has no reason to write to this watch
      socket.getOutputStream().write(("GET /api/v1/namespaces/kube-public/configmaps?watch=true HTTP/1.1\r\n"
          + "Host: troupe\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String head = readHead(socket.getInputStream());
      assertTrue(head.startsWith("HTTP/1.1 200"), "the watch starts: " + head);
      Fabric8Clients.awaitUntil(DEADLINE, () -> openWatches() == before + 1, () -> "the watch is open");
    }
    Fabric8Clients.awaitUntil(DEADLINE, () -> openWatches() == before,
        () -> "the server still holds the watch of a closed connection");
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) break;
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** The watches open on the server (its troupe_watchers gauge). */
  private static double openWatches() {
    return ServerMetrics.sum(TestControlPlane.url(plane), "troupe_watchers");
  }
}
