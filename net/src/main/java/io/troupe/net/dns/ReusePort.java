package io.troupe.net.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import org.apache.pekko.io.Inet;

/**
 * {@code SO_REUSEPORT} on a Pekko server socket before it binds: several worker JVMs on one host then all listen
 * on the same address and port, and Linux spreads the connections across them. Pekko has no such option of its
 * own (its {@code ReuseAddress} is {@code SO_REUSEADDR}), hence this one.
 */
final class ReusePort extends Inet.AbstractSocketOption {
  static final ReusePort INSTANCE = new ReusePort();

  private ReusePort() {}

  @Override
  public void beforeServerSocketBind(ServerSocket socket) {
    try {
      socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
