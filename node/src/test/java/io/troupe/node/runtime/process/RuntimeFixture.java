package io.troupe.node.runtime.process;

import static org.junit.jupiter.api.Assertions.fail;

import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Runtimes on a temporary state dir, and whatever a test started, removed after it. */
final class RuntimeFixture {
  final Path stateDir;
  final Path imageDir;
  final String nodeName = "test-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<ProcessRuntime> runtimes = new ArrayList<>();
  private final List<String> pods = new ArrayList<>();

  RuntimeFixture(Path dir) throws IOException {
    this.stateDir = Files.createDirectories(dir.resolve("state"));
    this.imageDir = Files.createDirectories(dir.resolve("images"));
  }

  ProcessRuntimeSettings settings(ProcessRuntimeSettings.Namespaces namespaces) {
    return ProcessRuntimeSettings.of(stateDir, imageDir, nodeName).withNamespaces(namespaces);
  }

  ProcessRuntime runtime(ProcessRuntimeSettings settings) {
    ProcessRuntime runtime = new ProcessRuntime(settings);
    runtimes.add(runtime);
    return runtime;
  }

  ProcessRuntime runtime() {
    return runtime(settings(ProcessRuntimeSettings.Namespaces.OFF));
  }

  PodSandbox pod(String name) {
    return pod(name, null);
  }

  /** A pod whose resolv.conf says {@code dns} (null: the host's). */
  PodSandbox pod(String name, io.troupe.node.runtime.DnsConfig dns) {
    PodSandbox pod = new PodSandbox(UUID.randomUUID().toString(), "default", name, "127.0.0.1", name, Map.of(),
        List.of(), dns);
    pods.add(pod.uid());
    return pod;
  }

  static ContainerSpec spec(String name, String image, String... command) {
    return new ContainerSpec(name, image, List.of(command), List.of(), null, Map.of(), 0);
  }

  static ContainerSpec shell(String name, String script) {
    return spec(name, "host", "sh", "-c", script);
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return await(stage, Duration.ofSeconds(15));
  }

  static <T> T await(CompletionStage<T> stage, Duration timeout) throws Exception {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      throw new AssertionError("not done within " + timeout, e);
    }
  }

  static ContainerExit exit(RunningContainer container) throws Exception {
    return await(container.exited());
  }

  /** Waits for a condition, checking often, failing after the deadline. */
  static void eventually(Duration deadline, String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        fail("not within " + deadline + ": " + what);
      }
      Thread.sleep(10);
    }
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }

  Path log(ProcessRuntime runtime, RunningContainer c) {
    return runtime.logFile(c.podUid(), c.name(), c.attempt()).orElseThrow();
  }

  /** Waits until the container's log holds {@code text}; returns the log. */
  String awaitLog(ProcessRuntime runtime, RunningContainer c, String text) throws InterruptedException {
    eventually(Duration.ofSeconds(10), "log of " + c.name() + " holds \"" + text + "\"",
        () -> runtime.logFile(c.podUid(), c.name(), c.attempt()).map(RuntimeFixture::read).orElse("")
            .contains(text));
    return read(log(runtime, c));
  }

  static boolean gone(long pid) {
    return ProcessTable.stat(pid).map(ProcessTable.Stat::zombie).orElse(true);
  }

  /** Removes every pod a test made (killing what is left) and closes the runtimes. */
  void close() throws Exception {
    ProcessRuntime cleaner = new ProcessRuntime(settings(ProcessRuntimeSettings.Namespaces.OFF));
    try {
      for (String uid : pods) {
        await(cleaner.removePodSandbox(uid), Duration.ofSeconds(20));
      }
    } finally {
      cleaner.close();
      runtimes.forEach(ProcessRuntime::close);
    }
  }
}
