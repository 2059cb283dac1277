package io.troupe.bench;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * etcd (Debian's {@code etcd-server}) on 127.0.0.1 with a data directory of its own, for store-bench's comparison:
 * driven through its gRPC gateway's JSON API ({@code POST /v3/kv/put}) by the JDK's HTTP client, so both stores pay
 * the same client and HTTP/JSON overhead. etcd fsyncs its WAL before it acknowledges a put (batching the puts that
 * arrive together), its default and only mode.
 */
final class EtcdServer implements AutoCloseable {
  private final Process process;
  private final URI url;

  private EtcdServer(Process process, URI url) {
    this.process = process;
    this.url = url;
  }

  /** The etcd binary on the PATH, if there is one. */
  static boolean available() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, "etcd"))) return true;
    }
    return false;
  }

  static EtcdServer start(Path dataDir) throws Exception {
    Files.createDirectories(dataDir);
    int client = freePort();
    int peer = freePort();
    String clientUrl = "http://127.0.0.1:" + client;
    String peerUrl = "http://127.0.0.1:" + peer;
    Process process = new ProcessBuilder(List.of("etcd", "--name", "bench", "--data-dir",
        dataDir.resolve("data").toString(), "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
        "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl, "--initial-cluster",
        "bench=" + peerUrl)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("etcd.log").toFile())).start();
    EtcdServer etcd = new EtcdServer(process, URI.create(clientUrl));
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) break;
      try {
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(etcd.url.resolve("/health"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200 && health.body().contains("true")) return etcd;
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    etcd.close();
    throw new IllegalStateException("etcd did not become healthy within 60 s; see " + dataDir.resolve("etcd.log"));
  }

  /** A put of {@code value} at {@code key} by one client (its own connection): 200 or an exception. */
  ClosedLoop.Operation put(java.util.function.LongFunction<String> key, String value) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI put = url.resolve("/v3/kv/put");
    Base64.Encoder b64 = Base64.getEncoder();
    String encodedValue = b64.encodeToString(value.getBytes(StandardCharsets.UTF_8));
    return n -> {
      String body = "{\"key\":\"" + b64.encodeToString(key.apply(n).getBytes(StandardCharsets.UTF_8))
          + "\",\"value\":\"" + encodedValue + "\"}";
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(put).timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("etcd put: " + response.statusCode() + " " + response.body());
      }
    };
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
