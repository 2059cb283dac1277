package io.troupe.node.runtime;

import io.troupe.node.image.PullPolicy;
import io.troupe.node.image.RegistryCredential;
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
 * @param pullPolicy {@code imagePullPolicy}; null for Kubernetes' default ({@link PullPolicy#defaultFor})
 * @param pullCredentials what the pod's {@code imagePullSecrets} hold, for a runtime that pulls images
 * @param cpuLimitMillis {@code resources.limits.cpu} in millicores, 0 for none
 * @param security the container's {@code securityContext} over the pod's, for a runtime that isolates
 */
public record ContainerSpec(String name, String image, List<String> command, List<String> args,
    String workingDir, Map<String, String> env, long memoryLimitBytes, List<Mount> mounts, PullPolicy pullPolicy,
    List<RegistryCredential> pullCredentials, long cpuLimitMillis, SecurityContext security) {
  public ContainerSpec {
    command = List.copyOf(command);
    args = List.copyOf(args);
    env = Map.copyOf(env);
    mounts = List.copyOf(mounts);
    pullCredentials = pullCredentials == null ? List.of() : List.copyOf(pullCredentials);
    security = security == null ? SecurityContext.NONE : security;
  }

  /** A container with volumes, without image pull settings, cpu limit or security context. */
  public ContainerSpec(String name, String image, List<String> command, List<String> args, String workingDir,
      Map<String, String> env, long memoryLimitBytes, List<Mount> mounts) {
    this(name, image, command, args, workingDir, env, memoryLimitBytes, mounts, null, List.of(), 0, null);
  }

  /** A container without volumes. */
  public ContainerSpec(String name, String image, List<String> command, List<String> args, String workingDir,
      Map<String, String> env, long memoryLimitBytes) {
    this(name, image, command, args, workingDir, env, memoryLimitBytes, List.of());
  }

  /** The pull policy asked for, or Kubernetes' default for the image's tag. */
  public PullPolicy effectivePullPolicy() {
    return pullPolicy != null ? pullPolicy : PullPolicy.defaultFor(image);
  }

  public ContainerSpec withSecurity(SecurityContext value) {
    return new ContainerSpec(name, image, command, args, workingDir, env, memoryLimitBytes, mounts, pullPolicy,
        pullCredentials, cpuLimitMillis, value);
  }

  public ContainerSpec withCpuLimitMillis(long value) {
    return new ContainerSpec(name, image, command, args, workingDir, env, memoryLimitBytes, mounts, pullPolicy,
        pullCredentials, value, security);
  }

  public ContainerSpec withPull(PullPolicy policy, List<RegistryCredential> credentials) {
    return new ContainerSpec(name, image, command, args, workingDir, env, memoryLimitBytes, mounts, policy,
        credentials, cpuLimitMillis, security);
  }

  /**
   * The fields of a {@code securityContext} (the container's over the pod's) that a runtime with real isolation
   * applies.
   *
   * @param runAsUser null for the image's user
   * @param runAsGroup null for the image's (or the user's) group
   * @param capabilitiesAdd and {@code capabilitiesDrop}: names without {@code CAP_}, {@code ALL} for every one
   */
  public record SecurityContext(Long runAsUser, Long runAsGroup, boolean readOnlyRootFilesystem,
      boolean privileged, List<String> capabilitiesAdd, List<String> capabilitiesDrop) {
    public static final SecurityContext NONE = new SecurityContext(null, null, false, false, List.of(), List.of());

    public SecurityContext {
      capabilitiesAdd = capabilitiesAdd == null ? List.of() : List.copyOf(capabilitiesAdd);
      capabilitiesDrop = capabilitiesDrop == null ? List.of() : List.copyOf(capabilitiesDrop);
    }
  }
}
