package io.troupe.node.runtime.oci;

import io.troupe.node.runtime.process.ContainerWrapper;
import io.troupe.node.runtime.process.HostTools;
import java.util.ArrayList;
import java.util.List;

/**
 * The shim of one attempt, what containerd's shim is to a container, as a small POSIX {@code sh} script (the
 * same reasons as the process runtime's wrapper: a process that outlives the JVM, with nothing but the host's
 * shell): in a session of its own, it starts the log writer on a FIFO, runs {@code runc run} (which creates the
 * container, forwards its output and the signals runc gets, waits for it and removes it) with its output there,
 * lets the log writer drain, then writes runc's exit status, the container's: the exit of a container that ended
 * while the agent was away is read from that file after a restart. Status 128: the shim could not start runc.
 */
final class OciShim {
  static final String SCRIPT = String.join("\n",
      "_tr_log=$1 _tr_exitfile=$2 _tr_fifo=$3 _tr_awk=$4 _tr_mkfifo=$5 _tr_awkmode=$6",
      "shift 6",
      "_tr_prog='" + ContainerWrapper.TIMESTAMP_LINES + "'",
      "\"$_tr_mkfifo\" -m 600 \"$_tr_fifo\" && exec 3<>\"$_tr_fifo\" || { echo 128 > \"$_tr_exitfile\"; exit 1; }",
      "( if [ -n \"$_tr_awkmode\" ]; then exec \"$_tr_awk\" -W \"$_tr_awkmode\" \"$_tr_prog\"; fi",
      "  exec \"$_tr_awk\" \"$_tr_prog\"",
      ") < \"$_tr_fifo\" >> \"$_tr_log\" 3>&- &",
      "_tr_logger=$!",
      "\"$@\" < /dev/null > \"$_tr_fifo\" 2>&1 3>&-",
      "_tr_status=$?",
      "exec 3>&-",
      "wait \"$_tr_logger\"",
      "echo \"$_tr_status\" > \"$_tr_exitfile\"");

  private OciShim() {}

  static List<String> command(HostTools tools, OciLayout layout, OciAttempt attempt, List<String> runcRun) {
    List<String> argv = new ArrayList<>();
    argv.add(HostTools.require(tools.setsid(), "setsid").toString());
    argv.addAll(List.of(HostTools.require(tools.sh(), "sh").toString(), "-c", SCRIPT, "troupe-oci-shim",
        layout.log(attempt).toString(), layout.exit(attempt).toString(), layout.fifo(attempt).toString(),
        HostTools.require(tools.awk(), "awk").toString(), HostTools.require(tools.mkfifo(), "mkfifo").toString(),
        tools.awkOptions().isEmpty() ? "" : tools.awkOptions().get(1)));
    argv.addAll(runcRun);
    return argv;
  }
}
