package io.troupe.node.runtime;

/**
 * How a pod is attached to the network, for a runtime that gives pods network namespaces ({@code troupe.net.mode =
 * bridge}); other runtimes and the {@code loopback} mode only use the pod's IP.
 *
 * @param hostNetwork the pod shares its node's network namespace ({@code spec.hostNetwork})
 * @param podCidr the node's pod CIDR, which the pod's IP is part of (its first host address is the node's bridge);
 *     null where the agent does not know it
 */
public record PodNetwork(boolean hostNetwork, String podCidr) {

  /** A pod whose node's pod CIDR is not known (tests of the runtime alone, the loopback mode). */
  public static final PodNetwork UNSPECIFIED = new PodNetwork(false, null);
}
