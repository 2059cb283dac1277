package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.node.image.ImagePullException;
import io.troupe.node.image.ImageService;
import io.troupe.node.image.ImageStore;
import io.troupe.node.image.ImageSummary;
import io.troupe.node.logs.ContainerLog;
import io.troupe.node.logs.LogOptions;
import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.node.runtime.RunningContainer;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Stored;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.FileIO;

/**
 * The kubelet's own HTTP endpoint, which the API server proxies to: {@code GET /containerLogs/{namespace}/{pod}/
 * {container}} (the options of {@code pods/log}), the node's images ({@code GET /images}, {@code POST
 * /images/import} with a tarball as the body, {@code DELETE /images/{reference}}; reached through the API server as
 * {@code nodes/{name}/proxy/images...}) and {@code /healthz}. One per JVM, for every node the JVM runs.
 * Errors are Kubernetes {@code Status} objects, passed on by the API server as they are.
 */
final class KubeletServer extends AllDirectives {
  private final ActorSystem<?> system;
  private final Store store;
  private final ContainerRuntime runtime;
  private final ImageService images;
  private final Map<String, ActorRef<NodeAgent.Command>> nodes = new ConcurrentHashMap<>();

  KubeletServer(ActorSystem<?> system, Store store, ContainerRuntime runtime, ImageService images) {
    this.system = system;
    this.store = store;
    this.runtime = runtime;
    this.images = images;
  }

  void serve(String nodeName, ActorRef<NodeAgent.Command> agent) {
    nodes.put(nodeName, agent);
  }

  CompletionStage<ServerBinding> bind(String host, int port) {
    return Http.get(system).newServerAt(host, port).bind(route());
  }

  Route route() {
    return concat(
        path("healthz", () -> get(() -> complete("ok"))),
        pathPrefix("images", () -> concat(
            pathEnd(() -> get(() -> completeWithFuture(listImages()))),
            // a tarball of hundreds of megabytes: no size limit, and time to receive and unpack it
            path("import", () -> post(() -> withoutSizeLimit(() -> withRequestTimeout(Duration.ofMinutes(30), () ->
                extractRequestEntity(entity -> completeWithFuture(importImages(entity))))))),
            path(PathMatchers.remaining(), reference -> delete(() -> completeWithFuture(removeImage(reference)))))),
        pathPrefix("containerLogs", () ->
            pathPrefix(PathMatchers.segment(), namespace ->
                pathPrefix(PathMatchers.segment(), pod ->
                    path(PathMatchers.segment(), container ->
                        get(() -> parameterMap(params ->
                            completeWithFuture(logs(namespace, pod, container, params)))))))));
  }

