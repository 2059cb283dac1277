package io.troupe.node.runtime.oci;

import io.troupe.node.runtime.process.ProcessTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The cgroups of the node's containers, {@code troupe-oci/<node>/<pod-uid>/<container>/<attempt>}. runc makes the
 * attempt's cgroup in every hierarchy ({@code linux.cgroupsPath}) with its cpu and pids limits, and removes it
 * when the container ends. The memory limit is set here, one level up, on the container's own cgroup, which
 * outlives the attempt: what the OOM killer did is still readable there once runc has removed the attempt's
 * cgroup. On cgroup v2 its {@code memory.events} counts the OOM kills of the cgroups below it; cgroup v1 does not
 * count them upwards, so there an attempt killed by SIGKILL after it hit the limit ({@code memory.failcnt} grew)
 * is taken as OOM killed.
 */
final class OciCgroups {
  private static final Path ROOT = Path.of("/sys/fs/cgroup");
  private static final String TOP = "troupe-oci";

  private final boolean v2;
  private final String nodeName;

  private OciCgroups(boolean v2, String nodeName) {
    this.v2 = v2;
    this.nodeName = nodeName;
  }

  /** cgroup v2 where {@code /sys/fs/cgroup} is the unified hierarchy, else v1 (runc decides alike). */
  static OciCgroups detect(String nodeName) {
    return new OciCgroups(Files.exists(ROOT.resolve("cgroup.controllers")), nodeName);
  }

  boolean v2() {
    return v2;
  }

  /** {@code linux.cgroupsPath} of an attempt: absolute, under the root of each hierarchy. */
  String cgroupsPath(String podUid, String container, int attempt) {
    return "/" + TOP + "/" + nodeName + "/" + podUid + "/" + container + "/" + attempt;
  }

  private Path memoryRoot() {
    return v2 ? ROOT : ROOT.resolve("memory");
  }

  private Path containerDir(String podUid, String container) {
    return memoryRoot().resolve(TOP).resolve(nodeName).resolve(podUid).resolve(container);
  }

  /** Creates (or keeps) the container's memory cgroup with its limit (0 for none). */
  void prepare(String podUid, String container, long memoryLimitBytes) throws IOException {
    Path dir = containerDir(podUid, container);
    if (v2) {
      Files.createDirectories(dir);
      // a v2 controller reaches a cgroup only when every ancestor enables it for its children (runc enables the
      // others, from the top, for the attempt's cgroup)
      for (Path d = ROOT; !d.equals(dir); d = d.resolve(dir.getName(d.getNameCount()))) {
        Files.writeString(d.resolve("cgroup.subtree_control"), "+memory");
      }
      Files.writeString(dir.resolve("memory.max"), memoryLimitBytes > 0 ? Long.toString(memoryLimitBytes) : "max");
      Path swap = dir.resolve("memory.swap.max");
      if (Files.exists(swap)) Files.writeString(swap, memoryLimitBytes > 0 ? "0" : "max");
      return;
    }
    Files.createDirectories(dir);
    // no memory+swap limit: this kernel does not count the failures of that counter in memory.memsw.failcnt, and
    // the limit hits are what tells an OOM kill apart here (the kubelet wants swap off on a node anyway)
    Path memsw = dir.resolve("memory.memsw.limit_in_bytes");
    if (Files.exists(memsw)) Files.writeString(memsw, "-1");
    Files.writeString(dir.resolve("memory.limit_in_bytes"), memoryLimitBytes > 0 ? Long.toString(memoryLimitBytes)
        : "-1");
  }

  /** The counter that grows when the container meets its memory limit: OOM kills (v2), limit hits (v1). */
  long memoryEvents(String podUid, String container) {
    Path dir = containerDir(podUid, container);
    if (v2) {
      return read(dir.resolve("memory.events")).flatMap(t -> t.lines().map(l -> l.trim().split("\\s+"))
          .filter(f -> f.length == 2 && f[0].equals("oom_kill")).map(f -> Long.parseLong(f[1])).findFirst())
          .orElse(0L);
    }
    // with swap accounting the memory+swap counter, limited alike, is charged (and fails) first
    return read(dir.resolve("memory.failcnt")).map(s -> Long.parseLong(s.trim())).orElse(0L)
        + read(dir.resolve("memory.memsw.failcnt")).map(s -> Long.parseLong(s.trim())).orElse(0L);
  }

  /** Whether an attempt that ended with {@code exitCode} was ended by the OOM killer. */
  boolean oomKilled(String podUid, String container, long eventsBefore, int exitCode) {
    long now = memoryEvents(podUid, container);
    return v2 ? now > eventsBefore : now > eventsBefore && exitCode == 137;
  }

  /** Removes the node's cgroups, and troupe-oci's, where they are empty (the runtime closes). */
  void removeNodeIfEmpty() {
    for (Path root : roots()) {
      try {
        Files.deleteIfExists(root.resolve(TOP).resolve(nodeName));
        Files.deleteIfExists(root.resolve(TOP));
      } catch (IOException e) {
        // pods, or other nodes, still there
      }
    }
  }

  private List<Path> roots() {
    List<Path> roots = new ArrayList<>();
    if (v2) {
      roots.add(ROOT);
    } else {
      try (Stream<Path> hierarchies = Files.list(ROOT)) {
        hierarchies.filter(Files::isDirectory).filter(p -> !Files.isSymbolicLink(p)).forEach(roots::add);
      } catch (IOException e) {
        return List.of();
      }
    }
    return roots;
  }

  /** The pod's cgroup folders in every hierarchy, deepest first. */
  private List<Path> podDirs(String podUid) {
    List<Path> dirs = new ArrayList<>();
    for (Path root : roots()) {
      Path pod = root.resolve(TOP).resolve(nodeName).resolve(podUid);
      if (!Files.isDirectory(pod)) continue;
      try (Stream<Path> walk = Files.walk(pod)) {
        walk.filter(Files::isDirectory).forEach(dirs::add);
      } catch (IOException | RuntimeException e) {
        // gone meanwhile
      }
    }
    dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    return dirs;
  }

  /** SIGKILL to every process left in the pod's cgroups; how many there were. */
  int killPod(String podUid) {
    int n = 0;
    for (Path dir : podDirs(podUid)) {
      for (String line : read(dir.resolve("cgroup.procs")).orElse("").split("\n")) {
        if (!line.isBlank()) {
          ProcessTable.kill(Long.parseLong(line.trim()));
          n++;
        }
      }
    }
    return n;
  }

  /** Removes the pod's cgroups (they must be empty); true when none is left. */
  boolean removePod(String podUid) {
    boolean all = true;
    for (Path dir : podDirs(podUid)) {
      try {
        Files.deleteIfExists(dir); // rmdir: a cgroup's files go with it
      } catch (IOException e) {
        all = false;
      }
    }
    return all;
  }

  private static Optional<String> read(Path file) {
    try {
      return Optional.of(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
