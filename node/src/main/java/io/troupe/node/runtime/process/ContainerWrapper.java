package io.troupe.node.runtime.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command lines the runtime starts: a container's wrapper, an exec, a pod's pause process. They are small
 * POSIX {@code sh} scripts written here by hand: what they do (join a cgroup by pid, put a timestamp on every
 * line into a file that outlives the agent, keep a command's exit status when nobody waits for it, reap a
 * PID namespace's orphans) is what containerd's shim and runc's init do in Go; no Java library starts a
 * process detached from the JVM, and the shell is on every host. Their variables are named {@code _tr_*}: a
 * variable that came in the environment stays exported, so a plain name would change the command's environment.
 */
public final class ContainerWrapper {
  /** The log writer: every line gets its RFC 3339 UTC time (to the second: mawk has no finer clock). */
  public static final String TIMESTAMP_LINES = "{ print strftime(\"%Y-%m-%dT%H:%M:%SZ\", systime(), 1) \" \" $0; fflush() }";

  /**
   * A container's attempt, led by {@code setsid} (so that {@code kill -- -pgid} reaches all it starts):
   * joins the container's cgroup, starts the log writer on a FIFO, runs the command with its output there,
   * writes its exit status, lets the log writer drain, then kills what the command left behind (a container
   * ends with its main process, as runc kills the rest of the container) and itself.
   *
   * <ul>
   *   <li>The wrapper catches SIGTERM (it sets a flag and lives on to record the status); the command gets the
   *       default action, since exec resets a caught signal. The command runs in a subshell, a real fork that
   *       drops the handler at once (dash runs a simple command by vfork, whose child keeps the wrapper's
   *       handler until its exec), which checks the flag first: a SIGTERM before the command starts means it
   *       never does (143).
   *   <li>A SIGTERM to the group that comes while the wrapper forks reaches the wrapper alone (the kernel
   *       gives a group signal to the parent before the fork or to both after it), to be handled once the
   *       child runs: the runtime says a container started only once its log writer and its command have
   *       replaced their shells ({@link ContainerStarter}), so that a stop never comes in that window.
   *   <li>The log writer ignores SIGTERM: a container that ignores SIGTERM is still logged until SIGKILL.
   *   <li>The wrapper holds the FIFO open read-write while the command runs: opening a FIFO blocks until
   *       its other side opens (the wrapper must not hang on a log writer that failed to start), and a write
   *       to a FIFO nobody has opened for reading yet would kill the command with SIGPIPE. Nobody else gets
   *       that descriptor (3), or the log writer would never see the end of its input.
   *   <li>Output goes to files, never to the JVM: the container outlives a {@code kill -9} of the agent.
   *   <li>Leftovers holding the FIFO get 1 s before the log writer is killed with them.
   *   <li>Exit status 128: the wrapper could not run the command (its errors are in {@code <attempt>.err} or
   *       the log).
   *   <li>A container with volumes runs in a mount namespace of its own ({@code unshare --mount} before the
   *       wrapper): the wrapper runs its mount script ({@link #mountScript}) there, in a subshell, first ({@code -}
   *       for none).
   * </ul>
   */
  static final String CONTAINER = String.join("\n",
      "_tr_cgroup=$1 _tr_fifo=$2 _tr_log=$3 _tr_exitfile=$4 _tr_workdir=$5",
      "_tr_awk=$6 _tr_mkfifo=$7 _tr_sleep=$8 _tr_awkmode=$9",
      "shift 9",
      "_tr_mounts=$1",
      "shift",
      "_tr_stopping=",
      "_tr_prog='" + TIMESTAMP_LINES + "'",
      "trap _tr_stopping=1 TERM",
      "_tr_fail() { if [ -n \"$_tr_stopping\" ]; then echo 143; else echo 128; fi > \"$_tr_exitfile\"; exit 1; }",
      "if [ -n \"$_tr_cgroup\" ]; then echo $$ > \"$_tr_cgroup\" || _tr_fail; fi",
      "if [ \"$_tr_mounts\" != - ]; then ( . \"$_tr_mounts\" ) || _tr_fail; fi",
      "\"$_tr_mkfifo\" -m 600 \"$_tr_fifo\" && exec 3<>\"$_tr_fifo\" || _tr_fail",
      "( trap '' TERM",
      "  if [ -n \"$_tr_awkmode\" ]; then exec \"$_tr_awk\" -W \"$_tr_awkmode\" \"$_tr_prog\"; fi",
      "  exec \"$_tr_awk\" \"$_tr_prog\"",
      ") < \"$_tr_fifo\" >> \"$_tr_log\" 3>&- &",
      "_tr_logger=$!",
      "exec > \"$_tr_fifo\" 2>&1",
      "if [ -n \"$_tr_stopping\" ]; then",
      "  _tr_status=143",
      "elif cd -- \"$_tr_workdir\"; then",
      "  ( [ -z \"$_tr_stopping\" ] || exit 143; exec \"$@\" ) < /dev/null 3>&-",
      "  _tr_status=$?",
      "else",
      "  _tr_status=128",
      "fi",
      "echo \"$_tr_status\" > \"$_tr_exitfile\"",
      "exec > /dev/null 2>&1 3>&-",
      "( trap '' TERM; \"$_tr_sleep\" 1; kill -9 0 ) &",
      "while kill -0 \"$_tr_logger\" 2>/dev/null; do wait \"$_tr_logger\"; done",
      "kill -9 0");

  /** A command run in a container: its cgroup, its working directory, then the command itself. */
  static final String EXEC = String.join("\n",
      "_tr_cgroup=$1 _tr_workdir=$2",
      "shift 2",
      "if [ -n \"$_tr_cgroup\" ]; then echo $$ > \"$_tr_cgroup\" 2>/dev/null; fi",
      "cd -- \"$_tr_workdir\" || exit 126",
      "exec \"$@\"");

  /**
   * The init of a pod's PID namespace: sets the pod's hostname in its UTS namespace, binds the pod's resolver
   * settings over {@code /etc/resolv.conf} in its mount namespace (when given: every container's mount namespace is
   * a copy of it), says it is ready, then sleeps for ever, reaping the orphans of the pod's containers ({@code wait}
   * collects any child). Mounting here rather than with {@code nsenter} from the agent saves a process start and
   * a wait on the runtime's threads per pod.
   */
  static final String PAUSE = String.join("\n",
      "printf '%s\\n' \"$1\" > /proc/sys/kernel/hostname || exit 1",
      "if [ -n \"$4\" ]; then \"$5\" --bind \"$4\" /etc/resolv.conf || exit 1; fi",
      ": > \"$2\" || exit 1",
      "trap 'exit 0' TERM",
      "while :; do \"$3\" 2147483647 & wait; done");

  private ContainerWrapper() {}

  /**
   * {@code nsenter} into a pod's namespaces (PID, UTS, IPC, mount, network), or nothing without namespaces. The
   * network namespace of the pod's init is the pod's own in bridge mode, the host's otherwise (joining it then
   * changes nothing).
   *
   * @param mountNamespace the mount namespace to join instead of the pod's ({@code /proc/<pid>/ns/mnt}), or null
   */
  static List<String> enter(HostTools tools, long sandboxInit, String mountNamespace) {
    if (sandboxInit <= 0) {
      return List.of();
    }
    return List.of(HostTools.require(tools.nsenter(), "nsenter").toString(), "-t", Long.toString(sandboxInit),
        "--pid", "--uts", "--ipc", mountNamespace == null ? "--mount" : "--mount=" + mountNamespace, "--net", "--");
  }

  static List<String> container(HostTools tools, AttemptRecord r, StateLayout layout, List<String> command) {
    List<String> argv = new ArrayList<>();
    argv.add(HostTools.require(tools.setsid(), "setsid").toString());
    argv.addAll(enter(tools, r.sandboxInit(), null));
    if (r.ownMounts()) {
      argv.addAll(List.of(HostTools.require(tools.unshare(), "unshare").toString(), "--mount",
          "--propagation", "private", "--"));
    }
    argv.addAll(List.of(HostTools.require(tools.sh(), "sh").toString(), "-c", CONTAINER, "troupe-container",
        r.cgroupProcs() == null ? "" : r.cgroupProcs(), layout.fifo(r).toString(), layout.log(r).toString(),
        layout.exit(r).toString(), r.workingDir(), path(tools.awk()), path(tools.mkfifo()), path(tools.sleep()),
        tools.awkOptions().isEmpty() ? "" : tools.awkOptions().get(1),
        r.ownMounts() ? layout.mounts(r).toString() : "-")); // "-", not "": with an empty argument in it, JDK 17's
    // ProcessHandle.Info.commandLine() missed the arguments after it (the command, which tools look for)
    argv.addAll(command);
    return argv;
  }

  /**
   * The commands that mount a container's volumes in its own mount namespace: the mount point made where it is
   * missing (a directory, or an empty file for a file), a bind mount of the host path, read-only when asked.
   *
   * @param targets the mount points, as the container sees them, in the order of {@code mounts}
   */
  static String mountScript(HostTools tools, List<io.troupe.node.runtime.Mount> mounts, List<java.nio.file.Path>
      targets) {
    String mkdir = quote(HostTools.require(tools.mkdir(), "mkdir").toString());
    String mount = quote(HostTools.require(tools.mount(), "mount").toString());
    StringBuilder script = new StringBuilder("set -e\n");
    for (int i = 0; i < mounts.size(); i++) {
      io.troupe.node.runtime.Mount m = mounts.get(i);
      String target = quote(targets.get(i).toString());
      // each program started costs a few ms of CPU per container: mkdir only where the mount point's directory is
      // missing (after a pod's first start it is there), and one mount that binds and remounts read-only
      boolean directory = java.nio.file.Files.isDirectory(java.nio.file.Path.of(m.hostPath()));
      // a directory's mount point is a directory; a file's is an empty file in its parent directory
      String dir = directory ? target : quote(targets.get(i).getParent().toString());
      script.append("[ -d ").append(dir).append(" ] || ").append(mkdir).append(" -p -- ").append(dir).append('\n');
      if (!directory) {
        script.append("[ -e ").append(target).append(" ] || : > ").append(target).append('\n');
      }
      // util-linux's mount does "-o bind,ro" as a bind and then a read-only remount (two mount(2) calls)
      script.append(mount).append(m.readOnly() ? " --bind -o ro " : " --bind ").append(quote(m.hostPath()))
          .append(' ').append(target).append('\n');
    }
    return script.toString();
  }

  /** A word for {@code sh}: in single quotes, each single quote in it written {@code '\\''}. */
  static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** The command line of an attempt's log writer, once it runs. */
  static List<String> logWriter(HostTools tools) {
    List<String> argv = new ArrayList<>();
    argv.add(path(tools.awk()));
    argv.addAll(tools.awkOptions());
    argv.add(TIMESTAMP_LINES);
    return argv;
  }

  static List<String> exec(HostTools tools, AttemptRecord r, List<String> command) {
    List<String> argv = new ArrayList<>();
    argv.add(HostTools.require(tools.setsid(), "setsid").toString());
    argv.addAll(enter(tools, r.sandboxInit(), r.ownMounts() ? "/proc/" + r.pid() + "/ns/mnt" : null));
    argv.addAll(List.of(HostTools.require(tools.sh(), "sh").toString(), "-c", EXEC, "troupe-exec",
        r.cgroupProcs() == null ? "" : r.cgroupProcs(), r.workingDir()));
    argv.addAll(command);
    return argv;
  }

  /**
   * The pause process: new PID, UTS, IPC and mount namespaces, made in the pod's network namespace when it has one.
   *
   * @param netns the pod's network namespace ({@code /run/netns/...}), or null for the host's
   * @param resolvConf the pod's resolver settings, bound over {@code /etc/resolv.conf} in its mount namespace; null
   *     for none
   */
  static List<String> pause(HostTools tools, String hostname, Path ready, Path netns, Path resolvConf) {
    List<String> argv = new ArrayList<>();
    argv.add(HostTools.require(tools.setsid(), "setsid").toString());
    if (netns != null) {
      argv.addAll(List.of(HostTools.require(tools.nsenter(), "nsenter").toString(), "--net=" + netns, "--"));
    }
    argv.addAll(List.of(HostTools.require(tools.unshare(), "unshare").toString(), "--pid", "--fork", "--mount-proc",
        "--uts", "--ipc", "--kill-child", "--", HostTools.require(tools.sh(), "sh").toString(), "-c", PAUSE,
        "troupe-pause", hostname, ready.toString(), path(tools.sleep()),
        resolvConf == null ? "" : resolvConf.toString(),
        resolvConf == null ? "" : HostTools.require(tools.mount(), "mount").toString()));
    return argv;
  }

  private static String path(java.util.Optional<Path> tool) {
    return tool.map(Path::toString).orElse("");
  }
}
