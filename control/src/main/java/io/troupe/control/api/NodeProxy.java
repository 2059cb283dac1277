package io.troupe.control.api;

import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.watch.Stored;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.TimeoutAccess;
import org.apache.pekko.stream.SharedKillSwitch;

/**
 * The {@code nodes/{name}/proxy/{path}} subresource, as Kubernetes serves it: the request (method, path, query, body)
 * goes to the node's kubelet endpoint at {@code /{path}} and its answer comes back as it is, streamed both ways. The
 * node's images ({@code troupe image import/ls/rm}) are reached so. The authorizer saw resource {@code nodes},
 * subresource {@code proxy} and the verb of the method (GET get, POST create, DELETE delete), as in Kubernetes.
 *
 * <p>A body here may be an image tarball of hundreds of megabytes: it is streamed to the kubelet without the API's
 * size limit on object bodies, and the request may take as long as the kubelet needs (up to {@link #TIMEOUT}).
 */
final class NodeProxy {
  static final Duration TIMEOUT = Duration.ofMinutes(30);
  private final ActorSystem<?> system;
  private final io.troupe.persistence.store.Store store;

  NodeProxy(ActorSystem<?> system, io.troupe.persistence.store.Store store) {
    this.system = system;
    this.store = store;
  }

  CompletionStage<HttpResponse> forward(ResourceRequest r, SharedKillSwitch clientGone) {
    KubeObject node = store.get(ObjectKey.of("Node", null, r.name())).map(Stored::object)
        .orElseThrow(() -> ApiException.notFound("nodes", "", r.name()));
    KubeletEndpoint kubelet = KubeletEndpoint.of(node);
    String path = r.http().getUri().path();
    String marker = "/nodes/" + r.name() + "/proxy";
    String rest = path.substring(path.indexOf(marker) + marker.length());
    if (rest.isEmpty()) rest = "/";
    Uri uri = Uri.create("http://" + kubelet.authority() + rest);
    String query = r.http().getUri().rawQueryString().orElse("");
    if (!query.isEmpty()) uri = Uri.create(uri + "?" + query);
    r.http().getHeader(TimeoutAccess.class).ifPresent(t -> t.timeoutAccess()
        .updateTimeout(scala.concurrent.duration.Duration.fromNanos(TIMEOUT.toNanos())));
    RequestEntity body = (RequestEntity) ((HttpEntity) r.http().entity()).withoutSizeLimit();
    HttpRequest request = HttpRequest.create(uri.toString()).withMethod(r.http().method()).withEntity(body);
    String target = r.method() + " \"" + uri + "\"";
    // the kubelet may be quiet for a while (unpacking an image): its connection idles up to the request's timeout
    ConnectionPoolSettings pool = ConnectionPoolSettings.create(system.settings().config()).withConnectionSettings(
        ClientConnectionSettings.create(system.settings().config()).withIdleTimeout(TIMEOUT));
    Http http = Http.get(system);
    return http.singleRequest(request, http.defaultClientHttpsContext(), pool, system.classicSystem().log())
        .handle((response, failure) -> {
      if (failure != null) {
        throw new ApiException(503, "ServiceUnavailable", "error trying to reach the kubelet of node \""
            + r.name() + "\": " + target + ": " + (failure.getMessage() == null ? failure.getClass().getSimpleName()
            : failure.getMessage()), null);
      }
      ResponseEntity entity = response.entity();
      if (entity.isStrict() || entity.isKnownEmpty()) return response;
      // a streamed answer ends when the API client goes away
      return response.withEntity(HttpEntities.createChunked(entity.getContentType(),
          entity.withoutSizeLimit().getDataBytes().via(clientGone.flow())));
    });
  }
}
