package io.troupe.node.runtime.oci;

import io.troupe.node.runtime.process.HostTools;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The {@code runc} binary with the node's own state ({@code --root}), as the shim and the runtime call it. */
record Runc(Path binary, Path root) {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Runc.class);

  /** runc as configured, or found on the usual paths; empty where there is none. */
  static Optional<Path> find(String configured) {
    if (!configured.isBlank()) {
      Path p = Path.of(configured);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    return HostTools.find("runc");
  }

  /** The start of every runc command line. */
  List<String> command(String... args) {
    List<String> argv = new ArrayList<>(List.of(binary.toString(), "--root", root.toString()));
    argv.addAll(List.of(args));
    return argv;
  }

  /** {@code runc run}: creates and starts the container, waits for it, and removes it; its status is the init's. */
  List<String> run(String id, Path bundle) {
    return command("run", "--bundle", bundle.toString(), id);
  }

  /** Whether runc still holds state for the container (created, running or stopped, not yet deleted). */
  boolean exists(String id) {
    return Files.exists(root.resolve(id).resolve("state.json"));
  }

  /** {@code runc kill}: the signal to the container's init, or with {@code all} to all its processes. */
  boolean kill(String id, String signal, boolean all) {
    return all ? call(command("kill", "--all", id, signal)) : call(command("kill", id, signal));
  }

  /** {@code runc delete --force}: kills what is left and removes runc's state and cgroup of the container. */
  void delete(String id) {
    if (exists(id)) call(command("delete", "--force", id));
  }

  private boolean call(List<String> argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      if (p.exitValue() != 0) log.debug("{}: {}", argv, out);
      return p.exitValue() == 0;
    } catch (IOException e) {
      log.warn("cannot run {}: {}", argv, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
