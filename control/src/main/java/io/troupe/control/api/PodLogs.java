package io.troupe.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Stored;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.TimeoutAccess;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The {@code pods/log} subresource, as Kubernetes serves it: the options are checked, the container is found in the
 * pod, and the request goes to the kubelet endpoint of the pod's node ({@code /containerLogs/{ns}/{pod}/{container}}),
 * whose answer is streamed back chunk by chunk as it comes. A pod not yet on a node has no log: 204 No Content.
 *
 * <p>Each log request has a connection of its own to the kubelet (a shared pool would hold followed logs in its few
 * slots), kept open on both sides until the answer ends: a connection whose request side is closed can look to the
 * agent like a client that went away. When the API client goes (its connection closes), the answer stream is
 * cancelled, which closes the connection to the kubelet.
 */
final class PodLogs {
  /** How much of a kubelet's error answer is read to pass it on. */
  private static final long ERROR_BODY_LIMIT = 64 * 1024;

  private final ActorSystem<?> system;
  private final Store store;
  private final Materializer materializer;
  private final Duration connectingTimeout;
  private final Duration followIdleTimeout;

  PodLogs(ActorSystem<?> system, Store store, Materializer materializer) {
    this.system = system;
    this.store = store;
    this.materializer = materializer;
    Config config = system.settings().config().getConfig("troupe.api.pod-logs");
    this.connectingTimeout = config.getDuration("connecting-timeout");
    this.followIdleTimeout = config.getDuration("follow-idle-timeout");
  }

  CompletionStage<HttpResponse> get(ResourceRequest r, SharedKillSwitch clientGone) {
    PodLogOptions options = PodLogOptions.read(r.http().getUri().query(), r.name());
    KubeObject pod = store.get(r.key()).map(Stored::object).orElseThrow(r::notFound);
    String container = container(pod, options.container());
    String nodeName = Json.text(pod.body(), "spec.nodeName");
    if (nodeName == null || nodeName.isEmpty()) {
      return CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
    }
    KubeObject node = store.get(ObjectKey.of("Node", null, nodeName)).map(Stored::object)
        .orElseThrow(() -> ApiException.notFound("nodes", "", nodeName));
    KubeletEndpoint kubelet = KubeletEndpoint.of(node);
    Uri uri = Uri.create("http://" + kubelet.authority()).path("/containerLogs/" + r.namespace() + "/" + r.name()
        + "/" + container).query(options.kubeletQuery());
    if (options.follow()) {
      // a followed log is long-running, as a watch: no request timeout (Kubernetes exempts both)
      r.http().getHeader(TimeoutAccess.class)
          .ifPresent(t -> t.timeoutAccess().updateTimeout(scala.concurrent.duration.Duration.Inf()));
    }
    return proxy(kubelet, uri, options.follow(), clientGone);
  }

  /**
   * Kubernetes' validateContainer: the named container (init, regular or ephemeral), or the only one; a 400
   * otherwise.
   */
  static String container(KubeObject pod, String requested) {
    JsonNode spec = pod.spec() == null ? Json.object() : pod.spec();
    String name = pod.metadata().name();
    List<String> all = new ArrayList<>();
    for (String list : new String[] {"initContainers", "containers", "ephemeralContainers"}) {
      for (JsonNode c : spec.path(list)) all.add(c.path("name").asText());
    }
    if (requested != null) {
      if (!all.contains(requested)) {
        throw ApiException.badRequest("container " + requested + " is not valid for pod " + name);
      }
      return requested;
    }
    JsonNode containers = spec.path("containers");
    if (containers.size() == 1) return containers.get(0).path("name").asText();
    if (containers.isEmpty()) throw ApiException.badRequest("a container name must be specified for pod " + name);
    throw ApiException.badRequest("a container name must be specified for pod " + name + ", choose one of: ["
        + String.join(" ", all) + "]");
  }

