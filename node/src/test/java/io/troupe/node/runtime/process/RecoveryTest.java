package io.troupe.node.runtime.process;

import static io.troupe.node.runtime.process.RuntimeFixture.await;
import static io.troupe.node.runtime.process.RuntimeFixture.eventually;
import static io.troupe.node.runtime.process.RuntimeFixture.shell;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent restarts: a new runtime on the same state dir finds the containers the old one started. The old
 * runtime is closed without stopping them, as a JVM killed with {@code kill -9} would leave them.
 */
class RecoveryTest {
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
  void aLiveContainerIsAdoptedWithItsPidAndCanBeStopped() throws Exception {
    ProcessRuntime before = fixture.runtime();
    PodSandbox pod = fixture.pod("web");
    RunningContainer started = await(before.startContainer(pod, shell("main", "echo up; exec sleep 1000"), 0));
    fixture.awaitLog(before, started, "up");
    before.close();

    ProcessRuntime after = fixture.runtime();
    List<RunningContainer> recovered = await(after.recover());

    assertEquals(1, recovered.size());
    RunningContainer adopted = recovered.get(0);
    assertEquals(started.pid(), adopted.pid());
    assertEquals(started.startedAt(), adopted.startedAt());
    assertEquals(List.of(pod.uid(), "main", 0), List.of(adopted.podUid(), adopted.name(), adopted.attempt()));
    assertFalse(adopted.exited().toCompletableFuture().isDone());
    assertFalse(RuntimeFixture.gone(adopted.pid()));

    ContainerExit exit = await(after.stopContainer(adopted, Duration.ofSeconds(10)));

    assertEquals(143, exit.exitCode());
    assertTrue(RuntimeFixture.gone(adopted.pid()));
    assertEquals(1, await(after.recover()).size(), "recovered twice");
  }

  @Test
  void anAdoptedContainerThatEndsLaterReportsItsExit() throws Exception {
    ProcessRuntime before = fixture.runtime();
    Path trigger = dir.resolve("trigger");
    RunningContainer started = await(before.startContainer(fixture.pod("job"),
        shell("main", "while [ ! -e " + trigger + " ]; do sleep 0.02; done; exit 5"), 0));
    before.close();
    ProcessRuntime after = fixture.runtime();
    RunningContainer adopted = await(after.recover()).get(0);

    Files.createFile(trigger);

    assertEquals(5, await(adopted.exited()).exitCode());
    assertEquals(started.pid(), adopted.pid());
  }

  @Test
  void aContainerThatEndedWhileTheAgentWasDownIsRecoveredWithItsExitCode() throws Exception {
    ProcessRuntime before = fixture.runtime();
    Path trigger = dir.resolve("trigger");
    RunningContainer started = await(before.startContainer(fixture.pod("job"),
        shell("main", "while [ ! -e " + trigger + " ]; do sleep 0.02; done; echo bye; exit 7"), 0));
    before.close();
    Files.createFile(trigger);
    eventually(Duration.ofSeconds(10), "the container ended", () -> RuntimeFixture.gone(started.pid()));

    ProcessRuntime after = fixture.runtime();
    List<RunningContainer> recovered = await(after.recover());

    assertEquals(1, recovered.size());
    assertTrue(recovered.get(0).exited().toCompletableFuture().isDone());
    ContainerExit exit = await(recovered.get(0).exited());
    assertEquals(7, exit.exitCode());
    assertEquals("Error", exit.reason());
    assertTrue(RuntimeFixture.read(fixture.log(after, recovered.get(0))).endsWith("Z bye\n"));
  }

  @Test
  void aContainerKilledWhileTheAgentWasDownIsRecoveredAsKilled() throws Exception {
    ProcessRuntime before = fixture.runtime();
    RunningContainer started = await(before.startContainer(fixture.pod("web"),
        shell("main", "echo up; exec sleep 1000"), 0));
    fixture.awaitLog(before, started, "up");
    before.close();
    ProcessTable.killGroup(started.pid(), ProcessTable.stat(started.pid()).orElseThrow().startTime());
    eventually(Duration.ofSeconds(10), "the container died", () -> RuntimeFixture.gone(started.pid()));

    ProcessRuntime after = fixture.runtime();
    ContainerExit exit = await(await(after.recover()).get(0).exited());

    assertEquals(137, exit.exitCode());
    assertEquals("Error", exit.reason());
    assertEquals("killed while the node agent was down", exit.message());
  }

  @Test
  void nothingIsRecoveredFromAnEmptyStateDir() throws Exception {
    assertEquals(List.of(), await(fixture.runtime().recover()));
  }
}
