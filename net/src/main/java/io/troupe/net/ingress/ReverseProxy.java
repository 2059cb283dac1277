package io.troupe.net.ingress;

import io.troupe.net.ReusePort;
import io.troupe.net.policy.PolicyVerdicts;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.troupe.net.ingress.IngressRoutes.Backend;
import io.troupe.net.ingress.ServiceEndpoints.Resolution;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpProtocols;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.TimeoutAccess;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.Materializer;

/**
 * The request handler of the ingress listeners: finds the backend of a request ({@link IngressRoutes}), picks a
 * ready endpoint of its Service ({@link ServiceEndpoints}) and forwards the request there through a Pekko HTTP
 * host connection pool (one per endpoint, kept by Pekko), streaming both bodies: the request's entity goes out as
 * its bytes arrive and the response's entity comes back the same way, so no body is ever held whole.
 *
 * <p>404 when no rule matches, 503 when the backend has no ready endpoint (or its Service or port is missing),
 * 502 when the endpoint refuses or fails before answering, or when every ready endpoint's NetworkPolicy denies the
 * client (loopback mode; Kubernetes would drop the packets and the ingress controller would answer 502 or 504 once
 * its connect timed out: here at once, saying why), 504 when it has not answered within
 * {@code request-timeout}. A request without a body and with an idempotent method
 * tries up to two more endpoints when the first fails (the body of any other request may already be spent).
 * Hop-by-hop headers (RFC 9110 7.6.1, and any that {@code Connection} names) are dropped both ways; the backend
 * sees the client's Host header, and X-Forwarded-For (the client's address, replacing any the client sent, which
 * could be forged), X-Forwarded-Host, -Port and -Proto.
 */
