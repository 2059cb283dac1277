package io.troupe.node.probe;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ExecResult;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A test fixture: a runtime whose only ability is exec, as a host process. */
final class ProcessExecRuntime implements ContainerRuntime {
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @Override
  public String name() {
    return "test-exec";
  }

  @Override
  public CompletionStage<ExecResult> exec(RunningContainer container, List<String> command, Duration timeout) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          return new ExecResult(-1, "", true);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new ExecResult(process.exitValue(), output, false);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }, threads);
  }

  @Override
  public CompletionStage<Void> runPodSandbox(PodSandbox pod) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletionStage<RunningContainer> startContainer(PodSandbox pod, ContainerSpec container, int attempt) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletionStage<ContainerExit> stopContainer(RunningContainer container, Duration grace) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletionStage<Void> removePodSandbox(String podUid) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletionStage<Void> removePodLogs(String podUid) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletionStage<List<RunningContainer>> recover() {
    return CompletableFuture.completedFuture(List.of());
  }

  @Override
  public Optional<Path> logFile(String podUid, String containerName, int attempt) {
    return Optional.empty();
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
