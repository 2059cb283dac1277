package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.api.Fabric8Clients;
import io.troupe.node.image.ImageStore;
import io.troupe.node.image.ImageStoreSettings;
import io.troupe.node.image.TestImages;
import io.troupe.node.runtime.oci.OciRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The {@code oci} runtime across a {@code kill -9} of the node agent's JVM: real containers (runc) keep running
 * while it is down, and after its restart every container runs exactly once — the running ones adopted (same
 * processes, no restart), the one that died meanwhile restarted once — and nothing is left once the pods are deleted.
 */
class OciAgentRestartTest {
  static final Duration DEADLINE = Duration.ofSeconds(90);
  static final Path LOGS = Path.of("target", "oci-agent-restart-logs");
  static final String NODE = "oci-restart";
  ServerProcess server;
  KubernetesClient client;
  String marker = "troupe-oci-restart-" + Long.toHexString(System.nanoTime());

  @AfterEach
  void cleanUp() {
    if (client != null) client.close();
    if (server != null) server.close();
    processes(marker).values().forEach(pids -> pids.forEach(pid ->
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly)));
  }

  @Test
  void everyContainerRunsExactlyOnceAfterTheAgentJvmIsKilledAndRestarted() throws Exception {
    String problem = OciRuntime.problem("").orElse(null);
    Assumptions.assumeTrue(problem == null, () -> "skipped: " + problem);
    TestImages.assumeBusybox();
    Path dataDir = Files.createTempDirectory("troupe-oci-restart");
    try (ImageStore images = ImageStore.open(ImageStoreSettings.of(dataDir.resolve("node").resolve(NODE)
        .resolve("images")))) {
      images.importTarball(TestImages.dockerSaveTarball(dataDir, "busybox:1.36")).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    }
    Path config = Files.writeString(dataDir.resolve("oci.conf"), "troupe.node.runtime = oci\n");
    List<String> args = List.of("--config", config.toString(), "--node-name", NODE, "--pod-cidr", "127.79.0.0/16");
    server = ServerProcess.start(dataDir, LOGS, "first", DEADLINE, args);
    client = server.client();
    for (int i = 0; i < 3; i++) {
      client.pods().inNamespace("default").resource(pod("p" + i, marker + "-p" + i)).create();
    }
    awaitRunning(List.of("p0", "p1", "p2"));
    Map<String, Set<Long>> before = awaitProcesses(3);

    server.kill();
    client.close();
    Map<String, Set<Long>> whileDown = processes(marker);
    assertEquals(before, whileDown, "the containers outlive the agent's JVM");
    // one container's init dies while its agent is down: it must be restarted, the others adopted
    whileDown.get(marker + "-p2").forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    Fabric8Clients.awaitUntil(DEADLINE, () -> !processes(marker).containsKey(marker + "-p2"), () -> "p2 killed");

    server = ServerProcess.start(dataDir, LOGS, "second", DEADLINE, args);
    client = server.client();
    Fabric8Clients.awaitUntil(DEADLINE, () -> restartCount("p2") == 1,
        () -> "p2 restarted once: " + client.pods().inNamespace("default").withName("p2").get().getStatus());
    awaitRunning(List.of("p0", "p1", "p2"));
    Map<String, Set<Long>> after = awaitProcesses(3);
    assertEquals(before.get(marker + "-p0"), after.get(marker + "-p0"), "p0 adopted, not started again");
    assertEquals(before.get(marker + "-p1"), after.get(marker + "-p1"), "p1 adopted, not started again");
    assertEquals(1, after.get(marker + "-p2").size(), "p2 runs once");
    assertEquals(0, restartCount("p0"));
    assertEquals(0, restartCount("p1"));
    assertEquals(137, client.pods().inNamespace("default").withName("p2").get().getStatus().getContainerStatuses()
        .get(0).getLastState().getTerminated().getExitCode(), "p2's exit, recorded while the agent was down");

    for (String name : List.of("p0", "p1", "p2")) client.pods().inNamespace("default").withName(name).delete();
    Fabric8Clients.awaitUntil(DEADLINE, () -> client.pods().inNamespace("default").list().getItems().isEmpty(),
        () -> "the pods deleted");
    Fabric8Clients.awaitUntil(DEADLINE, () -> processes(marker).isEmpty(), () -> "no process left: "
        + processes(marker));
  }

  static Pod pod(String name, String tag) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(1L)
        .addNewContainer().withName("main").withImage("busybox:1.36")
        .withCommand("sh", "-c", "while true; do sleep 0.2; done", tag).endContainer()
        .endSpec().build();
  }

  void awaitRunning(List<String> names) {
    Fabric8Clients.awaitUntil(DEADLINE, () -> names.stream().allMatch(n -> {
      Pod p = client.pods().inNamespace("default").withName(n).get();
      return p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
          && p.getStatus().getContainerStatuses() != null
          && p.getStatus().getContainerStatuses().get(0).getState().getRunning() != null;
    }), () -> names + " running");
  }

  int restartCount(String name) {
    Pod p = client.pods().inNamespace("default").withName(name).get();
    if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses() == null) return -1;
    return p.getStatus().getContainerStatuses().get(0).getRestartCount();
  }

  Map<String, Set<Long>> awaitProcesses(int pods) {
    Fabric8Clients.awaitUntil(DEADLINE, () -> processes(marker).size() == pods, () -> "processes of " + pods
        + " pods: " + processes(marker));
    return processes(marker);
  }

  /**
   * The host pids of the containers' shells (the process whose $0 is the pod's tag), by tag; any command, as they run
   * the image's busybox.
   */
  static Map<String, Set<Long>> processes(String marker) {
    return AgentRestartTest.processes(marker, false);
  }
}
