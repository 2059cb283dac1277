package io.troupe.node.runtime;

import java.util.List;
import java.util.Map;

/**
 * A pod as the runtime sees it.
 *
 * @param uid the pod's metadata.uid: the sandbox's identity (a pod deleted and created again under the same
 *     name is another sandbox)
 * @param podIp the address every container of the pod shares ({@code POD_IP})
 * @param hostname the pod's hostname (its UTS namespace, when the runtime gives it one)
 * @param memoryVolumes the pod's {@code emptyDir}s of {@code medium: Memory}
 * @param dns what the pod's {@code /etc/resolv.conf} says (where the runtime gives the pod a mount namespace);
 *     null for the node's own
 * @param network whether the pod has a network namespace of its own and the node's pod CIDR
 * @param runtimeHandler the handler of the pod's RuntimeClass ({@code spec.runtimeClassName}): which of the node's
 *     runtimes runs it; null for the node's default
 */
public record PodSandbox(String uid, String namespace, String name, String podIp, String hostname,
    Map<String, String> labels, List<MemoryVolume> memoryVolumes, DnsConfig dns, PodNetwork network,
    String runtimeHandler) {
  public PodSandbox {
    labels = Map.copyOf(labels);
    memoryVolumes = List.copyOf(memoryVolumes);
    network = network == null ? PodNetwork.UNSPECIFIED : network;
  }

  /** A pod of the node's default runtime. */
  public PodSandbox(String uid, String namespace, String name, String podIp, String hostname,
      Map<String, String> labels, List<MemoryVolume> memoryVolumes, DnsConfig dns, PodNetwork network) {
    this(uid, namespace, name, podIp, hostname, labels, memoryVolumes, dns, network, null);
  }

  /** A pod whose network the runtime is not told about. */
  public PodSandbox(String uid, String namespace, String name, String podIp, String hostname,
      Map<String, String> labels, List<MemoryVolume> memoryVolumes, DnsConfig dns) {
    this(uid, namespace, name, podIp, hostname, labels, memoryVolumes, dns, PodNetwork.UNSPECIFIED);
  }

  /** A pod with the node's DNS settings. */
  public PodSandbox(String uid, String namespace, String name, String podIp, String hostname,
      Map<String, String> labels, List<MemoryVolume> memoryVolumes) {
    this(uid, namespace, name, podIp, hostname, labels, memoryVolumes, null);
  }

  /** A pod without memory volumes, with the node's DNS settings. */
  public PodSandbox(String uid, String namespace, String name, String podIp, String hostname,
      Map<String, String> labels) {
    this(uid, namespace, name, podIp, hostname, labels, List.of(), null);
  }
}
