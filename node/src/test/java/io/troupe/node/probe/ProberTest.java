package io.troupe.node.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import io.troupe.node.runtime.simulated.SimulatedRuntime;
import io.troupe.node.runtime.simulated.SimulatedSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.japi.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prober against real sockets on the loopback: Pekko HTTP servers, listeners, closed ports. */
class ProberTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Prober prober = Prober.create(testKit.system());
  private static final String POD_IP = "127.0.0.1";
  private static final RunningContainer CONTAINER =
      new RunningContainer("uid-1", "app", 0, 0, Instant.EPOCH, false, new CompletableFuture<>());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void httpGetSucceedsOn200ThenFailsOn500() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    ServerBinding server = serve(request -> HttpResponse.create()
        .withStatus(calls.incrementAndGet() == 1 ? StatusCodes.OK : StatusCodes.INTERNAL_SERVER_ERROR));
    try {
      ProbeSpec spec = http(ProbeType.LIVENESS, server.localAddress().getPort(), List.of());
      assertEquals(ProbeResult.succeeded(), probe(spec));
      assertEquals(new ProbeResult(false, "Liveness probe failed: HTTP probe failed with statuscode: 500"), probe(spec));
    } finally {
      server.unbind();
    }
  }

  @Test
  void aRedirectCountsAsSuccessAndHeadersAreSent() throws Exception {
    AtomicReference<HttpRequest> seen = new AtomicReference<>();
    ServerBinding server = serve(request -> {
      seen.set(request);
      return HttpResponse.create().withStatus(StatusCodes.FOUND).addHeader(
          org.apache.pekko.http.javadsl.model.headers.Location.create("/elsewhere"));
    });
    try {
      ProbeSpec spec = http(ProbeType.READINESS, server.localAddress().getPort(), List.of(
          new ProbeSpec.Header("Host", "web.example"), new ProbeSpec.Header("X-Probe", "yes")));
      assertEquals(ProbeResult.succeeded(), probe(spec));
      HttpRequest request = seen.get();
      assertEquals("/healthz", request.getUri().path());
      assertEquals("web.example", request.getHeader("Host").orElseThrow().value());
      assertEquals("yes", request.getHeader("X-Probe").orElseThrow().value());
      assertTrue(request.getHeader("User-Agent").orElseThrow().value().startsWith("kube-probe/"));
    } finally {
      server.unbind();
    }
  }

  @Test
  void httpGetToAClosedPortIsRefused() throws Exception {
    int port = closedPort();
    ProbeResult result = probe(http(ProbeType.READINESS, port, List.of()));
    assertEquals(new ProbeResult(false, "Readiness probe failed: Get \"http://127.0.0.1:" + port + "/healthz\": "
        + "dial tcp 127.0.0.1:" + port + ": connect: connection refused"), result);
  }

  @Test
  void httpGetToAServerThatNeverAnswersTimesOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = silent.getLocalPort();
      long start = System.nanoTime();
      ProbeResult result = probe(http(ProbeType.LIVENESS, port, List.of()));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(new ProbeResult(false, "Liveness probe failed: Get \"http://127.0.0.1:" + port + "/healthz\": "
          + "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"), result);
      assertTrue(millis >= 900 && millis < 3000, "timed out after " + millis + " ms, timeoutSeconds is 1");
    }
  }

  @Test
  void httpsIsProbedWithoutVerifyingTheCertificate(@TempDir Path dir) throws Exception {
    SSLContext tls = selfSigned(dir);
    ServerBinding server = Http.get(testKit.system()).newServerAt(POD_IP, 0)
        .enableHttps(ConnectionContext.httpsServer(tls))
        .bindSync(request -> HttpResponse.create().withStatus(StatusCodes.OK))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      ProbeSpec spec = new ProbeSpec(ProbeType.LIVENESS, new ProbeSpec.HttpGet("HTTPS", null, "/", 
          server.localAddress().getPort(), List.of()), 0, 10, 5, 1, 3, null);
      assertEquals(ProbeResult.succeeded(), probe(spec));
    } finally {
      server.unbind();
    }
  }

  @Test
  void tcpSocketSucceedsOnAListenerAndFailsOnAClosedPort() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      assertEquals(ProbeResult.succeeded(), probe(tcp(listener.getLocalPort(), null)));
      listener.setSoTimeout(10_000);
      try (java.net.Socket accepted = listener.accept()) {
        accepted.setSoTimeout(10_000);
        assertEquals(-1, accepted.getInputStream().read(), "the probe closes its connection, sending nothing");
      }
      assertEquals(ProbeResult.succeeded(), probe(tcp(listener.getLocalPort(), "localhost")), "a host name");
    }
    int port = closedPort();
    assertEquals(new ProbeResult(false,
        "Liveness probe failed: dial tcp 127.0.0.1:" + port + ": connect: connection refused"),
        probe(tcp(port, null)));
  }

  @Test
  void execSucceedsInTheSimulatedRuntime() throws Exception {
    try (SimulatedRuntime simulated = new SimulatedRuntime(new SimulatedSettings(Duration.ZERO),
        testKit.system().scheduler(), testKit.system().executionContext(), Clock.systemUTC())) {
      PodSandbox pod = new PodSandbox("uid-sim", "default", "web", POD_IP, "web", Map.of());
      simulated.runPodSandbox(pod);
      RunningContainer running = get(simulated.startContainer(pod,
          new ContainerSpec("app", "nginx", List.of(), List.of(), null, Map.of(), 0), 0));
      assertEquals(ProbeResult.succeeded(),
          get(prober.probe(exec(List.of("cat", "/tmp/healthy")), POD_IP, running, simulated)));
    }
  }

  @Test
  void execFailsOnANonZeroExitWithTheOutputOrTheExitCode() throws Exception {
    try (ProcessExecRuntime processes = new ProcessExecRuntime()) {
      assertEquals(ProbeResult.succeeded(), get(prober.probe(exec(List.of("true")), POD_IP, CONTAINER, processes)));
      assertEquals(new ProbeResult(false, "Liveness probe failed: cat: /nonexistent: No such file or directory"),
          get(prober.probe(exec(List.of("cat", "/nonexistent")), POD_IP, CONTAINER, processes)));
      assertEquals(new ProbeResult(false, "Liveness probe failed: command \"sh -c exit 3\" exited with 3"),
          get(prober.probe(exec(List.of("sh", "-c", "exit 3")), POD_IP, CONTAINER, processes)));
      assertEquals(new ProbeResult(false, "Liveness probe failed: command \"sleep 5\" timed out"),
          get(prober.probe(exec(List.of("sleep", "5")), POD_IP, CONTAINER, processes)));
    }
  }

  @Test
  void aProbeThatCannotRunFails() throws Exception {
    ProbeSpec spec = new ProbeSpec(ProbeType.STARTUP, new ProbeSpec.Invalid("gRPC probes are not supported by Troupe"),
        0, 10, 1, 1, 3, null);
    assertEquals(new ProbeResult(false, "Startup probe errored: gRPC probes are not supported by Troupe"),
        probe(spec));
    assertEquals(new ProbeResult(false, "Liveness probe errored: the pod has no IP yet"),
        get(prober.probe(tcp(80, null), "", CONTAINER, null)));
  }

  private static ProbeResult probe(ProbeSpec spec) throws Exception {
    return get(prober.probe(spec, POD_IP, CONTAINER, null));
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static ProbeSpec http(ProbeType type, int port, List<ProbeSpec.Header> headers) {
    return new ProbeSpec(type, new ProbeSpec.HttpGet("HTTP", null, "/healthz", port, headers), 0, 10, 1, 1, 3,
        null);
  }

  private static ProbeSpec tcp(int port, String host) {
    return new ProbeSpec(ProbeType.LIVENESS, new ProbeSpec.TcpSocket(host, port), 0, 10, 1, 1, 3, null);
  }

  private static ProbeSpec exec(List<String> command) {
    return new ProbeSpec(ProbeType.LIVENESS, new ProbeSpec.Exec(command), 0, 10, 1, 1, 3, null);
  }

  private static ServerBinding serve(Function<HttpRequest, HttpResponse> handler) throws Exception {
    return Http.get(testKit.system()).newServerAt(POD_IP, 0).bindSync(handler)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** A self-signed certificate for another host name than the one probed, made with the JDK's keytool. */
  private static SSLContext selfSigned(Path dir) throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    assumeTrue(Files.isExecutable(keytool), "keytool is needed to make a certificate");
    Path store = dir.resolve("server.p12");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "probe", "-keyalg", "RSA",
        "-keysize", "2048", "-dname", "CN=not-this-host.example", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, output);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(keys, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(factory.getKeyManagers(), null, null);
    return context;
  }
}
