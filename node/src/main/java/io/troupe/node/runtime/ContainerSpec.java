package io.troupe.node.runtime;

import java.util.List;
import java.util.Map;

/**
 * One container of a pod, resolved by the agent: the environment is final (literal values, fieldRefs,
 * configMap keys and {@code POD_IP} already filled in).
 *
 * @param image {@code host} for the host's own filesystem, otherwise an image name the runtime resolves
 * @param command the entrypoint ({@code command} in Kubernetes); empty to use the image's
 * @param args the arguments ({@code args} in Kubernetes)
 * @param workingDir empty or null for the image's default
 * @param memoryLimitBytes {@code resources.limits.memory}, 0 for none
 * @param mounts the container's volume mounts, resolved to host paths by the agent
 */
public record ContainerSpec(String name, String image, List<String> command, List<String> args,
    String workingDir, Map<String, String> env, long memoryLimitBytes, List<Mount> mounts) {
  public ContainerSpec {
    command = List.copyOf(command);
    args = List.copyOf(args);
    env = Map.copyOf(env);
    mounts = List.copyOf(mounts);
  }

  /** A container without volumes. */
  public ContainerSpec(String name, String image, List<String> command, List<String> args, String workingDir,
      Map<String, String> env, long memoryLimitBytes) {
    this(name, image, command, args, workingDir, env, memoryLimitBytes, List.of());
  }
}
