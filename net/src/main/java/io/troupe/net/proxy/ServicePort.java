package io.troupe.net.proxy;

/**
 * One port of one Service, as kube-proxy's ServicePortName: what a listening socket forwards for, and what the
 * Endpoints' ports are matched to (by {@code name}, "" for the unnamed port of a single-port Service).
 */
public record ServicePort(String namespace, String service, String name, int port)
    implements Comparable<ServicePort> {

  /** The metric label of the port: its name, or its number when unnamed. */
  public String label() {
    return name.isEmpty() ? Integer.toString(port) : name;
  }

  @Override
  public int compareTo(ServicePort o) {
    int c = namespace.compareTo(o.namespace);
    if (c == 0) c = service.compareTo(o.service);
    if (c == 0) c = name.compareTo(o.name);
    return c != 0 ? c : Integer.compare(port, o.port);
  }

  @Override
  public String toString() {
    return namespace + "/" + service + ":" + label();
  }
}
