package io.troupe.net.ingress;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A pod's HTTP server for the tests, on its own loopback address (the JDK's server, so the proxy is tried against
 * an HTTP stack other than its own): {@code /echo} streams the request body back as it reads it; any other path
 * answers who it is and the request's headers ({@code name: value} lines, names in lower case), {@code /slow...}
 * after two seconds.
 */
final class TestBackend implements AutoCloseable {
  final String name;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  TestBackend(String name, String ip) throws IOException {
    this.name = name;
    this.server = HttpServer.create(new InetSocketAddress(ip, 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String ip() {
    return server.getAddress().getAddress().getHostAddress();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (exchange.getRequestURI().getPath().startsWith("/echo")) {
        exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, 0); // chunked: the body follows as it is read
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            out.write(buffer, 0, n);
            out.flush();
          }
        }
        return;
      }
      exchange.getRequestBody().readAllBytes();
      if (exchange.getRequestURI().getPath().startsWith("/slow")) {
        try {
          Thread.sleep(2000); // a pod that takes its time: what a proxy's timeout is for
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      Map<String, String> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
      StringBuilder body = new StringBuilder("backend: " + name + "\npath: " + exchange.getRequestURI() + "\n");
      headers.forEach((k, v) -> body.append(k).append(": ").append(v).append('\n'));
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().put("Content-Type", List.of("text/plain"));
      exchange.getResponseHeaders().put("Proxy-Authenticate", List.of("Basic realm=\"pod\""));
      exchange.getResponseHeaders().put("X-Pod", List.of(name));
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
