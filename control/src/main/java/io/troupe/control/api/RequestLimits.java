package io.troupe.control.api;

import io.troupe.control.api.limits.ClientRateLimits;
import io.troupe.control.api.limits.LimitSettings;
import io.troupe.control.auth.UserInfo;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * The per-client limits at the API's edge ({@code troupe.api.limits}): a request rate per client (429 with
 * {@code Retry-After} past it) and a number of open watches per client. A client is its authenticated user
 * name; an anonymous request is its remote address's. Members of an exempt group and the health probes are
 * never limited, as Kubernetes' API Priority and Fairness serves {@code system:masters} and {@code /healthz},
 * {@code /livez}, {@code /readyz} at its {@code exempt} priority level.
 */
final class RequestLimits {
  private static final Set<String> PROBES = Set.of("/healthz", "/livez", "/readyz");

  private final LimitSettings settings;
  private final ClientRateLimits rates;

  RequestLimits(LimitSettings settings) {
    this.settings = settings;
    this.rates = new ClientRateLimits(settings);
  }

  LimitSettings settings() {
    return settings;
  }

  /** Takes a token for the request's client; a 429 when it has none left. */
  void admit(HttpRequest request, UserInfo user, String path) {
    if (!limited(user) || PROBES.contains(path)) return;
    var retryAfter = rates.take(client(request, user));
    if (retryAfter.isPresent()) {
      throw ApiException.tooManyRequests("Too many requests, please try again later.", retryAfter.getAsLong());
    }
  }

  /**
   * Serves a watch if its client holds fewer than the maximum open watches, counting it until its stream ends;
   * a 429 otherwise. Only streamed (chunked) watches are counted: a WebSocket watch ends when its client closes
   * it.
   */
  HttpResponse watch(ResourceRequest r, Supplier<HttpResponse> serve) {
    if (!limited(r.user())) return serve.get();
    String client = client(r.http(), r.user());
    if (!rates.openWatch(client)) {
      throw ApiException.tooManyRequests("too many watches open: at most " + settings.maxWatchesPerClient()
          + " per client", 1);
    }
    HttpResponse response;
    try {
      response = serve.get();
    } catch (RuntimeException e) {
      rates.closeWatch(client);
      throw e;
    }
    if (!response.entity().isChunked()) {
      rates.closeWatch(client);
      return response;
    }
    Flow<ByteString, ByteString, ?> counted = Flow.of(ByteString.class).watchTermination((mat, ended) -> {
      ended.whenComplete((done, failure) -> rates.closeWatch(client));
      return mat;
    });
    ResponseEntity entity = response.entity();
    return response.withEntity(HttpEntities.createChunked(entity.getContentType(), entity.getDataBytes().via(counted)));
  }

  private boolean limited(UserInfo user) {
    return settings.enabled() && user.groups().stream().noneMatch(settings.exemptGroups()::contains);
  }

  /** The user's name, or for an anonymous request the address it came from. */
  static String client(HttpRequest request, UserInfo user) {
    if (!user.anonymous()) return "user:" + user.name();
    return "address:" + request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress).map(a -> a.getHostAddress()).orElse("unknown");
  }
}
