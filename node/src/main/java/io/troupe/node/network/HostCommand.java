package io.troupe.node.network;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One run of a host program ({@code ip}, {@code nft}) with its input, waited for: its exit status and what it
 * printed. Blocking; called on the runtime's own threads, never an actor's.
 */
public record HostCommand(int exitCode, String output) {
  private static final long DEADLINE_SECONDS = 10;
  private static final List<String> DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin",
      "/usr/local/bin");

  public boolean ok() {
    return exitCode == 0;
  }

  /** The program's absolute path, looked up in the system folders only (never a pod's or a user's PATH). */
  public static Optional<Path> find(String name) {
    return DIRS.stream().map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
  }

  /** Runs {@code argv} with {@code input} on its standard input (null for none). */
  public static HostCommand run(List<String> argv, String input) {
    try {
      Process p = new ProcessBuilder(new ArrayList<>(argv)).redirectErrorStream(true)
          .redirectInput(input == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
              : ProcessBuilder.Redirect.PIPE)
          .start();
      if (input != null) {
        try (OutputStream in = p.getOutputStream()) {
          in.write(input.getBytes(StandardCharsets.UTF_8));
        }
      }
      byte[] out = p.getInputStream().readNBytes(64 * 1024);
      if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new HostCommand(-1, String.join(" ", argv) + " did not finish within " + DEADLINE_SECONDS + " s");
      }
      return new HostCommand(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      return new HostCommand(-1, "cannot run " + argv.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new HostCommand(-1, "interrupted");
    }
  }

  /** Runs {@code argv}; an {@link IllegalStateException} saying {@code what} failed and why otherwise. */
  public static String require(List<String> argv, String input, String what) {
    HostCommand result = run(argv, input);
    if (!result.ok()) {
      throw new IllegalStateException("cannot " + what + ": " + (result.output().isEmpty()
          ? String.join(" ", argv) + " exited with " + result.exitCode() : result.output()));
    }
    return result.output();
  }
}
