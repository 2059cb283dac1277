package io.troupe.node.runtime.process;

import io.troupe.node.runtime.RecordFiles;
import io.troupe.node.network.BridgeNetwork;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.MemoryVolume;
import io.troupe.node.runtime.PodSandbox;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pods' sandboxes. With namespaces, a sandbox is a pause process in new PID, UTS, IPC and mount
 * namespaces ({@code unshare --kill-child}: when it dies, the kernel kills every process of the pod's PID
 * namespace), with the pod's memory volumes and its {@code /etc/resolv.conf} mounted there; without, just the
 * pod's folder. In bridge mode the pause process starts in the pod's own network namespace, on the node's bridge
 * ({@link BridgeNetwork}), unless the pod uses the host's network.
 */
final class PodSandboxes {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PodSandboxes.class);
  private static final Duration START_DEADLINE = Duration.ofSeconds(10);
  private static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

  private final StateLayout layout;
  private final HostTools tools;
  /** The pods' network in bridge mode; null in loopback mode (pods share the host's network namespace). */
  private final BridgeNetwork bridge;
  private final Map<String, SandboxRecord> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  PodSandboxes(StateLayout layout, HostTools tools, BridgeNetwork bridge) {
    this.layout = layout;
    this.tools = tools;
    this.bridge = bridge;
  }

  /** Blocking: the pod's sandbox, kept when it exists and lives, otherwise made. */
  SandboxRecord ensure(PodSandbox pod, boolean namespaces) {
    synchronized (locks.computeIfAbsent(pod.uid(), u -> new Object())) {
      Optional<SandboxRecord> existing = find(pod.uid()).filter(SandboxRecord::alive);
      if (existing.isPresent()) {
        return existing.get();
      }
      try {
        Files.createDirectories(layout.pod(pod.uid()));
        SandboxRecord made = namespaces ? startPause(pod)
            : new SandboxRecord(pod.uid(), pod.namespace(), pod.name(), hostname(pod), 0, 0, 0, 0, null);
        if (made.namespaced()) {
          mountMemoryVolumes(pod, made);
        }
        RecordFiles.write(layout.sandbox(pod.uid()), made);
        sandboxes.put(pod.uid(), made);
        return made;
      } catch (IOException e) {
        throw new ContainerStartException("CreatePodSandboxError", "cannot create the pod's sandbox: " + e);
      }
    }
  }

  /** The sandbox known in memory or recorded on disk. */
  Optional<SandboxRecord> find(String uid) {
    SandboxRecord known = sandboxes.get(uid);
    if (known != null) {
      return Optional.of(known);
    }
    Optional<SandboxRecord> recorded = RecordFiles.read(layout.sandbox(uid), SandboxRecord.class);
    recorded.ifPresent(r -> sandboxes.put(uid, r));
    return recorded;
  }

  /** SIGKILL to the pause process: the kernel then kills everything in the pod's PID namespace. */
  void kill(String uid) {
    find(uid).filter(SandboxRecord::namespaced).ifPresent(s -> {
      if (ProcessTable.alive(s.pausePid(), s.pauseStartTime())) {
        ProcessTable.kill(s.pausePid());
      }
      if (ProcessTable.alive(s.initPid(), s.initStartTime())) {
        ProcessTable.kill(s.initPid());
      }
    });
  }

  /**
   * Whether the pause process is gone. Its child, the namespace's init, may take longer: once killed, it waits
   * until every process of the namespace is reaped, and a container's wrapper whose parent ({@code nsenter},
   * outside the namespace) died is reaped by the host's init, whenever that one gets to it.
   */
  boolean pauseGone(String uid) {
    return find(uid).filter(SandboxRecord::namespaced)
        .map(s -> !ProcessTable.alive(s.pausePid(), s.pauseStartTime()))
        .orElse(true);
  }

  void forget(String uid) {
    sandboxes.remove(uid);
    locks.remove(uid);
  }

  /** Removes the pod's network namespace and veth pair (bridge mode), once its processes are gone. */
  void removeNetwork(String uid) {
    if (bridge != null) bridge.detach(uid);
  }

  /**
   * At the runtime's start, bridge mode: the network namespaces of this node's pods whose pause process is gone
   * (the host rebooted, or the pod was killed while the agent was away) are removed; the next sandbox of such a
   * pod gets a new one. Namespaces of pods this node has no record of belong to another node of the host.
   */
  void removeDeadNetworks() {
    if (bridge == null) return;
    for (String uid : BridgeNetwork.podsWithNamespaces()) {
      if (!Files.isDirectory(layout.pod(uid))) continue;
      boolean alive = find(uid).map(s -> s.namespaced() && ProcessTable.alive(s.pausePid(), s.pauseStartTime()))
          .orElse(false);
      if (!alive) {
        log.info("removing the network namespace of pod {}: its sandbox is gone", uid);
        bridge.detach(uid);
      }
    }
  }

  /** Whether the pod gets a network namespace of its own: in bridge mode, unless it asks for the host's. */
  private boolean ownNetwork(PodSandbox pod) {
    return bridge != null && !pod.network().hostNetwork();
  }

  /** The pause process, in the pod's network namespace when it has one (removed again if the pause fails). */
  private SandboxRecord startPause(PodSandbox pod) throws IOException {
    if (!ownNetwork(pod)) return startPause(pod, null);
    Path netns;
    try {
      netns = bridge.attach(pod.uid(), pod.podIp(), pod.network().podCidr());
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new ContainerStartException("CreatePodSandboxError", "cannot set up the pod's network: "
          + e.getMessage());
    }
    try {
      return startPause(pod, netns);
    } catch (IOException | RuntimeException e) {
      bridge.detach(pod.uid());
      throw e;
    }
  }

  private SandboxRecord startPause(PodSandbox pod, Path netns) throws IOException {
    String hostname = hostname(pod);
    Files.deleteIfExists(layout.sandboxReady(pod.uid()));
    ProcessBuilder builder = new ProcessBuilder(ContainerWrapper.pause(tools, hostname,
        layout.sandboxReady(pod.uid()), netns, resolvConf(pod)))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true).redirectOutput(layout.sandboxErrors(pod.uid()).toFile());
    builder.environment().clear();
    builder.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    Process pause = builder.start();
    long pausePid = pause.pid();
    long pauseStart = ProcessTable.stat(pausePid).map(ProcessTable.Stat::startTime).orElse(0L);
    boolean ready = Await.until(START_DEADLINE, () -> !pause.isAlive()
        || (!ProcessTable.children(pausePid).isEmpty() && Files.exists(layout.sandboxReady(pod.uid()))));
    List<Long> children = ProcessTable.children(pausePid);
    if (!ready || !pause.isAlive() || children.isEmpty()) {
      pause.destroyForcibly();
      String why = Files.exists(layout.sandboxErrors(pod.uid()))
          ? Files.readString(layout.sandboxErrors(pod.uid()), StandardCharsets.UTF_8).trim() : "";
      throw new ContainerStartException("CreatePodSandboxError",
          "the pod's namespaces did not start" + (why.isEmpty() ? "" : ": " + why));
    }
    long init = children.get(0);
    long initStart = ProcessTable.stat(init).map(ProcessTable.Stat::startTime).orElse(0L);
    return new SandboxRecord(pod.uid(), pod.namespace(), pod.name(), hostname, pausePid, pauseStart, init,
        initStart, netns == null ? null : netns.toString());
  }

  /**
   * A tmpfs on each memory volume, in the pod's mount namespace: every container (each one's mount namespace is
   * a copy of the pod's) sees it, the host does not, and it is gone with the pod's namespaces. Without
   * namespaces, a memory volume stays a directory on disk.
   */
  private void mountMemoryVolumes(PodSandbox pod, SandboxRecord sandbox) throws IOException {
    for (MemoryVolume volume : pod.memoryVolumes()) {
      mountInPod(sandbox, List.of("-t", "tmpfs", "-o", "mode=0777" + (volume.sizeBytes() > 0 ? ",size="
          + volume.sizeBytes() : ""), "tmpfs", volume.path()), "a tmpfs on " + volume.path());
    }
  }

  /**
   * The pod's resolver settings written to its folder, for its pause process to bind over {@code /etc/resolv.conf}
   * in its mount namespace, where every container sees them (as containerd mounts the sandbox's resolv.conf into
   * each container); null when there is nothing to bind. A host without {@code /etc/resolv.conf} has nothing to
   * mount over: the pod then has none either.
   */
  private Path resolvConf(PodSandbox pod) throws IOException {
    if (pod.dns() == null) return null;
    Path file = layout.resolvConf(pod.uid());
    Files.writeString(file, pod.dns().resolvConf(), StandardCharsets.UTF_8);
    if (!Files.exists(RESOLV_CONF)) {
      log.warn("pod {}/{}: the host has no {}; the pod's DNS settings are not mounted", pod.namespace(), pod.name(),
          RESOLV_CONF);
      return null;
    }
    return file;
  }

  /** {@code mount} with these arguments in the pod's mount namespace; a failure kills the sandbox. */
  private void mountInPod(SandboxRecord sandbox, List<String> mountArguments, String what) throws IOException {
    List<String> argv = new java.util.ArrayList<>(List.of(HostTools.require(tools.nsenter(), "nsenter").toString(),
        "-t", Long.toString(sandbox.initPid()), "--mount", "--", HostTools.require(tools.mount(), "mount").toString()));
    argv.addAll(mountArguments);
    Process mount = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    String output = new String(mount.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
    try {
      if (!mount.waitFor(START_DEADLINE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
          || mount.exitValue() != 0) {
        mount.destroyForcibly();
        ProcessTable.kill(sandbox.pausePid());
        throw new ContainerStartException("CreatePodSandboxError", "cannot mount " + what
            + (output.isEmpty() ? "" : ": " + output));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** A UTS hostname has at most 64 bytes; Kubernetes cuts a pod's at 63 characters. */
  static String hostname(PodSandbox pod) {
    String name = pod.hostname() == null || pod.hostname().isBlank() ? pod.name() : pod.hostname();
    if (name.length() > 63) {
      name = name.substring(0, 63);
    }
    return name.replaceAll("[-.]+$", "");
  }
}
