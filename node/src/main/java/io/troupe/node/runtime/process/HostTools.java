package io.troupe.node.runtime.process;

import io.troupe.node.runtime.ContainerStartException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The host's programs the runtime drives, found once by absolute path (a container's {@code PATH}, which may
 * put an image's {@code bin/} first, must never choose them), and what the host allows: Linux namespaces
 * (root and a working {@code unshare}).
 */
public record HostTools(Optional<Path> sh, Optional<Path> setsid, Optional<Path> awk, List<String> awkOptions,
    Optional<Path> kill, Optional<Path> sleep, Optional<Path> mkfifo, Optional<Path> tar,
    Optional<Path> unshare, Optional<Path> nsenter, Optional<Path> mount, Optional<Path> mkdir, boolean root) {

  private static final List<String> DIRS = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin");

  public HostTools {
    awkOptions = List.copyOf(awkOptions);
  }

  public static HostTools probe() {
    Optional<Path> awk = find("awk");
    return new HostTools(find("sh"), find("setsid"), awk, awk.map(HostTools::awkOptions).orElse(List.of()),
        find("kill"), find("sleep"), find("mkfifo"), find("tar"), find("unshare"), find("nsenter"), find("mount"),
        find("mkdir"), isRoot());
  }

  public static Optional<Path> find(String name) {
    return DIRS.stream().map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
  }

  /** mawk reads its input in blocks unless told otherwise: {@code -W interactive} makes it line by line. */
  private static List<String> awkOptions(Path awk) {
    String version = run(List.of(awk.toString(), "-W", "version")).orElse("");
    return version.contains("mawk") ? List.of("-W", "interactive") : List.of();
  }

  private static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0"); // the effective uid
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return false;
  }

  /** Whether a pod may have its own PID, UTS, IPC and mount namespaces here: root, and unshare works. */
  boolean namespacesWork() {
    if (!root || unshare.isEmpty() || nsenter.isEmpty()) {
      return false;
    }
    return run(List.of(unshare.get().toString(), "--pid", "--fork", "--mount-proc", "--uts", "--ipc",
        sh.map(Path::toString).orElse("/bin/sh"), "-c", "echo $$")).map(String::trim).filter("1"::equals)
        .isPresent();
  }

  /** The tools every container needs; fails its start with a clear reason otherwise. */
  void requireForContainers() {
    require(sh, "sh");
    require(setsid, "setsid");
    require(awk, "awk");
    require(kill, "kill");
    require(sleep, "sleep");
    require(mkfifo, "mkfifo");
  }

  public static Path require(Optional<Path> tool, String name) {
    return tool.orElseThrow(() -> new ContainerStartException("CreateContainerError",
        "the process runtime needs \"" + name + "\" on the host, in one of " + DIRS));
  }

  /** Runs a short probe; its output, or empty when it failed or took over 5 s. */
  static Optional<String> run(List<String> command) {
    try {
      Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      byte[] out = p.getInputStream().readNBytes(4096);
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return p.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
