package io.troupe.node.runtime.process;

import io.troupe.node.runtime.RecordFiles;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.Mount;
import io.troupe.node.runtime.PodSandbox;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts one attempt of a container: its image, command line, environment and working directory resolved the
 * way Kubernetes does, its cgroup, its record, then its wrapper (see {@link ContainerWrapper#CONTAINER}).
 */
final class ContainerStarter {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ContainerStarter.class);
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final Duration WRAPPER_DEADLINE = Duration.ofSeconds(10);

  private final StateLayout layout;
  private final HostTools tools;
  private final MemoryCgroups cgroups;
  private final PodSandboxes sandboxes;
  private final Images images;
  private final boolean namespaces;
  private final ScheduledExecutorService executor;

  ContainerStarter(StateLayout layout, HostTools tools, MemoryCgroups cgroups, PodSandboxes sandboxes,
      Images images, boolean namespaces, ScheduledExecutorService executor) {
    this.layout = layout;
    this.tools = tools;
    this.cgroups = cgroups;
    this.sandboxes = sandboxes;
    this.images = images;
    this.namespaces = namespaces;
    this.executor = executor;
  }

  /** Blocking: a started attempt, watched by the caller once returned. */
  ContainerProcess start(PodSandbox pod, ContainerSpec spec, int attempt) {
    RecordFiles.requireSafeName("pod uid", pod.uid());
    RecordFiles.requireSafeName("container name", spec.name());
    tools.requireForContainers();
    SandboxRecord sandbox = sandboxes.ensure(pod, namespaces);
    Images.Image image = images.resolve(spec.image());
    List<String> command = image.config().commandLine(spec.command(), spec.args());
    if (command.isEmpty()) {
      throw new ContainerStartException("CreateContainerError", "no command specified: the container has no "
          + "command and its image \"" + spec.image() + "\" no entrypoint");
    }
    Path workingDir = workingDir(spec, image);
    if (!Files.isDirectory(workingDir)) {
      throw new ContainerStartException("CreateContainerError", "working directory " + workingDir
          + " does not exist");
    }
    boolean ownMounts = namespaces && !spec.mounts().isEmpty();
    List<Path> targets = mountTargets(spec, image);
    Map<String, String> env = environment(sandbox, spec, image);
    for (int i = 0; i < spec.mounts().size(); i++) {
      Mount m = spec.mounts().get(i);
      env.put(m.variable(), ownMounts ? targets.get(i).toString() : m.hostPath());
    }
    requireExecutable(command.get(0), env.get("PATH"), workingDir);
    try {
      prepareFiles(pod.uid(), spec.name(), attempt);
      Optional<Path> procs = cgroups.prepare(pod.uid(), spec.name(), spec.memoryLimitBytes());
      AttemptRecord record = new AttemptRecord(pod.uid(), pod.namespace(), pod.name(), spec.name(), attempt, 0,
          0, 0, 0, Instant.now(), spec.memoryLimitBytes(), cgroups.enforces(spec.memoryLimitBytes()),
          cgroups.oomKills(pod.uid(), spec.name()), procs.map(Path::toString).orElse(null),
          sandbox.initPid(), workingDir.toString(), env, ownMounts);
      if (ownMounts) {
        Files.writeString(layout.mounts(record), ContainerWrapper.mountScript(tools, spec.mounts(), targets));
      }
      RecordFiles.write(layout.record(record), record); // before the start: a crash now leaves no stranger
      Files.createFile(layout.log(record)); // there from the start, for the agent's log readers
      return launch(record, command);
    } catch (IOException e) {
      throw new ContainerStartException("CreateContainerError", "cannot start the container: " + e);
    }
  }

  private ContainerProcess launch(AttemptRecord pending, List<String> command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(ContainerWrapper.container(tools, pending, layout, command))
        .directory(new File("/")).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true).redirectOutput(layout.errors(pending).toFile());
    builder.environment().clear();
    builder.environment().putAll(pending.env());
    Process leader;
    try {
      leader = builder.start();
    } catch (IOException e) {
      Files.deleteIfExists(layout.record(pending));
      throw new ContainerStartException("RunContainerError", "cannot start the container: " + e.getMessage());
    }
    long pgid = leader.pid();
    long groupStart = ProcessTable.stat(pgid).map(ProcessTable.Stat::startTime).orElse(0L);
    long wrapper = pgid;
    if (pending.sandboxInit() > 0) {
      // nsenter forks the wrapper into the pod's PID namespace and waits for it
      Await.until(WRAPPER_DEADLINE, () -> !leader.isAlive() || !ProcessTable.children(pgid).isEmpty());
      wrapper = ProcessTable.children(pgid).stream().findFirst().orElse(0L);
    }
    long watched = wrapper;
    if (!Await.until(WRAPPER_DEADLINE, () -> !leader.isAlive() || Files.exists(layout.exit(pending))
        || commandRunning(watched))) {
      log.warn("the command of {} did not start within {}", pending.key(), WRAPPER_DEADLINE);
    }
    long wrapperStart = ProcessTable.stat(wrapper).map(ProcessTable.Stat::startTime).orElse(0L);
    AttemptRecord record = pending.started(wrapper, wrapperStart, pgid, groupStart);
    RecordFiles.write(layout.record(record), record);
    ContainerProcess container = new ContainerProcess(record, layout, cgroups, tools, executor);
    leader.onExit().thenRun(() -> {
      for (long delay : new long[] {0, 20, 100, 500}) {
        executor.schedule(container::check, delay, TimeUnit.MILLISECONDS);
      }
    });
    return container;
  }

  /**
   * Whether the wrapper's log writer and command have both replaced the shells it forked for them. Only then
   * is a SIGTERM to the group sure to reach the command: one that comes while the wrapper forks is taken by
   * the wrapper alone (the kernel lets a group signal reach either the parent alone or both), and a forked
   * shell that has not exec'd yet does not act on it.
   */
  private boolean commandRunning(long wrapper) {
    List<String> shell = ProcessTable.cmdline(wrapper);
    List<String> logWriter = ContainerWrapper.logWriter(tools);
    boolean logging = false;
    boolean running = false;
    for (long child : ProcessTable.children(wrapper)) {
      List<String> cmdline = ProcessTable.cmdline(child);
      logging |= cmdline.equals(logWriter);
      running |= !cmdline.isEmpty() && !cmdline.equals(logWriter) && !cmdline.equals(shell);
    }
    return logging && running;
  }

  /** Clears what an earlier run of this attempt left, and drops attempts older than the previous one. */
  private void prepareFiles(String uid, String name, int attempt) throws IOException {
    Path dir = Files.createDirectories(layout.container(uid, name));
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String fileName = file.getFileName().toString();
        int dot = fileName.indexOf('.');
        if (dot > 0 && fileName.substring(0, dot).matches("\\d{1,9}")) {
          int n = Integer.parseInt(fileName.substring(0, dot));
          if (n == attempt || n < attempt - 1) {
            Files.deleteIfExists(file);
          }
        }
      }
    }
  }

  /**
   * Where each mount appears: its path under the image's root, as the working directory is (the {@code host}
   * image's root is the host's). Without a root of its own, a container's mount point is made on the host's
   * filesystem where it is missing, as runc makes it in a container's root. Its source must exist: the agent made
   * it.
   */
  private static List<Path> mountTargets(ContainerSpec spec, Images.Image image) {
    Path base = image.root().orElse(Path.of("/"));
    List<Path> targets = new java.util.ArrayList<>();
    for (Mount m : spec.mounts()) {
      if (!Files.exists(Path.of(m.hostPath()))) {
        throw new ContainerStartException("CreateContainerError", "failed to mount " + m.containerPath()
            + ": source path " + m.hostPath() + " does not exist");
      }
      targets.add(base.resolve(m.containerPath().replaceFirst("^/+", "")).normalize());
    }
    return targets;
  }

  private static Path workingDir(ContainerSpec spec, Images.Image image) {
    String asked = spec.workingDir() != null && !spec.workingDir().isBlank() ? spec.workingDir()
        : image.config().workingDir();
    Path base = image.root().orElse(Path.of("/"));
    return asked == null || asked.isBlank() ? base : base.resolve(asked).normalize();
  }

  /** Kubernetes' order: the image's env, then the container's; the image's {@code bin/} first in PATH. */
  static Map<String, String> environment(SandboxRecord sandbox, ContainerSpec spec, Images.Image image) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", DEFAULT_PATH);
    env.put("HOSTNAME", sandbox.hostname());
    env.put("HOME", System.getProperty("user.home", "/"));
    env.putAll(image.config().env());
    env.putAll(spec.env());
    image.root().ifPresent(root -> {
      env.put("TROUPE_IMAGE_ROOT", root.toString());
      env.put("PATH", root.resolve("bin") + ":" + env.get("PATH"));
    });
    return env;
  }

  /** As runc does before it starts anything: a command not found is a start error, not an exit 127. */
  private static void requireExecutable(String program, String path, Path workingDir) {
    if (program.contains("/")) {
      Path file = workingDir.resolve(program);
      if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
        throw new ContainerStartException("RunContainerError", "exec: \"" + program
            + "\": stat " + file + ": no such executable file");
      }
      return;
    }
    for (String dir : (path == null ? "" : path).split(":")) {
      Path file = workingDir.resolve(dir.isEmpty() ? "." : dir).resolve(program);
      if (Files.isRegularFile(file) && Files.isExecutable(file)) {
        return;
      }
    }
    throw new ContainerStartException("RunContainerError", "exec: \"" + program
        + "\": executable file not found in $PATH");
  }
}