  private CompletionStage<HttpResponse> proxy(KubeletEndpoint kubelet, Uri uri, boolean follow,
      SharedKillSwitch clientGone) {
    ClientConnectionSettings settings = ClientConnectionSettings.create(system.settings().config())
        .withConnectingTimeout(connectingTimeout);
    if (follow) settings = settings.withIdleTimeout(followIdleTimeout);
    CompletableFuture<HttpResponse> answered = new CompletableFuture<>();
    // the request side stays open (Source.maybe) until the answer has ended, then lets the connection close
    Pair<CompletableFuture<Optional<HttpRequest>>, CompletionStage<Done>> connection =
        Source.single(HttpRequest.GET(uri.toString()))
            .concatMat(Source.maybe(), Keep.right())
            .via(Http.get(system).connectionTo(kubelet.host()).toPort(kubelet.port())
                .withClientConnectionSettings(settings).http())
            .toMat(Sink.foreach(answered::complete), Keep.both())
            .run(materializer);
    CompletableFuture<Optional<HttpRequest>> requestsEnd = connection.first();
    connection.second().whenComplete((done, failure) -> {
      requestsEnd.complete(Optional.empty());
      answered.completeExceptionally(failure != null ? failure
          : new IllegalStateException("the connection closed without an answer"));
    });
    return answered.handle((response, failure) -> {
      if (failure != null) throw unreachable(kubelet, uri, failure);
      if (!response.status().isSuccess()) {
        return passOn(response).whenComplete((answer, f) -> requestsEnd.complete(Optional.empty()));
      }
      Source<ByteString, ?> body = response.entity().getDataBytes()
          .via(clientGone.flow())
          .watchTermination((mat, ended) -> {
            ended.whenComplete((d, f) -> requestsEnd.complete(Optional.empty()));
            return mat;
          });
      // any success of the kubelet's is a 200 with its bytes, as Kubernetes' LocationStreamer answers
      return CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.OK)
          .withEntity(HttpEntities.createChunked(ContentTypes.TEXT_PLAIN_UTF8, body)));
    }).thenCompose(answer -> answer);
  }

  /**
   * A kubelet's error answer, passed on with its code: as it is when it is a Kubernetes Status, otherwise as a Status
   * whose message is the kubelet's text.
   */
  private CompletionStage<HttpResponse> passOn(HttpResponse response) {
    int code = response.status().intValue();
    return response.entity().withSizeLimit(ERROR_BODY_LIMIT).toStrict(10_000, materializer)
        .handle((strict, failure) -> {
          String text = failure == null ? strict.getData().utf8String().trim() : "";
          JsonNode status = null;
          try {
            status = text.startsWith("{") ? Json.MAPPER.readTree(text) : null;
          } catch (java.io.IOException e) {
            // not JSON: wrapped below
          }
          if (status != null && "Status".equals(status.path("kind").asText())) return ApiResponses.json(code, status);
          String message = text.isEmpty()
              ? "the kubelet answered " + code + " " + response.status().reason() + " without more information"
              : text;
          return ApiResponses.status(new ApiException(code, reason(code), message, null));
        });
  }

  /**
   * Kubernetes answers a kubelet it cannot reach with a 500 whose message is the HTTP client's error, such as
   * {@code Get "http://10.0.0.1:10250/containerLogs/...": dial tcp 10.0.0.1:10250: connect: connection refused}.
   */
  private static ApiException unreachable(KubeletEndpoint kubelet, Uri uri, Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    if (root instanceof ApiException e) return e;
    String detail = root.getMessage() == null ? "" : root.getMessage();
    String why;
    if (root instanceof java.net.ConnectException) {
      why = "dial tcp " + kubelet.authority() + ": connect: " + detail.toLowerCase(java.util.Locale.ROOT);
    } else if (detail.toLowerCase(java.util.Locale.ROOT).contains("timeout")) {
      why = "dial tcp " + kubelet.authority() + ": i/o timeout";
    } else {
      why = detail.isEmpty() ? "the connection to the kubelet failed" : detail;
    }
    return new ApiException(500, "InternalError", "Get \"" + uri + "\": " + why, null);
  }

  private static String reason(int code) {
    switch (code) {
      case 400: return "BadRequest";
      case 401: return "Unauthorized";
      case 403: return "Forbidden";
      case 404: return "NotFound";
      case 409: return "Conflict";
      case 410: return "Gone";
      case 422: return "Invalid";
      case 429: return "TooManyRequests";
      case 503: return "ServiceUnavailable";
      case 504: return "Timeout";
      default: return code >= 500 ? "InternalError" : "BadRequest";
    }
  }
}
