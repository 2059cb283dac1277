package io.troupe.net.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * The server's UDP side: a blocking {@link DatagramChannel} read by one thread of its own, which answers each
 * packet at once. Why not Pekko IO's UDP: an answer is a few lookups in memory (microseconds, never blocking), so
 * one thread keeps up with any load a host sends to a DNS server, with no actor, buffer pool or mailbox between
 * the packet and its answer; and {@code SO_REUSEPORT}, which several worker JVMs on one host need, is one
 * {@code setOption} on a channel.
 */
final class UdpListener implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UdpListener.class);
  /** The largest UDP payload: a query never comes near it, but a bigger one must not be cut to look valid. */
  private static final int MAX_PACKET = 65535;

  private final DatagramChannel channel;
  private final DnsExchange exchange;
  private final Thread thread;
  private volatile boolean closed;

  private UdpListener(DatagramChannel channel, DnsExchange exchange, InetSocketAddress address) {
    this.channel = channel;
    this.exchange = exchange;
    this.thread = new Thread(this::serve, "troupe-dns-udp-" + address.getAddress().getHostAddress());
    this.thread.setDaemon(true);
  }

  /** Binds (with {@code SO_REUSEPORT}) and starts answering. */
  static UdpListener bind(InetSocketAddress address, DnsExchange exchange) throws IOException {
    DatagramChannel channel = DatagramChannel.open(address.getAddress() instanceof java.net.Inet6Address
        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    try {
      channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      channel.bind(address);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    UdpListener listener = new UdpListener(channel, exchange, address);
    listener.thread.start();
    return listener;
  }

  InetSocketAddress address() throws IOException {
    return (InetSocketAddress) channel.getLocalAddress();
  }

  private void serve() {
    ByteBuffer in = ByteBuffer.allocate(MAX_PACKET);
    while (!closed) {
      try {
        in.clear();
        SocketAddress from = channel.receive(in);
        if (from == null) continue;
        in.flip();
        byte[] packet = new byte[in.remaining()];
        in.get(packet);
        byte[] answer = exchange.respond(packet, true);
        if (answer != null) channel.send(ByteBuffer.wrap(answer), from);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // one client's trouble (an unreachable sender, a bug on one packet) is not the server's end
        if (!closed) log.debug("cluster DNS over UDP: {}", e.toString());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      channel.close();
      thread.join(2000);
    } catch (IOException e) {
      log.debug("closing the DNS UDP channel: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
