package io.troupe.node.runtime.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.node.image.ImageConfig;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.node.runtime.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The OCI runtime spec ({@code config.json}) of one attempt of a container, made the way containerd's CRI plugin
 * makes it from a pod: the command line, environment, working directory and user from the container over its
 * image's config (Kubernetes' rules), containerd's default capabilities with the {@code securityContext}'s adds
 * and drops, the pod's namespaces joined by path (network, IPC, UTS: the sandbox's) and its own PID and mount
 * namespaces, the pod's {@code /etc/hosts}, {@code /etc/hostname} and {@code /etc/resolv.conf}, its volumes
 * as bind mounts, and its cgroup with the cpu and pids limits. Pure, but for reading the image's
 * {@code /etc/passwd} and {@code /etc/group} to resolve a user name.
 */
final class OciSpec {
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  /** containerd's default set (its {@code oci.defaultUnixCaps}). */
  static final List<String> DEFAULT_CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD",
      "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE");
  /** Every capability of Linux 5.9+, for {@code privileged} and {@code add: [ALL]}. */
  static final List<String> ALL_CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",
      "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
      "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE",
      "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
      "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
      "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE");
  private static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore",
      "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
      "/proc/scsi", "/sys/firmware");
  private static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
      "/proc/sysrq-trigger");

  /**
   * What the spec is made of besides the container.
   *
   * @param rootfs the attempt's root filesystem, mounted already
   * @param namespacesOf the pod's sandbox process, whose network, IPC and UTS namespaces the container joins
   * @param ownNetwork whether the sandbox has a network namespace of its own (else the container shares the
   *     host's, as the sandbox does)
   * @param podFiles the pod's {@code hosts}, {@code hostname} and {@code resolv.conf}
   */
  record Inputs(ContainerSpec container, ImageConfig image, Path rootfs, long namespacesOf, boolean ownNetwork,
      String hostname, Path podFiles, String cgroupsPath, long pidsLimit) {}

  /** The resolved process: for the record, for exec. */
  record Process(List<String> args, Map<String, String> env, String cwd, long uid, long gid) {}

  private OciSpec() {}

  static ObjectNode of(Inputs in, ObjectMapper json) {
    Process process = process(in);
    ObjectNode spec = json.createObjectNode();
    spec.put("ociVersion", "1.0.2");
    ObjectNode p = spec.putObject("process");
    p.put("terminal", false);
    p.putObject("user").put("uid", process.uid()).put("gid", process.gid());
    strings(p.putArray("args"), process.args());
    ArrayNode env = p.putArray("env");
    process.env().forEach((k, v) -> env.add(k + "=" + v));
    p.put("cwd", process.cwd());
    ObjectNode caps = p.putObject("capabilities");
    List<String> capabilities = capabilities(in.container().security()).stream().map(c -> "CAP_" + c).toList();
    for (String set : List.of("bounding", "effective", "permitted")) strings(caps.putArray(set), capabilities);
    p.put("noNewPrivileges", false);
    boolean privileged = in.container().security().privileged();
    spec.putObject("root").put("path", in.rootfs().toString())
        .put("readonly", in.container().security().readOnlyRootFilesystem());
    mounts(spec.putArray("mounts"), in, privileged);
    ObjectNode linux = spec.putObject("linux");
    ArrayNode namespaces = linux.putArray("namespaces");
    namespaces.addObject().put("type", "pid");
    namespaces.addObject().put("type", "mount");
    String ns = "/proc/" + in.namespacesOf() + "/ns/";
    namespaces.addObject().put("type", "ipc").put("path", ns + "ipc");
    namespaces.addObject().put("type", "uts").put("path", ns + "uts");
    if (in.ownNetwork()) namespaces.addObject().put("type", "network").put("path", ns + "net");
    linux.put("cgroupsPath", in.cgroupsPath());
    ObjectNode resources = linux.putObject("resources");
    resources.putArray("devices").addObject().put("allow", privileged).put("access", "rwm");
    long cpu = in.container().cpuLimitMillis();
    if (cpu > 0) resources.putObject("cpu").put("quota", Math.max(1000, cpu * 100)).put("period", 100_000);
    if (in.pidsLimit() > 0) resources.putObject("pids").put("limit", in.pidsLimit());
    if (!privileged) {
      strings(linux.putArray("maskedPaths"), MASKED_PATHS);
      strings(linux.putArray("readonlyPaths"), READONLY_PATHS);
    }
    return spec;
  }

  /** Kubernetes' rules: the container's command replaces the entrypoint, its args replace the cmd. */
  static List<String> commandLine(List<String> command, List<String> args, ImageConfig image) {
    List<String> head = command.isEmpty() ? image.entrypoint() : command;
    List<String> tail = !args.isEmpty() || !command.isEmpty() ? args : image.cmd();
    List<String> out = new ArrayList<>(head);
    out.addAll(tail);
    return out;
  }

  static Process process(Inputs in) {
    ContainerSpec c = in.container();
    List<String> args = commandLine(c.command(), c.args(), in.image());
    if (args.isEmpty()) {
      throw new ContainerStartException("CreateContainerError", "no command specified: the container has no "
          + "command and its image \"" + c.image() + "\" no entrypoint");
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", DEFAULT_PATH);
    env.put("HOSTNAME", in.hostname());
    for (String entry : in.image().env()) {
      int eq = entry.indexOf('=');
      if (eq > 0) env.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    env.putAll(c.env());
    for (Mount m : c.mounts()) env.put(m.variable(), m.containerPath());
    String cwd = c.workingDir() != null && !c.workingDir().isBlank() ? c.workingDir()
        : in.image().workingDir().isBlank() ? "/" : in.image().workingDir();
    if (!cwd.startsWith("/")) cwd = "/" + cwd;
    long[] user = user(in.image().user(), c.security(), in.rootfs());
    env.putIfAbsent("HOME", home(in.rootfs(), user[0]));
    return new Process(args, env, cwd, user[0], user[1]);
  }

  /** The capabilities a container gets: containerd's defaults, or all when privileged, with adds and drops. */
  static List<String> capabilities(ContainerSpec.SecurityContext security) {
    if (security.privileged()) return ALL_CAPABILITIES;
    Set<String> out = new LinkedHashSet<>(DEFAULT_CAPABILITIES);
    List<String> drop = normalize(security.capabilitiesDrop());
    List<String> add = normalize(security.capabilitiesAdd());
    if (drop.contains("ALL")) out.clear();
    out.removeAll(drop);
    if (add.contains("ALL")) out.addAll(ALL_CAPABILITIES);
    for (String a : add) if (!a.equals("ALL")) out.add(a);
    return List.copyOf(out);
  }

  private static List<String> normalize(List<String> names) {
    return names.stream().map(n -> n.toUpperCase(Locale.ROOT).replaceFirst("^CAP_", "")).toList();
  }

  /**
   * uid and gid: {@code runAsUser}/{@code runAsGroup} over the image's {@code User} ({@code uid}, {@code uid:gid},
   * or names looked up in the image's {@code /etc/passwd} and {@code /etc/group}).
   */
  static long[] user(String imageUser, ContainerSpec.SecurityContext security, Path rootfs) {
    Long uid = null;
    Long gid = null;
    if (!imageUser.isBlank()) {
      String[] parts = imageUser.split(":", 2);
      uid = id(parts[0], rootfs.resolve("etc/passwd"), "user");
      if (parts.length == 2) gid = id(parts[1], rootfs.resolve("etc/group"), "group");
    }
    if (security.runAsUser() != null) uid = security.runAsUser();
    if (security.runAsGroup() != null) gid = security.runAsGroup();
    if (uid == null) uid = 0L;
    if (gid == null) {
      long u = uid;
      gid = passwd(rootfs).stream().filter(f -> f.length > 3 && f[2].equals(Long.toString(u)))
          .map(f -> Long.parseLong(f[3])).findFirst().orElse(0L);
    }
    return new long[] {uid, gid};
  }

  private static long id(String nameOrId, Path file, String what) {
    if (nameOrId.matches("\\d+")) return Long.parseLong(nameOrId);
    return entries(file).stream().filter(f -> f.length > 2 && f[0].equals(nameOrId))
        .map(f -> Long.parseLong(f[2])).findFirst()
        .orElseThrow(() -> new ContainerStartException("CreateContainerError", "unable to find " + what + " "
            + nameOrId + ": no matching entries in the image's " + file.getFileName() + " file"));
  }

  private static String home(Path rootfs, long uid) {
    return passwd(rootfs).stream().filter(f -> f.length > 5 && f[2].equals(Long.toString(uid)))
        .map(f -> f[5]).findFirst().orElse("/");
  }

  private static List<String[]> passwd(Path rootfs) {
    return entries(rootfs.resolve("etc/passwd"));
  }

  private static List<String[]> entries(Path file) {
    try {
      return Files.readAllLines(file).stream().map(l -> l.split(":", -1)).toList();
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  private static void mounts(ArrayNode mounts, Inputs in, boolean privileged) {
    mount(mounts, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
    mount(mounts, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
    mount(mounts, "/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666",
        "mode=0620", "gid=5"));
    mount(mounts, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
    mount(mounts, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
    mount(mounts, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", privileged ? "rw" : "ro"));
    mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro"));
    for (String file : List.of("hosts", "hostname", "resolv.conf")) {
      mount(mounts, "/etc/" + file, "bind", in.podFiles().resolve(file).toString(), List.of("rbind", "rprivate"));
    }
    for (Mount m : in.container().mounts()) {
      List<String> options = new ArrayList<>(List.of("rbind", "rprivate"));
      if (m.readOnly()) options.add("ro");
      mount(mounts, m.containerPath(), "bind", m.hostPath(), options);
    }
  }

  private static void mount(ArrayNode mounts, String destination, String type, String source,
      List<String> options) {
    ObjectNode m = mounts.addObject();
    m.put("destination", destination).put("type", type).put("source", source);
    strings(m.putArray("options"), options);
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }
}
