package io.troupe.node.runtime.process;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.RunningContainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of a container, started here or adopted after a restart: watches its wrapper, stops its process
 * group, and once the wrapper is gone kills what is left (of its group and its cgroup) and reads its exit.
 */
final class ContainerProcess {
  private static final Logger log = LoggerFactory.getLogger(ContainerProcess.class);
  private static final Duration LEFTOVERS_DEADLINE = Duration.ofSeconds(5);

  private final AttemptRecord record;
  private final StateLayout layout;
  private final MemoryCgroups cgroups;
  private final HostTools tools;
  private final ScheduledExecutorService executor;
  private final CompletableFuture<ContainerExit> exited = new CompletableFuture<>();
  private final AtomicBoolean ending = new AtomicBoolean();
  private volatile boolean stopping;
  private volatile String deadMessage = "the container's processes were killed before it recorded its exit status";

  ContainerProcess(AttemptRecord record, StateLayout layout, MemoryCgroups cgroups, HostTools tools,
      ScheduledExecutorService executor) {
    this.record = record;
    this.layout = layout;
    this.cgroups = cgroups;
    this.tools = tools;
    this.executor = executor;
  }

  AttemptRecord record() {
    return record;
  }

  RunningContainer view() {
    return record.view(exited);
  }

  CompletionStage<ContainerExit> exited() {
    return exited;
  }

  boolean ended() {
    return exited.isDone();
  }

  boolean running() {
    return record.pid() > 0 && ProcessTable.alive(record.pid(), record.startTime());
  }

  /** For an attempt found dead by {@link ProcessRuntime#recover()}: why it has no exit status. */
  void diedWhileAgentWasDown() {
    deadMessage = "killed while the node agent was down";
  }

  /** Called on the executor when the wrapper may have ended (its parent's exit, the periodic poll). */
  void check() {
    if (!exited.isDone() && !running()) {
      end();
    }
  }

  /** SIGTERM to the group, SIGKILL after {@code grace}; completes with the exit. */
  CompletionStage<ContainerExit> stop(Duration grace) {
    if (exited.isDone()) {
      return exited;
    }
    stopping = true;
    signalGroup("TERM");
    executor.schedule(this::kill, Math.max(0, grace.toMillis()), TimeUnit.MILLISECONDS);
    return exited;
  }

  /** SIGKILL to everything of this attempt (its group while the wrapper runs, and its cgroup). */
  void kill() {
    if (exited.isDone()) {
      return;
    }
    stopping = true;
    signalGroup("KILL");
    killCgroup();
    for (long delay : new long[] {10, 50, 200}) {
      executor.schedule(this::check, delay, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * {@code kill -s SIG -- -pgid} reaches the whole group at once, forks included; it is sent only while the
   * wrapper runs, which keeps the group's number from naming another group.
   */
  private void signalGroup(String signal) {
    if (!running() || record.pgid() <= 1) {
      return;
    }
    try {
      Process p = new ProcessBuilder(HostTools.require(tools.kill(), "kill").toString(), "-s", signal, "--",
          "-" + record.pgid()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      log.warn("cannot signal the process group of {}: {}", record.key(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private int killCgroup() {
    List<Long> pids = cgroups.processes(record.podUid(), record.container());
    pids.forEach(ProcessTable::kill);
    return pids.size();
  }

  /** The wrapper is gone: what is left of the attempt goes, then the exit is read. */
  private void end() {
    if (!ending.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + LEFTOVERS_DEADLINE.toNanos();
    endStep(deadline);
  }

  private void endStep(long deadline) {
    try {
      int left = killLeftovers();
      if (left > 0 && System.nanoTime() < deadline) {
        executor.schedule(() -> endStep(deadline), 10, TimeUnit.MILLISECONDS);
        return;
      }
      if (left > 0) {
        log.warn("{} process(es) of {} would not die", left, record.key());
      }
      ContainerExit exit = readExit();
      try {
        Files.deleteIfExists(layout.fifo(record));
      } catch (IOException e) {
        // removed with the pod
      }
      exited.complete(exit);
    } catch (RuntimeException e) {
      exited.completeExceptionally(e);
    }
  }

  /** Kills the processes left in the attempt's group (in the pod's namespaces when it has them) and its cgroup. */
  private int killLeftovers() {
    return killCgroup() + ProcessTable.killGroup(record.pgid(), record.groupStartTime(), record.sandboxInit());
  }

  private ContainerExit readExit() {
    Path file = layout.exit(record);
    Optional<Integer> code = Optional.empty();
    Instant finishedAt = Instant.now();
    try {
      code = Optional.of(Integer.parseInt(Files.readString(file).trim()));
      finishedAt = Files.getLastModifiedTime(file).toInstant();
    } catch (IOException | NumberFormatException e) {
      // killed before it wrote its status: SIGKILL
    }
    int exitCode = code.orElse(137);
    if (cgroups.oomKills(record.podUid(), record.container()) > record.oomKillsBefore()) {
      return new ContainerExit(exitCode, "OOMKilled", finishedAt,
          "the container reached its memory limit of " + record.memoryLimitBytes() + " bytes");
    }
    String message = null;
    if (code.isEmpty() && !stopping) {
      message = deadMessage;
    } else if (exitCode == 128) {
      message = wrapperErrors().orElse("the container could not start; its log says why");
    }
    return new ContainerExit(exitCode, exitCode == 0 ? "Completed" : "Error", finishedAt, message);
  }

  private Optional<String> wrapperErrors() {
    try {
      String text = Files.readString(layout.errors(record), StandardCharsets.UTF_8).trim();
      return text.isEmpty() ? Optional.empty() : Optional.of(text.length() > 1024 ? text.substring(0, 1024) : text);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
