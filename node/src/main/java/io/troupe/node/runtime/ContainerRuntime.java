package io.troupe.node.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What the node agent asks of a container runtime, in the shape of Kubernetes' CRI: a pod sandbox (the
 * namespaces and cgroup a pod's containers share), containers started in it one attempt at a time, stopped
 * with a grace period, commands run inside them (exec probes), and the containers found again after a
 * restart of the agent. Every call returns at once; the work runs on the runtime's own threads, never on the
 * caller's (an actor's).
 *
 * <p>Runtimes: {@code process} (a container is a real OS process) and {@code simulated} (no processes).
 */
public interface ContainerRuntime extends AutoCloseable {

  /** The name configured to choose this runtime ({@code troupe.node.runtime}). */
  String name();

  /**
   * Prepares the pod's sandbox; idempotent (a sandbox that exists, for example adopted after a restart, is
   * kept).
   */
  CompletionStage<Void> runPodSandbox(PodSandbox pod);

  /**
   * Starts attempt {@code attempt} (0 for the first, the restart count after) of a container in its pod's
   * sandbox. Fails with {@link ContainerStartException} (reason {@code ErrImagePull},
   * {@code CreateContainerError}, ...) when the container cannot start.
   */
  CompletionStage<RunningContainer> startContainer(PodSandbox pod, ContainerSpec container, int attempt);

  /**
   * SIGTERM to the container's whole process group, then after {@code grace} SIGKILL; completes once every
   * process of the container is gone (its {@link RunningContainer#exited()} has completed).
   */
  CompletionStage<ContainerExit> stopContainer(RunningContainer container, Duration grace);

  /** Runs {@code command} inside a running container (its namespaces, environment, working directory). */
  CompletionStage<ExecResult> exec(RunningContainer container, List<String> command, Duration timeout);

  /**
   * Kills whatever is left of the pod's processes, removes its cgroup and its recorded state; its logs stay
   * until {@link #removePodLogs(String)}.
   */
  CompletionStage<Void> removePodSandbox(String podUid);

  /** Removes the pod's log files (after the pod object is gone). */
  CompletionStage<Void> removePodLogs(String podUid);

  /**
   * The containers this runtime started before the agent restarted, as recorded on disk: the live ones
   * adopted (their {@code exited()} completes when they end), the ones that ended meanwhile with their exit
   * already completed. Called once, at the agent's start.
   */
  CompletionStage<List<RunningContainer>> recover();

  /**
   * The log file of one attempt of a container: lines of {@code <RFC 3339 time> <text>}; empty when the
   * runtime keeps no logs for it.
   */
  java.util.Optional<Path> logFile(String podUid, String containerName, int attempt);

  @Override
  void close();
}
