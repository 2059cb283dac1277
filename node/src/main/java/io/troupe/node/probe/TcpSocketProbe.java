package io.troupe.node.probe;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * A tcpSocket probe on Pekko Streams {@code Tcp}: the connection is made (and the host name resolved) on
 * Pekko's I/O selector with a connect timeout, no thread of its own, and closed as soon as it is established
 * (nothing is sent, nothing is waited for). Chosen over the JDK's asynchronous socket channel, which has no
 * connect timeout of its own and runs its completions on a thread pool of its own.
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
    // The write side stays open until the connection is established (a stage whose input completes first
    // never connects), then completes: without half-close that closes the connection.
    Pair<CompletableFuture<Optional<ByteString>>, CompletionStage<Tcp.OutgoingConnection>> running =
        Source.<ByteString>maybe()
            .viaMat(tcp.outgoingConnection(InetSocketAddress.createUnresolved(host, port), Optional.empty(),
                List.of(), false, Optional.of(spec.timeout()), Optional.empty()), Keep.both())
            .to(Sink.ignore())
            .run(system);
    CompletionStage<Tcp.OutgoingConnection> connected = running.second();
    connected.whenComplete((connection, error) -> running.first().complete(Optional.empty()));
    CompletionStage<ProbeResult> work = connected.handle((connection, error) -> error == null
        ? ProbeResult.succeeded()
        : ProbeResult.failed(spec.type(), Prober.dialError(hostPort, error)));
    return Prober.within(system, spec.timeout(), work,
        () -> ProbeResult.failed(spec.type(), "dial tcp " + hostPort + ": i/o timeout"),
        () -> running.first().complete(Optional.empty()));
  }
}
