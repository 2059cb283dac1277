package io.troupe.node.runtime.process;

import static io.troupe.node.runtime.process.RuntimeFixture.await;
import static io.troupe.node.runtime.process.RuntimeFixture.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's JVM is killed with {@code kill -9}: its containers run on, still logging, and are adopted. */
class AgentKillTest {
  @TempDir
  Path dir;
  RuntimeFixture fixture;

  @BeforeEach
  void start() throws Exception {
    fixture = new RuntimeFixture(dir);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void containersOutliveAKilledAgentAndAreAdoptedByTheNext() throws Exception {
    PodSandbox pod = fixture.pod("survivor");
    Process agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Agent.class.getName(), fixture.stateDir.toString(),
        fixture.imageDir.toString(), fixture.nodeName, pod.uid())
        .redirectErrorStream(true).start();
    long pid;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("started ")) {
        // the agent's own output
      }
      assertTrue(line != null, "the agent ended before it started the container");
      pid = Long.parseLong(line.substring("started ".length()));
      agent.destroyForcibly(); // SIGKILL
      assertTrue(agent.waitFor(10, TimeUnit.SECONDS));
    }
    Path log = fixture.stateDir.resolve("pods/" + pod.uid() + "/main/0.log");
    long before = Files.size(log);
    eventually(Duration.ofSeconds(5), "the container logs on", () -> size(log) > before + 100);
    assertFalse(RuntimeFixture.gone(pid));

    ProcessRuntime next = fixture.runtime();
    List<RunningContainer> recovered = await(next.recover());

    assertEquals(1, recovered.size());
    assertEquals(pid, recovered.get(0).pid());
    assertFalse(recovered.get(0).exited().toCompletableFuture().isDone());
    ContainerExit exit = await(next.stopContainer(recovered.get(0), Duration.ofSeconds(5)));
    assertEquals(143, exit.exitCode());
    assertTrue(RuntimeFixture.gone(pid));
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  /** The agent: starts one chatty container, says its pid, then waits to be killed. */
  public static final class Agent {
    public static void main(String[] args) throws Exception {
      ProcessRuntime runtime = new ProcessRuntime(ProcessRuntimeSettings.of(Path.of(args[0]), Path.of(args[1]),
          args[2]).withNamespaces(ProcessRuntimeSettings.Namespaces.OFF));
      RunningContainer c = runtime.startContainer(new PodSandbox(args[3], "default", "survivor", "127.0.0.1",
          "survivor", Map.of()), RuntimeFixture.shell("main", "while :; do echo tick; sleep 0.02; done"), 0)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.out.println("started " + c.pid());
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
