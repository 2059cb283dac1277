package io.troupe.net.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A pod as NetworkPolicy sees it: where it is, its labels, its IP and its named container ports. Only pods with an
 * IP of their own count, as targets and as peers: a pod without one yet sends nothing, a {@code hostNetwork} pod
 * has its node's address (Kubernetes leaves policy on them undefined; here they are never policed), and a pod that
 * has ended may see its IP given to another.
 */
record PolicyPod(String namespace, String name, String ip, Map<String, String> labels, List<NamedPort> ports) {

  /** A container port with a name: {@code port: http} in a policy means this number on this pod. */
  record NamedPort(String name, String protocol, int port) {}

  PolicyPod {
    labels = Map.copyOf(labels);
    ports = List.copyOf(ports);
  }

  static Optional<PolicyPod> of(KubeObject pod) {
    JsonNode status = pod.status();
    String ip = status == null ? null : status.path("podIP").asText(null);
    String phase = status == null ? "" : status.path("phase").asText("");
    if (ip == null || ip.isEmpty() || ip.contains(":") || pod.spec().path("hostNetwork").asBoolean(false)
        || phase.equals("Succeeded") || phase.equals("Failed")) {
      return Optional.empty();
    }
    List<NamedPort> ports = new ArrayList<>();
    for (JsonNode container : pod.spec().path("containers")) {
      for (JsonNode port : container.path("ports")) {
        String name = port.path("name").asText("");
        if (!name.isEmpty() && port.path("containerPort").isInt()) {
          ports.add(new NamedPort(name, port.path("protocol").asText("TCP"), port.path("containerPort").asInt()));
        }
      }
    }
    return Optional.of(new PolicyPod(pod.metadata().namespace(), pod.metadata().name(), ip,
        pod.metadata().labels(), ports));
  }

  /** The number of the container port named {@code name} for {@code protocol}, if the pod has one. */
  OptionalInt port(String name, String protocol) {
    return ports.stream().filter(p -> p.name().equals(name) && p.protocol().equals(protocol))
        .mapToInt(NamedPort::port).findFirst();
  }

  String key() {
    return namespace + "/" + name;
  }
}
