package io.troupe.node.agent;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.ExecResult;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Several runtimes in one node agent, as a CRI runtime with several handlers: a pod runs in the runtime its
 * RuntimeClass's {@code handler} names ({@link PodSandbox#runtimeHandler()}), or in the node's default one. Each
 * later call about the pod goes to the runtime that has it; after a restart, each runtime recovers its own.
 */
final class RuntimeHandlers implements ContainerRuntime {
  private final ContainerRuntime main;
  private final Map<String, ContainerRuntime> byName = new java.util.LinkedHashMap<>();
  private final Map<String, ContainerRuntime> byPod = new ConcurrentHashMap<>();

  RuntimeHandlers(ContainerRuntime main, Map<String, ContainerRuntime> more) {
    this.main = main;
    byName.put(main.name(), main);
    byName.putAll(more);
  }

  List<ContainerRuntime> all() {
    return List.copyOf(byName.values());
  }

  /** The handlers this node has: its runtimes' names. */
  List<String> handlers() {
    return List.copyOf(byName.keySet());
  }

  @Override
  public String name() {
    return main.name();
  }

  private ContainerRuntime forPod(PodSandbox pod) {
    String handler = pod.runtimeHandler();
    ContainerRuntime runtime = handler == null || handler.isBlank() ? main : byName.get(handler);
    if (runtime == null) {
      throw new ContainerStartException("CreatePodSandboxError", "no runtime for \"" + handler
          + "\" is configured on this node (troupe.node.runtime-handlers: " + handlers() + ")");
    }
    ContainerRuntime had = byPod.putIfAbsent(pod.uid(), runtime);
    return had == null ? runtime : had;
  }

  private ContainerRuntime forPod(String podUid) {
    return byPod.getOrDefault(podUid, main);
  }

  @Override
  public CompletionStage<Void> runPodSandbox(PodSandbox pod) {
    try {
      return forPod(pod).runPodSandbox(pod);
    } catch (ContainerStartException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<RunningContainer> startContainer(PodSandbox pod, ContainerSpec container, int attempt) {
    try {
      return forPod(pod).startContainer(pod, container, attempt);
    } catch (ContainerStartException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<ContainerExit> stopContainer(RunningContainer container, Duration grace) {
    return forPod(container.podUid()).stopContainer(container, grace);
  }

  @Override
  public CompletionStage<ExecResult> exec(RunningContainer container, List<String> command, Duration timeout) {
    return forPod(container.podUid()).exec(container, command, timeout);
  }

  /** The runtime that has the pod, or every one (after a restart, before the pod ran again). */
  @Override
  public CompletionStage<Void> removePodSandbox(String podUid) {
    ContainerRuntime known = byPod.get(podUid);
    List<ContainerRuntime> targets = known != null ? List.of(known) : all();
    return CompletableFuture.allOf(targets.stream().map(r -> r.removePodSandbox(podUid).toCompletableFuture())
        .toArray(CompletableFuture[]::new)).thenRun(() -> byPod.remove(podUid));
  }

  @Override
  public CompletionStage<Void> removePodLogs(String podUid) {
    return CompletableFuture.allOf(all().stream().map(r -> r.removePodLogs(podUid).toCompletableFuture())
        .toArray(CompletableFuture[]::new));
  }

  @Override
  public CompletionStage<List<RunningContainer>> recover() {
    List<CompletableFuture<List<RunningContainer>>> each = new ArrayList<>();
    for (ContainerRuntime r : all()) {
      each.add(r.recover().toCompletableFuture().thenApply(found -> {
        found.forEach(c -> byPod.putIfAbsent(c.podUid(), r));
        return found;
      }));
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(done -> each.stream().flatMap(f -> f.join().stream()).toList());
  }

  @Override
  public Optional<Path> logFile(String podUid, String containerName, int attempt) {
    ContainerRuntime known = byPod.get(podUid);
    if (known != null) return known.logFile(podUid, containerName, attempt);
    return all().stream().map(r -> r.logFile(podUid, containerName, attempt)).flatMap(Optional::stream).findFirst();
  }

  @Override
  public void close() {
    all().forEach(ContainerRuntime::close);
  }
}
