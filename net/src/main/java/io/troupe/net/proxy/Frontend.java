package io.troupe.net.proxy;

/** An address the proxy listens on: a ClusterIP:port, the node's address:nodePort, a load balancer ip:port. */
public record Frontend(String ip, int port) {
  @Override
  public String toString() {
    return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
  }
}
