package io.troupe.control.api;

import static io.troupe.control.api.HttpApi.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.persistence.model.KubeObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code GET pods/{name}/log} through the real API: the options and the container are checked as Kubernetes checks
 * them, then the request goes to the kubelet endpoint of the pod's node (here {@link TestKubelet}, registered as
 * node "node-1") and its answer streams back.
 */
class PodLogsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String NS = "/api/v1/namespaces/logs";
  private static ControlPlane plane;
  private static HttpApi api;
  private static KubernetesClient client;
  private static TestKubelet kubelet;

  @BeforeAll
  static void start() throws Exception {
    plane = TestControlPlane.start();
    api = new HttpApi(TestControlPlane.url(plane));
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
    kubelet = TestKubelet.start(plane.system());
    assertEquals(201, api.post("/api/v1/namespaces", Map.of("metadata", Map.of("name", "logs"))).code());
    created(plane.store().create(kubelet.node("node-1")).toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(201, api.post(NS + "/pods", pod("web", "node-1", List.of(), List.of("main"))).code());
    assertEquals(201, api.post(NS + "/pods", pod("multi", "node-1", List.of("setup"), List.of("a", "b"))).code());
    assertEquals(201, api.post(NS + "/pods", pod("pending", null, List.of(), List.of("main"))).code());
  }

  @AfterAll
  static void stop() throws Exception {
    kubelet.close();
    client.close();
    plane.close();
  }

  private static void created(Object result) {
    assertTrue(result instanceof io.troupe.persistence.store.StoreResult.Written, () -> "not written: " + result);
  }

  private static ObjectNode pod(String name, String node, List<String> init, List<String> containers) {
    ObjectNode pod = HttpApi.pod(name);
    ObjectNode spec = (ObjectNode) pod.path("spec");
    if (node != null) spec.put("nodeName", node);
    ArrayNode list = spec.putArray("containers");
    for (String c : containers) list.addObject().put("name", c).put("image", "busybox");
    if (!init.isEmpty()) {
      ArrayNode inits = spec.putArray("initContainers");
      for (String c : init) inits.addObject().put("name", c).put("image", "busybox");
    }
    return pod;
  }

  private static KubeObject node(String name, JsonNode status) {
    KubeObject node = kubelet.node(name);
    return node.withField("status", status);
  }

  // ---- what Kubernetes refuses before it asks a kubelet ----

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("/pods/web/log?tailLines=abc", 400, "BadRequest",
            "strconv.ParseInt: parsing \"abc\": invalid syntax"),
        Arguments.of("/pods/web/log?tailLines=-1", 422, "Invalid",
            "PodLogOptions \"web\" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0"),
        Arguments.of("/pods/web/log?sinceSeconds=10&sinceTime=2026-01-01T00:00:00Z", 422, "Invalid",
            "PodLogOptions \"web\" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be "
                + "specified"),
        Arguments.of("/pods/web/log?sinceSeconds=0", 422, "Invalid",
            "PodLogOptions \"web\" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0"),
        Arguments.of("/pods/web/log?limitBytes=0", 422, "Invalid",
            "PodLogOptions \"web\" is invalid: limitBytes: Invalid value: 0: must be greater than 0"),
        Arguments.of("/pods/web/log?tailLines=-1&limitBytes=0", 422, "Invalid",
            "PodLogOptions \"web\" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, "
                + "limitBytes: Invalid value: 0: must be greater than 0]"),
        Arguments.of("/pods/web/log?sinceTime=yesterday", 400, "BadRequest", null),
        Arguments.of("/pods/ghost/log", 404, "NotFound", "pods \"ghost\" not found"),
        Arguments.of("/pods/multi/log", 400, "BadRequest",
            "a container name must be specified for pod multi, choose one of: [setup a b]"),
        Arguments.of("/pods/multi/log?container=c", 400, "BadRequest", "container c is not valid for pod multi"),
        Arguments.of("/pods/web/log?container=sidecar", 400, "BadRequest",
            "container sidecar is not valid for pod web"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("refusals")
  void refusedAsKubernetesRefusesIt(String path, int code, String reason, String message) {
    kubelet.drainRequests();
    JsonNode status = assertStatus(api.get(NS + path), code, reason);
    if (message != null) assertEquals(message, status.path("message").asText());
    assertEquals(List.of(), kubelet.drainRequests(), "refused before any kubelet is asked");
  }

  @Test
  void aPodOnNoNodeHasNoLogYet() {
    HttpApi.Answer answer = api.get(NS + "/pods/pending/log");
    assertEquals(204, answer.code(), "as Kubernetes: no location, no content");
    assertEquals("", answer.body());
  }

  @Test
  void aNodeThatCannotBeReachedIsAClearError() throws Exception {
    assertEquals(201, api.post(NS + "/pods", pod("on-ghost", "ghost-node", List.of(), List.of("main"))).code());
    assertEquals("nodes \"ghost-node\" not found",
        assertStatus(api.get(NS + "/pods/on-ghost/log"), 404, "NotFound").path("message").asText());

    ObjectNode noPort = kubelet.node("no-port").status().deepCopy();
    noPort.remove("daemonEndpoints");
    created(plane.store().create(node("no-port", noPort)).toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(201, api.post(NS + "/pods", pod("on-no-port", "no-port", List.of(), List.of("main"))).code());
    assertEquals("node \"no-port\" has no kubelet endpoint: status.daemonEndpoints.kubeletEndpoint.Port is not set",
        assertStatus(api.get(NS + "/pods/on-no-port/log"), 500, "InternalError").path("message").asText());

    ObjectNode noAddress = kubelet.node("no-address").status().deepCopy();
    noAddress.remove("addresses");
    created(plane.store().create(node("no-address", noAddress)).toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(201, api.post(NS + "/pods", pod("on-no-address", "no-address", List.of(), List.of("main"))).code());
    assertTrue(assertStatus(api.get(NS + "/pods/on-no-address/log"), 500, "InternalError").path("message").asText()
        .startsWith("node \"no-address\" has no address to reach its kubelet at"));

    ObjectNode closed = kubelet.node("closed").status().deepCopy();
    int unusedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      unusedPort = socket.getLocalPort();
    }
    ((ObjectNode) closed.path("daemonEndpoints").path("kubeletEndpoint")).put("Port", unusedPort);
    created(plane.store().create(node("closed", closed)).toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(201, api.post(NS + "/pods", pod("on-closed", "closed", List.of(), List.of("main"))).code());
    String message = assertStatus(api.get(NS + "/pods/on-closed/log"), 500, "InternalError")
        .path("message").asText();
    assertEquals("Get \"http://127.0.0.1:" + unusedPort + "/containerLogs/logs/on-closed/main\": dial tcp 127.0.0.1:"
        + unusedPort + ": connect: connection refused", message);
  }

  // ---- proxied to the kubelet endpoint ----

  @Test
  void theLogComesFromTheKubeletOfThePodsNode() throws Exception {
    kubelet.text("logs", "web", "main", "one\ntwo\nthree\n");
    kubelet.drainRequests();
    HttpApi.Answer answer = api.get(NS + "/pods/web/log?tailLines=2&timestamps=true&pretty=true");
    assertEquals(200, answer.code(), answer::body);
    assertTrue(answer.contentType().startsWith("text/plain"), answer::contentType);
    assertEquals("one\ntwo\nthree\n", answer.body(), "the kubelet's bytes, as they are");
    assertEquals("/containerLogs/logs/web/main?timestamps=true&tailLines=2", kubelet.nextRequest());

    kubelet.text("logs", "multi", "b", "from b\n");
    HttpApi.Answer chosen = api.get(NS + "/pods/multi/log?container=b&sinceTime=2026-01-02T03:04:05.678%2B01:00"
        + "&previous=true&limitBytes=100");
    assertEquals("from b\n", chosen.body());
    assertEquals("/containerLogs/logs/multi/b?previous=true&sinceTime=2026-01-02T02:04:05Z&limitBytes=100",
        kubelet.nextRequest());
  }

  @Test
  void aKubeletErrorIsPassedOnWithItsCode() {
    kubelet.error("logs", "multi", "a", 400, "application/json", "{\"kind\":\"Status\",\"apiVersion\":\"v1\","
        + "\"metadata\":{},\"status\":\"Failure\",\"message\":\"container \\\"a\\\" in pod \\\"multi\\\" is waiting "
        + "to start: ContainerCreating\",\"reason\":\"BadRequest\",\"code\":400}");
    JsonNode status = assertStatus(api.get(NS + "/pods/multi/log?container=a"), 400, "BadRequest");
    assertEquals("container \"a\" in pod \"multi\" is waiting to start: ContainerCreating",
        status.path("message").asText());

    kubelet.error("logs", "multi", "setup", 500, "text/plain", "runtime is gone");
    JsonNode wrapped = assertStatus(api.get(NS + "/pods/multi/log?container=setup"), 500, "InternalError");
    assertEquals("runtime is gone", wrapped.path("message").asText());
  }

  @Test
  void aFollowedLogStreamsLiveAndStopsWhenTheClientGoes() throws Exception {
    TestKubelet.FollowedLog log = kubelet.followed("logs", "web", "main");
    try (HttpApi.Watch stream = api.stream(NS + "/pods/web/log?follow=true")) {
      assertEquals(200, stream.code());
      log.write("first");
      assertEquals("first", stream.nextLine(WAIT), "a line arrives while the kubelet's answer is still open");
      log.write("second");
      assertEquals("second", stream.nextLine(WAIT));
      assertFalse(log.ended().isDone(), "the kubelet's answer is still open");
    }
    try {
      log.ended().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("the kubelet's answer was not cancelled when the client went away", e);
    }
  }

  @Test
  void fabric8ReadsTheLog() {
    kubelet.text("logs", "web", "main", "hello from fabric8\n");
    assertEquals("hello from fabric8\n", client.pods().inNamespace("logs").withName("web").getLog());
    kubelet.text("logs", "multi", "a", "from a\n");
    assertEquals("from a\n", client.pods().inNamespace("logs").withName("multi").inContainer("a").getLog());
  }

  @Test
  void kubectlLogsWorks() throws Exception {
    Path kubectl = Path.of("/usr/bin/kubectl");
    assumeTrue(Files.isExecutable(kubectl), "kubectl is not installed");
    kubelet.text("logs", "web", "main", "hello from kubectl\n");
    Path dir = Files.createTempDirectory("kubectl");
    Path kubeconfig = dir.resolve("config");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: troupe
          cluster:
            server: %s
        users:
        - name: troupe
          user: {}
        contexts:
        - name: troupe
          context: {cluster: troupe, user: troupe, namespace: logs}
        current-context: troupe
        """.formatted(TestControlPlane.url(plane)));
    assertEquals("hello from kubectl\n", kubectl(kubectl, dir, "logs", "web"));
    assertEquals("hello from kubectl\n", kubectl(kubectl, dir, "logs", "pod/web", "-c", "main", "--tail=5"));

    // kubectl logs -f prints each line as it comes, and stopping it ends the kubelet's answer
    TestKubelet.FollowedLog log = kubelet.followed("logs", "web", "main");
    Process follow = new ProcessBuilder(kubectl.toString(), "--kubeconfig", dir.resolve("config").toString(),
        "--cache-dir", dir.resolve("cache").toString(), "logs", "-f", "web")
        .redirectError(dir.resolve("follow-stderr").toFile()).start();
    try {
      java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> new java.io.BufferedReader(new java.io.InputStreamReader(
          follow.getInputStream(), StandardCharsets.UTF_8)).lines().forEach(lines::add), "kubectl-reader");
      reader.setDaemon(true);
      reader.start();
      log.write("live 1");
      assertEquals("live 1", lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
          () -> "kubectl logs -f printed nothing: " + readQuietly(dir.resolve("follow-stderr")));
      log.write("live 2");
      assertEquals("live 2", lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
    } finally {
      follow.destroy();
    }
    log.ended().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static String kubectl(Path kubectl, Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(kubectl.toString(),
        "--kubeconfig", dir.resolve("config").toString(), "--cache-dir", dir.resolve("cache").toString(),
        "--request-timeout=20s"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectError(dir.resolve("stderr").toFile()).start();
    byte[] out = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "kubectl did not finish");
    assertEquals(0, process.exitValue(), () -> "kubectl " + String.join(" ", args) + " failed: "
        + readQuietly(dir.resolve("stderr")));
    return new String(out, StandardCharsets.UTF_8);
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
