package io.troupe.node.runtime.oci;

import io.troupe.node.runtime.RecordFiles;
import io.troupe.node.image.Image;
import io.troupe.node.image.ImagePullException;
import io.troupe.node.image.ImageService;
import io.troupe.node.network.BridgeNetwork;
import io.troupe.node.network.PodNetworkSettings;
import io.troupe.node.runtime.ContainerExit;
import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.ExecResult;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.RunningContainer;
import io.troupe.node.runtime.process.Await;
import io.troupe.node.runtime.process.HostTools;
import io.troupe.node.runtime.process.LogRotation;
import io.troupe.node.runtime.process.ProcessTable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code oci} runtime: real containers, run by runc. A pod's sandbox is a pause process holding its network
 * (bridge mode), IPC and UTS namespaces ({@link OciSandboxes}); each attempt of a container is an OCI bundle, its
 * root filesystem an overlay on the image's layers ({@link RootFilesystem}), its {@code config.json} made from the
 * pod ({@link OciSpec}), run by a shim ({@link OciShim}) that logs its output in the process runtime's format and
 * records its exit status, so that it outlives the agent and is adopted after a restart. Memory, cpu and pids
 * limits are cgroup limits ({@link OciCgroups}); a container the memory cgroup killed ends {@code OOMKilled}.
 * Images come from the node's {@link ImageService}.
 *
 * <p>Every call returns at once; the work runs on the runtime's own threads, which also poll the shims for their
 * end and rotate logs. A host without root or runc fails every call with the reason.
 */
public final class OciRuntime implements ContainerRuntime {
  public static final String NAME = "oci";
  private static final Logger log = LoggerFactory.getLogger(OciRuntime.class);
  private static final long EXIT_POLL_MILLIS = 200;
  private static final Duration START_DEADLINE = Duration.ofSeconds(20);
  private static final Duration REMOVE_DEADLINE = Duration.ofSeconds(10);
  private static final int MAX_EXEC_OUTPUT = 10 * 1024;

  /** What the host offers, found once on the runtime's threads. */
  private record Host(HostTools tools, Runc runc, OciCgroups cgroups, OciSandboxes sandboxes) {}

  private final OciSettings settings;
  private final ImageService images;
  private final PodNetworkSettings network;
  private final OciLayout layout;
  private final ScheduledThreadPoolExecutor executor;
  private final CompletableFuture<Host> host;
  private final Map<String, OciContainer> containers = new ConcurrentHashMap<>();

