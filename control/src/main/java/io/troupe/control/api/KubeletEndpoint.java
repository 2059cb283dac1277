package io.troupe.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the API server reaches a node's agent (its kubelet endpoint), read from the Node as the agent records it:
 * an address of {@code status.addresses} and {@code status.daemonEndpoints.kubeletEndpoint.Port} (Kubernetes'
 * NodeConnectionInfoGetter).
 */
record KubeletEndpoint(String host, int port) {
  /**
   * Address types in the order they are tried. Kubernetes' default puts Hostname first; here InternalIP comes
   * first, because nodes that share one machine share its host name and differ only by their IP.
   */
  static final List<String> PREFERRED_ADDRESS_TYPES =
      List.of("InternalIP", "InternalDNS", "Hostname", "ExternalIP", "ExternalDNS");

  /** The endpoint of {@code node}; a 500 when it has no address or no port yet (its agent has not reported it). */
  static KubeletEndpoint of(KubeObject node) {
    String name = node.metadata().name();
    JsonNode status = node.status() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
        : node.status();
    String host = null;
    List<String> known = new ArrayList<>();
    for (JsonNode a : status.path("addresses")) known.add(a.path("type").asText() + ":" + a.path("address").asText());
    for (String type : PREFERRED_ADDRESS_TYPES) {
      for (JsonNode a : status.path("addresses")) {
        String address = a.path("address").asText("");
        if (host == null && type.equals(a.path("type").asText()) && !address.isEmpty()) host = address;
      }
    }
    if (host == null) {
      throw new ApiException(500, "InternalError", "node \"" + name + "\" has no address to reach its kubelet at: "
          + "no preferred addresses found; known addresses: " + known, null);
    }
    int port = status.path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
    if (port <= 0 || port > 65535) {
      throw new ApiException(500, "InternalError", "node \"" + name + "\" has no kubelet endpoint: "
          + "status.daemonEndpoints.kubeletEndpoint.Port is not set", null);
    }
    return new KubeletEndpoint(host, port);
  }

  /** host:port, with an IPv6 address in brackets. */
  String authority() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
