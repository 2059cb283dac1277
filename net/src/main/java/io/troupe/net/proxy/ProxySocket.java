package io.troupe.net.proxy;

import io.troupe.net.ReusePort;
import io.troupe.net.policy.PolicyVerdicts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening address of the proxy and the connections it accepts: each is joined, byte stream to byte stream,
 * with a new connection to the endpoint its Service port's {@link Balancer} picks (Pekko Streams TCP, so a slow
 * reader on either side slows the writer on the other: back-pressure end to end). Half-closes pass through (a
 * client that shuts its output still reads the answer). A connection accepted while no endpoint is ready, or
 * whose endpoint does not accept, is reset (RST): the client sees "connection reset" at once.
 *
 * <p>Not an actor: the {@link Proxier} owns its sockets and calls {@link #bind()} and {@link #close()} from its
 * own thread; connections are accepted on the stream's.
 */
final class ProxySocket {
  private static final Logger log = LoggerFactory.getLogger(ProxySocket.class);
  private static final List<Inet.SocketOption> LISTEN_OPTIONS = List.of(ReusePort.ON, TcpSO.tcpNoDelay(true));
  private static final List<Inet.SocketOption> CONNECT_OPTIONS = List.of(TcpSO.tcpNoDelay(true));

  /** Why a connection was reset before it reached an endpoint. */
  static final class NoEndpoint extends RuntimeException {
    NoEndpoint(ServicePort servicePort) {
      super("no ready endpoint for " + servicePort, null, false, false);
    }
  }

  /** A listener that closed while it was still wanted (not through {@link #close()}). */
  record Ended(ProxySocket socket, Throwable failure) {}

  private final Frontend frontend;
  private final AtomicReference<Balancer> balancer;
  private final ActorSystem<?> system;
  private final ProxySettings settings;
  private final AtomicLong accepted;
  private final java.util.function.Supplier<PolicyVerdicts> policies;
  /** The bind in progress or done; null before the first. Read and written by the proxier only. */
  private CompletionStage<Tcp.ServerBinding> binding;
  /** Set by {@link #close()}: the listener's end is then expected, and what it still accepts is reset. */
  private volatile boolean closed;

  ProxySocket(Frontend frontend, Balancer balancer, ActorSystem<?> system, ProxySettings settings,
      AtomicLong accepted, java.util.function.Supplier<PolicyVerdicts> policies) {
    this.policies = policies;
    this.frontend = frontend;
    this.balancer = new AtomicReference<>(balancer);
    this.system = system;
    this.settings = settings;
    this.accepted = accepted;
  }

  Frontend frontend() {
    return frontend;
  }

  /** Forwards this address's next connections for another Service port, or with its new endpoints. */
  void route(Balancer next) {
    balancer.set(next);
  }

  ServicePort servicePort() {
    return balancer.get().servicePort();
  }

  /**
   * Binds (again, after a failure); completes once listening, or fails (the address is taken by a program that
   * did not ask for SO_REUSEPORT, or is not local). {@code ended} hears if the listener stops later by itself.
   */
  CompletionStage<Tcp.ServerBinding> bind(java.util.function.Consumer<Ended> ended) {
    IOException taken = probe(frontend);
    if (taken != null) {
      binding = CompletableFuture.failedFuture(taken);
      return binding;
    }
    Pair<CompletionStage<Tcp.ServerBinding>, CompletionStage<Done>> run =
        Tcp.get(system).bind(frontend.ip(), frontend.port(), settings.backlog(), LISTEN_OPTIONS, true,
                Optional.empty())
            .toMat(Sink.foreach(this::accept), Keep.both())
            .run(system);
    CompletionStage<Tcp.ServerBinding> bound = run.first();
    binding = bound;
    bound.thenAccept(b -> ProxyMetrics.LISTENING.inc());
    // the listener's stream ends when unbound (then nobody listens for this) or when it fails by itself
    run.second().whenComplete((done, failure) -> bound.thenAccept(b -> {
      ProxyMetrics.LISTENING.dec();
      if (!closed) ended.accept(new Ended(this, failure));
    }));
    return bound;
  }

  /**
   * Whether the address can be bound here, with a socket that binds (with the listener's options) and closes at
   * once, never listening: Pekko's listener logs every failed bind at ERROR with its stack trace, and a bind that
   * fails is retried every few seconds. Null when it can; the listener's own bind may still lose a race.
   */
  static IOException probe(Frontend frontend) {
    try (SocketChannel probe = SocketChannel.open()) {
      // as a listening socket of the JDK's: SO_REUSEADDR, so that connections in TIME_WAIT do not count
      probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      probe.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      probe.bind(new InetSocketAddress(InetAddress.getByName(frontend.ip()), frontend.port()));
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  /**
   * Stops listening: from now on every connection the listener still accepts before it is unbound is reset;
   * connections already forwarded carry on (as Kubernetes leaves established flows alone).
   */
  CompletionStage<Void> close() {
    closed = true;
    if (binding == null) return CompletableFuture.completedFuture(null);
    return binding.thenCompose(Tcp.ServerBinding::unbind).<Void>thenApply(u -> null)
        .exceptionally(failure -> null);
  }

  private void accept(Tcp.IncomingConnection connection) {
    accepted.incrementAndGet();
    Balancer b = balancer.get();
    try {
      // closing (the Service port went, or lost its last endpoint): what the listener still accepts is reset
      InetAddress client = connection.remoteAddress().getAddress();
      PolicyVerdicts verdicts = policies.get();
      Endpoint endpoint;
      if (closed) {
        endpoint = null;
      } else if (verdicts.open()) {
        endpoint = b.pick(client, System.nanoTime());
      } else {
        // loopback mode: only endpoints whose pod's NetworkPolicies admit this client (the pods' own ports)
        String source = client.getHostAddress();
        endpoint = b.pick(client, System.nanoTime(), e -> verdicts.allows(source, e.ip(), e.port(), "TCP"));
      }
      if (endpoint == null) {
        boolean policy = !closed && b.hasReady();
        if (policy) log.debug("{} from {}: every endpoint's NetworkPolicy denies it: reset", frontend, client);
        ProxyMetrics.failed(b.servicePort(), policy ? "policy" : "no_endpoint");
        connection.handleWith(reset(b.servicePort()), system);
        return;
      }
      connection.handleWith(forward(endpoint, ProxyMetrics.open(b.servicePort(), endpoint)), system);
    } catch (RuntimeException e) {
      // one bad connection must never end the listener (Sink.foreach fails its stream on an exception)
      log.warn("connection to {} from {} for {} not forwarded: {}", frontend, connection.remoteAddress(),
          b.servicePort(), e.toString());
    }
  }

  /** Writing fails at once: Pekko aborts the connection (RST) when its outgoing side fails. */
  private static Flow<ByteString, ByteString, NotUsed> reset(ServicePort servicePort) {
    return Flow.fromSinkAndSource(Sink.cancelled(), Source.failed(new NoEndpoint(servicePort)));
  }

  private Flow<ByteString, ByteString, NotUsed> forward(Endpoint endpoint, ProxyMetrics.Traffic traffic) {
    Duration idle = settings.idleTimeout();
    return Flow.of(ByteString.class)
        .map(bytes -> {
          traffic.in(bytes.size());
          return bytes;
        })
        .watchTermination((mat, done) -> {
          done.whenComplete((d, failure) -> traffic.directionEnded());
          return mat;
        })
        .viaMat(Tcp.get(system).outgoingConnection(endpoint.address(), Optional.empty(), CONNECT_OPTIONS, true,
            Optional.of(settings.connectTimeout()), idle.isZero() ? Optional.empty() : Optional.of(idle)),
            Keep.right())
        .map(bytes -> {
          traffic.out(bytes.size());
          return bytes;
        })
        .watchTermination((mat, done) -> {
          done.whenComplete((d, failure) -> traffic.directionEnded());
          return mat;
        })
        .mapMaterializedValue(connected -> {
          connected.whenComplete((c, failure) -> {
            if (failure != null) {
              traffic.connectFailed();
              log.debug("{} -> {}: {}", frontend, endpoint, failure.toString());
            }
          });
          return NotUsed.getInstance();
        });
  }
}
