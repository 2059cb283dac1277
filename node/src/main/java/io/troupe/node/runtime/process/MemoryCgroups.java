package io.troupe.node.runtime.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The memory cgroups of a node's containers, {@code troupe/<node>/<pod-uid>/<container>}: cgroup v2 where the
 * unified hierarchy has the memory controller, else the v1 memory hierarchy, else none (limits are then not
 * enforced). Every container gets one, limited or not, so that whatever it started, even a process that left
 * its process group, is found again and killed.
 */
sealed interface MemoryCgroups permits MemoryCgroups.V1, MemoryCgroups.V2, MemoryCgroups.Unavailable {

  /** Blocking: probes the hierarchies and creates the node's cgroup. */
  static MemoryCgroups detect(String nodeName) {
    Path unified = Path.of("/sys/fs/cgroup");
    Path v1 = unified.resolve("memory");
    try {
      if (read(unified.resolve("cgroup.controllers")).map(c -> List.of(c.trim().split("\\s+")).contains("memory"))
          .orElse(false) && Files.isWritable(unified.resolve("cgroup.subtree_control"))) {
        Path node = unified.resolve("troupe").resolve(nodeName);
        V2 cgroups = new V2(unified, node);
        cgroups.enableMemory(unified, node);
        return cgroups;
      }
      if (Files.isRegularFile(v1.resolve("memory.limit_in_bytes"))) {
        Path node = v1.resolve("troupe").resolve(nodeName);
        Files.createDirectories(node);
        return new V1(v1, node);
      }
      return new Unavailable("no memory cgroup controller on this host");
    } catch (IOException | RuntimeException e) {
      return new Unavailable("the memory cgroup is not writable: " + e);
    }
  }

  /** The node's cgroup, or empty. */
  Optional<Path> node();

  /**
   * Creates (or keeps) a container's cgroup and sets its limit (0 for none).
   *
   * @return the file a process writes its pid into to join it; empty without cgroups
   */
  Optional<Path> prepare(String podUid, String container, long limitBytes) throws IOException;

  /** How many processes the OOM killer ended in a container's cgroup so far. */
  long oomKills(String podUid, String container);

  /** Whether a container's memory limit is enforced. */
  default boolean enforces(long limitBytes) {
    return limitBytes > 0 && node().isPresent();
  }

  /** The processes in a pod's cgroups, or in one container's when {@code container} is given. */
  default List<Long> processes(String podUid, String container) {
    List<Long> pids = new ArrayList<>();
    for (Path dir : cgroups(podUid, container)) {
      read(dir.resolve("cgroup.procs")).ifPresent(text -> text.lines().map(String::trim)
          .filter(s -> !s.isEmpty()).forEach(s -> pids.add(Long.parseLong(s))));
    }
    return pids;
  }

  /** Removes a pod's cgroups; they must hold no process. */
  default void remove(String podUid) {
    for (Path dir : cgroups(podUid, null)) {
      try {
        Files.deleteIfExists(dir); // rmdir: a cgroup's files go with it
      } catch (IOException e) {
        // a process is still inside: the caller retries
      }
    }
  }

  /** Removes the node's cgroup and troupe's when they are empty (the node agent stops). */
  default void removeNodeIfEmpty() {
    node().ifPresent(node -> {
      try {
        Files.deleteIfExists(node);
        Files.deleteIfExists(node.getParent());
      } catch (IOException e) {
        // other pods or nodes still there
      }
    });
  }

  /** The pod's cgroup folders, deepest first. */
  private List<Path> cgroups(String podUid, String container) {
    if (node().isEmpty()) {
      return List.of();
    }
    Path dir = node().get().resolve(podUid);
    if (container != null) {
      dir = dir.resolve(container);
    }
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** cgroup v1: {@code memory.limit_in_bytes}, swap off by {@code memory.memsw.limit_in_bytes}. */
  record V1(Path root, Path nodeDir) implements MemoryCgroups {
    @Override
    public Optional<Path> node() {
      return Optional.of(nodeDir);
    }

    @Override
    public Optional<Path> prepare(String podUid, String container, long limitBytes) throws IOException {
      Path dir = Files.createDirectories(nodeDir.resolve(podUid).resolve(container));
      String limit = limitBytes > 0 ? Long.toString(limitBytes) : "-1";
      Path memsw = dir.resolve("memory.memsw.limit_in_bytes");
      boolean swapAccounting = Files.exists(memsw);
      if (swapAccounting) {
        Files.writeString(memsw, "-1"); // memsw must stay >= the limit while the limit changes
      }
      Files.writeString(dir.resolve("memory.limit_in_bytes"), limit);
      if (swapAccounting) {
        Files.writeString(memsw, limit);
      }
      return Optional.of(dir.resolve("cgroup.procs"));
    }

    @Override
    public long oomKills(String podUid, String container) {
      return counter(nodeDir.resolve(podUid).resolve(container).resolve("memory.oom_control"), "oom_kill");
    }
  }

  /** cgroup v2: {@code memory.max}, {@code memory.swap.max}, OOM kills in {@code memory.events}. */
  record V2(Path root, Path nodeDir) implements MemoryCgroups {
    @Override
    public Optional<Path> node() {
      return Optional.of(nodeDir);
    }

    /**
     * A v2 controller reaches a cgroup only when every ancestor enables it for its children, from the top:
     * a cgroup can only enable what its parent gave it.
     */
    void enableMemory(Path from, Path to) throws IOException {
      Files.createDirectories(to);
      List<Path> chain = new ArrayList<>();
      for (Path dir = to; dir.startsWith(from); dir = dir.getParent()) {
        chain.add(0, dir);
        if (dir.equals(from)) {
          break;
        }
      }
      for (Path dir : chain) {
        Files.writeString(dir.resolve("cgroup.subtree_control"), "+memory");
      }
    }

    @Override
    public Optional<Path> prepare(String podUid, String container, long limitBytes) throws IOException {
      Path pod = Files.createDirectories(nodeDir.resolve(podUid));
      Files.writeString(pod.resolve("cgroup.subtree_control"), "+memory");
      Path dir = Files.createDirectories(pod.resolve(container));
      Files.writeString(dir.resolve("memory.max"), limitBytes > 0 ? Long.toString(limitBytes) : "max");
      Path swap = dir.resolve("memory.swap.max");
      if (Files.exists(swap)) {
        Files.writeString(swap, limitBytes > 0 ? "0" : "max");
      }
      return Optional.of(dir.resolve("cgroup.procs"));
    }

    @Override
    public long oomKills(String podUid, String container) {
      return counter(nodeDir.resolve(podUid).resolve(container).resolve("memory.events"), "oom_kill");
    }
  }

  /** No writable memory cgroup: containers run without one. */
  record Unavailable(String why) implements MemoryCgroups {
    @Override
    public Optional<Path> node() {
      return Optional.empty();
    }

    @Override
    public Optional<Path> prepare(String podUid, String container, long limitBytes) {
      return Optional.empty();
    }

    @Override
    public long oomKills(String podUid, String container) {
      return 0;
    }
  }

  private static long counter(Path file, String key) {
    return read(file).flatMap(text -> text.lines().map(l -> l.trim().split("\\s+"))
        .filter(f -> f.length == 2 && f[0].equals(key)).map(f -> Long.parseLong(f[1])).findFirst()).orElse(0L);
  }

  private static Optional<String> read(Path file) {
    try {
      return Optional.of(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
