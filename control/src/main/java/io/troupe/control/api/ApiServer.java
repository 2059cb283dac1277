package io.troupe.control.api;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.troupe.control.api.limits.LimitSettings;
import io.troupe.control.api.openapi.OpenApiEndpoint;
import io.troupe.control.auth.ApiSecurity;
import io.troupe.control.auth.Attributes;
import io.troupe.control.auth.Authentication;
import io.troupe.control.auth.Authorizer;
import io.troupe.control.auth.Forbidden;
import io.troupe.control.auth.UserInfo;
import io.troupe.control.auth.rbac.RbacAuthorizer;
import io.troupe.control.auth.rbac.RoleEscalation;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.serviceaccount.ServiceAccountTokens;
import io.troupe.persistence.store.Store;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes REST API over Pekko HTTP: operability endpoints, discovery, and every resource path. The
 * path grammar is Kubernetes' own ({@link RequestInfo}), read by hand rather than with the routing DSL
 * because one grammar serves every kind.
 */
public final class ApiServer {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final ContentType PROMETHEUS_TEXT =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final Store store;
  private final ResourceReads reads;
  private final ResourceWrites writes;
  private final PodLogs logs;
  private final NodeProxy nodeProxy;
  private final ObjectHistory history;
  private final TokenRequests tokenRequests;
  private final ServiceAccountIssuerDiscovery issuerDiscovery;
  private final SelfSubjectReviews selfSubjectReviews;
  private final OpenApiEndpoint openApi = OpenApiEndpoint.builtIn();
  private final String serverAddress;
  private final ApiSecurity security;
  private final RequestLimits limits;
  private final Materializer materializer;
  private final AccessReviews reviews;

  private ApiServer(ActorSystem<?> system, Store store, String serverAddress, ApiSecurity security,
      ServiceAccountTokens tokens) {
    this.store = store;
    this.materializer = Materializer.matFromSystem(system);
    this.tokenRequests = new TokenRequests(store, tokens, materializer);
    this.issuerDiscovery = new ServiceAccountIssuerDiscovery(tokens);
    this.security = security;
    LimitSettings limitSettings = LimitSettings.from(system.settings().config());
    this.reads = new ResourceReads(store, limitSettings.watchMinTimeout());
    RbacAuthorizer rules = rbacRules(security, store);
    this.writes = new ResourceWrites(store,
        new io.troupe.control.api.admission.ServiceAddresses(io.troupe.control.ipam.ServiceAllocators.get(system)),
        materializer, new RoleEscalation(security.authorizer(), rules));
    this.reviews = new AccessReviews(security.authorizer(), rules, materializer);
    this.logs = new PodLogs(system, store, materializer);
    this.nodeProxy = new NodeProxy(system, store);
    this.history = new ObjectHistory(system);
    this.selfSubjectReviews = new SelfSubjectReviews(materializer);
    this.serverAddress = serverAddress;
    this.limits = new RequestLimits(limitSettings);
    ApiMetrics.watchCache(store.cache());
  }

