package io.troupe.net.proxy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Services and Endpoints written straight into the store, and a client on real sockets. */
final class ProxyFixture {
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(15);

  private ProxyFixture() {}

  /** A Service with a ClusterIP and TCP ports named p&lt;port&gt;; {@code spec} may add to it. */
  static KubeObject service(String namespace, String name, String clusterIp, Consumer<ObjectNode> spec,
      int... ports) {
    ObjectNode body = Json.object();
    ObjectNode s = body.putObject("spec");
    s.put("clusterIP", clusterIp);
    ArrayNode list = s.putArray("ports");
    for (int p : ports) list.addObject().put("name", "p" + p).put("port", p).put("protocol", "TCP");
    spec.accept(s);
    return new KubeObject("v1", "Service", ObjectMeta.named(namespace, name), body);
  }

  /** Endpoints of one subset: the backends' addresses, each at its own port, under every given port name. */
  static KubeObject endpoints(String namespace, String name, List<TestBackend> ready, List<TestBackend> notReady,
      String... portNames) {
    ObjectNode body = Json.object();
    ArrayNode subsets = body.putArray("subsets");
    if (!ready.isEmpty() || !notReady.isEmpty()) {
      ObjectNode subset = subsets.addObject();
      ArrayNode addresses = subset.putArray("addresses");
      for (TestBackend b : ready) address(addresses, namespace, b);
      ArrayNode waiting = subset.putArray("notReadyAddresses");
      for (TestBackend b : notReady) address(waiting, namespace, b);
      int port = (!ready.isEmpty() ? ready : notReady).get(0).port;
      ArrayNode ports = subset.putArray("ports");
      for (String n : portNames) ports.addObject().put("name", n).put("port", port).put("protocol", "TCP");
    }
    return new KubeObject("v1", "Endpoints", ObjectMeta.named(namespace, name), body);
  }

  private static void address(ArrayNode list, String namespace, TestBackend b) {
    ObjectNode a = list.addObject().put("ip", b.ip);
    a.putObject("targetRef").put("kind", "Pod").put("namespace", namespace).put("name", b.name);
  }

  /** Creates or replaces the object; returns once this JVM's watch cache has it. */
  static void put(Store store, KubeObject object) throws Exception {
    StoreResult r = store.replace(object, false, ResourceEntity.ANY_REVISION).toCompletableFuture()
        .get(WRITE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (r instanceof StoreResult.Refused refused && refused.reason() == ResourceEntity.Reason.NOT_FOUND) {
      r = store.create(object).toCompletableFuture().get(WRITE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    if (!(r instanceof StoreResult.Written)) throw new AssertionError("not written: " + r);
  }

  static void putStatus(Store store, KubeObject object) throws Exception {
    StoreResult r = store.replaceStatus(object, ResourceEntity.ANY_REVISION).toCompletableFuture()
        .get(WRITE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!(r instanceof StoreResult.Written)) throw new AssertionError("status not written: " + r);
  }

  static void delete(Store store, String key) throws Exception {
    StoreResult r = store.delete(key, Instant.now().toString(), null, ResourceEntity.ANY_REVISION)
        .toCompletableFuture().get(WRITE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!(r instanceof StoreResult.Written)) throw new AssertionError("not deleted: " + r);
  }

  /** Which backend answers a new connection to ip:port (the proxy's). */
  static String ask(String ip, int port) throws IOException {
    return ask(ip, port, null);
  }

  /** As {@link #ask(String, int)}, from the client address {@code from} (null: the kernel's choice). */
  static String ask(String ip, int port, String from) throws IOException {
    try (Socket s = new Socket()) {
      if (from != null) s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      s.setSoTimeout(5000);
      s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), 5000);
      s.getOutputStream().write("NAME\n".getBytes(StandardCharsets.US_ASCII));
      String name = TestBackend.line(s.getInputStream());
      if (name == null) throw new java.io.EOFException("closed without an answer (not refused, not reset)");
      return name;
    }
  }

  /** An HTTP/1.0 GET through the proxy: the body. */
  static String get(String ip, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.setSoTimeout(5000);
      s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), 5000);
      OutputStream out = s.getOutputStream();
      out.write(("GET / HTTP/1.0\r\nHost: " + ip + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!response.startsWith("HTTP/1.0 200")) throw new IOException("not 200: " + response);
      return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
  }

  /**
   * How a connection to ip:port ends: "refused" (RST to the SYN), "reset" (accepted, then RST), "closed" (accepted,
   * then FIN: not a refusal), or "answered".
   */
  static String outcome(String ip, int port) {
    try (Socket s = new Socket()) {
      s.setSoTimeout(5000);
      s.connect(new InetSocketAddress(InetAddress.getByName(ip), port), 5000);
      s.getOutputStream().write("NAME\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      return in.read() == -1 ? "closed" : "answered";
    } catch (ConnectException e) {
      return "refused";
    } catch (SocketException e) {
      return e.getMessage() != null && e.getMessage().contains("reset") ? "reset" : "error: " + e.getMessage();
    } catch (IOException e) {
      return "error: " + e;
    }
  }

  /**
   * Waits until a connection to ip:port ends as one of {@code wanted} (see {@link #outcome}); a failure lists what the
   * connections tried meanwhile saw and how long each took, so that a slow one tells what it waited for.
   */
  static void awaitOutcome(Duration deadline, String ip, int port, Set<String> wanted, String what) {
    List<String> seen = new ArrayList<>();
    long start = System.nanoTime();
    io.troupe.control.api.Fabric8Clients.awaitUntil(deadline, () -> {
      long begun = System.nanoTime();
      String o = outcome(ip, port);
      seen.add(o + " (at " + (begun - start) / 1_000_000 + " ms, took " + (System.nanoTime() - begun) / 1_000_000
          + " ms)");
      return wanted.contains(o);
    }, () -> what + "; seen " + (seen.size() > 8 ? "..., " + seen.subList(seen.size() - 8, seen.size()) : seen));
  }

  static boolean refusedOrReset(String ip, int port) {
    String o = outcome(ip, port);
    return o.equals("refused") || o.equals("reset");
  }
}
