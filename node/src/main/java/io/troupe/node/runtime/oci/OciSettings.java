package io.troupe.node.runtime.oci;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the {@code oci} runtime runs on one node.
 *
 * @param stateDir where it keeps its pods ({@code pods/<uid>/...}), the containers' root filesystems and runc's
 *     own state ({@code runc/}, its {@code --root}); typically {@code <data-dir>/node/<node-name>/oci}
 * @param runc the runc binary; empty to find it on the usual paths
 * @param nodeName names the node's cgroups ({@code troupe-oci/<node-name>/<pod-uid>/<container>})
 * @param pidsLimit every container's {@code pids.max} (0 for none), as the kubelet's {@code podPidsLimit}
 * @param logMaxBytes a container's log file is rotated once larger
 * @param logMaxFiles how many files a container's log keeps, the current one included
 */
public record OciSettings(Path stateDir, String runc, String nodeName, long pidsLimit, long logMaxBytes,
    int logMaxFiles, Duration logMonitorInterval) {

  public OciSettings {
    Objects.requireNonNull(stateDir, "stateDir");
    runc = runc == null ? "" : runc;
    if (nodeName == null || !nodeName.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("a node name must be a DNS name, got " + nodeName);
    }
    if (pidsLimit < 0) throw new IllegalArgumentException("pids-limit must not be negative, got " + pidsLimit);
    if (logMaxBytes < 1024) throw new IllegalArgumentException("log-max-size must be at least 1KiB");
    if (logMaxFiles < 1) throw new IllegalArgumentException("log-max-files must be at least 1");
  }

  /** The defaults: runc found on the PATH's usual folders, 4096 pids, logs of 5 files of 10 MiB. */
  public static OciSettings of(Path stateDir, String nodeName) {
    return new OciSettings(stateDir, "", nodeName, 4096, 10L * 1024 * 1024, 5, Duration.ofSeconds(5));
  }

  /** From {@code troupe.node.oci} (pids, runc) and {@code troupe.node.process} (log rotation, shared). */
  public static OciSettings fromConfig(Config config, Path dataDir, String nodeName) {
    Config c = config.getConfig("troupe.node.oci");
    Config p = config.getConfig("troupe.node.process");
    return new OciSettings(dataDir.resolve("node").resolve(nodeName).resolve("oci"), c.getString("runc"), nodeName,
        c.getLong("pids-limit"), p.getBytes("log-max-size"), p.getInt("log-max-files"),
        p.getDuration("log-monitor-interval"));
  }
}
