package io.troupe.node.runtime.process;

import static io.troupe.node.runtime.process.RuntimeFixture.await;
import static io.troupe.node.runtime.process.RuntimeFixture.eventually;
import static io.troupe.node.runtime.process.RuntimeFixture.exit;
import static io.troupe.node.runtime.process.RuntimeFixture.shell;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A container's life as the node agent sees it: start, exit, stop, logs; on the host, without namespaces. */
class ProcessRuntimeTest {
  @TempDir
  Path dir;
  RuntimeFixture fixture;
  ProcessRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    fixture = new RuntimeFixture(dir);
    runtime = fixture.runtime();
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @Test
  void aFailingCommandEndsWithItsExitCodeAndItsOutputIsLoggedWithTimes() throws Exception {
    RunningContainer c = await(runtime.startContainer(fixture.pod("web"), shell("main", "echo hello; exit 3"), 0));

    ContainerExit exit = exit(c);

    assertEquals(3, exit.exitCode());
    assertEquals("Error", exit.reason());
    assertTrue(c.pid() > 0);
    String log = RuntimeFixture.read(fixture.log(runtime, c));
    assertTrue(log.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ hello\n"), log);
  }

  @Test
  void aCommandThatSucceedsCompletes() throws Exception {
    RunningContainer c = await(runtime.startContainer(fixture.pod("job"), shell("main", "echo done >&2"), 0));

    ContainerExit exit = exit(c);

    assertEquals(new ContainerExit(0, "Completed", exit.finishedAt(), null), exit);
    assertTrue(RuntimeFixture.read(fixture.log(runtime, c)).endsWith("Z done\n"));
  }

  @Test
  void stopEndsAContainerThatHonoursSigterm() throws Exception {
    RunningContainer c = await(runtime.startContainer(fixture.pod("web"), shell("main", "exec sleep 1000"), 0));
    long t0 = System.nanoTime();

    ContainerExit exit = await(runtime.stopContainer(c, Duration.ofSeconds(30)));

    assertEquals(143, exit.exitCode());
    assertEquals("Error", exit.reason());
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(5)) < 0);
    assertTrue(RuntimeFixture.gone(c.pid()));
  }

  @Test
  void aStopRightAfterTheStartIsNeverLost() throws Exception {
    PodSandbox pod = fixture.pod("hasty");
    for (int attempt = 0; attempt < 15; attempt++) {
      RunningContainer c = await(runtime.startContainer(pod, shell("main", "exec sleep 1000"), attempt));

      ContainerExit exit = await(runtime.stopContainer(c, Duration.ofSeconds(30)), Duration.ofSeconds(5));

      assertEquals(143, exit.exitCode(), "attempt " + attempt);
    }
  }

  @Test
  void aContainerIgnoringSigtermIsKilledAfterTheGraceAndLoggedUntilThen() throws Exception {
    RunningContainer c = await(runtime.startContainer(fixture.pod("stubborn"),
        shell("main", "trap '' TERM; echo ready; while :; do sleep 0.05; done"), 0));
    fixture.awaitLog(runtime, c, "ready");
    Duration grace = Duration.ofMillis(700);
    long t0 = System.nanoTime();

    ContainerExit exit = await(runtime.stopContainer(c, grace));

    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertEquals(137, exit.exitCode());
    assertTrue(took.compareTo(grace) >= 0, "killed before the grace: " + took);
    assertTrue(took.compareTo(grace.plusSeconds(3)) < 0, "killed late: " + took);
    assertNull(exit.message());
  }

  @Test
  void stopKillsTheWholeProcessGroup() throws Exception {
    RunningContainer c = await(runtime.startContainer(fixture.pod("parent"),
        shell("main", "(trap '' TERM; exec sleep 1000) & echo child $!; wait"), 0));
    long child = childPid(fixture.awaitLog(runtime, c, "child "));
    assertFalse(RuntimeFixture.gone(child));

    await(runtime.stopContainer(c, Duration.ofMillis(300)));

    assertTrue(RuntimeFixture.gone(child), "the background child " + child + " survived");
  }

  @Test
  void whatTheMainProcessLeavesBehindEndsWithIt() throws Exception {
    RunningContainer c = await(runtime.startContainer(fixture.pod("leaver"),
        shell("main", "sleep 1000 > /dev/null 2>&1 & echo child $!"), 0));

    ContainerExit exit = exit(c);

    assertEquals(0, exit.exitCode());
    long child = childPid(RuntimeFixture.read(fixture.log(runtime, c)));
    assertTrue(RuntimeFixture.gone(child), "the background child " + child + " survived");
  }

  @Test
  void aMissingImageIsErrImagePull() {
    ContainerSpec spec = RuntimeFixture.spec("main", "registry.example/team/nothing-here:1.0", "run");

    ContainerStartException e = assertThrows(ContainerStartException.class,
        () -> await(runtime.startContainer(fixture.pod("web"), spec, 0)));

    assertEquals("ErrImagePull", e.reason());
    assertTrue(e.getMessage().contains("image \"registry.example/team/nothing-here:1.0\" not found in "
        + fixture.imageDir), e.getMessage());
  }

  @Test
  void aCommandNotFoundIsARunContainerError() {
    ContainerStartException e = assertThrows(ContainerStartException.class,
        () -> await(runtime.startContainer(fixture.pod("web"), RuntimeFixture.spec("main", "host", "no-such-cmd"),
            0)));

    assertEquals("RunContainerError", e.reason());
  }

  @Test
  void theEnvironmentAndWorkingDirAreTheContainers() throws Exception {
    PodSandbox pod = fixture.pod("env");
    ContainerSpec spec = new ContainerSpec("main", "host", List.of("sh", "-c"),
        List.of("echo \"$GREETING $POD_IP $(pwd)\""), "/tmp", Map.of("GREETING", "hi", "POD_IP", "10.1.2.3"), 0);

    RunningContainer c = await(runtime.startContainer(pod, spec, 0));

    assertEquals(0, exit(c).exitCode());
    assertTrue(RuntimeFixture.read(fixture.log(runtime, c)).endsWith(" hi 10.1.2.3 /tmp\n"));
  }

  @Test
  void execRunsInTheContainerWithItsExitCodeOutputAndTimeout() throws Exception {
    ContainerSpec spec = new ContainerSpec("main", "host", List.of("sleep", "1000"), List.of(), "/tmp",
        Map.of("FOO", "bar"), 0);
    RunningContainer c = await(runtime.startContainer(fixture.pod("exec"), spec, 0));

    var ok = await(runtime.exec(c, List.of("sh", "-c", "echo \"$FOO $(pwd)\"; echo err >&2; exit 4"),
        Duration.ofSeconds(10)));
    assertEquals(4, ok.exitCode());
    assertEquals("bar /tmp\nerr\n", ok.output());
    assertFalse(ok.timedOut());

    var big = await(runtime.exec(c, List.of("sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x"),
        Duration.ofSeconds(10)));
    assertEquals(ExecProcess.MAX_OUTPUT, big.output().length());

    long t0 = System.nanoTime();
    var slow = await(runtime.exec(c, List.of("sh", "-c", "echo started; sleep 1000"), Duration.ofMillis(300)));
    assertTrue(slow.timedOut());
    assertEquals("started\n", slow.output());
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(5)) < 0);
    assertFalse(await(runtime.stopContainer(c, Duration.ofSeconds(5))).reason().isEmpty());
  }

  @Test
  void execInAnEndedContainerFails() throws Exception {
    RunningContainer c = await(runtime.startContainer(fixture.pod("done"), shell("main", "true"), 0));
    exit(c);

    assertThrows(IllegalStateException.class, () -> await(runtime.exec(c, List.of("true"), Duration.ofSeconds(1))));
  }

  @Test
  void removePodSandboxKillsWhatIsLeftAndKeepsTheLogs() throws Exception {
    PodSandbox pod = fixture.pod("doomed");
    RunningContainer a = await(runtime.startContainer(pod, shell("a", "echo a; exec sleep 1000"), 0));
    RunningContainer b = await(runtime.startContainer(pod, shell("b", "trap '' TERM; echo b; sleep 1000"), 0));
    fixture.awaitLog(runtime, b, "b");

    await(runtime.removePodSandbox(pod.uid()));

    assertTrue(a.exited().toCompletableFuture().isDone() && b.exited().toCompletableFuture().isDone());
    assertTrue(RuntimeFixture.gone(a.pid()) && RuntimeFixture.gone(b.pid()));
    assertTrue(runtime.logFile(pod.uid(), "a", 0).isPresent());
    await(runtime.removePodLogs(pod.uid()));
    assertTrue(runtime.logFile(pod.uid(), "a", 0).isEmpty());
    assertFalse(java.nio.file.Files.exists(fixture.stateDir.resolve("pods").resolve(pod.uid())));
  }

  @Test
  void logsAreRotatedKeepingTheConfiguredNumberOfFiles() throws Exception {
    ProcessRuntime small = fixture.runtime(fixture.settings(ProcessRuntimeSettings.Namespaces.OFF)
        .withLogRotation(2048, 3, Duration.ofMillis(50)));
    RunningContainer c = await(small.startContainer(fixture.pod("chatty"), shell("main",
        "i=0; while [ $i -lt 60 ]; do j=0; while [ $j -lt 40 ]; do echo \"line $i $j ........................\"; "
            + "j=$((j+1)); done; i=$((i+1)); sleep 0.02; done; echo finished; exec sleep 1000"), 0));
    Path log = fixture.log(small, c);

    eventually(Duration.ofSeconds(15), "two rotated parts", () -> java.nio.file.Files.exists(LogRotation.part(log, 2)));
    eventually(Duration.ofSeconds(15), "the end of the output", () ->
        (RuntimeFixture.read(log) + RuntimeFixture.read(LogRotation.part(log, 1))).contains("finished"));

    assertFalse(java.nio.file.Files.exists(LogRotation.part(log, 3)));
    assertTrue(java.nio.file.Files.size(LogRotation.part(log, 1)) > 2048);
    await(small.stopContainer(c, Duration.ofSeconds(5)));
  }

  @Test
  void runPodSandboxIsIdempotent() throws Exception {
    PodSandbox pod = fixture.pod("twice");
    await(runtime.runPodSandbox(pod));
    await(runtime.runPodSandbox(pod));
    RunningContainer c = await(runtime.startContainer(pod, shell("main", "echo $HOSTNAME"), 0));
    assertEquals(0, exit(c).exitCode());
    assertTrue(RuntimeFixture.read(fixture.log(runtime, c)).endsWith(" twice\n"));
  }

  @Test
  void restartsKeepThePreviousAttemptsLogOnly() throws Exception {
    PodSandbox pod = fixture.pod("crashloop");
    for (int attempt = 0; attempt < 4; attempt++) {
      RunningContainer c = await(runtime.startContainer(pod, shell("main", "echo attempt " + attempt + "; exit 1"),
          attempt));
      assertEquals(1, exit(c).exitCode());
    }
    assertTrue(runtime.logFile(pod.uid(), "main", 3).isPresent());
    assertTrue(RuntimeFixture.read(runtime.logFile(pod.uid(), "main", 2).orElseThrow()).contains("attempt 2"));
    assertTrue(runtime.logFile(pod.uid(), "main", 1).isEmpty());
    assertTrue(runtime.logFile(pod.uid(), "main", 0).isEmpty());
  }

  static long childPid(String log) {
    Matcher m = Pattern.compile("child (\\d+)").matcher(log);
    assertTrue(m.find(), log);
    return Long.parseLong(m.group(1));
  }
}
