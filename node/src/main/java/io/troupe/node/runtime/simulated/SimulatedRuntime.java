package io.troupe.node.runtime.simulated;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.ExecResult;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContextExecutor;

/**
 * A container runtime without processes, like kwok: sandboxes exist at once, a container "starts" after
 * {@code troupe.node.simulated.start-delay} and runs until it is stopped, unless its environment asks it to
 * exit ({@link SimulatedProgram}). Every image exists except those whose name (or last path segment) starts
 * with {@code missing}: starting one fails with {@code ErrImagePull}. Exec returns the program's exec exit
 * code (0) at once; there are no logs; nothing survives a restart ({@link #recover()} is empty).
 *
 * <p>Cheap enough for thousands of simulated nodes in one JVM: no thread of its own (timers on the given
 * scheduler, only for containers that start late or exit by themselves), and per running container a small
 * record and the future of its exit.
 */
public final class SimulatedRuntime implements ContainerRuntime {
  public static final String NAME = "simulated";

  private final SimulatedSettings settings;
  private final Scheduler scheduler;
  private final ExecutionContextExecutor executor;
  private final Clock clock;
  private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();

  public SimulatedRuntime(SimulatedSettings settings, Scheduler scheduler, ExecutionContextExecutor executor,
      Clock clock) {
    this.settings = settings;
    this.scheduler = scheduler;
    this.executor = executor;
    this.clock = clock;
  }

  /** A runtime on the system's scheduler and dispatcher, configured from {@code troupe.node.simulated}. */
  public static SimulatedRuntime create(ActorSystem<?> system) {
    return new SimulatedRuntime(SimulatedSettings.fromConfig(system.settings().config()), system.scheduler(),
        system.executionContext(), Clock.systemUTC());
  }

  @Override
  public String name() {
    return NAME;
  }

  /** How many containers run now, across all pods (for tests and scale runs). */
  public int runningContainers() {
    int n = 0;
    for (Sandbox s : sandboxes.values()) n += s.size();
    return n;
  }

