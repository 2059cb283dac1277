package io.troupe.net.ingress;

import com.typesafe.config.Config;
import io.troupe.net.policy.LoopbackPolicies;
import io.troupe.persistence.store.Store;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.settings.ServerSettings;

/**
 * The ingress proxy of one worker JVM: an HTTP listener (and an HTTPS one, certificates by SNI) on the node's
 * address that routes requests by the served Ingresses' rules straight to the ready endpoints of their Services.
 * It reads everything from the local watch cache and writes only the Ingresses' {@code status.loadBalancer}.
 * See {@link IngressRoutes} for the matching, {@link ReverseProxy} for the forwarding, {@link SniKeyManager} for
 * TLS and {@link IngressStatusWriter} for the status.
 */
public final class IngressProxy implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IngressProxy.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final ActorRef<IngressWatch.Command> watch;
  private final ActorRef<IngressStatusWriter.Command> statusWriter;
  private final ServerBinding http;
  private final ServerBinding https;
  private final LoopbackPolicies policies;

  private IngressProxy(ActorRef<IngressWatch.Command> watch, ActorRef<IngressStatusWriter.Command> statusWriter,
      ServerBinding http, ServerBinding https, LoopbackPolicies policies) {
    this.policies = policies;
    this.watch = watch;
    this.statusWriter = statusWriter;
    this.http = http;
    this.https = https;
  }

  /**
   * Starts the proxy on {@code nodeAddress} (this JVM's node agent's address, its Node's InternalIP) at
   * {@code troupe.net.ingress.http-port} and {@code https-port}, both bound with SO_REUSEPORT.
   *
   * @param config the whole configuration (the actor system's); the proxy reads {@code troupe.net.ingress} and
   *     Pekko HTTP's defaults from it
   * @throws IllegalStateException when a port cannot be bound
   */
  public static IngressProxy start(ActorSystem<?> system, Store store, Config config, String nodeAddress) {
    Config whole = config.withFallback(system.settings().config());
    IngressSettings settings = IngressSettings.from(whole);
    int instance = INSTANCES.incrementAndGet();
    AtomicReference<IngressRoutes> routes = new AtomicReference<>(IngressRoutes.EMPTY);
    ServiceEndpoints endpoints = new ServiceEndpoints(store.cache());
    SniKeyManager keys = new SniKeyManager();
    CompletableFuture<Void> routed = new CompletableFuture<>();
    IngressWatch.Outputs outputs = new IngressWatch.Outputs(r -> {
      routes.set(r);
      endpoints.retain(r.backends());
      routed.complete(null);
    }, keys::update);
    // a JVM that joins a shared (SO_REUSEPORT) port gets connections at once: it listens only once its watch cache
    // has caught up and its first routes are built, or it would answer 404 to requests the others route
    await(store.cache().whenReady().toCompletableFuture(), "the watch cache");
    ActorRef<IngressWatch.Command> watch = system.systemActorOf(IngressWatch.create(store, settings, outputs),
        "ingress-watch-" + instance, Props.empty());
    ActorRef<IngressStatusWriter.Command> statusWriter = system.systemActorOf(
        IngressStatusWriter.create(store, settings, nodeAddress), "ingress-status-" + instance, Props.empty());
    await(routed, "the Ingresses");
    // loopback mode: NetworkPolicy is judged here, per request (bridge mode: by nftables, on packets)
    LoopbackPolicies policies = LoopbackPolicies.start(system, store, whole);
    ReverseProxy proxy = new ReverseProxy(system, routes::get, endpoints, settings, policies::current);
    ServerSettings serverSettings = ReverseProxy.serverSettings(whole, settings);
    ServerBinding http = null;
    try {
      AtomicInteger httpPort = new AtomicInteger(settings.httpPort());
      http = bind(Http.get(system).newServerAt(nodeAddress, settings.httpPort()).withSettings(serverSettings)
          .bind(proxy.handler("http", httpPort::get)), "http", nodeAddress, settings.httpPort());
      httpPort.set(http.localAddress().getPort());
      ServerBinding https = null;
      if (settings.https()) {
        AtomicInteger httpsPort = new AtomicInteger(settings.httpsPort());
        https = bind(Http.get(system).newServerAt(nodeAddress, settings.httpsPort()).withSettings(serverSettings)
            .enableHttps(ConnectionContext.httpsServer(keys.sslContext()))
            .bind(proxy.handler("https", httpsPort::get)), "https", nodeAddress, settings.httpsPort());
        httpsPort.set(https.localAddress().getPort());
      }
      log.info("ingress proxy on {} (http){}", http.localAddress(),
          https == null ? "" : " and " + https.localAddress() + " (https)");
      return new IngressProxy(watch, statusWriter, http, https, policies);
    } catch (RuntimeException e) {
      if (http != null) http.unbind();
      watch.tell(IngressWatch.Stop.INSTANCE);
      statusWriter.tell(IngressStatusWriter.Stop.INSTANCE);
      policies.close();
      throw e;
    }
  }

  /** Waits a while for a start condition; past it, carries on (and says so) rather than never serving. */
  private static void await(CompletableFuture<?> condition, String what) {
    try {
      condition.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what, e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("ingress proxy: {} not ready after {}; listening anyway", what, READY_TIMEOUT);
    }
  }

  private static ServerBinding bind(java.util.concurrent.CompletionStage<ServerBinding> binding, String what,
      String address, int port) {
    try {
      return binding.toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding the ingress " + what + " port", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot bind the ingress " + what + " port " + address + ":" + port + ": "
          + cause.getMessage(), cause);
    }
  }

  /** Where the HTTP listener is bound. */
  public InetSocketAddress httpAddress() {
    return http.localAddress();
  }

  /** Where the HTTPS listener is bound; null when {@code https-port} is -1. */
  public InetSocketAddress httpsAddress() {
    return https == null ? null : https.localAddress();
  }

  /** Stops listening (requests in flight get a few seconds to finish), then stops watching. */
  @Override
  public void close() {
    for (ServerBinding b : https == null ? java.util.List.of(http) : java.util.List.of(http, https)) {
      try {
        b.terminate(Duration.ofSeconds(3)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.debug("ingress listener {} did not stop cleanly: {}", b.localAddress(), e.toString());
      }
    }
    watch.tell(IngressWatch.Stop.INSTANCE);
    statusWriter.tell(IngressStatusWriter.Stop.INSTANCE);
    policies.close();
  }
}
