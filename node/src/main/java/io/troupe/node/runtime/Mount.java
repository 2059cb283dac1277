package io.troupe.node.runtime;

/**
 * A path of the host a container sees at {@code containerPath} (CRI's {@code Mount}): a volume the agent has set
 * up, or a sub-path of one.
 *
 * @param containerPath absolute, as in the pod's {@code volumeMounts[].mountPath}
 */
public record Mount(String hostPath, String containerPath, boolean readOnly) {

  /**
   * The environment variable that names where the container finds this mount: {@code TROUPE_MOUNT_} and the
   * mount path in capitals, every other character an underscore ({@code /var/lib/data} is {@code
   * TROUPE_MOUNT_VAR_LIB_DATA}). Its value is the mount path where the runtime mounts, the host path where it
   * cannot (no root): a program that reads it works in both.
   */
  public String variable() {
    String name = containerPath.replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_+|_+$", "");
    return "TROUPE_MOUNT_" + name.toUpperCase(java.util.Locale.ROOT);
  }
}
