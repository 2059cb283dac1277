package io.troupe.net.dns;

import io.troupe.net.ReusePort;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * The server's TCP side (RFC 7766), on Pekko Streams: each connection carries queries each led by its length in
 * two bytes, answered in order; a connection idle for {@code tcp-idle-timeout}, or whose framing is broken, is
 * closed. Bound with {@code SO_REUSEPORT}.
 */
final class TcpListener {
  private static final int MAX_MESSAGE = 65535;

  private TcpListener() {}

  static CompletionStage<Tcp.ServerBinding> bind(ActorSystem<?> system, InetSocketAddress address,
      DnsExchange exchange, Duration idleTimeout) {
    Flow<ByteString, ByteString, ?> connection = Flow.of(ByteString.class)
        .via(Framing.lengthField(2, 0, MAX_MESSAGE + 2, ByteOrder.BIG_ENDIAN))
        .mapConcat(frame -> {
          byte[] answer = exchange.respond(frame.drop(2).toArray(), false);
          if (answer == null) return List.<ByteString>of();
          byte[] length = {(byte) (answer.length >>> 8), (byte) answer.length};
          return List.of(ByteString.fromArray(length).concat(ByteString.fromArray(answer)));
        });
    return Tcp.get(system)
        .bind(address.getAddress().getHostAddress(), address.getPort(), 100, List.of(ReusePort.ON), false,
            Optional.of(idleTimeout))
        .toMat(Sink.foreach(incoming -> incoming.handleWith(connection, system)), Keep.left())
        .run(system);
  }
}
