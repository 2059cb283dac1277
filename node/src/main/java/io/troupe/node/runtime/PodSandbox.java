package io.troupe.node.runtime;

import java.util.Map;

/**
 * A pod as the runtime sees it.
 *
 * @param uid the pod's metadata.uid: the sandbox's identity (a pod deleted and created again under the same
 *     name is another sandbox)
 * @param podIp the address every container of the pod shares ({@code POD_IP})
 * @param hostname the pod's hostname (its UTS namespace, when the runtime gives it one)
 */
public record PodSandbox(String uid, String namespace, String name, String podIp, String hostname,
    Map<String, String> labels) {
  public PodSandbox {
    labels = Map.copyOf(labels);
  }
}
