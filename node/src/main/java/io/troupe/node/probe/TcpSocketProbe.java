package io.troupe.node.probe;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * A tcpSocket probe on Pekko Streams {@code Tcp}: the connection is made (and the host name resolved) on
 * Pekko's I/O selector with a connect timeout, no thread of its own, and closed as soon as it is established
 * (no half-close: nothing is sent, nothing is waited for).
 */
final class TcpSocketProbe {
  private final ActorSystem<?> system;
  private final Tcp tcp;

  TcpSocketProbe(ActorSystem<?> system) {
    this.system = system;
    this.tcp = Tcp.get(system);
  }

  CompletionStage<ProbeResult> run(ProbeSpec spec, int port, String host) {
    String hostPort = Prober.hostPort(host, port);
    CompletionStage<Tcp.OutgoingConnection> connected = Source.<ByteString>empty()
        .viaMat(tcp.outgoingConnection(InetSocketAddress.createUnresolved(host, port), Optional.empty(),
            List.of(), false, Optional.of(spec.timeout()), Optional.empty()), Keep.right())
        .to(Sink.ignore())
        .run(system);
    CompletionStage<ProbeResult> work = connected.handle((connection, error) -> error == null
        ? ProbeResult.succeeded()
        : ProbeResult.failed(spec.type(), Prober.dialError(hostPort, error)));
    return Prober.within(system, spec.timeout(), work,
        () -> ProbeResult.failed(spec.type(), "dial tcp " + hostPort + ": i/o timeout"), () -> {});
  }
}
