package io.troupe.node.runtime.process;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How the {@code process} runtime runs on one node.
 *
 * @param stateDir where it keeps its pods: {@code pods/<uid>/<container>/<attempt>.{json,exit,log}},
 *     {@code pods/<uid>/sandbox.json}, unpacked images under {@code images/}; typically
 *     {@code <data-dir>/node/<node-name>}
 * @param imageDir where images are found: a folder {@code <name>/} or a tarball {@code <name>.tar},
 *     {@code <name>.tar.gz}, {@code <name>.tgz}
 * @param namespaces whether each pod gets its own PID, UTS, IPC and mount namespaces
 * @param nodeName names the node's cgroup ({@code troupe/<node-name>/<pod-uid>/<container>})
 * @param logMaxBytes a container's log file is rotated once larger (kubelet's {@code containerLogMaxSize})
 * @param logMaxFiles how many files a container's log keeps, the current one included
 *     ({@code containerLogMaxFiles})
 * @param logMonitorInterval how often log sizes are checked ({@code containerLogMonitorInterval})
 */
public record ProcessRuntimeSettings(Path stateDir, Path imageDir, Namespaces namespaces, String nodeName,
    long logMaxBytes, int logMaxFiles, Duration logMonitorInterval) {

  public static final long DEFAULT_LOG_MAX_BYTES = 10L * 1024 * 1024;
  public static final int DEFAULT_LOG_MAX_FILES = 5;
  public static final Duration DEFAULT_LOG_MONITOR_INTERVAL = Duration.ofSeconds(5);

  /** {@code auto}: on when the agent runs as root and {@code unshare} works here. */
  public enum Namespaces {
    AUTO, ON, OFF;

    static Namespaces parse(String value) {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
  }

  public ProcessRuntimeSettings {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(imageDir, "imageDir");
    Objects.requireNonNull(namespaces, "namespaces");
    if (nodeName == null || !nodeName.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException("a node name must be a DNS name, got " + nodeName);
    }
    if (logMaxBytes < 1024) {
      throw new IllegalArgumentException("log-max-size must be at least 1KiB, got " + logMaxBytes);
    }
    if (logMaxFiles < 1) {
      throw new IllegalArgumentException("log-max-files must be at least 1, got " + logMaxFiles);
    }
    if (logMonitorInterval.isNegative() || logMonitorInterval.isZero()) {
      throw new IllegalArgumentException("log-monitor-interval must be positive");
    }
  }

  /** The defaults: namespaces {@code auto}, logs of 5 files of 10 MiB checked every 5 s. */
  public static ProcessRuntimeSettings of(Path stateDir, Path imageDir, String nodeName) {
    return new ProcessRuntimeSettings(stateDir, imageDir, Namespaces.AUTO, nodeName, DEFAULT_LOG_MAX_BYTES,
        DEFAULT_LOG_MAX_FILES, DEFAULT_LOG_MONITOR_INTERVAL);
  }

  /**
   * From the {@code troupe.node.process} block of {@code config}; the state dir is
   * {@code <dataDir>/node/<nodeName>} and a relative {@code image-dir} is resolved against {@code dataDir}.
   */
  public static ProcessRuntimeSettings fromConfig(Config config, Path dataDir, String nodeName) {
    Config c = config.getConfig("troupe.node.process");
    return new ProcessRuntimeSettings(dataDir.resolve("node").resolve(nodeName),
        dataDir.resolve(c.getString("image-dir")), Namespaces.parse(c.getString("namespaces")), nodeName,
        c.getBytes("log-max-size"), c.getInt("log-max-files"), c.getDuration("log-monitor-interval"));
  }

  public ProcessRuntimeSettings withNamespaces(Namespaces value) {
    return new ProcessRuntimeSettings(stateDir, imageDir, value, nodeName, logMaxBytes, logMaxFiles,
        logMonitorInterval);
  }

  public ProcessRuntimeSettings withLogRotation(long maxBytes, int maxFiles, Duration interval) {
    return new ProcessRuntimeSettings(stateDir, imageDir, namespaces, nodeName, maxBytes, maxFiles, interval);
  }
}
