package io.troupe.node.runtime.oci;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.RunningContainer;
import io.troupe.node.runtime.process.HostTools;
import io.troupe.node.runtime.process.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One attempt of a container, started here or adopted after a restart: watches its shim, stops the container
 * through runc ({@code kill TERM}, then {@code kill --all KILL}), and once the shim is gone reads the exit, tells
 * an OOM kill apart, and removes what is left (runc's state, the root filesystem).
 */
final class OciContainer {
  private final OciAttempt record;
  private final OciLayout layout;
  private final Runc runc;
  private final OciCgroups cgroups;
  private final HostTools tools;
  private final ScheduledExecutorService executor;
  private final CompletableFuture<ContainerExit> exited = new CompletableFuture<>();
  private final AtomicBoolean ending = new AtomicBoolean();
  private volatile boolean stopping;
  private volatile String deadMessage = "the container's shim was killed before it recorded the exit status";

  OciContainer(OciAttempt record, OciLayout layout, Runc runc, OciCgroups cgroups, HostTools tools,
      ScheduledExecutorService executor) {
    this.record = record;
    this.layout = layout;
    this.runc = runc;
    this.cgroups = cgroups;
    this.tools = tools;
    this.executor = executor;
  }

  OciAttempt record() {
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
    return record.shimPid() > 0 && ProcessTable.alive(record.shimPid(), record.shimStartTime());
  }

  void diedWhileAgentWasDown() {
    deadMessage = "killed while the node agent was down";
  }

  /** On the executor, when the shim may have ended. */
  void check() {
    if (!exited.isDone() && !running()) end();
  }

  /** SIGTERM to the container's init, SIGKILL to all its processes after {@code grace}. */
  CompletionStage<ContainerExit> stop(Duration grace) {
    if (exited.isDone()) return exited;
    stopping = true;
    runc.kill(record.runcId(), "TERM", false);
    executor.schedule(this::kill, Math.max(0, grace.toMillis()), TimeUnit.MILLISECONDS);
    return exited;
  }

  void kill() {
    if (exited.isDone()) return;
    stopping = true;
    runc.kill(record.runcId(), "KILL", true);
    for (long delay : new long[] {10, 50, 200, 1000}) executor.schedule(this::check, delay, TimeUnit.MILLISECONDS);
  }

  private void end() {
    if (!ending.compareAndSet(false, true)) return;
    try {
      Optional<Integer> code = readCode();
      if (code.isEmpty() && runc.exists(record.runcId())) {
        runc.kill(record.runcId(), "KILL", true); // the shim is gone but its container is not: it ends with it
      }
      runc.delete(record.runcId());
      RootFilesystem.remove(tools, layout.bundle(record));
      try {
        Files.deleteIfExists(layout.fifo(record));
      } catch (IOException e) {
        // removed with the pod
      }
      exited.complete(exit(code));
    } catch (RuntimeException e) {
      exited.completeExceptionally(e);
    }
  }

  private Optional<Integer> readCode() {
    try {
      return Optional.of(Integer.parseInt(Files.readString(layout.exit(record)).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private ContainerExit exit(Optional<Integer> code) {
    Path file = layout.exit(record);
    Instant finishedAt = Instant.now();
    try {
      finishedAt = Files.getLastModifiedTime(file).toInstant();
    } catch (IOException e) {
      // no status: now
    }
    int exitCode = code.orElse(137);
    if (record.memoryLimitBytes() > 0 && !stopping
        && cgroups.oomKilled(record.podUid(), record.container(), record.memoryEventsBefore(), exitCode)) {
      return new ContainerExit(exitCode, "OOMKilled", finishedAt,
          "the container reached its memory limit of " + record.memoryLimitBytes() + " bytes");
    }
    String message = code.isEmpty() && !stopping ? deadMessage
        : exitCode == 128 ? "the shim could not start runc" : null;
    return new ContainerExit(exitCode, exitCode == 0 ? "Completed" : "Error", finishedAt, message);
  }
}
