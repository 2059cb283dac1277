package io.troupe.node.runtime.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code /proc} says about the host's processes: their state, parent, process group and start time. The
 * JDK's {@link ProcessHandle} knows neither process groups nor zombies, and compares start times only for the
 * processes it started, so this reads {@code /proc/<pid>/stat} itself (proc(5)).
 */
public final class ProcessTable {
  private static final Path PROC = Path.of("/proc");

  private ProcessTable() {}

  /**
   * One line of {@code /proc/<pid>/stat}.
   *
   * @param state R, S, D, Z (zombie), T, ...
   * @param startTime field 22: clock ticks after boot; with the pid it names one process for good
   */
  public record Stat(long pid, char state, long ppid, long pgrp, long startTime) {
    boolean zombie() {
      return state == 'Z' || state == 'X';
    }
  }

  public static Optional<Stat> stat(long pid) {
    if (pid <= 0) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(parse(pid, Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"),
          StandardCharsets.ISO_8859_1)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The process's comm may hold spaces and parentheses: the fields start after the last ')'. */
  public static Stat parse(long pid, String line) {
    int close = line.lastIndexOf(')');
    if (close < 0) {
      return null;
    }
    String[] f = line.substring(close + 2).trim().split(" ");
    // f[0] is field 3 (state), so field n is f[n - 3]
    return new Stat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[19]));
  }

  /** The start time of a running (not zombie) process, or empty when it is gone. */
  public static Optional<Long> startTime(long pid) {
    return stat(pid).filter(s -> !s.zombie()).map(Stat::startTime);
  }

  /** Whether the process that had {@code startTime} still runs (a reused pid is another process). */
  public static boolean alive(long pid, long startTime) {
    return stat(pid).filter(s -> !s.zombie() && s.startTime() == startTime).isPresent();
  }

  /** The live (not zombie) processes of a process group. */
  public static List<Long> groupMembers(long pgid) {
    return groupMembers(pgid, 0);
  }

  /**
   * The live processes of a group among the leader {@code pgid}, its descendants and those of {@code ancestor} (0:
   * among all of the host's). A pod's container or exec runs under its {@code nsenter}, the group's leader, in the
   * pod's PID namespace, where an orphan goes to the namespace's init: so the group's members descend from one or the
   * other, and searching there reads the pod's few processes instead of every process of the host, which a node with
   * hundreds of pods would read for each container that ends.
   */
  public static List<Long> groupMembers(long pgid, long ancestor) {
    List<Long> members = new ArrayList<>();
    if (pgid <= 1) {
      return members;
    }
    Collection<Long> candidates = ancestor <= 0 ? pids() : leaderAndDescendants(pgid, ancestor);
    for (long pid : candidates) {
      stat(pid).filter(s -> s.pgrp() == pgid && !s.zombie()).ifPresent(s -> members.add(pid));
    }
    return members;
  }

  private static Set<Long> leaderAndDescendants(long leader, long ancestor) {
    Set<Long> found = new LinkedHashSet<>(List.of(leader));
    found.addAll(descendants(leader));
    found.addAll(descendants(ancestor));
    return found;
  }

  /**
   * Every descendant of a process, through the children of each of their threads (each pid once: one that ended
   * while the walk went on may name a new process by then).
   */
  static Set<Long> descendants(long pid) {
    Set<Long> found = new LinkedHashSet<>();
    ArrayDeque<Long> todo = new ArrayDeque<>(List.of(pid));
    while (!todo.isEmpty()) {
      long parent = todo.poll();
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(parent + "/task"))) {
        for (Path task : tasks) {
          for (long child : childrenOf(task.resolve("children"))) {
            if (child != pid && found.add(child)) {
              todo.add(child);
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // gone meanwhile
      }
    }
    return found;
  }

  /** The children of a process ({@code /proc/<pid>/task/<pid>/children}, Linux 3.5+). */
  public static List<Long> children(long pid) {
    return childrenOf(PROC.resolve(pid + "/task/" + pid + "/children"));
  }

  private static List<Long> childrenOf(Path file) {
    List<Long> children = new ArrayList<>();
    try {
      String text = Files.readString(file);
      for (String s : text.trim().split("\\s+")) {
        if (!s.isEmpty()) {
          children.add(Long.parseLong(s));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return children;
  }

  /** A process's command line, empty when it is gone (or a zombie). */
  public static List<String> cmdline(long pid) {
    try {
      String text = Files.readString(PROC.resolve(pid + "/cmdline"), StandardCharsets.UTF_8);
      if (text.isEmpty()) {
        return List.of();
      }
      // NUL-terminated words
      return List.of((text.endsWith("\0") ? text.substring(0, text.length() - 1) : text).split("\0", -1));
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** The live processes whose command line holds {@code argument} as one of its words. */
  public static List<Long> withArgument(String argument) {
    List<Long> found = new ArrayList<>();
    for (long pid : pids()) {
      try {
        String cmdline = Files.readString(PROC.resolve(pid + "/cmdline"), StandardCharsets.UTF_8);
        for (String word : cmdline.split("\0")) {
          if (word.equals(argument) && stat(pid).filter(s -> !s.zombie()).isPresent()) {
            found.add(pid);
            break;
          }
        }
      } catch (IOException | RuntimeException e) {
        // gone meanwhile
      }
    }
    return found;
  }

  /** SIGKILL to one process, by pid; the caller made sure the pid still names the process it means. */
  public static void kill(long pid) {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  /**
   * SIGKILL to every live member of the group whose leader started at {@code leaderStartTime} (by pid, never
   * {@code kill -pgid}: once its members are gone, the group's number may name another group). Kills nothing
   * when another process now has the leader's pid; spares processes older than the leader, which cannot be
   * of its group.
   *
   * @return how many were signalled
   */
  public static int killGroup(long pgid, long leaderStartTime) {
    return killGroup(pgid, leaderStartTime, 0);
  }

  /**
   * {@link #killGroup(long, long)} among the leader, its descendants and those of {@code ancestor} (a pod's
   * namespace init; 0 for all of the host's processes): see {@link #groupMembers(long, long)}.
   */
  public static int killGroup(long pgid, long leaderStartTime, long ancestor) {
    if (pgid <= 1 || stat(pgid).filter(s -> !s.zombie() && s.startTime() != leaderStartTime).isPresent()) {
      return 0;
    }
    int killed = 0;
    for (long pid : groupMembers(pgid, ancestor)) {
      if (stat(pid).filter(s -> s.startTime() >= leaderStartTime).isPresent()) {
        kill(pid);
        killed++;
      }
    }
    return killed;
  }

  private static List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(PROC)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
          pids.add(Long.parseLong(name));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return pids;
  }
}
