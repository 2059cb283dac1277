package io.troupe.node.runtime.oci;

import io.troupe.node.runtime.RecordFiles;
import io.troupe.node.network.BridgeNetwork;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.MemoryVolume;
import io.troupe.node.runtime.PodSandbox;
import io.troupe.node.runtime.process.Await;
import io.troupe.node.runtime.process.HostTools;
import io.troupe.node.runtime.process.ProcessTable;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pods' sandboxes: a pause process per pod, in new IPC and UTS namespaces (the pod's hostname set there) and,
 * in bridge mode, in the pod's own network namespace on the node's bridge ({@link BridgeNetwork}); in loopback
 * mode in the host's network namespace, where the pod's 127.x address is. It only sleeps: it is what keeps the
 * namespaces while containers come and go, as Kubernetes' pause container does. The pod's {@code /etc/hosts},
 * {@code /etc/hostname} and {@code /etc/resolv.conf} are written to its folder, for every container to mount, and
 * its memory volumes ({@code emptyDir.medium: Memory}) are tmpfs mounts on the host, bound into the containers.
 */
final class OciSandboxes {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OciSandboxes.class);
  private static final Duration START_DEADLINE = Duration.ofSeconds(10);
  /** Sets the hostname in the pause's UTS namespace, says it is ready, then sleeps for ever. */
  private static final String PAUSE = String.join("\n",
      "printf '%s\\n' \"$1\" > /proc/sys/kernel/hostname || exit 1",
      ": > \"$2\" || exit 1",
      "exec \"$3\" infinity");

  private final OciLayout layout;
  private final HostTools tools;
  private final BridgeNetwork bridge;
  private final Map<String, OciSandbox> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  OciSandboxes(OciLayout layout, HostTools tools, BridgeNetwork bridge) {
    this.layout = layout;
    this.tools = tools;
    this.bridge = bridge;
  }

  /** Blocking: the pod's sandbox, kept when it exists and lives, otherwise made. */
  OciSandbox ensure(PodSandbox pod) {
    synchronized (locks.computeIfAbsent(pod.uid(), u -> new Object())) {
      Optional<OciSandbox> existing = find(pod.uid()).filter(OciSandbox::alive);
      if (existing.isPresent()) return existing.get();
      try {
        Files.createDirectories(layout.pod(pod.uid()));
        String hostname = hostname(pod);
        writePodFiles(pod, hostname);
        mountMemoryVolumes(pod);
        Path netns = null;
        if (bridge != null && !pod.network().hostNetwork()) {
          try {
            netns = bridge.attach(pod.uid(), pod.podIp(), pod.network().podCidr());
          } catch (IllegalStateException | IllegalArgumentException e) {
            throw new ContainerStartException("CreatePodSandboxError", "cannot set up the pod's network: "
                + e.getMessage());
          }
        }
        OciSandbox made;
        try {
          made = startPause(pod, hostname, netns);
        } catch (IOException | RuntimeException e) {
          if (netns != null) bridge.detach(pod.uid());
          throw e;
        }
        RecordFiles.write(layout.sandbox(pod.uid()), made);
        sandboxes.put(pod.uid(), made);
        return made;
      } catch (IOException e) {
        throw new ContainerStartException("CreatePodSandboxError", "cannot create the pod's sandbox: " + e);
      }
    }
  }

  Optional<OciSandbox> find(String uid) {
    OciSandbox known = sandboxes.get(uid);
    if (known != null) return Optional.of(known);
    Optional<OciSandbox> recorded = RecordFiles.read(layout.sandbox(uid), OciSandbox.class);
    recorded.ifPresent(r -> sandboxes.put(uid, r));
    return recorded;
  }

  /** Kills the pause process; its namespaces go once no container holds them. */
  void kill(String uid) {
    find(uid).filter(OciSandbox::alive).ifPresent(s -> ProcessTable.kill(s.pausePid()));
  }

  boolean pauseGone(String uid) {
    return find(uid).map(s -> !s.alive()).orElse(true);
  }

  /** Once the pod's processes are gone: its network namespace (bridge mode) and its memory volumes. */
  void remove(String uid) {
    if (bridge != null) bridge.detach(uid);
    find(uid).ifPresent(s -> s.memoryVolumes().forEach(path -> Mounts.unmount(tools, Path.of(path))));
    sandboxes.remove(uid);
    locks.remove(uid);
  }

  /**
   * At the runtime's start, bridge mode: the network namespaces of this node's pods whose pause process is gone
   * are removed; the next sandbox of such a pod gets a new one.
   */
  void removeDeadNetworks() {
    if (bridge == null) return;
    for (String uid : BridgeNetwork.podsWithNamespaces()) {
      if (!Files.isDirectory(layout.pod(uid))) continue;
      if (!find(uid).map(OciSandbox::alive).orElse(false)) {
        log.info("removing the network namespace of pod {}: its sandbox is gone", uid);
        bridge.detach(uid);
      }
    }
  }

  private OciSandbox startPause(PodSandbox pod, String hostname, Path netns) throws IOException {
    Path ready = layout.sandboxReady(pod.uid());
    Files.deleteIfExists(ready);
    List<String> argv = new ArrayList<>();
    argv.add(HostTools.require(tools.setsid(), "setsid").toString());
    if (netns != null) {
      argv.addAll(List.of(HostTools.require(tools.nsenter(), "nsenter").toString(), "--net=" + netns, "--"));
    }
    argv.addAll(List.of(HostTools.require(tools.unshare(), "unshare").toString(), "--uts", "--ipc", "--",
        HostTools.require(tools.sh(), "sh").toString(), "-c", PAUSE, "troupe-oci-pause", hostname,
        ready.toString(), HostTools.require(tools.sleep(), "sleep").toString()));
    ProcessBuilder builder = new ProcessBuilder(argv)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true).redirectOutput(layout.sandboxErrors(pod.uid()).toFile());
    builder.environment().clear();
    builder.environment().put("PATH", OciSpec.DEFAULT_PATH);
    Process pause = builder.start();
    long pid = pause.pid(); // setsid, nsenter (no PID namespace) and unshare (no --fork) exec: one process
    long start = ProcessTable.stat(pid).map(ProcessTable.Stat::startTime).orElse(0L);
    boolean ready2 = Await.until(START_DEADLINE, () -> !pause.isAlive() || Files.exists(ready));
    if (!ready2 || !pause.isAlive()) {
      pause.destroyForcibly();
      String why = Files.exists(layout.sandboxErrors(pod.uid()))
          ? Files.readString(layout.sandboxErrors(pod.uid()), StandardCharsets.UTF_8).trim() : "";
      throw new ContainerStartException("CreatePodSandboxError",
          "the pod's pause process did not start" + (why.isEmpty() ? "" : ": " + why));
    }
    return new OciSandbox(pod.uid(), pod.namespace(), pod.name(), hostname, pid, start,
        netns == null ? null : netns.toString(), pod.memoryVolumes().stream().map(MemoryVolume::path).toList());
  }

  /** {@code /etc/hosts} as the kubelet writes it, the hostname, and the pod's (or the node's) resolver settings. */
  private void writePodFiles(PodSandbox pod, String hostname) throws IOException {
    Path dir = Files.createDirectories(layout.podFiles(pod.uid()));
    String hosts = "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
        + "ip6-loopback\n" + (pod.podIp() == null || pod.podIp().isBlank() ? "" : pod.podIp() + "\t" + hostname
        + "\n");
    Files.writeString(dir.resolve("hosts"), hosts, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("hostname"), hostname + "\n", StandardCharsets.UTF_8);
    String resolv;
    if (pod.dns() != null) {
      resolv = pod.dns().resolvConf();
    } else {
      Path host = Path.of("/etc/resolv.conf");
      resolv = Files.isReadable(host) ? Files.readString(host, StandardCharsets.UTF_8) : "";
    }
    Files.writeString(dir.resolve("resolv.conf"), resolv, StandardCharsets.UTF_8);
  }

  /** A tmpfs on each memory volume's host folder (kept when mounted already: a restarted agent). */
  private void mountMemoryVolumes(PodSandbox pod) throws IOException {
    for (MemoryVolume volume : pod.memoryVolumes()) {
      Path path = Files.createDirectories(Path.of(volume.path()));
      if (Mounts.isMountPoint(path)) continue;
      Mounts.run(List.of(HostTools.require(tools.mount(), "mount").toString(), "-t", "tmpfs", "-o", "mode=0777"
          + (volume.sizeBytes() > 0 ? ",size=" + volume.sizeBytes() : ""), "tmpfs", path.toString()),
          "CreatePodSandboxError", "cannot mount a tmpfs on " + path);
    }
  }

  /** A UTS hostname has at most 64 bytes; Kubernetes cuts a pod's at 63 characters. */
  static String hostname(PodSandbox pod) {
    String name = pod.hostname() == null || pod.hostname().isBlank() ? pod.name() : pod.hostname();
    if (name.length() > 63) name = name.substring(0, 63);
    return name.replaceAll("[-.]+$", "");
  }
}
