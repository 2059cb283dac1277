package io.troupe.net.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Where a connection is forwarded: an address of an Endpoints subset with the subset's port for the Service port,
 * and the pod it belongs to (its targetRef; for an address without one, the pod is named by its ip).
 */
public record Endpoint(String ip, int port, Pod pod) {

  /** The pod behind an endpoint, as the metrics label it. */
  public record Pod(String namespace, String name) {}

  /** The socket address; {@code ip} is a literal (checked by {@link ProxyRules}), so nothing is looked up. */
  public InetSocketAddress address() {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("not an IP literal: " + ip, e);
    }
  }

  @Override
  public String toString() {
    return pod.namespace() + "/" + pod.name() + "@" + ip + ":" + port;
  }
}
