package io.troupe.node.runtime.process;

import io.troupe.node.runtime.RecordFiles;
import io.troupe.node.network.BridgeNetwork;
import io.troupe.node.network.PodNetworkSettings;
import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ExecResult;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code process} runtime: a container is a process group of the host, led by a small shell wrapper
 * ({@link ContainerWrapper}), optionally in its pod's Linux namespaces and in a memory cgroup; its output goes
 * to a log file, its exit status to a file, so that it outlives the agent and is adopted after a restart.
 *
 * <p>Every call returns at once: the work runs on the runtime's own small pool of threads, which also polls
 * the adopted containers for their end (the JDK would spend a thread per process on
 * {@code ProcessHandle.onExit()} for processes it did not start) and rotates logs. A failed call completes
 * its stage exceptionally ({@code join()} wraps the {@link io.troupe.node.runtime.ContainerStartException} in a
 * {@code CompletionException}).
 *
 * <p>A container's attempt ends with its main process: what it left running is killed then, as runc does.
 * The runtime keeps the current and the previous attempt of each container (the previous one for
 * {@code kubectl logs --previous}); {@link #recover()} returns both.
 *
 * <p>In bridge mode ({@code troupe.net.mode = bridge}) each pod with namespaces also gets a network namespace on
 * the node's bridge ({@link BridgeNetwork}); its containers, execs and exec probes join it.
 */
public final class ProcessRuntime implements ContainerRuntime {
  public static final String NAME = "process";
  private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);
  private static final long EXIT_POLL_MILLIS = 200;
  private static final Duration REMOVE_DEADLINE = Duration.ofSeconds(10);

  /** What the host offers, found once on the runtime's threads. */
  private record Host(HostTools tools, boolean namespaces, MemoryCgroups cgroups, PodSandboxes sandboxes,
      ContainerStarter starter) {}

  private final ProcessRuntimeSettings settings;
  private final PodNetworkSettings network;
  private final StateLayout layout;
  private final ScheduledThreadPoolExecutor executor;
  private final CompletableFuture<Host> host;
  private final Map<String, ContainerProcess> containers = new ConcurrentHashMap<>();

  /** A runtime whose pods share the host's network namespace (the loopback mode). */
  public ProcessRuntime(ProcessRuntimeSettings settings) {
    this(settings, null);
  }

  /**
   * @param network how pods reach the network; null for the loopback mode. In bridge mode, a host where it cannot
   *     run (not root, no {@code ip} or {@code nft}, no namespaces) fails every call with the reason.
   */
  public ProcessRuntime(ProcessRuntimeSettings settings, PodNetworkSettings network) {
    this.settings = settings;
    this.network = network;
    this.layout = new StateLayout(settings.stateDir());
    AtomicInteger threads = new AtomicInteger();
    this.executor = new ScheduledThreadPoolExecutor(4, r -> {
      Thread t = new Thread(r, "troupe-process-runtime-" + settings.nodeName() + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    this.host = CompletableFuture.supplyAsync(this::probe, executor);
    executor.scheduleWithFixedDelay(this::checkExits, EXIT_POLL_MILLIS, EXIT_POLL_MILLIS, TimeUnit.MILLISECONDS);
    long rotation = settings.logMonitorInterval().toMillis();
    executor.scheduleWithFixedDelay(this::rotateLogs, rotation, rotation, TimeUnit.MILLISECONDS);
  }

  private Host probe() {
    HostTools tools = HostTools.probe();
    boolean namespaces = switch (settings.namespaces()) {
      case ON -> true;
      case OFF -> false;
      case AUTO -> tools.namespacesWork();
    };
    MemoryCgroups cgroups = MemoryCgroups.detect(settings.nodeName());
    if (cgroups instanceof MemoryCgroups.Unavailable u) {
      log.info("memory limits are not enforced on this node: {}", u.why());
    }
    BridgeNetwork bridge = null;
    if (network != null && network.bridge()) {
      if (!namespaces) {
        throw new IllegalStateException("troupe.net.mode = bridge needs pods in their own namespaces, and "
            + (settings.namespaces() == ProcessRuntimeSettings.Namespaces.OFF
            ? "troupe.node.process.namespaces is off" : "this host cannot make them (root and unshare)"));
      }
      bridge = BridgeNetwork.start(network);
    }
    PodSandboxes sandboxes = new PodSandboxes(layout, tools, bridge);
    sandboxes.removeDeadNetworks();
    Images images = new Images(settings.imageDir(), layout.images(), tools, RecordFiles.JSON);
    return new Host(tools, namespaces, cgroups, sandboxes,
        new ContainerStarter(layout, tools, cgroups, sandboxes, images, namespaces, executor));
  }

  /** Whether the pods of this runtime get their own namespaces (known once the host is probed). */
  public CompletionStage<Boolean> namespaces() {
    return host.thenApply(Host::namespaces);
  }

  /** Whether a memory limit can be enforced on this host. */
  public CompletionStage<Boolean> memoryLimitsEnforced() {
    return host.thenApply(h -> h.cgroups().node().isPresent());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CompletionStage<Void> runPodSandbox(PodSandbox pod) {
    return onHost(h -> {
      RecordFiles.requireSafeName("pod uid", pod.uid());
      h.sandboxes().ensure(pod, h.namespaces());
      return null;
    });
  }

  @Override
  public CompletionStage<RunningContainer> startContainer(PodSandbox pod, ContainerSpec container, int attempt) {
    return onHost(h -> {
      String key = AttemptRecord.key(pod.uid(), container.name(), attempt);
      ContainerProcess existing = containers.get(key);
      if (existing != null && !existing.ended()) {
        return existing.view(); // started already (a retried call)
      }
      ContainerProcess started = h.starter().start(pod, container, attempt);
      containers.keySet().removeIf(k -> k.startsWith(pod.uid() + "/" + container.name() + "/")
          && attemptOf(k) < attempt - 1);
      containers.put(key, started);
      return started.view();
    });
  }

  @Override
  public CompletionStage<ContainerExit> stopContainer(RunningContainer container, Duration grace) {
    ContainerProcess process = containers.get(AttemptRecord.key(container.podUid(), container.name(),
        container.attempt()));
    if (process == null) {
      return container.exited().toCompletableFuture().isDone() ? container.exited()
          : CompletableFuture.failedFuture(new IllegalArgumentException("unknown container " + container.podUid()
              + "/" + container.name() + " attempt " + container.attempt()));
    }
    return onHost(h -> process.stop(grace)).thenCompose(Function.identity());
  }

  @Override
  public CompletionStage<ExecResult> exec(RunningContainer container, List<String> command, Duration timeout) {
    ContainerProcess process = containers.get(AttemptRecord.key(container.podUid(), container.name(),
        container.attempt()));
    return onHost(h -> {
      if (process == null || process.ended() || !process.running()) {
        throw new IllegalStateException("container " + container.name() + " of pod " + container.podUid()
            + " is not running");
      }
      try {
        return ExecProcess.start(process.record(), command, timeout, h.tools(),
            layout.container(container.podUid(), container.name()), executor);
      } catch (IOException e) {
        throw new IllegalStateException("cannot exec in " + container.name() + ": " + e, e);
      }
    }).thenCompose(Function.identity());
  }

  @Override
  public CompletionStage<Void> removePodSandbox(String podUid) {
    return onHost(h -> {
      RecordFiles.requireSafeName("pod uid", podUid);
      List<ContainerProcess> pods = new ArrayList<>(load(h, podUid));
      pods.forEach(ContainerProcess::kill);
      h.sandboxes().kill(podUid);
      h.cgroups().processes(podUid, null).forEach(ProcessTable::kill);
      return CompletableFuture.allOf(pods.stream().map(p -> p.exited().toCompletableFuture()
          .exceptionally(e -> null)).toArray(CompletableFuture[]::new));
    }).thenCompose(Function.identity()).thenRunAsync(() -> {
      Host h = host.join();
      boolean gone = Await.until(REMOVE_DEADLINE, () -> {
        h.cgroups().processes(podUid, null).forEach(ProcessTable::kill);
        return h.cgroups().processes(podUid, null).isEmpty() && h.sandboxes().pauseGone(podUid);
      });
      if (!gone) {
        log.warn("processes of pod {} are still there after {}", podUid, REMOVE_DEADLINE);
      }
      h.cgroups().remove(podUid);
      h.sandboxes().removeNetwork(podUid);
      containers.keySet().removeIf(k -> k.startsWith(podUid + "/"));
      h.sandboxes().forget(podUid);
      deleteState(podUid);
    }, executor);
  }

  @Override
  public CompletionStage<Void> removePodLogs(String podUid) {
    return onHost(h -> {
      RecordFiles.requireSafeName("pod uid", podUid);
      Path pod = layout.pod(podUid);
      if (Files.isDirectory(pod)) {
        try (var files = Files.walk(pod)) {
          for (Path file : files.filter(f -> f.getFileName().toString().matches("\\d+\\.log(\\.\\d+)?")).toList()) {
            Files.deleteIfExists(file);
          }
        }
        if (!Files.exists(layout.sandbox(podUid))) {
          Images.deleteTree(pod);
        }
      }
      return null;
    });
  }

  @Override
  public CompletionStage<List<RunningContainer>> recover() {
    return onHost(h -> {
      List<ContainerProcess> found = new ArrayList<>();
      if (Files.isDirectory(layout.pods())) {
        try (DirectoryStream<Path> pods = Files.newDirectoryStream(layout.pods())) {
          for (Path pod : pods) {
            found.addAll(load(h, pod.getFileName().toString()));
          }
        }
      }
      return found;
    }).thenCompose(found -> CompletableFuture.allOf(found.stream().filter(p -> !p.running())
        .map(p -> p.exited().toCompletableFuture()).toArray(CompletableFuture[]::new))
        .thenApply(done -> found.stream().map(ContainerProcess::view).toList()));
  }

  @Override
  public Optional<Path> logFile(String podUid, String containerName, int attempt) {
    if (!RecordFiles.safeName(podUid) || !RecordFiles.safeName(containerName)) {
      return Optional.empty();
    }
    Path file = layout.attempt(podUid, containerName, attempt, ".log");
    return Files.exists(file) ? Optional.of(file) : Optional.empty();
  }

  /** Stops the runtime's threads; the containers run on, to be adopted by the next runtime. */
  @Override
  public void close() {
    executor.shutdownNow();
    host.thenAccept(h -> h.cgroups().removeNodeIfEmpty());
  }

  /**
   * The attempts of a pod, those known and those recorded on disk (adopted when they run, ended otherwise).
   */
  private List<ContainerProcess> load(Host h, String podUid) throws IOException {
    h.sandboxes().find(podUid);
    List<ContainerProcess> found = new ArrayList<>();
    Path pod = layout.pod(podUid);
    if (!Files.isDirectory(pod)) {
      return found;
    }
    try (var files = Files.walk(pod, 2)) {
      for (Path file : files.filter(f -> f.getFileName().toString().matches("\\d+\\.json")).sorted().toList()) {
        Optional<AttemptRecord> record = RecordFiles.read(file, AttemptRecord.class);
        if (record.isEmpty()) {
          continue;
        }
        ContainerProcess process = containers.computeIfAbsent(record.get().key(),
            k -> adopt(h, record.get()));
        found.add(process);
      }
    }
    return found;
  }

  private ContainerProcess adopt(Host h, AttemptRecord record) {
    ContainerProcess process = new ContainerProcess(record, layout, h.cgroups(), h.tools(), executor);
    if (record.pid() == 0) {
      killStarting(record); // the agent died while starting it: its record has no pid
    }
    if (!process.running()) {
      process.diedWhileAgentWasDown();
      executor.execute(process::check);
    }
    return process;
  }

  private void killStarting(AttemptRecord record) {
    for (long wrapper : ProcessTable.withArgument(layout.exit(record).toString())) {
      ProcessTable.stat(wrapper).ifPresent(s -> ProcessTable.killGroup(s.pgrp(),
          ProcessTable.startTime(s.pgrp()).orElse(s.startTime())));
      ProcessTable.kill(wrapper);
    }
  }

  private void deleteState(String podUid) {
    Path pod = layout.pod(podUid);
    if (!Files.isDirectory(pod)) {
      return;
    }
    try (var files = Files.walk(pod)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (!file.getFileName().toString().matches("\\d+\\.log(\\.\\d+)?")) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      log.warn("cannot remove the state of pod {}: {}", podUid, e.toString());
    }
  }

  /** A periodic task: an exception would cancel its next runs. */
  private void checkExits() {
    for (ContainerProcess process : containers.values()) {
      try {
        if (!process.ended()) {
          process.check();
        }
      } catch (RuntimeException e) {
        log.warn("cannot check whether {} still runs: {}", process.record().key(), e.toString());
      }
    }
  }

  private void rotateLogs() {
    for (ContainerProcess process : containers.values()) {
      if (!process.ended()) {
        try {
          LogRotation.rotateIfLarger(layout.log(process.record()), settings.logMaxBytes(), settings.logMaxFiles());
        } catch (IOException | RuntimeException e) {
          log.warn("cannot rotate the log of {}: {}", process.record().key(), e.toString());
        }
      }
    }
  }

  private static int attemptOf(String key) {
    return Integer.parseInt(key.substring(key.lastIndexOf('/') + 1));
  }

  /** Work that may block, on the runtime's threads once the host is known; its exceptions fail the stage. */
  private <T> CompletionStage<T> onHost(ThrowingFunction<Host, T> work) {
    return host.thenApplyAsync(h -> {
      try {
        return work.apply(h);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, executor);
  }

  @FunctionalInterface
  private interface ThrowingFunction<A, B> {
    B apply(A a) throws Exception;
  }
}
