package io.troupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.troupe.control.api.Fabric8Clients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node agent's JVM killed with pods running, then started again: every pod is running exactly once — the
 * processes from before are adopted (same pids, no restart), a container that died while the agent was down is
 * restarted, and nothing is left behind when the pods are deleted.
 */
class AgentRestartTest {
  static final Duration DEADLINE = Duration.ofSeconds(60);
  static final Path LOGS = Path.of("target", "agent-restart-logs");
  ServerProcess server;
  KubernetesClient client;
  String marker = "troupe-restart-" + Long.toHexString(System.nanoTime());

  @AfterEach
  void cleanUp() {
    if (client != null) client.close();
    if (server != null) server.close();
    // whatever a failed test left running
    processes(marker).values().forEach(pids -> pids.forEach(pid ->
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly)));
  }

  @Test
  void everyPodRunsExactlyOnceAfterTheAgentJvmIsKilledAndRestarted() throws Exception {
    Path dataDir = Files.createTempDirectory("troupe-agent-restart");
    server = ServerProcess.start(dataDir, LOGS, "first", DEADLINE);
    client = server.client();
    for (int i = 0; i < 3; i++) {
      client.pods().inNamespace("default").resource(pod("p" + i, marker + "-p" + i)).create();
    }
    awaitRunning(List.of("p0", "p1", "p2"));
    Map<String, Set<Long>> before = awaitProcesses(3);

    server.kill();
    client.close();
    Map<String, Set<Long>> whileDown = processes(marker);
    assertEquals(before, whileDown, "the pods' processes outlive the agent's JVM");
    // one container dies while its agent is down: it must be restarted, the others adopted
    whileDown.get(marker + "-p2").forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    Fabric8Clients.awaitUntil(DEADLINE, () -> !processes(marker).containsKey(marker + "-p2"), () -> "p2 killed");

    server = ServerProcess.start(dataDir, LOGS, "second", DEADLINE);
    client = server.client();
    Fabric8Clients.awaitUntil(DEADLINE, () -> restartCount("p2") == 1,
        () -> "p2 restarted once: " + client.pods().inNamespace("default").withName("p2").get().getStatus());
    awaitRunning(List.of("p0", "p1", "p2"));
    Map<String, Set<Long>> after = awaitProcesses(3);
    assertEquals(before.get(marker + "-p0"), after.get(marker + "-p0"), "p0 adopted, not started again");
    assertEquals(before.get(marker + "-p1"), after.get(marker + "-p1"), "p1 adopted, not started again");
    assertEquals(0, restartCount("p0"));
    assertEquals(0, restartCount("p1"));
    assertFalse(after.get(marker + "-p2").isEmpty());

    for (String name : List.of("p0", "p1", "p2")) {
      client.pods().inNamespace("default").withName(name).delete();
    }
    Fabric8Clients.awaitUntil(DEADLINE, () -> client.pods().inNamespace("default").list().getItems().isEmpty(),
        () -> "the pods deleted");
    assertTrue(processes(marker).isEmpty(), "no process left: " + processes(marker));
  }

  static Pod pod(String name, String tag) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withTerminationGracePeriodSeconds(2L)
        .addNewContainer().withName("main").withImage("host")
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

  /** The pids of the pods' shells (the process whose $0 is the pod's tag), by tag: host shells only. */
  static Map<String, Set<Long>> processes(String marker) {
    return processes(marker, true);
  }

  /**
   * The pids of the pods' shells by tag; {@code hostShell}: only processes whose command is a host shell (a container's
   * shell runs its image's busybox). A shell forks before it execs each {@code sleep}, and the fork carries the
   * shell's command line until then: a match whose parent is a match is such a fork, not a second container
   * (OciAgentRestartTest caught one in CI).
   */
  static Map<String, Set<Long>> processes(String marker, boolean hostShell) {
    Map<Long, String> matches = new HashMap<>();
    Map<Long, Long> parents = new HashMap<>();
    ProcessHandle.allProcesses().forEach(p -> p.info().arguments().ifPresent(args -> {
      if ((!hostShell || p.info().command().map(c -> c.endsWith("/sh") || c.endsWith("/dash") || c.endsWith("/bash"))
          .orElse(false)) && args.length == 3 && "-c".equals(args[0]) && args[2].startsWith(marker)) {
        matches.put(p.pid(), args[2]);
        p.parent().ifPresent(parent -> parents.put(p.pid(), parent.pid()));
      }
    }));
    Map<String, Set<Long>> out = new HashMap<>();
    matches.forEach((pid, tag) -> {
      if (!matches.containsKey(parents.get(pid))) out.computeIfAbsent(tag, k -> new java.util.TreeSet<>()).add(pid);
    });
    return out;
  }
}
