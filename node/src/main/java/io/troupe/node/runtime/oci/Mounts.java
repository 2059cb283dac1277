package io.troupe.node.runtime.oci;

import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.process.HostTools;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Mounts on the host: by the {@code mount} and {@code umount} programs (the JDK cannot call mount(2)), found with
 * {@code /proc/self/mountinfo}.
 */
final class Mounts {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Mounts.class);

  private Mounts() {}

  static boolean isMountPoint(Path path) {
    try {
      String target = " " + path.toAbsolutePath().normalize() + " ";
      return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .anyMatch(l -> l.contains(target));
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs a command; a failure is a {@link ContainerStartException} with {@code reason} and its output. */
  static void run(List<String> argv, String reason, String what) {
    String output;
    int code;
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      output = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new ContainerStartException(reason, what + ": timed out");
      }
      code = p.exitValue();
    } catch (IOException e) {
      throw new ContainerStartException(reason, what + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerStartException(reason, what + ": interrupted");
    }
    if (code != 0) throw new ContainerStartException(reason, what + (output.isEmpty() ? "" : ": " + output));
  }

  /** Unmounts {@code path} (lazily: a process still using it keeps it until it ends), if it is mounted. */
  static void unmount(HostTools tools, Path path) {
    if (!isMountPoint(path)) return;
    try {
      run(List.of(HostTools.find("umount").orElse(Path.of("/bin/umount")).toString(), "-l", path.toString()),
          "Unmount", "cannot unmount " + path);
    } catch (ContainerStartException e) {
      log.warn(e.getMessage());
    }
  }
}
