package io.troupe.net.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pod's server for the proxy tests: a real TCP server on its own address that answers by the first line a
 * client sends: {@code NAME} (its name, then close), {@code ECHO} (its name, then every byte back until the
 * client shuts its output, then close), {@code FLOOD n} (n bytes as fast as the client takes them), {@code SINK}
 * (reads until the client shuts its output, then answers how many bytes it read), or an HTTP
 * request (HTTP/1.0 200 with its name as the body).
 */
final class TestBackend implements AutoCloseable {
  final String name;
  final String ip;
  final int port;
  final AtomicInteger connections = new AtomicInteger();
  final AtomicLong flooded = new AtomicLong();
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "backend");
    t.setDaemon(true);
    return t;
  });

  private TestBackend(String name, String ip, int port) throws IOException {
    this.name = name;
    this.ip = ip;
    this.port = port;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(ip), port), 512);
    threads.execute(this::acceptLoop);
  }

  static TestBackend start(String name, String ip, int port) throws IOException {
    return new TestBackend(name, ip, port);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        connections.incrementAndGet();
        try {
          threads.execute(() -> serve(s));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
          s.close();
        }
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      String first = line(in);
      if (first == null) return;
      if (first.startsWith("GET ")) {
        while (true) {
          String header = line(in);
          if (header == null || header.isEmpty()) break;
        }
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
      } else if (first.equals("ECHO")) {
        out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        in.transferTo(out);
      } else if (first.equals("SINK")) {
        long n = in.transferTo(OutputStream.nullOutputStream());
        out.write((n + "\n").getBytes(StandardCharsets.US_ASCII));
      } else if (first.startsWith("FLOOD ")) {
        long n = Long.parseLong(first.substring(6));
        byte[] chunk = new byte[64 * 1024];
        for (long sent = 0; sent < n; ) {
          int len = (int) Math.min(chunk.length, n - sent);
          out.write(chunk, 0, len);
          sent += len;
          flooded.addAndGet(len);
        }
      } else {
        out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
      socket.shutdownOutput();
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // the client went away
    }
  }

  /** One line (LF or CRLF ended), or null at the end of the stream. */
  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') b.write(c);
    if (c == -1 && b.size() == 0) return null;
    String s = b.toString(StandardCharsets.UTF_8);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