  @Override
  public CompletionStage<Void> runPodSandbox(PodSandbox pod) {
    sandboxes.computeIfAbsent(pod.uid(), uid -> new Sandbox());
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<RunningContainer> startContainer(PodSandbox pod, ContainerSpec container, int attempt) {
    if (imageIsMissing(container.image())) {
      return CompletableFuture.failedFuture(new ContainerStartException("ErrImagePull",
          "failed to pull image \"" + container.image() + "\": not found (the simulated runtime has every image "
              + "except those named missing*)"));
    }
    SimulatedProgram program;
    try {
      program = SimulatedProgram.of(container);
    } catch (ContainerStartException e) {
      return CompletableFuture.failedFuture(e);
    }
    Sandbox sandbox = sandboxes.computeIfAbsent(pod.uid(), uid -> new Sandbox());
    Duration delay = settings.startDelay();
    if (delay.isZero()) return launch(pod.uid(), sandbox, container.name(), attempt, program);
    CompletableFuture<RunningContainer> started = new CompletableFuture<>();
    scheduler.scheduleOnce(delay, () -> launch(pod.uid(), sandbox, container.name(), attempt, program)
        .whenComplete((running, error) -> {
          if (error != null) started.completeExceptionally(error);
          else started.complete(running);
        }), executor);
    return started;
  }

  private CompletableFuture<RunningContainer> launch(String podUid, Sandbox sandbox, String name, int attempt,
      SimulatedProgram program) {
    CompletableFuture<ContainerExit> exit = new CompletableFuture<>();
    RunningContainer running = new RunningContainer(podUid, name, attempt, 0, clock.instant(), false, exit);
    if (program.exitsByItself() && program.runMillis() == 0) {
      if (sandbox.removed()) return removedWhileStarting(podUid);
      exit.complete(ContainerExit.of(program.exitCode(), clock.instant()));
      return CompletableFuture.completedFuture(running);
    }
    Cancellable timer = program.exitsByItself()
        ? scheduler.scheduleOnce(Duration.ofMillis(program.runMillis()),
            () -> exit.complete(ContainerExit.of(program.exitCode(), clock.instant())), executor)
        : null;
    String key = name + '#' + attempt;
    if (!sandbox.put(key, new Live(program, exit, timer))) {
      if (timer != null) timer.cancel();
      return removedWhileStarting(podUid);
    }
    exit.whenComplete((e, error) -> sandbox.remove(key));
    return CompletableFuture.completedFuture(running);
  }

  private static CompletableFuture<RunningContainer> removedWhileStarting(String podUid) {
    return CompletableFuture.failedFuture(new ContainerStartException("CreateContainerError",
        "the pod sandbox " + podUid + " was removed while the container started"));
  }

  /**
   * A graceful stop takes the program's stop time and exits 0; a grace period of zero, or shorter than the
   * stop time, kills it (137) at its end.
   */
  @Override
  public CompletionStage<ContainerExit> stopContainer(RunningContainer container, Duration grace) {
    Live live = find(container);
    if (live == null || live.exit.isDone()) return container.exited();
    if (live.timer != null) live.timer.cancel();
    long stopMillis = live.program.stopMillis();
    boolean killed = grace.isZero() || grace.isNegative() || stopMillis > grace.toMillis();
    long after = killed ? Math.max(0, grace.toMillis()) : stopMillis;
    int code = killed ? 137 : 0;
    if (after == 0) {
      live.exit.complete(ContainerExit.of(code, clock.instant()));
    } else {
      scheduler.scheduleOnce(Duration.ofMillis(after),
          () -> live.exit.complete(ContainerExit.of(code, clock.instant())), executor);
    }
    return live.exit;
  }

  @Override
  public CompletionStage<ExecResult> exec(RunningContainer container, List<String> command, Duration timeout) {
    Live live = find(container);
    if (live == null || live.exit.isDone()) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "container " + container.name() + " of pod " + container.podUid() + " is not running"));
    }
    return CompletableFuture.completedFuture(new ExecResult(live.program.execExitCode(), "", false));
  }

  @Override
  public CompletionStage<Void> removePodSandbox(String podUid) {
    Sandbox sandbox = sandboxes.remove(podUid);
    if (sandbox != null) sandbox.killAll(clock);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> removePodLogs(String podUid) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<List<RunningContainer>> recover() {
    return CompletableFuture.completedFuture(List.of());
  }

  @Override
  public Optional<Path> logFile(String podUid, String containerName, int attempt) {
    return Optional.empty();
  }

  /** Kills every simulated container (their exits complete with 137): nothing survives the runtime. */
  @Override
  public void close() {
    for (String uid : new ArrayList<>(sandboxes.keySet())) removePodSandbox(uid);
  }

  private Live find(RunningContainer container) {
    Sandbox sandbox = sandboxes.get(container.podUid());
    return sandbox == null ? null : sandbox.get(container.name() + '#' + container.attempt());
  }

  static boolean imageIsMissing(String image) {
    if (image == null) return false;
    String lastSegment = image.substring(image.lastIndexOf('/') + 1);
    return image.startsWith("missing") || lastSegment.startsWith("missing");
  }

  /** A running simulated container: what it does, its exit, and the timer of its own exit if it has one. */
  private record Live(SimulatedProgram program, CompletableFuture<ContainerExit> exit, Cancellable timer) {}

  /** The running containers of one pod, by name and attempt (usually one or two); none once removed. */
  private static final class Sandbox {
    private final Map<String, Live> containers = new HashMap<>(4);
    private boolean removed;

    /** Adds a container; false when the sandbox was removed. */
    synchronized boolean put(String key, Live live) {
      if (!removed) containers.put(key, live);
      return !removed;
    }

    synchronized boolean removed() {
      return removed;
    }

    synchronized Live get(String key) {
      return containers.get(key);
    }

    synchronized void remove(String key) {
      containers.remove(key);
    }

    synchronized int size() {
      return containers.size();
    }

    void killAll(Clock clock) {
      List<Live> all;
      synchronized (this) {
        removed = true;
        all = new ArrayList<>(containers.values());
      }
      for (Live live : all) {
        if (live.timer != null) live.timer.cancel();
        live.exit.complete(ContainerExit.of(137, clock.instant()));
      }
    }
  }
}
