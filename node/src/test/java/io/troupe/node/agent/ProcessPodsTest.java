package io.troupe.node.agent;

import static io.troupe.control.api.Fabric8Clients.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import io.troupe.control.api.Fabric8Clients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pods with real processes on one node, through the real API (fabric8): what a user sees in the pod's status
 * and logs as the node agent starts, restarts, probes and stops its containers.
 */
class ProcessPodsTest {
  static final Duration DEADLINE = Duration.ofSeconds(30);
  static Path dir;
  static ControlPlane plane;
  static NodeAgents agents;
  static KubernetesClient client;
  static String ns;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("troupe-node-test");
    plane = TestControlPlane.start(dir, Map.of(
        "troupe.controllers.enabled", true,
        "troupe.node.name", "node-1",
        "troupe.node.back-off.initial", "300ms",
        "troupe.node.back-off.max", "1s",
        "troupe.node.pod-cidr", "127.77.0.0/16"));
    agents = NodeAgents.start(plane.system(), plane.store(), plane.system().settings().config());
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
    ns = Fabric8Clients.newNamespace(client, "pods");
    awaitUntil(DEADLINE, () -> client.nodes().withName("node-1").get() != null, () -> "node-1 registered");
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      // the pods' processes outlive the agent (it adopts them when it starts again): stop them as a user would
      client.pods().inNamespace(ns).delete();
      awaitUntil(DEADLINE, () -> client.pods().inNamespace(ns).list().getItems().isEmpty(), () -> "pods deleted");
      client.close();
    }
    if (agents != null) agents.close();
    if (plane != null) plane.close();
    // whatever a failed test left behind
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(dir.toString())).orElse(false))
        .forEach(ProcessHandle::destroyForcibly);
  }

  static Pod pod(String name, String restartPolicy, String script) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().withRestartPolicy(restartPolicy).withTerminationGracePeriodSeconds(2L)
        .addNewContainer().withName("main").withImage("host").withCommand("sh", "-c", script).endContainer()
        .endSpec().build();
  }

  static Pod create(Pod pod) {
    return client.pods().inNamespace(ns).resource(pod).create();
  }

  static Pod get(String name) {
    return client.pods().inNamespace(ns).withName(name).get();
  }

  static Optional<ContainerStatus> main(Pod pod) {
    if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream().filter(s -> s.getName().equals("main")).findFirst();
  }

  static boolean condition(Pod pod, String type) {
    if (pod == null || pod.getStatus() == null || pod.getStatus().getConditions() == null) return false;
    return pod.getStatus().getConditions().stream()
        .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static String phase(String name) {
    Pod pod = get(name);
    return pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  @Test
  void aPodRunsAndItsOutputIsItsLog() {
    create(pod("echo", "Always", "echo hello from $POD_IP; sleep 3600"));
    awaitUntil(DEADLINE, () -> "Running".equals(phase("echo")) && condition(get("echo"), "Ready"),
        () -> "echo Running and Ready: " + get("echo").getStatus());
    Pod pod = get("echo");
    String ip = pod.getStatus().getPodIP();
    assertTrue(ip.startsWith("127.77."), ip);
    assertEquals("127.0.0.1", pod.getStatus().getHostIP());
    assertTrue(main(pod).orElseThrow().getState().getRunning() != null);
    awaitUntil(DEADLINE, () -> client.pods().inNamespace(ns).withName("echo").getLog().contains("hello from " + ip),
        () -> "the log shows the pod IP: " + client.pods().inNamespace(ns).withName("echo").getLog());
  }

  @Test
  void aContainerThatExitsOneIsRestartedWithBackOff() {
    create(pod("crash", "Always", "echo crashing; exit 1"));
    awaitUntil(DEADLINE, () -> main(get("crash")).map(s -> s.getRestartCount() >= 3).orElse(false),
        () -> "crash restarted three times: " + get("crash").getStatus());
    ContainerStatus status = main(get("crash")).orElseThrow();
    assertEquals(1, status.getLastState().getTerminated().getExitCode());
    assertEquals("Error", status.getLastState().getTerminated().getReason());
    awaitUntil(DEADLINE, () -> main(get("crash")).map(s -> s.getState().getWaiting() != null
            && "CrashLoopBackOff".equals(s.getState().getWaiting().getReason())).orElse(false),
        () -> "crash in CrashLoopBackOff: " + get("crash").getStatus());
    assertEquals("Running", phase("crash"));
  }

  @Test
  void restartPolicyNeverEndsInSucceededOrFailed() {
    create(pod("ok", "Never", "exit 0"));
    create(pod("fails", "Never", "exit 3"));
    awaitUntil(DEADLINE, () -> "Succeeded".equals(phase("ok")), () -> "ok Succeeded: " + get("ok").getStatus());
    awaitUntil(DEADLINE, () -> "Failed".equals(phase("fails")), () -> "fails Failed: " + get("fails").getStatus());
    var terminated = main(get("fails")).orElseThrow().getState().getTerminated();
    assertEquals(3, terminated.getExitCode());
    assertEquals(0, main(get("fails")).orElseThrow().getRestartCount());
  }

  @Test
  void onFailureRestartsUntilItSucceeds() {
    Path marker = dir.resolve("on-failure-marker");
    create(pod("retry", "OnFailure", "if [ -f " + marker + " ]; then exit 0; fi; touch " + marker + "; exit 2"));
    awaitUntil(DEADLINE, () -> "Succeeded".equals(phase("retry")), () -> "retry Succeeded: " + get("retry").getStatus());
    assertEquals(1, main(get("retry")).orElseThrow().getRestartCount());
  }

  @Test
  void initContainersRunInOrderBeforeTheContainers() {
    Path file = dir.resolve("init-order");
    Pod pod = new PodBuilder().withNewMetadata().withName("inits").withNamespace(ns).endMetadata()
        .withNewSpec()
        .addNewInitContainer().withName("first").withImage("host")
        .withCommand("sh", "-c", "sleep 0.3; echo first >> " + file).endInitContainer()
        .addNewInitContainer().withName("second").withImage("host")
        .withCommand("sh", "-c", "echo second >> " + file).endInitContainer()
        .addNewContainer().withName("main").withImage("host")
        .withCommand("sh", "-c", "echo main >> " + file + "; sleep 3600").endContainer()
        .endSpec().build();
    create(pod);
    awaitUntil(DEADLINE, () -> "Running".equals(phase("inits")), () -> "inits Running: " + get("inits").getStatus());
    awaitUntil(DEADLINE, () -> read(file).equals(List.of("first", "second", "main")),
        () -> "init order in " + file + ": " + read(file));
    assertTrue(condition(get("inits"), "Initialized"));
    get("inits").getStatus().getInitContainerStatuses().forEach(s ->
        assertEquals("Completed", s.getState().getTerminated().getReason()));
  }

  @Test
  void aMissingImageBacksOffAsImagePullBackOff() {
    Pod pod = pod("noimage", "Always", "true");
    pod.getSpec().getContainers().get(0).setImage("no-such-image:1.0");
    create(pod);
    awaitUntil(DEADLINE, () -> main(get("noimage")).map(s -> s.getState().getWaiting() != null
            && "ImagePullBackOff".equals(s.getState().getWaiting().getReason())).orElse(false),
        () -> "noimage in ImagePullBackOff: " + get("noimage").getStatus());
    assertTrue(main(get("noimage")).orElseThrow().getState().getWaiting().getMessage().contains("no-such-image"));
    assertEquals("Pending", phase("noimage"));
  }

  @Test
  void aContainerThatIgnoresSigtermIsKilledAfterTheGracePeriod() {
    String marker = "troupe-test-ignores-term-" + ns;
    create(pod("stubborn", "Always", "trap '' TERM; echo " + marker + "; while true; do sleep 0.1; done"));
    awaitUntil(DEADLINE, () -> "Running".equals(phase("stubborn")), () -> "stubborn Running");
    awaitUntil(DEADLINE, () -> !processesWith(marker).isEmpty(), () -> "the process of stubborn is found");
    // it ignores SIGTERM once its trap is set, which it has when it printed the marker
    awaitUntil(DEADLINE, () -> client.pods().inNamespace(ns).withName("stubborn").getLog().contains(marker),
        () -> "stubborn printed its marker");
    long started = System.nanoTime();
    client.pods().inNamespace(ns).withName("stubborn").delete();
    Pod marked = get("stubborn");
    awaitUntil(DEADLINE, () -> get("stubborn") == null, () -> "stubborn removed: " + get("stubborn"));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertTrue(took.compareTo(Duration.ofMillis(1800)) >= 0, "removed after the 2 s grace period, took " + took
        + "; marked " + (marked == null ? null : marked.getMetadata()));
    assertTrue(processesWith(marker).isEmpty(), "no process left: " + processesWith(marker));
  }

  @Test
  void deletingAPodStopsItsProcessesBeforeTheObjectGoes() {
    String marker = "troupe-test-graceful-" + ns;
    create(pod("graceful", "Always", "echo " + marker + "; exec sleep 3600"));
    awaitUntil(DEADLINE, () -> !processesWith(marker).isEmpty(), () -> "the process of graceful is found");
    client.pods().inNamespace(ns).withName("graceful").delete();
    awaitUntil(DEADLINE, () -> get("graceful") == null, () -> "graceful removed");
    assertTrue(processesWith(marker).isEmpty(), "no process left: " + processesWith(marker));
  }

  @Test
  void readinessFlipsReadyAndAFailedLivenessProbeRestarts() throws Exception {
    Path www = Files.createDirectories(dir.resolve("www"));
    Files.writeString(www.resolve("alive"), "yes");
    Pod pod = new PodBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage("host")
        .withCommand("python3", "-m", "http.server", "--bind", "$(POD_IP)", "--directory", www.toString(), "8080")
        .addNewPort().withName("http").withContainerPort(8080).endPort()
        .withNewReadinessProbe().withNewHttpGet().withPath("/ready").withNewPort("http").endHttpGet()
        .withPeriodSeconds(1).withFailureThreshold(1).endReadinessProbe()
        .withNewLivenessProbe().withNewHttpGet().withPath("/alive").withNewPort(8080).endHttpGet()
        .withPeriodSeconds(1).withFailureThreshold(2).endLivenessProbe()
        .endContainer().endSpec().build();
    create(pod);
    awaitUntil(DEADLINE, () -> "Running".equals(phase("web")), () -> "web Running: " + get("web").getStatus());
    assertFalse(condition(get("web"), "Ready"), "not Ready before /ready answers");
    Files.writeString(www.resolve("ready"), "yes");
    awaitUntil(DEADLINE, () -> condition(get("web"), "Ready"), () -> "web Ready: " + get("web").getStatus());
    Files.delete(www.resolve("ready"));
    awaitUntil(DEADLINE, () -> anyCondition(get("web"), "Ready", "False"), () -> "web not Ready again");
    assertEquals(0, main(get("web")).orElseThrow().getRestartCount());
    Files.delete(www.resolve("alive"));
    awaitUntil(DEADLINE, () -> main(get("web")).map(s -> s.getRestartCount() >= 1).orElse(false),
        () -> "web restarted after its liveness probe failed: " + get("web").getStatus());
    Files.writeString(www.resolve("alive"), "yes");
    Files.writeString(www.resolve("ready"), "yes");
    awaitUntil(DEADLINE, () -> condition(get("web"), "Ready"), () -> "web Ready after its restart");
    awaitUntil(DEADLINE, () -> client.v1().events().inNamespace(ns).list().getItems().stream()
        .anyMatch(e -> "Unhealthy".equals(e.getReason()) && e.getMessage().startsWith("Liveness probe failed")),
        () -> "an Unhealthy event for the liveness probe: " + client.v1().events().inNamespace(ns).list().getItems()
            .stream().filter(e -> e.getInvolvedObject().getName().equals("web"))
            .map(e -> e.getReason() + ": " + e.getMessage()).toList());
  }

  @Test
  void theEnvironmentHasFieldsConfigMapKeysAndThePodIp() throws Exception {
    Path out = dir.resolve("env-out");
    client.configMaps().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("settings").endMetadata().addToData("greeting", "hi").build()).create();
    Pod pod = pod("env", "Never", "echo \"$MY_NAME $MY_NODE $GREETING $POD_IP $LITERAL\" > " + out);
    pod.getSpec().getContainers().get(0).setEnv(List.of(
        new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("MY_NAME").withNewValueFrom()
            .withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().build(),
        new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("MY_NODE").withNewValueFrom()
            .withNewFieldRef().withFieldPath("spec.nodeName").endFieldRef().endValueFrom().build(),
        new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("GREETING").withNewValueFrom()
            .withNewConfigMapKeyRef().withName("settings").withKey("greeting").endConfigMapKeyRef().endValueFrom()
            .build(),
        new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("LITERAL").withValue("$(MY_NAME)-x").build()));
    create(pod);
    awaitUntil(DEADLINE, () -> "Succeeded".equals(phase("env")), () -> "env Succeeded: " + get("env").getStatus());
    String ip = get("env").getStatus().getPodIP();
    assertEquals(List.of("env node-1 hi " + ip + " env-x"), read(out));
  }

  @Test
  void aMissingConfigMapKeepsTheContainerWaiting() {
    Pod pod = pod("noconfig", "Always", "sleep 3600");
    pod.getSpec().getContainers().get(0).setEnv(List.of(
        new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("X").withNewValueFrom()
            .withNewConfigMapKeyRef().withName("absent").withKey("k").endConfigMapKeyRef().endValueFrom().build()));
    create(pod);
    awaitUntil(DEADLINE, () -> main(get("noconfig")).map(s -> s.getState().getWaiting() != null
            && "CreateContainerConfigError".equals(s.getState().getWaiting().getReason())).orElse(false),
        () -> "noconfig waits with CreateContainerConfigError: " + get("noconfig").getStatus());
    assertEquals("configmap \"absent\" not found",
        main(get("noconfig")).orElseThrow().getState().getWaiting().getMessage());
  }

  @Test
  void followStreamsTheLogWhileTheContainerRunsAndEndsWithIt() throws Exception {
    create(pod("ticker", "Never", "i=0; while [ $i -lt 15 ]; do i=$((i+1)); echo tick $i; sleep 0.2; done"));
    awaitUntil(DEADLINE, () -> main(get("ticker")).map(s -> s.getState().getRunning() != null).orElse(false),
        () -> "ticker running");
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(TestControlPlane.url(plane)
        + "/api/v1/namespaces/" + ns + "/pods/ticker/log?follow=true")).build();
    var response = java.net.http.HttpClient.newHttpClient().send(request,
        java.net.http.HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    List<String> lines = new java.util.ArrayList<>();
    boolean seenWhileRunning = false;
    for (var it = response.body().iterator(); it.hasNext(); ) {
      String line = it.next();
      lines.add(line);
      if (line.equals("tick 2")) seenWhileRunning = "Running".equals(phase("ticker"));
    }
    assertTrue(seenWhileRunning, "lines arrive while the container runs");
    assertEquals("tick 15", lines.get(lines.size() - 1), "the stream ends once the container has: " + lines);
    assertEquals(15, lines.size(), lines.toString());
  }

  @Test
  void previousTailLinesAndTimestamps() {
    create(pod("again", "Always", "echo started; echo second line; exit 1"));
    awaitUntil(DEADLINE, () -> main(get("again")).map(s -> s.getRestartCount() >= 1).orElse(false),
        () -> "again restarted");
    var log = client.pods().inNamespace(ns).withName("again");
    // the container keeps crashing: its previous attempt moves on, each with the same output
    awaitUntil(DEADLINE, () -> "started\nsecond line\n".equals(log.terminated().getLog()),
        () -> "previous log: " + log.terminated().getLog());
    assertEquals("second line\n", log.tailingLines(1).getLog());
    String stamped = log.usingTimestamps().getLog();
    assertTrue(stamped.matches("(?s)\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z started\n.*"), stamped);
  }

  static List<String> read(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  /** The processes on this host whose command line contains {@code marker}. */
  static List<Long> processesWith(String marker) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }

  static boolean anyCondition(Pod pod, String type, String status) {
    if (pod == null || pod.getStatus() == null) return false;
    for (PodCondition c : pod.getStatus().getConditions()) {
      if (type.equals(c.getType()) && status.equals(c.getStatus())) return true;
    }
    return false;
  }

  static void assertNoProcess(String marker) {
    assertFalse(!processesWith(marker).isEmpty(), "no process with " + marker);
  }
}