  private CompletionStage<HttpResponse> logs(String namespace, String podName, String container,
      Map<String, String> params) {
    Optional<KubeObject> found = store.get(ObjectKey.of("Pod", namespace, podName)).map(Stored::object);
    ActorRef<NodeAgent.Command> agent = found.map(p -> nodes.get(Json.text(p.body(), "spec.nodeName"))).orElse(null);
    if (found.isEmpty() || agent == null) {
      return done(status(404, "NotFound", "pods \"" + podName + "\" not found on this node"));
    }
    KubeObject pod = found.get();
    if (containerStatus(pod, container) == null && !declared(pod, container)) {
      return done(status(400, "BadRequest", "container " + container + " is not valid for pod " + podName));
    }
    LogOptions options;
    try {
      options = options(params);
    } catch (IllegalArgumentException e) {
      return done(status(400, "BadRequest", e.getMessage()));
    }
    boolean previous = "true".equals(params.get("previous"));
    String uid = pod.metadata().uid();
    return attempts(agent, uid, container).thenApply(found2 -> {
      // the worker knows the attempts as they happen; the pod's status may lag behind them
      int started = found2.map(PodWorker.Attempts::started).orElseGet(() -> startedFromStatus(pod, container));
      if (previous && started < 2) {
        return status(400, "BadRequest", "previous terminated container \"" + container + "\" in pod \""
            + podName + "\" not found");
      }
      if (started < 1) {
        JsonNode s = containerStatus(pod, container);
        String reason = s == null ? "ContainerCreating"
            : s.path("state").path("waiting").path("reason").asText("ContainerCreating");
        return status(400, "BadRequest", "container \"" + container + "\" in pod \"" + podName
            + "\" is waiting to start: " + reason);
      }
      int attempt = previous ? started - 2 : started - 1;
      Optional<Path> file = runtime.logFile(uid, container, attempt);
      if (file.isEmpty()) return HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, "");
      CompletionStage<?> until = options.follow() && !previous
          ? found2.flatMap(PodWorker.Attempts::running).filter(rc -> rc.attempt() == attempt)
              .<CompletionStage<?>>map(RunningContainer::exited).orElse(CompletableFuture.completedFuture(null))
          : CompletableFuture.completedFuture(null);
      return HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.TEXT_PLAIN_UTF8,
          ContainerLog.read(file.get(), options, until)));
    });
  }

  private CompletionStage<HttpResponse> listImages() {
    return images.list().thenApply(KubeletServer::imageList).exceptionally(KubeletServer::imageFailure);
  }

  /** The body, streamed to a file next to the store's own files, then imported. */
  private CompletionStage<HttpResponse> importImages(HttpEntity entity) {
    Path upload;
    try {
      Path dir = images instanceof ImageStore store ? store.root().resolve("tmp")
          : Path.of(System.getProperty("java.io.tmpdir"));
      Files.createDirectories(dir);
      upload = Files.createTempFile(dir, "upload-", ".tar");
    } catch (IOException e) {
      entity.discardBytes(system);
      return done(status(500, "InternalError", "cannot store the upload: " + e.getMessage()));
    }
    return entity.getDataBytes().runWith(FileIO.toPath(upload), Materializer.matFromSystem(system))
        .thenCompose(written -> images.importTarball(upload))
        .thenApply(KubeletServer::imageList)
        .exceptionally(KubeletServer::imageFailure)
        .whenComplete((response, failure) -> {
          try {
            Files.deleteIfExists(upload);
          } catch (IOException e) {
            // the store sweeps its tmp at the next start
          }
        });
  }

  private CompletionStage<HttpResponse> removeImage(String reference) {
    return images.remove(reference).thenApply(removed -> removed
        ? status(200, "", "image \"" + reference + "\" removed")
        : status(404, "NotFound", "image \"" + reference + "\" not found"))
        .exceptionally(KubeletServer::imageFailure);
  }

  private static HttpResponse imageList(java.util.List<ImageSummary> list) {
    ObjectNode body = Json.object();
    body.set("images", Json.MAPPER.valueToTree(list));
    return HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, Json.write(body));
  }

  /** A bad name or a tarball that is not an image: 400 with the reason; anything else a 500. */
  private static HttpResponse imageFailure(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ImagePullException e) return status(400, "BadRequest", e.getMessage());
    if (cause instanceof IOException) return status(400, "BadRequest", cause.getMessage());
    return status(500, "InternalError", String.valueOf(cause.getMessage()));
  }

  private static boolean declared(KubeObject pod, String container) {
    for (String field : new String[] {"containers", "initContainers"}) {
      for (JsonNode c : pod.spec().path(field)) {
        if (container.equals(c.path("name").asText())) return true;
      }
    }
    return false;
  }

  /** Attempts started, as the pod's status shows them (when the pod has no worker here any more). */
  private static int startedFromStatus(KubeObject pod, String container) {
    JsonNode s = containerStatus(pod, container);
    if (s == null || !s.has("containerID")) return 0;
    return s.path("restartCount").asInt(0) + 1;
  }

  /** The query of {@code pods/log} (the API server validated it already; a direct caller gets a 400). */
  static LogOptions options(Map<String, String> params) {
    LogOptions options = LogOptions.DEFAULT.withFollow("true".equals(params.get("follow")))
        .withTimestamps("true".equals(params.get("timestamps")));
    try {
      if (params.containsKey("tailLines")) options = options.withTailLines(Long.parseLong(params.get("tailLines")));
      if (params.containsKey("limitBytes")) options = options.withLimitBytes(Long.parseLong(params.get("limitBytes")));
      if (params.containsKey("sinceSeconds")) {
        options = options.withSinceSeconds(Long.parseLong(params.get("sinceSeconds")), java.time.Instant.now());
      }
      if (params.containsKey("sinceTime")) options = options.withSinceTime(java.time.Instant.parse(params.get("sinceTime")));
    } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("invalid log options: " + e.getMessage());
    }
    return options;
  }

  private CompletionStage<Optional<PodWorker.Attempts>> attempts(ActorRef<NodeAgent.Command> agent, String uid,
      String container) {
    return AskPattern.ask(agent, (ActorRef<Optional<PodWorker.Attempts>> replyTo) ->
        new NodeAgent.FindContainer(uid, container, replyTo), Duration.ofSeconds(5), system.scheduler());
  }

  private static JsonNode containerStatus(KubeObject pod, String name) {
    for (String field : new String[] {"containerStatuses", "initContainerStatuses"}) {
      for (JsonNode s : pod.body().path("status").path(field)) {
        if (name.equals(s.path("name").asText())) return s;
      }
    }
    return null;
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  private static HttpResponse status(int code, String reason, String message) {
    ObjectNode s = Json.object();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", code < 400 ? "Success" : "Failure");
    s.put("message", message);
    if (!reason.isEmpty()) s.put("reason", reason);
    s.put("code", code);
    return HttpResponse.create().withStatus(StatusCodes.get(code))
        .withEntity(ContentTypes.APPLICATION_JSON, Json.write(s));
  }
}
