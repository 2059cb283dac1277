package io.troupe.net.proxy;

import com.typesafe.config.ConfigFactory;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The service proxy against a direct connection to the pod, in one run: bulk throughput (pod to client and client
 * to pod, one and four connections), the round trip of a small message on an open connection, and a new
 * connection with one request and answer. Client, proxy and pod share this JVM and the machine's cores, as they do
 * on one host in loopback mode. Not a test: a measurement, printed as a table.
 *
 * <pre>
 * mvn -B -o -q -pl net -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 * java -cp net/target/test-classes:net/target/classes:$(cat net/target/test-classpath.txt) \
 *     io.troupe.net.proxy.ProxyThroughput [bulk-MiB=512] [round-trips=20000] [connections=3000]
 * </pre>
 */
public final class ProxyThroughput {
  static final String POD_IP = "127.97.0.1";
  static final String CLUSTER_IP = "127.32.79.1";
  static final int PORT = 8080;

  private ProxyThroughput() {}

  public static void main(String[] args) throws Exception {
    long bulkMiB = args.length > 0 ? Long.parseLong(args[0]) : 512;
    int roundTrips = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 3_000;
    ControlPlane plane = TestControlPlane.start();
    TestBackend pod = TestBackend.start("bench", POD_IP, PORT);
    Store store = plane.store().as("proxy-throughput");
    ServiceProxy proxy = ServiceProxy.start(plane.system(), store,
        ConfigFactory.parseMap(Map.of()).withFallback(plane.system().settings().config()), "127.0.0.1");
    int code = 0;
    try {
      ProxyFixture.put(store, ProxyFixture.service("bench", "bench", CLUSTER_IP, s -> {}, PORT));
      ProxyFixture.put(store, ProxyFixture.endpoints("bench", "bench", List.of(pod), List.of(), "p" + PORT));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!ProxyFixture.outcome(CLUSTER_IP, PORT).equals("answered")) {
        if (System.nanoTime() > deadline) throw new IllegalStateException("the proxy does not serve");
        Thread.sleep(20);
      }
      System.out.printf("warming up (both paths, a fifth of each run)...%n");
      run(bulkMiB / 5, roundTrips / 5, connections / 5, false);
      System.out.printf("%ncores: %d; bulk %d MiB, %d round trips, %d connections; best of 3 for throughput%n",
          Runtime.getRuntime().availableProcessors(), bulkMiB, roundTrips, connections);
      run(bulkMiB, roundTrips, connections, true);
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    } finally {
      proxy.close();
      pod.close();
      plane.close();
    }
    System.exit(code);
  }

  private static void run(long bulkMiB, int roundTrips, int connections, boolean print) throws Exception {
    long bytes = bulkMiB << 20;
    row(print, "download, 1 connection (MiB/s)", best(() -> download(POD_IP, bytes, 1)),
        best(() -> download(CLUSTER_IP, bytes, 1)), true);
    row(print, "download, 4 connections (MiB/s)", best(() -> download(POD_IP, bytes, 4)),
        best(() -> download(CLUSTER_IP, bytes, 4)), true);
    row(print, "upload, 1 connection (MiB/s)", best(() -> upload(POD_IP, bytes)),
        best(() -> upload(CLUSTER_IP, bytes)), true);
    long[] direct = roundTrips(POD_IP, roundTrips);
    long[] proxied = roundTrips(CLUSTER_IP, roundTrips);
    row(print, "64 B round trip p50 (us)", p(direct, 50), p(proxied, 50), false);
    row(print, "64 B round trip p99 (us)", p(direct, 99), p(proxied, 99), false);
    direct = newConnections(POD_IP, connections);
    proxied = newConnections(CLUSTER_IP, connections);
    row(print, "connect + request + answer p50 (us)", p(direct, 50), p(proxied, 50), false);
    row(print, "connect + request + answer p99 (us)", p(direct, 99), p(proxied, 99), false);
    row(print, "connections per second (1 client)", 1e6 / mean(direct), 1e6 / mean(proxied), true);
  }

  interface Measure {
    double run() throws Exception;
  }

  private static double best(Measure m) throws Exception {
    double best = 0;
    for (int i = 0; i < 3; i++) best = Math.max(best, m.run());
    return best;
  }

  private static boolean header;

  private static void row(boolean print, String what, double direct, double proxied, boolean higherIsBetter) {
    if (!print) return;
    if (!header) {
      System.out.printf("%-38s %12s %12s %9s %12s%n", "", "direct", "proxy", "ratio", "added");
      header = true;
    }
    String added = higherIsBetter ? "" : String.format("%.0f us", proxied - direct);
    System.out.printf("%-38s %12.0f %12.0f %8.2fx %12s%n", what, direct, proxied, proxied / direct, added);
  }

  /** The pod sends {@code bytes} on each of {@code parallel} connections; MiB/s over all. */
  private static double download(String ip, long bytes, int parallel) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      long begun = System.nanoTime();
      List<Future<Long>> done = new ArrayList<>();
      for (int i = 0; i < parallel; i++) {
        done.add(pool.submit(() -> {
          try (Socket s = connect(ip)) {
            s.getOutputStream().write(("FLOOD " + bytes / parallel + "\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[256 * 1024];
            long read = 0;
            for (int n; (n = in.read(buffer)) != -1; ) read += n;
            return read;
          }
        }));
      }
      long total = 0;
      for (Future<Long> f : done) total += f.get();
      if (total != bytes / parallel * parallel) throw new IllegalStateException("short: " + total);
      return total / 1048576.0 / ((System.nanoTime() - begun) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The client sends {@code bytes}; MiB/s until the pod has counted them all. */
  private static double upload(String ip, long bytes) throws IOException {
    byte[] chunk = new byte[256 * 1024];
    try (Socket s = connect(ip)) {
      long begun = System.nanoTime();
      OutputStream out = s.getOutputStream();
      out.write("SINK\n".getBytes(StandardCharsets.US_ASCII));
      for (long sent = 0; sent < bytes; sent += chunk.length) out.write(chunk);
      s.shutdownOutput();
      String count = TestBackend.line(s.getInputStream());
      if (count == null || Long.parseLong(count) < bytes) throw new IllegalStateException("short: " + count);
      return bytes / 1048576.0 / ((System.nanoTime() - begun) / 1e9);
    }
  }

  /** Round trips of 64 bytes on one open connection (ECHO); each in microseconds. */
  private static long[] roundTrips(String ip, int n) throws IOException {
    long[] micros = new long[n];
    byte[] message = new byte[64];
    try (Socket s = connect(ip)) {
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write("ECHO\n".getBytes(StandardCharsets.US_ASCII));
      TestBackend.line(in);
      for (int i = 0; i < n; i++) {
        long begun = System.nanoTime();
        out.write(message);
        if (in.readNBytes(64).length != 64) throw new IllegalStateException("closed");
        micros[i] = (System.nanoTime() - begun) / 1000;
      }
    }
    return micros;
  }

  /** New connections, each with one request and its answer (NAME); each in microseconds. */
  private static long[] newConnections(String ip, int n) throws IOException {
    long[] micros = new long[n];
    for (int i = 0; i < n; i++) {
      long begun = System.nanoTime();
      try (Socket s = connect(ip)) {
        s.getOutputStream().write("NAME\n".getBytes(StandardCharsets.US_ASCII));
        if (TestBackend.line(s.getInputStream()) == null) throw new IllegalStateException("no answer");
      }
      micros[i] = (System.nanoTime() - begun) / 1000;
    }
    return micros;
  }

  private static Socket connect(String ip) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.setSoTimeout(30_000);
    s.connect(new InetSocketAddress(InetAddress.getByName(ip), PORT), 5000);
    return s;
  }

  private static double p(long[] micros, int percentile) {
    long[] sorted = micros.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
  }

  private static double mean(long[] micros) {
    return Arrays.stream(micros).average().orElse(0);
  }
}