  /** What tells which rules a user holds: the RBAC authorizer, or (under another) one reading the same cache. */
  private static RbacAuthorizer rbacRules(ApiSecurity security, Store store) {
    return security.authorizer() instanceof RbacAuthorizer rbac ? rbac : new RbacAuthorizer(store.cache());
  }

  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, Store store, String host, int port,
      ApiSecurity security) {
    return bind(system, store, host, port, security, ServiceAccountTokens.fromConfig(system.settings().config()),
        Optional.empty());
  }

  /**
   * As above, with the issuer of service account tokens ({@code serviceaccounts/{name}/token}), over TLS when
   * {@code https} is there.
   */
  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, Store store, String host, int port,
      ApiSecurity security, ServiceAccountTokens tokens, Optional<HttpsConnectionContext> https) {
    ApiServer server = new ApiServer(system, store, host + ":" + port, security, tokens);
    int pipelining = system.settings().config().getInt("pekko.http.server.pipelining-limit");
    // requests too malformed to reach the handler get a Status too
    ServerSettings settings = ServerSettings.create(ConfigFactory.parseString(
        "pekko.http.server.parsing.error-handler = \"" + StatusParsingErrorHandler.class.getName() + "\"")
        .withFallback(system.settings().config()));
    var serverAt = Http.get(system).newServerAt(host, port).withSettings(settings);
    if (https.isPresent()) serverAt = serverAt.enableHttps(https.get());
    return serverAt.bindFlow(server.connection(system, pipelining));
  }

  /**
   * What {@code bind(handler)} does for each connection (requests answered in order, {@code pipelining} at a
   * time), plus: once the client has closed its side of the connection, the watches streaming on it end. Pekko
   * HTTP keeps sending a response to a half-closed connection and notices a gone client only when a write
   * fails, so a quiet watch would otherwise hold its socket and its place in the watch cache until it times
   * out (30-60 minutes). Kubernetes' Go server cancels a request as soon as its connection reads EOF.
   */
  private Flow<HttpRequest, HttpResponse, NotUsed> connection(ActorSystem<?> system, int pipelining) {
    Duration idleTimeout = limits.settings().idleConnectionTimeout();
    return Flow.fromMaterializer((materializer, attributes) -> {
      SharedKillSwitch clientGone = KillSwitches.shared("client-gone");
      // ending the request side closes the connection (see IdleConnection)
      SharedKillSwitch idle = KillSwitches.shared("idle-connection");
      IdleConnection connection = new IdleConnection(system.scheduler(), idleTimeout, idle::shutdown,
          system.executionContext());
      return Flow.of(HttpRequest.class)
          .via(idle.flow())
          .watchTermination((notUsed, requestsEnded) -> {
            requestsEnded.whenComplete((done, failure) -> {
              connection.ended();
              clientGone.shutdown();
            });
            return notUsed;
          })
          .mapAsync(pipelining, request -> {
            connection.requestStarted();
            return handle(request, clientGone).thenApply(connection::track);
          });
    }).mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  private CompletionStage<HttpResponse> handle(HttpRequest request, SharedKillSwitch clientGone) {
    long started = System.nanoTime();
    String path = request.getUri().path();
    Optional<RequestInfo> info = RequestInfo.parse(path);
    // only resources the server serves become label values: a typo in a path must not add a time series
    String resource = info.flatMap(i -> ResourceTypes.byPath(i.group(), i.version(), i.resource()))
        .map(ResourceType::plural).orElse("");
    String[] verb = {request.method().value().toLowerCase(java.util.Locale.ROOT)};
    CompletionStage<HttpResponse> response;
    boolean admitted = false;
    try {
      UserInfo user = authenticate(request);
      limits.admit(request, user, path);
      authorize(request, user, info);
      admitted = true;
      if (SelfSubjectReviews.handles(path)) {
        verb[0] = "create";
        response = CompletableFuture.completedFuture(selfSubjectReviews.create(request, user));
      } else if (info.isPresent() && ObjectHistory.handles(info.get())) {
        verb[0] = "history";
        response = history.get(request, info.get());
      } else if (info.isPresent() && AccessReviews.handles(info.get())) {
        verb[0] = "create";
        response = reviews.create(request, info.get(), user);
      } else if (info.isPresent()) {
        ResourceRequest r = resolve(request, info.get(), user);
        verb[0] = verb(r);
        response = store.cache().whenReady().toCompletableFuture()
            .orTimeout(30, TimeUnit.SECONDS)
            .exceptionally(e -> {
              throw ApiException.unavailable("the watch cache is still loading; try again");
            })
            .thenCompose(ready -> dispatch(r, verb[0], clientGone));
      } else {
        response = CompletableFuture.completedFuture(nonResource(request, path));
      }
    } catch (ApiException e) {
      // refused before its body was read (401, 403, 429): read it away, then answer, so that the client, still
      // sending, gets the answer (answered before the body is read, Pekko HTTP closes the connection under it)
      response = admitted ? CompletableFuture.completedFuture(ApiResponses.status(e))
          : RequestBody.readAway(request, materializer).thenApply(read -> ApiResponses.status(e));
    }
    return response
        .exceptionally(failure -> answer(request, failure))
        .thenApply(r -> {
          ApiMetrics.observe(verb[0], resource, r.status().intValue(), started);
          return r;
        });
  }

  private HttpResponse answer(HttpRequest request, Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) cause = cause.getCause();
    if (cause instanceof ApiException e) return ApiResponses.status(e);
    if (cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof org.apache.pekko.pattern.AskTimeoutException) {
      return ApiResponses.status(ApiException.timeout("the store did not answer in time; the request may or may "
          + "not have taken effect"));
    }
    log.error("request {} {} failed", request.method().value(), request.getUri().path(), cause);
    return ApiResponses.status(ApiException.internal(cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + cause.getMessage())));
  }

  /** The request's user; 401 for bad credentials, and for none unless anonymous requests are allowed. */
  private UserInfo authenticate(HttpRequest request) {
    Authentication authentication = security.authenticator().authenticate(request);
    if (authentication instanceof Authentication.Authenticated a) return a.user();
    if (authentication instanceof Authentication.Rejected rejected) {
      log.debug("request {} {} not authenticated: {}", request.method().value(), request.getUri().path(),
          rejected.reason());
      throw ApiException.unauthorized("Unauthorized");
    }
    if (security.anonymousRequests()) return UserInfo.ANONYMOUS;
    throw ApiException.unauthorized("Unauthorized");
  }

  /** 403 unless the authorizer allows what the request asks (as Kubernetes, before the path is resolved). */
  private void authorize(HttpRequest request, UserInfo user, Optional<RequestInfo> info) {
    // a Namespace is in itself, as Kubernetes reads /api/v1/namespaces/{name}: a RoleBinding there may grant it
    Attributes attributes = info.map(i -> Attributes.resource(user, verb(request, i), i.group(), i.resource(),
            i.subresource(), i.namespace() == null && i.group().isEmpty() && i.resource().equals("namespaces")
                ? i.name() : i.namespace(), i.name() != null ? i.name() : selectedName(request)))
        .orElseGet(() -> Attributes.nonResource(user,
            request.method().value().toLowerCase(java.util.Locale.ROOT), request.getUri().path()));
    Authorizer.Decision decision = security.authorizer().authorize(attributes);
    if (decision.allowed()) return;
    log.debug("{} denied: {}", attributes, decision.reason());
    // a request without credentials that the authorizer refuses must authenticate: 401, not 403. Anonymous
    // requests so reach what the policy opens to them (/healthz, /livez, /readyz, /version) and nothing else gets
    // past 401 without credentials (kube-apiserver answers such requests 403 Forbidden to system:anonymous)
    if (user.anonymous()) throw ApiException.unauthorized("Unauthorized");
    throw Forbidden.of(attributes, decision.reason());
  }

  /**
   * The name a list or watch of a collection asks for with {@code fieldSelector=metadata.name=x}: Kubernetes'
   * RequestInfo gives it to the authorizer, so a rule with resourceNames lets {@code kubectl get pod x -w} watch.
   */
  private static String selectedName(HttpRequest request) {
    if (!request.method().value().equals("GET")) return null;
    String selector = request.getUri().query().get("fieldSelector").orElse("");
    for (String term : selector.split(",")) {
      String t = term.strip();
      String name = t.startsWith("metadata.name==") ? t.substring("metadata.name==".length())
          : t.startsWith("metadata.name=") ? t.substring("metadata.name=".length()) : null;
      if (name != null && !name.isEmpty() && !name.contains("/") && !name.contains("%") && !name.equals(".")
          && !name.equals("..")) {
        return name;
      }
    }
    return null;
  }

  /** The verb the authorizer sees: Kubernetes' RequestInfo calls every POST create (a subresource's too). */
  private static String verb(HttpRequest request, RequestInfo info) {
    String method = request.method().value();
    if (method.equals("POST")) return "create";
    boolean collection = info.name() == null;
    boolean watch = request.getUri().query().get("watch").map(w -> w.equals("true") || w.equals("1")).orElse(false);
    return verb(method, collection, watch, info.subresource() != null);
  }

  private ResourceRequest resolve(HttpRequest request, RequestInfo info, UserInfo user) {
    ResourceType type = ResourceTypes.byPath(info.group(), info.version(), info.resource())
        .orElseThrow(() -> ApiException.pathNotFound(request.getUri().path()));
    // a cluster-scoped kind has no namespace in its path; a namespaced object is named within one
    boolean misplaced = type.namespaced() ? info.namespace() == null && info.name() != null : info.namespace() != null;
    if (misplaced) throw ApiException.pathNotFound(request.getUri().path());
    String sub = info.subresource();
    if (sub != null && !(sub.equals("status") && type.hasStatus()) && !(sub.equals("scale") && type.hasScale())
        && !(sub.equals("log") && type.kind().equals("Pod"))
        && !(sub.equals("proxy") && type.kind().equals("Node"))
        && !(sub.equals("token") && type == ResourceTypes.SERVICE_ACCOUNT)) {
      throw ApiException.pathNotFound(request.getUri().path());
    }
    return new ResourceRequest(request, info, type, user);
  }

  private static String verb(ResourceRequest r) {
    return verb(r.method(), r.name() == null, r.flag("watch"), r.info().subresource() != null);
  }

  /**
   * Kubernetes' verb of a resource request; a POST to a subresource is a {@code create}
   * ({@code create serviceaccounts/token}), as in Kubernetes.
   */
  private static String verb(String method, boolean collection, boolean watch, boolean subresource) {
    switch (method) {
      case "GET":
        return watch ? "watch" : collection ? "list" : "get";
      case "POST":
        return collection || subresource ? "create" : "post";
      case "PUT":
        return "update";
      case "PATCH":
        return "patch";
      case "DELETE":
        return collection ? "deletecollection" : "delete";
      default:
        return method.toLowerCase(java.util.Locale.ROOT);
    }
  }

  private CompletionStage<HttpResponse> dispatch(ResourceRequest r, String verb, SharedKillSwitch clientGone) {
    String sub = r.info().subresource();
    // every method goes to the kubelet as it is (its dryRun too)
    if ("proxy".equals(sub)) return nodeProxy.forward(r, clientGone);
    boolean collection = r.name() == null;
    boolean acrossNamespaces = verb.equals("list") || verb.equals("watch") || verb.equals("deletecollection");
    boolean read = verb.equals("get") || verb.equals("list") || verb.equals("watch");
    // refused rather than ignored: a client asking for a dry run must not see its object written
    if (!read && r.param("dryRun").isPresent()) throw ApiException.badRequest("dryRun is not supported");
    if (collection && r.type().namespaced() && r.namespace() == null && !acrossNamespaces) {
      throw ApiException.pathNotFound(r.http().getUri().path());
    }
    if ("log".equals(sub)) {
      if (!verb.equals("get")) throw ApiException.methodNotAllowed(r.method(), r.http().getUri().path());
      return logs.get(r, clientGone);
    }
    if ("token".equals(sub)) {
      if (!verb.equals("create")) throw ApiException.methodNotAllowed(r.method(), r.http().getUri().path());
      return tokenRequests.create(r);
    }
    if ("scale".equals(sub)) {
      switch (verb) {
        case "get": return done(writes.getScale(r));
        case "update": return writes.updateScale(r);
        case "patch": return writes.patch(r);
        default: throw ApiException.methodNotAllowed(r.method(), r.http().getUri().path());
      }
    }
    if ("status".equals(sub)) {
      switch (verb) {
        case "get": return done(reads.get(r));
        case "update": return writes.updateStatus(r);
        case "patch": return writes.patch(r);
        default: throw ApiException.methodNotAllowed(r.method(), r.http().getUri().path());
      }
    }
    switch (verb) {
      case "get": return done(reads.get(r));
      case "list": return reads.list(r);
      case "watch": return done(limits.watch(r, () -> reads.watch(r, clientGone)));
      case "create": return writes.create(r);
      case "update": return writes.update(r);
      case "patch": return writes.patch(r);
      case "delete": return writes.delete(r);
      case "deletecollection": return writes.deleteCollection(r);
      default: throw ApiException.methodNotAllowed(r.method(), r.http().getUri().path());
    }
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  private HttpResponse nonResource(HttpRequest request, String path) {
    if (Dashboard.serves(path)) return Dashboard.answer(request);
    switch (path) {
      case "/healthz":
      case "/livez":
        return ApiResponses.text(200, "ok");
      case "/readyz":
        return store.cache().isReady() ? ApiResponses.text(200, "ok")
            : ApiResponses.text(503, "watch cache loading");
      case "/metrics":
        return metrics();
      default:
        return openApi.answer(request)
            .or(() -> Discovery.at(path, serverAddress).map(ApiResponses::ok))
            .or(() -> issuerDiscovery.answer(path))
            .orElseThrow(() -> ApiException.pathNotFound(path));
    }
  }

  private static HttpResponse metrics() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, PrometheusRegistry.defaultRegistry.scrape());
    } catch (IOException e) {
      throw ApiException.internal("cannot write metrics: " + e.getMessage());
    }
    return HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS_TEXT, out.toByteArray()));
  }
}
