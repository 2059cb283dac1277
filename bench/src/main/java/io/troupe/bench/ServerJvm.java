package io.troupe.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code troupe server} in a JVM of its own (as users run it), on this JVM's classpath, with the API on a port the
 * OS picks (read back from its "listening" line) and quiet logs in {@code server.log} of its data directory.
 */
public final class ServerJvm implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("Troupe API listening on (http://\\S+)");

  private final Process process;
  private final URI url;

  private ServerJvm(Process process, URI url) {
    this.process = process;
    this.url = url;
  }

  public static ServerJvm start(Path dataDir, List<String> jvmOptions, Duration deadline) throws Exception {
    return start(dataDir, jvmOptions, List.of(), deadline);
  }

  /** With more {@code troupe server} arguments (say {@code --config FILE}); the log is appended to on a restart. */
  public static ServerJvm start(Path dataDir, List<String> jvmOptions, List<String> serverArgs, Duration deadline)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // as ./troupe starts the server (the heap figures are those of the launcher's options); jvmOptions may override
    command.add("-XX:+UseStringDeduplication");
    command.addAll(jvmOptions);
    // the benchmarks measure the server, not a client's rate limit
    command.add("-Dtroupe.api.limits.enabled=false");
    // the benchmarks measure the store and the API as they always have, over plain HTTP (set explicitly: TLS is
    // the server's default)
    command.add("-Dtroupe.api.tls.enabled=false");
    // and without credentials: every request allowed, as before authorization (a benchmark sends none)
    command.add("-Dtroupe.api.authorization.mode=AlwaysAllow");
    command.addAll(List.of("-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"),
        "io.troupe.cli.Troupe", "server", "--data-dir", dataDir.toString(), "--api-address", "127.0.0.1:0"));
    command.addAll(serverArgs);
    Path log = dataDir.resolve("server.log");
    Files.createDirectories(dataDir);
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("TROUPE_LOG_LEVEL", "WARN");
    Process process = builder.start();
    CompletableFuture<URI> listening = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) listening.complete(URI.create(m.group(1)));
        }
      } catch (IOException e) {
        listening.completeExceptionally(e);
      }
      listening.completeExceptionally(new IllegalStateException("the server exited; see " + log));
    }, "server-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      return new ServerJvm(process, listening.get(deadline.toMillis(), TimeUnit.MILLISECONDS));
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("the server did not start within " + deadline + "; see " + log, e);
    }
  }

  public URI url() {
    return url;
  }

  /** The server's process id: for {@code jcmd} and {@code /proc/<pid>/status} (the scale harness's memory). */
  public long pid() {
    return process.pid();
  }

  /**
   * The CPU time the server has spent (user + system, all its threads, from {@code /proc/<pid>/stat}) in clock ticks
   * of 10 ms (Linux's USER_HZ), or -1 where /proc cannot be read.
   */
  public long cpuTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
      // the fields after the command name (in parentheses, which may hold spaces): utime and stime are 14 and 15
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** SIGTERM (a clean shutdown), then SIGKILL if it takes longer than 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
