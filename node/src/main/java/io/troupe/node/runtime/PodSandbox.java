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
 */
public record PodSandbox(String uid, String namespace, String name, String podIp, String hostname,
    Map<String, String> labels, List<MemoryVolume> memoryVolumes) {
  public PodSandbox {
    labels = Map.copyOf(labels);
    memoryVolumes = List.copyOf(memoryVolumes);
  }

  /** A pod without memory volumes. */
  public PodSandbox(String uid, String namespace, String name, String podIp, String hostname,
      Map<String, String> labels) {
    this(uid, namespace, name, podIp, hostname, labels, List.of());
  }
}
