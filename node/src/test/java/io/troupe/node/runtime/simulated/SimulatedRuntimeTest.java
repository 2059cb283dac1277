package io.troupe.node.runtime.simulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.ExecResult;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import scala.concurrent.ExecutionContext;

/** The simulated runtime on Pekko's manual time: time passes when the test says so; no sleeps. */
class SimulatedRuntimeTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
  private static final ManualTime time = ManualTime.get(testKit.system());
  private static final Instant NOW = Instant.parse("2024-01-01T00:00:00Z");

  private SimulatedRuntime runtime;
  private PodSandbox pod;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void newRuntime() {
    // Timers run their task on the scheduler's thread at once: what a test sees after timePasses is final.
    runtime = new SimulatedRuntime(SimulatedSettings.DEFAULT, testKit.system().scheduler(),
        ExecutionContext.fromExecutor(Runnable::run), Clock.fixed(NOW, ZoneOffset.UTC));
    pod = new PodSandbox("uid-" + System.nanoTime(), "default", "web-1", "127.1.0.5", "web-1", Map.of());
    done(runtime.runPodSandbox(pod));
  }

  @Test
  void aContainerStartsAfterTheStartDelayAndRunsUntilStopped() {
    CompletionStage<RunningContainer> starting = runtime.startContainer(pod, container("app", Map.of()), 0);
    time.timePasses(Duration.ofMillis(999));
    assertFalse(starting.toCompletableFuture().isDone());
    time.timePasses(Duration.ofMillis(1));
    RunningContainer running = done(starting);
    assertEquals(new RunningContainer(pod.uid(), "app", 0, 0, NOW, false, running.exited()), running);
    assertEquals(1, runtime.runningContainers());

    time.timePasses(Duration.ofDays(1));
    assertFalse(running.exited().toCompletableFuture().isDone());

    ContainerExit exit = done(runtime.stopContainer(running, Duration.ofSeconds(30)));
    assertEquals(ContainerExit.of(0, NOW), exit);
    assertSame(exit, done(running.exited()));
    assertEquals(0, runtime.runningContainers());
    assertEquals(exit, done(runtime.stopContainer(running, Duration.ZERO)), "stopping again changes nothing");
  }

  @Test
  void aStopWithoutGraceKills() {
    RunningContainer running = start(Map.of());
    assertEquals(137, done(runtime.stopContainer(running, Duration.ZERO)).exitCode());
    assertEquals("Error", done(running.exited()).reason());
  }

  /** Exits by itself: the environment convention. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a crash after 2s            | TROUPE_SIMULATED_EXIT_CODE=1,TROUPE_SIMULATED_RUN_SECONDS=2   | 2000 | 1 | Error
      a job that completes        | TROUPE_SIMULATED_RUN_SECONDS=0.5                              | 500  | 0 | Completed
      an exit code alone exits at once | TROUPE_SIMULATED_EXIT_CODE=3                             | 0    | 3 | Error
      """)
  void aContainerExitsWhenItsEnvironmentSaysSo(String name, String env, long runMillis, int code, String reason) {
    RunningContainer running = start(env(env));
    if (runMillis > 0) {
      time.timePasses(Duration.ofMillis(runMillis - 1));
      assertFalse(running.exited().toCompletableFuture().isDone());
      time.timePasses(Duration.ofMillis(1));
    }
    ContainerExit exit = done(running.exited());
    assertEquals(code, exit.exitCode());
    assertEquals(reason, exit.reason());
    assertEquals(0, runtime.runningContainers());
  }

  @ParameterizedTest(name = "takes {0}s to stop, grace {1}s: exit {3} after {2}s")
  @CsvSource(textBlock = """
      5,  10, 5,  0
      30, 10, 10, 137
      """)
  void aSlowStopIsKilledAtTheEndOfItsGracePeriod(int stopSeconds, int grace, int after, int code) {
    RunningContainer running = start(Map.of(SimulatedProgram.STOP_SECONDS, Integer.toString(stopSeconds)));
    CompletionStage<ContainerExit> stopping = runtime.stopContainer(running, Duration.ofSeconds(grace));
    time.timePasses(Duration.ofSeconds(after).minusMillis(1));
    assertFalse(stopping.toCompletableFuture().isDone());
    time.timePasses(Duration.ofMillis(1));
    assertEquals(code, done(stopping).exitCode());
  }

  @Test
  void aStopCancelsTheContainersOwnExit() {
    RunningContainer running = start(env("TROUPE_SIMULATED_EXIT_CODE=1,TROUPE_SIMULATED_RUN_SECONDS=5"));
    assertEquals(0, done(runtime.stopContainer(running, Duration.ofSeconds(1))).exitCode());
    time.timePasses(Duration.ofSeconds(10));
    assertEquals(0, done(running.exited()).exitCode());
  }

  @ParameterizedTest(name = "image {0}")
  @CsvSource(textBlock = """
      missing
      missing-app:1.0
      registry.example.com/team/missing-app
      """)
  void imagesNamedMissingCannotBePulled(String image) {
    ContainerStartException e = failure(runtime.startContainer(pod,
        new ContainerSpec("app", image, List.of(), List.of(), null, Map.of(), 0), 0));
    assertEquals("ErrImagePull", e.reason());
    assertTrue(e.getMessage().contains(image), e.getMessage());
  }

  @Test
  void anInvalidSimulationValueIsACreateContainerError() {
    ContainerStartException e = failure(runtime.startContainer(pod,
        container("app", Map.of(SimulatedProgram.EXIT_CODE, "one")), 0));
    assertEquals("CreateContainerError", e.reason());
    assertEquals("simulated runtime: TROUPE_SIMULATED_EXIT_CODE=one is not an integer", e.getMessage());
  }

  @Test
  void execAnswersAtOnceWithTheProgramsExitCode() {
    RunningContainer healthy = start(Map.of());
    assertEquals(new ExecResult(0, "", false),
        done(runtime.exec(healthy, List.of("cat", "/tmp/healthy"), Duration.ofSeconds(1))));
    RunningContainer sick = start("sick", Map.of(SimulatedProgram.EXEC_EXIT_CODE, "1"));
    assertEquals(1, done(runtime.exec(sick, List.of("true"), Duration.ofSeconds(1))).exitCode());

    done(runtime.stopContainer(healthy, Duration.ZERO));
    CompletableFuture<ExecResult> afterStop =
        runtime.exec(healthy, List.of("true"), Duration.ofSeconds(1)).toCompletableFuture();
    assertTrue(afterStop.isCompletedExceptionally(), "no exec in a container that is not running");
  }

  @Test
  void removingTheSandboxKillsWhatIsLeftAndAStartThatWasUnderWayFails() {
    RunningContainer running = start(Map.of());
    CompletionStage<RunningContainer> starting = runtime.startContainer(pod, container("late", Map.of()), 0);
    done(runtime.removePodSandbox(pod.uid()));
    assertEquals(137, done(running.exited()).exitCode());
    time.timePasses(Duration.ofSeconds(1));
    assertEquals("CreateContainerError", failure(starting).reason());
    assertEquals(0, runtime.runningContainers());
  }

  @Test
  void nothingSurvivesARestartAndThereAreNoLogs() {
    RunningContainer running = start(Map.of());
    runtime.close();
    assertEquals(137, done(running.exited()).exitCode());
    assertEquals(List.of(), done(runtime.recover()));
    assertEquals(Optional.empty(), runtime.logFile(pod.uid(), "app", 0));
    assertEquals("simulated", runtime.name());
  }

  @Test
  void settingsComeFromTheConfiguration() {
    assertEquals(Duration.ofSeconds(1), SimulatedSettings.fromConfig(ConfigFactory.empty()).startDelay());
    assertEquals(Duration.ofMillis(250), SimulatedSettings.fromConfig(
        ConfigFactory.parseString("troupe.node.simulated.start-delay = 250ms")).startDelay());
  }

  @Test
  void tenThousandContainersAreCheap() {
    SimulatedRuntime instant = new SimulatedRuntime(new SimulatedSettings(Duration.ZERO),
        testKit.system().scheduler(), ExecutionContext.fromExecutor(Runnable::run), Clock.systemUTC());
    ContainerSpec spec = container("app", Map.of());
    for (int i = 0; i < 10_000; i++) {
      PodSandbox p = new PodSandbox("pod-" + i, "default", "p" + i, "127.1.0.5", "p" + i, Map.of());
      instant.runPodSandbox(p);
      assertTrue(instant.startContainer(p, spec, 0).toCompletableFuture().isDone());
    }
    assertEquals(10_000, instant.runningContainers());
    instant.close();
    assertEquals(0, instant.runningContainers());
  }

  private RunningContainer start(Map<String, String> env) {
    return start("app", env);
  }

  private RunningContainer start(String name, Map<String, String> env) {
    CompletionStage<RunningContainer> starting = runtime.startContainer(pod, container(name, env), 0);
    time.timePasses(SimulatedSettings.DEFAULT.startDelay());
    return done(starting);
  }

  private static ContainerSpec container(String name, Map<String, String> env) {
    return new ContainerSpec(name, "nginx:1.25", List.of(), List.of(), null, env, 0);
  }

  private static Map<String, String> env(String pairs) {
    java.util.Map<String, String> env = new java.util.HashMap<>();
    for (String pair : pairs.split(",")) {
      String[] kv = pair.split("=", 2);
      env.put(kv[0].trim(), kv[1].trim());
    }
    return env;
  }

  private static <T> T done(CompletionStage<T> stage) {
    CompletableFuture<T> f = stage.toCompletableFuture();
    assertTrue(f.isDone(), "completed");
    return f.join();
  }

  private static ContainerStartException failure(CompletionStage<?> stage) {
    CompletableFuture<?> f = stage.toCompletableFuture();
    assertTrue(f.isCompletedExceptionally(), "failed");
    try {
      f.join();
      throw new AssertionError("not failed");
    } catch (CompletionException e) {
      return assertInstanceOf(ContainerStartException.class, e.getCause());
    }
  }
}
