package io.troupe.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import org.apache.pekko.io.Inet;

/**
 * {@code SO_REUSEPORT} on a listening socket, for Pekko IO's bind options (Pekko has no such option of its own):
 * every worker JVM on a host listens on the same address and port (a ClusterIP, kube-dns, a NodePort, the ingress
 * ports) and the kernel spreads new connections and datagrams across them; each can serve any of them.
 */
public final class ReusePort extends Inet.AbstractSocketOption {
  public static final ReusePort ON = new ReusePort();

  private ReusePort() {}

  @Override
  public void beforeServerSocketBind(ServerSocket socket) {
    try {
      socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void beforeDatagramBind(DatagramSocket socket) {
    try {
      socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
