package io.troupe.node.runtime.process;

import io.troupe.node.runtime.ExecResult;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A command run in a container ({@code exec}, exec probes): in its namespaces and cgroup, with its environment
 * and working directory, in a process group of its own. Its output goes to a file, read once it ends, so that no
 * thread waits on a pipe; a command still running at the timeout is killed with its whole group.
 */
final class ExecProcess {
  static final int MAX_OUTPUT = 10 * 1024;

  private ExecProcess() {}

  /** Blocking only to start the process; the result completes on the executor. */
  static CompletionStage<ExecResult> start(AttemptRecord container, List<String> command, Duration timeout,
      HostTools tools, Path outputDir, ScheduledExecutorService executor) throws IOException {
    Path output = outputDir.resolve("exec-" + UUID.randomUUID() + ".out");
    ProcessBuilder builder = new ProcessBuilder(ContainerWrapper.exec(tools, container, command))
        .directory(new File("/")).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().clear();
    builder.environment().putAll(container.env());
    Process process = builder.start();
    long pgid = process.pid(); // setsid made it its group's leader
    long startTime = ProcessTable.stat(pgid).map(ProcessTable.Stat::startTime).orElse(0L);
    AtomicBoolean timedOut = new AtomicBoolean();
    var timer = executor.schedule(() -> {
      if (process.isAlive()) {
        timedOut.set(true);
        ProcessTable.killGroup(pgid, startTime, container.sandboxInit());
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    return process.onExit().thenApplyAsync(p -> {
      timer.cancel(false);
      return finish(p, output, pgid, startTime, container.sandboxInit(), timedOut.get());
    }, executor);
  }

  private static ExecResult finish(Process process, Path output, long pgid, long startTime, long sandboxInit,
      boolean timedOut) {
    ProcessTable.killGroup(pgid, startTime, sandboxInit); // what the command left running (in the pod's namespace)
    String text;
    try (InputStream in = Files.newInputStream(output)) {
      byte[] bytes = in.readNBytes(MAX_OUTPUT);
      text = new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      text = "";
    }
    try {
      Files.deleteIfExists(output);
    } catch (IOException e) {
      // removed with the pod
    }
    return new ExecResult(process.exitValue(), text, timedOut);
  }
}