  /**
   * @param images where the containers' images come from
   * @param network how pods reach the network; null for the loopback mode (pods share the host's network)
   */
  public OciRuntime(OciSettings settings, ImageService images, PodNetworkSettings network) {
    this.settings = settings;
    this.images = images;
    this.network = network;
    this.layout = new OciLayout(settings.stateDir());
    AtomicInteger threads = new AtomicInteger();
    this.executor = new ScheduledThreadPoolExecutor(4, r -> {
      Thread t = new Thread(r, "troupe-oci-runtime-" + settings.nodeName() + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    this.host = CompletableFuture.supplyAsync(this::probe, executor);
    executor.scheduleWithFixedDelay(this::checkExits, EXIT_POLL_MILLIS, EXIT_POLL_MILLIS, TimeUnit.MILLISECONDS);
    long rotation = settings.logMonitorInterval().toMillis();
    executor.scheduleWithFixedDelay(this::rotateLogs, rotation, rotation, TimeUnit.MILLISECONDS);
  }

  /** Why this host cannot run the oci runtime, or empty when it can: root and runc. */
  public static Optional<String> problem(String configuredRunc) {
    HostTools tools = HostTools.probe();
    if (!tools.root()) return Optional.of("the oci runtime needs root (runc creates namespaces and cgroups)");
    if (Runc.find(configuredRunc).isEmpty()) {
      return Optional.of("the oci runtime needs runc (apt-get install runc)"
          + (configuredRunc.isBlank() ? "" : ": " + configuredRunc + " is not executable"));
    }
    for (String tool : List.of("setsid", "unshare", "nsenter", "mount", "awk", "mkfifo", "sleep")) {
      if (HostTools.find(tool).isEmpty()) return Optional.of("the oci runtime needs " + tool);
    }
    return Optional.empty();
  }

  private Host probe() {
    problem(settings.runc()).ifPresent(p -> {
      throw new IllegalStateException(p);
    });
    HostTools tools = HostTools.probe();
    try {
      Files.createDirectories(layout.runcRoot());
      Files.createDirectories(layout.pods());
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the oci runtime's state dir: " + e, e);
    }
    BridgeNetwork bridge = network != null && network.bridge() ? BridgeNetwork.start(network) : null;
    OciSandboxes sandboxes = new OciSandboxes(layout, tools, bridge);
    sandboxes.removeDeadNetworks();
    return new Host(tools, new Runc(Runc.find(settings.runc()).orElseThrow(), layout.runcRoot()),
        OciCgroups.detect(settings.nodeName()), sandboxes);
  }

  /** Completes once the host is probed; fails with the reason it cannot run containers. */
  public CompletionStage<Void> ready() {
    return host.thenApply(h -> null);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CompletionStage<Void> runPodSandbox(PodSandbox pod) {
    return onHost(h -> {
      RecordFiles.requireSafeName("pod uid", pod.uid());
      h.sandboxes().ensure(pod);
      return null;
    });
  }

  @Override
  public CompletionStage<RunningContainer> startContainer(PodSandbox pod, ContainerSpec container, int attempt) {
    return onHost(h -> {
      RecordFiles.requireSafeName("pod uid", pod.uid());
      RecordFiles.requireSafeName("container name", container.name());
      String key = OciAttempt.key(pod.uid(), container.name(), attempt);
      OciContainer existing = containers.get(key);
      if (existing != null && !existing.ended()) return existing.view(); // a retried call
      OciSandbox sandbox = h.sandboxes().ensure(pod);
      Image image = image(container);
      OciContainer started = start(h, pod, sandbox, container, image, attempt);
      containers.keySet().removeIf(k -> k.startsWith(pod.uid() + "/" + container.name() + "/")
          && attemptOf(k) < attempt - 1);
      containers.put(key, started);
      return started.view();
    });
  }

  /** Blocking: the image, pulled as the container's policy says; a failure is the container's waiting reason. */
  private Image image(ContainerSpec container) {
    if (container.image() == null || container.image().isBlank() || container.image().equals("host")) {
      throw new ContainerStartException("InvalidImageName", "the oci runtime runs images; \""
          + container.image() + "\" is none");
    }
    try {
      return images.ensure(container.image(), container.effectivePullPolicy(), container.pullCredentials())
          .toCompletableFuture().join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof ImagePullException pull) throw new ContainerStartException(pull.reason(), pull.getMessage());
      throw new ContainerStartException("ErrImagePull", String.valueOf(cause.getMessage()));
    }
  }

  private OciContainer start(Host h, PodSandbox pod, OciSandbox sandbox, ContainerSpec spec, Image image,
      int attempt) throws IOException {
    String runcId = pod.uid() + "-" + spec.name() + "-" + attempt;
    OciAttempt pending = new OciAttempt(pod.uid(), pod.namespace(), pod.name(), spec.name(), attempt, runcId, 0, 0,
        Instant.now(), spec.memoryLimitBytes(), 0, false);
    prepareFiles(pod.uid(), spec.name(), attempt);
    h.runc().delete(runcId); // left by an earlier try of this attempt
    Path bundle = layout.bundle(pending);
    RootFilesystem.remove(h.tools(), bundle);
    Files.createDirectories(bundle);
    boolean overlay = RootFilesystem.create(h.tools(), image, bundle);
    try {
      for (var m : spec.mounts()) {
        if (!Files.exists(Path.of(m.hostPath()))) {
          throw new ContainerStartException("CreateContainerError", "failed to mount " + m.containerPath()
              + ": source path " + m.hostPath() + " does not exist");
        }
      }
      OciSpec.Inputs inputs = new OciSpec.Inputs(spec, image.config(), bundle.resolve("rootfs"),
          sandbox.pausePid(), sandbox.netns() != null, sandbox.hostname(), layout.podFiles(pod.uid()),
          h.cgroups().cgroupsPath(pod.uid(), spec.name(), attempt), settings.pidsLimit());
      var config = OciSpec.of(inputs, RecordFiles.JSON);
      OciSpec.Process process = OciSpec.process(inputs);
      requireExecutable(process, bundle.resolve("rootfs"));
      Files.write(bundle.resolve("config.json"), RecordFiles.JSON.writeValueAsBytes(config));
      h.cgroups().prepare(pod.uid(), spec.name(), spec.memoryLimitBytes());
      OciAttempt record = new OciAttempt(pod.uid(), pod.namespace(), pod.name(), spec.name(), attempt, runcId, 0,
          0, Instant.now(), spec.memoryLimitBytes(), h.cgroups().memoryEvents(pod.uid(), spec.name()), overlay);
      RecordFiles.write(layout.record(record), record); // before the start: a crash now leaves no stranger
      Files.createFile(layout.log(record));
      return launch(h, record, bundle);
    } catch (RuntimeException | IOException e) {
      RootFilesystem.remove(h.tools(), bundle);
      if (e instanceof ContainerStartException c) throw c;
      throw new ContainerStartException("CreateContainerError", "cannot create the container: " + e.getMessage());
    }
  }

  private OciContainer launch(Host h, OciAttempt pending, Path bundle) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(OciShim.command(h.tools(), layout, pending,
        h.runc().run(pending.runcId(), bundle)))
        .directory(new File("/")).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(layout.log(pending).toFile()));
    builder.environment().clear();
    builder.environment().put("PATH", OciSpec.DEFAULT_PATH);
    Process shim;
    try {
      shim = builder.start();
    } catch (IOException e) {
      Files.deleteIfExists(layout.record(pending));
      throw new ContainerStartException("RunContainerError", "cannot start the container's shim: " + e.getMessage());
    }
    long pid = shim.pid(); // setsid execs the shell: the JVM's child is not a group leader
    OciAttempt record = pending.started(pid, ProcessTable.stat(pid).map(ProcessTable.Stat::startTime).orElse(0L));
    RecordFiles.write(layout.record(record), record);
    OciContainer container = new OciContainer(record, layout, h.runc(), h.cgroups(), h.tools(), executor);
    if (!Await.until(START_DEADLINE, () -> !shim.isAlive() || h.runc().exists(record.runcId()))) {
      log.warn("the container {} did not start within {}", record.key(), START_DEADLINE);
    }
    shim.onExit().thenRun(() -> {
      for (long delay : new long[] {0, 20, 100, 500}) executor.schedule(container::check, delay, TimeUnit.MILLISECONDS);
    });
    return container;
  }

  /** As runc would fail at its start: a command not found in the image is a start error, not an exit status. */
  private static void requireExecutable(OciSpec.Process process, Path rootfs) {
    String program = process.args().get(0);
    if (program.contains("/")) {
      Path file = rootfs.resolve((program.startsWith("/") ? "" : process.cwd().substring(1) + "/")
          + program.replaceFirst("^/+", ""));
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new ContainerStartException("RunContainerError", "exec: \"" + program + "\": stat " + program
            + ": no such file or directory");
      }
      return;
    }
    for (String dir : process.env().getOrDefault("PATH", OciSpec.DEFAULT_PATH).split(":")) {
      if (dir.startsWith("/") && Files.exists(rootfs.resolve(dir.substring(1)).resolve(program),
          LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
    }
    throw new ContainerStartException("RunContainerError", "exec: \"" + program
        + "\": executable file not found in $PATH");
  }

  @Override
  public CompletionStage<ContainerExit> stopContainer(RunningContainer container, Duration grace) {
    OciContainer c = containers.get(OciAttempt.key(container.podUid(), container.name(), container.attempt()));
    if (c == null) {
      return container.exited().toCompletableFuture().isDone() ? container.exited()
          : CompletableFuture.failedFuture(new IllegalArgumentException("unknown container " + container.podUid()
              + "/" + container.name() + " attempt " + container.attempt()));
    }
    return onHost(h -> c.stop(grace)).thenCompose(Function.identity());
  }

  @Override
  public CompletionStage<ExecResult> exec(RunningContainer container, List<String> command, Duration timeout) {
    OciContainer c = containers.get(OciAttempt.key(container.podUid(), container.name(), container.attempt()));
    return onHost(h -> {
      if (c == null || c.ended() || !c.running()) {
        throw new IllegalStateException("container " + container.name() + " of pod " + container.podUid()
            + " is not running");
      }
      return runExec(h, c.record(), command, timeout);
    }).thenCompose(Function.identity());
  }

  /** {@code runc exec}: the container's namespaces, cgroup, user, environment and working directory. */
  private CompletionStage<ExecResult> runExec(Host h, OciAttempt record, List<String> command, Duration timeout)
      throws IOException {
    List<String> argv = new ArrayList<>(h.runc().command("exec", record.runcId()));
    argv.addAll(command);
    Path output = layout.container(record.podUid(), record.container()).resolve("exec-" + UUID.randomUUID()
        + ".out");
    Process p = new ProcessBuilder(argv).directory(new File("/"))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true)
        .redirectOutput(output.toFile()).start();
    AtomicBoolean timedOut = new AtomicBoolean();
    var timer = executor.schedule(() -> {
      if (p.isAlive()) {
        timedOut.set(true);
        p.destroy(); // runc passes the SIGTERM on
        executor.schedule(() -> p.destroyForcibly(), 1, TimeUnit.SECONDS);
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    return p.onExit().thenApplyAsync(done -> {
      timer.cancel(false);
      String text;
      try (InputStream in = Files.newInputStream(output)) {
        text = new String(in.readNBytes(MAX_EXEC_OUTPUT), StandardCharsets.UTF_8);
      } catch (IOException e) {
        text = "";
      }
      try {
        Files.deleteIfExists(output);
      } catch (IOException e) {
        // removed with the pod
      }
      return new ExecResult(done.exitValue(), text, timedOut.get());
    }, executor);
  }

  @Override
  public CompletionStage<Void> removePodSandbox(String podUid) {
    return onHost(h -> {
      RecordFiles.requireSafeName("pod uid", podUid);
      List<OciContainer> pods = new ArrayList<>(load(h, podUid));
      pods.forEach(OciContainer::kill);
      h.sandboxes().kill(podUid);
      return CompletableFuture.allOf(pods.stream().map(p -> p.exited().toCompletableFuture()
          .exceptionally(e -> null)).toArray(CompletableFuture[]::new));
    }).thenCompose(Function.identity()).thenRunAsync(() -> {
      Host h = host.join();
      boolean gone = Await.until(REMOVE_DEADLINE, () -> h.cgroups().killPod(podUid) == 0
          && h.sandboxes().pauseGone(podUid));
      if (!gone) log.warn("processes of pod {} are still there after {}", podUid, REMOVE_DEADLINE);
      if (Files.isDirectory(layout.bundles(podUid))) {
        try (DirectoryStream<Path> names = Files.newDirectoryStream(layout.bundles(podUid))) {
          for (Path name : names) {
            try (DirectoryStream<Path> attempts = Files.newDirectoryStream(name)) {
              for (Path bundle : attempts) {
                h.runc().delete(podUid + "-" + name.getFileName() + "-" + bundle.getFileName());
                RootFilesystem.remove(h.tools(), bundle);
              }
            }
          }
        } catch (IOException e) {
          log.warn("cannot remove the bundles of pod {}: {}", podUid, e.toString());
        }
        RootFilesystem.deleteTree(layout.bundles(podUid));
      }
      Await.until(REMOVE_DEADLINE, () -> h.cgroups().removePod(podUid));
      h.sandboxes().remove(podUid);
      containers.keySet().removeIf(k -> k.startsWith(podUid + "/"));
      deleteState(podUid);
    }, executor);
  }

  @Override
  public CompletionStage<Void> removePodLogs(String podUid) {
    return onHost(h -> {
      RecordFiles.requireSafeName("pod uid", podUid);
      Path pod = layout.pod(podUid);
      if (Files.isDirectory(pod)) {
        try (var files = Files.walk(pod)) {
          for (Path f : files.filter(f -> f.getFileName().toString().matches("\\d+\\.log(\\.\\d+)?")).toList()) {
            Files.deleteIfExists(f);
          }
        }
        if (!Files.exists(layout.sandbox(podUid))) RootFilesystem.deleteTree(pod);
      }
      return null;
    });
  }

  @Override
  public CompletionStage<List<RunningContainer>> recover() {
    return onHost(h -> {
      List<OciContainer> found = new ArrayList<>();
      if (Files.isDirectory(layout.pods())) {
        try (DirectoryStream<Path> pods = Files.newDirectoryStream(layout.pods())) {
          for (Path pod : pods) found.addAll(load(h, pod.getFileName().toString()));
        }
      }
      return found;
    }).thenCompose(found -> CompletableFuture.allOf(found.stream().filter(c -> !c.running())
        .map(c -> c.exited().toCompletableFuture()).toArray(CompletableFuture[]::new))
        .thenApply(done -> found.stream().map(OciContainer::view).toList()));
  }

  @Override
  public Optional<Path> logFile(String podUid, String containerName, int attempt) {
    if (!RecordFiles.safeName(podUid) || !RecordFiles.safeName(containerName)) {
      return Optional.empty();
    }
    Path file = layout.attempt(podUid, containerName, attempt, ".log");
    return Files.exists(file) ? Optional.of(file) : Optional.empty();
  }

  /** Stops the runtime's threads; the containers run on, to be adopted by the next runtime. */
  @Override
  public void close() {
    executor.shutdownNow();
    host.thenAccept(h -> h.cgroups().removeNodeIfEmpty());
  }

  /** The attempts of a pod, those known and those recorded on disk (adopted when they run, ended otherwise). */
  private List<OciContainer> load(Host h, String podUid) throws IOException {
    h.sandboxes().find(podUid);
    List<OciContainer> found = new ArrayList<>();
    Path pod = layout.pod(podUid);
    if (!Files.isDirectory(pod)) return found;
    try (var files = Files.walk(pod, 2)) {
      for (Path file : files.filter(f -> f.getFileName().toString().matches("\\d+\\.json")).sorted().toList()) {
        Optional<OciAttempt> record = RecordFiles.read(file, OciAttempt.class);
        if (record.isEmpty()) continue;
        found.add(containers.computeIfAbsent(record.get().key(), k -> adopt(h, record.get())));
      }
    }
    return found;
  }

  /**
   * An attempt found on disk. One recorded without its shim's pid (the agent died while starting it) is adopted
   * when its shim runs (found by its exit file's path among the host's command lines): never started twice.
   */
  private OciContainer adopt(Host h, OciAttempt recorded) {
    OciAttempt record = recorded;
    if (record.shimPid() == 0) {
      String exitFile = layout.exit(record).toString();
      for (long pid : ProcessTable.withArgument(exitFile)) {
        record = record.started(pid, ProcessTable.stat(pid).map(ProcessTable.Stat::startTime).orElse(0L));
        try {
          RecordFiles.write(layout.record(record), record);
        } catch (IOException e) {
          log.warn("cannot record the shim of {}: {}", record.key(), e.toString());
        }
        break;
      }
    }
    OciContainer c = new OciContainer(record, layout, h.runc(), h.cgroups(), h.tools(), executor);
    if (!c.running()) {
      c.diedWhileAgentWasDown();
      executor.execute(c::check);
    }
    return c;
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
          if (n == attempt || n < attempt - 1) Files.deleteIfExists(file);
        }
      }
    }
  }

  private void deleteState(String podUid) {
    Path pod = layout.pod(podUid);
    if (!Files.isDirectory(pod)) return;
    try (var files = Files.walk(pod)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (!file.getFileName().toString().matches("\\d+\\.log(\\.\\d+)?")) Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      log.warn("cannot remove the state of pod {}: {}", podUid, e.toString());
    }
  }

  /** A periodic task: an exception would cancel its next runs. */
  private void checkExits() {
    for (OciContainer c : containers.values()) {
      try {
        if (!c.ended()) c.check();
      } catch (RuntimeException e) {
        log.warn("cannot check whether {} still runs: {}", c.record().key(), e.toString());
      }
    }
  }

  private void rotateLogs() {
    for (OciContainer c : containers.values()) {
      if (c.ended()) continue;
      try {
        LogRotation.rotateIfLarger(layout.log(c.record()), settings.logMaxBytes(), settings.logMaxFiles());
      } catch (IOException | RuntimeException e) {
        log.warn("cannot rotate the log of {}: {}", c.record().key(), e.toString());
      }
    }
  }

  private static int attemptOf(String key) {
    return Integer.parseInt(key.substring(key.lastIndexOf('/') + 1));
  }

  /** Work that may block, on the runtime's threads once the host is known; its exceptions fail the stage. */
  private <T> CompletionStage<T> onHost(ThrowingFunction<Host, T> work) {
    return host.thenApplyAsync(h -> {
      try {
        return work.apply(h);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, executor);
  }

  @FunctionalInterface
  private interface ThrowingFunction<A, B> {
    B apply(A a) throws Exception;
  }
}