final class ReverseProxy {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ReverseProxy.class);

  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade");
  /** Set by the proxy, never passed on from the client; and Pekko's own synthetic request headers. */
  private static final Set<String> REPLACED = Set.of("x-forwarded-for", "x-forwarded-host", "x-forwarded-port",
      "x-forwarded-proto", "expect", "timeout-access", "remote-address", "raw-request-uri", "tls-session-info");
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
  private static final int MORE_ATTEMPTS = 2;

  private final Http http;
  private final Materializer materializer;
  private final Supplier<IngressRoutes> routes;
  private final ServiceEndpoints endpoints;
  private final ConnectionPoolSettings pool;
  private final LoggingAdapter poolLog;
  private final Supplier<PolicyVerdicts> policies;

  ReverseProxy(ActorSystem<?> system, Supplier<IngressRoutes> routes, ServiceEndpoints endpoints,
      IngressSettings settings, Supplier<PolicyVerdicts> policies) {
    this.policies = policies;
    this.http = Http.get(system);
    this.materializer = Materializer.matFromSystem(system);
    this.routes = routes;
    this.endpoints = endpoints;
    this.pool = poolSettings(system.settings().config(), settings);
    this.poolLog = org.apache.pekko.event.Logging.getLogger(system.classicSystem(), ReverseProxy.class);
  }

  /** The listeners' settings: no body size limit (bodies stream), the proxy's timeouts, SO_REUSEPORT. */
  static ServerSettings serverSettings(Config config, IngressSettings settings) {
    Config overrides = ConfigFactory.parseString(String.join("\n",
        "pekko.http.server.parsing.max-content-length = infinite",
        "pekko.http.server.request-timeout = " + settings.requestTimeout().toMillis() + "ms",
        "pekko.http.server.idle-timeout = " + settings.idleTimeout().toMillis() + "ms",
        "pekko.http.server.remote-address-attribute = on",
        "pekko.http.server.transparent-head-requests = off",
        "pekko.http.server.server-header = \"\""));
    return ServerSettings.create(overrides.withFallback(config))
        .withSocketOptions(List.of(ReusePort.ON));
  }

  /** One host connection pool per endpoint; no retries by Pekko (a streamed body cannot be sent twice). */
  private static ConnectionPoolSettings poolSettings(Config config, IngressSettings settings) {
    Config overrides = ConfigFactory.parseString(String.join("\n",
        "pekko.http.host-connection-pool.max-connections = " + settings.maxConnectionsPerEndpoint(),
        "pekko.http.host-connection-pool.max-open-requests = " + settings.maxOpenRequestsPerEndpoint(),
        "pekko.http.host-connection-pool.max-retries = 0",
        "pekko.http.host-connection-pool.response-entity-subscription-timeout = 10s",
        "pekko.http.host-connection-pool.client.connecting-timeout = " + settings.connectTimeout().toMillis() + "ms",
        "pekko.http.host-connection-pool.client.idle-timeout = " + settings.idleTimeout().toMillis() + "ms",
        "pekko.http.host-connection-pool.client.parsing.max-content-length = infinite",
        "pekko.http.host-connection-pool.client.user-agent-header = \"\""));
    return ConnectionPoolSettings.create(overrides.withFallback(config));
  }

  /** The handler of one listener: {@code scheme} is what X-Forwarded-Proto says, {@code port} its bound port. */
  org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> handler(String scheme,
      IntSupplier port) {
    return request -> handle(request, scheme, port.getAsInt());
  }

  private CompletionStage<HttpResponse> handle(HttpRequest request, String scheme, int port) {
    long started = System.nanoTime();
    String host = request.getHeader("host").map(HttpHeader::value)
        .orElseGet(() -> request.getUri().host().address());
    Optional<Backend> route = routes.get().route(host, request.getUri().path());
    if (route.isEmpty()) {
      return refuse(request, "", 404, "404 Not Found: no Ingress rule for this host and path\n", started);
    }
    Backend backend = route.get();
    Resolution resolution = endpoints.resolve(backend);
    if (resolution instanceof Resolution.Unavailable unavailable) {
      log.debug("{} {}{}: 503, {}", request.method().value(), host, request.getUri().path(), unavailable.reason());
      return refuse(request, backend.ingress(), 503,
          "503 Service Unavailable: " + unavailable.reason() + "\n", started);
    }
    List<InetSocketAddress> ready = admitted(request, ((Resolution.Ready) resolution).endpoints());
    if (ready.isEmpty()) {
      log.debug("{} {}{}: 502, every endpoint's NetworkPolicy denies the client", request.method().value(), host,
          request.getUri().path());
      return refuse(request, backend.ingress(), 502, "502 Bad Gateway: blocked by NetworkPolicy\n", started);
    }
    // counted once: by the response, or by the timeout that answers 504 in its place (a late response is dropped)
    AtomicBoolean counted = new AtomicBoolean();
    request.getHeader(TimeoutAccess.class).ifPresent(t -> t.timeoutAccess().updateHandler(r -> {
      if (counted.compareAndSet(false, true)) IngressMetrics.observe(backend.ingress(), 504, started);
      return text(504, "504 Gateway Timeout: the backend did not answer in time\n");
    }));
    HttpRequest outgoing = outgoing(request, host, scheme, port);
    boolean retriable = request.entity().isKnownEmpty() && IDEMPOTENT.contains(request.method().value());
    int attempts = retriable ? 1 + Math.min(MORE_ATTEMPTS, ready.size() - 1) : 1;
    return send(outgoing, backend, ready, attempts).handle((response, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
        log.debug("{} {}{}: 502, {}", request.method().value(), host, request.getUri().path(), cause.toString());
        if (counted.compareAndSet(false, true)) IngressMetrics.observe(backend.ingress(), 502, started);
        return text(502, "502 Bad Gateway: the backend did not answer\n");
      }
      if (counted.compareAndSet(false, true)) {
        IngressMetrics.observe(backend.ingress(), response.status().intValue(), started);
      }
      return response.withHeaders(endToEnd(response.getHeaders()));
    });
  }

  private CompletionStage<HttpResponse> send(HttpRequest outgoing, Backend backend, List<InetSocketAddress> ready,
      int attempts) {
    InetSocketAddress endpoint = endpoints.next(backend, ready);
    HttpRequest toEndpoint =
        outgoing.withUri(outgoing.getUri().host(endpoint.getHostString()).port(endpoint.getPort()));
    // endpoints speak plain HTTP: the HTTPS context is never used, the call only wants one
    CompletionStage<HttpResponse> sent =
        http.singleRequest(toEndpoint, http.defaultClientHttpsContext(), pool, poolLog);
    if (attempts <= 1) return sent;
    return sent.handle((response, failure) -> failure == null
            ? CompletableFuture.completedFuture(response)
            : send(outgoing, backend, ready, attempts - 1))
        .thenCompose(s -> s);
  }

  /**
   * The endpoints whose pods' NetworkPolicies admit the request's client (loopback mode). The source is the real
   * client's address, not the proxy's: in Kubernetes the pods would see the ingress controller pod, which Troupe's
   * proxy is not; judging the client keeps an ipBlock or a default deny meaningful.
   */
  private List<InetSocketAddress> admitted(HttpRequest request, List<InetSocketAddress> ready) {
    PolicyVerdicts verdicts = policies.get();
    if (verdicts.open()) return ready;
    String client = request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress)
        .map(java.net.InetAddress::getHostAddress)
        .orElse("");
    List<InetSocketAddress> out = new ArrayList<>(ready.size());
    for (InetSocketAddress e : ready) {
      if (verdicts.allows(client, e.getHostString(), e.getPort(), "TCP")) out.add(e);
    }
    return out;
  }

  /** The request as the backend gets it: end-to-end headers only, the forwarding headers, HTTP/1.1. */
  private static HttpRequest outgoing(HttpRequest request, String host, String scheme, int port) {
    List<HttpHeader> headers = endToEnd(request.getHeaders());
    headers.removeIf(h -> REPLACED.contains(h.lowercaseName()));
    String client = request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress)
        .map(java.net.InetAddress::getHostAddress)
        .orElse(null);
    if (client != null) headers.add(RawHeader.create("X-Forwarded-For", client));
    headers.add(RawHeader.create("X-Forwarded-Host", host));
    headers.add(RawHeader.create("X-Forwarded-Port", Integer.toString(port)));
    headers.add(RawHeader.create("X-Forwarded-Proto", scheme));
    return HttpRequest.create()
        .withMethod(request.method())
        .withUri(request.getUri().scheme("http"))
        .withProtocol(HttpProtocols.HTTP_1_1)
        .withHeaders(headers)
        .withEntity(request.entity());
  }

  /** The headers without the hop-by-hop ones, nor those the Connection header names. */
  static List<HttpHeader> endToEnd(Iterable<HttpHeader> headers) {
    Set<String> named = new HashSet<>();
    for (HttpHeader h : headers) {
      if (h.is("connection")) {
        for (String token : h.value().split(",")) named.add(token.trim().toLowerCase(Locale.ROOT));
      }
    }
    List<HttpHeader> out = new ArrayList<>();
    for (HttpHeader h : headers) {
      String name = h.lowercaseName();
      if (!HOP_BY_HOP.contains(name) && !named.contains(name)) out.add(h);
    }
    return out;
  }

  private CompletionStage<HttpResponse> refuse(HttpRequest request, String ingress, int code, String body,
      long started) {
    request.discardEntityBytes(materializer);
    IngressMetrics.observe(ingress, code, started);
    return CompletableFuture.completedFuture(text(code, body));
  }

  private static HttpResponse text(int code, String body) {
    return HttpResponse.create().withStatus(code).withEntity(body);
  }
}
