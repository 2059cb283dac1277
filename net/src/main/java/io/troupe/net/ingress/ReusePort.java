package io.troupe.net.ingress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import org.apache.pekko.io.Inet;

/**
 * SO_REUSEPORT on a listening socket, so that every worker JVM of a host can bind the same node address and port
 * and Linux spreads the connections among them. Pekko's socket options have no SO_REUSEPORT (only
 * SO_REUSEADDR), hence this small one; Pekko calls it on the server socket just before binding.
 */
final class ReusePort extends Inet.AbstractSocketOption {
  static final ReusePort INSTANCE = new ReusePort();

  private ReusePort() {}

  @Override
  public void beforeServerSocketBind(ServerSocket socket) {
    try {
      if (socket.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
        socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set SO_REUSEPORT", e);
    }
  }
}
