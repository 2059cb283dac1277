package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.node.logs.ContainerLog;
import io.troupe.node.logs.LogOptions;
import io.troupe.node.runtime.ContainerRuntime;
import io.troupe.node.runtime.RunningContainer;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Stored;
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
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The kubelet's own HTTP endpoint, which the API server proxies to: {@code GET /containerLogs/{namespace}/{pod}/
 * {container}} (the options of {@code pods/log}) and {@code /healthz}. One per JVM, for every node the JVM runs.
 * Errors are Kubernetes {@code Status} objects, passed on by the API server as they are.
 */
final class KubeletServer extends AllDirectives {
  private final ActorSystem<?> system;
  private final Store store;
  private final ContainerRuntime runtime;
  private final Map<String, ActorRef<NodeAgent.Command>> nodes = new ConcurrentHashMap<>();

  KubeletServer(ActorSystem<?> system, Store store, ContainerRuntime runtime) {
    this.system = system;
    this.store = store;
    this.runtime = runtime;
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
    JsonNode status = containerStatus(pod, container);
    if (status == null) {
      boolean declared = false;
      for (String field : new String[] {"containers", "initContainers"}) {
        for (JsonNode c : pod.spec().path(field)) declared |= container.equals(c.path("name").asText());
      }
      return done(declared
          ? status(400, "BadRequest", "container \"" + container + "\" in pod \"" + podName
              + "\" is waiting to start: ContainerCreating")
          : status(400, "BadRequest", "container " + container + " is not valid for pod " + podName));
    }
    boolean previous = "true".equals(params.get("previous"));
    int attempt = status.path("restartCount").asInt(0);
    if (previous) {
      if (status.path("lastState").path("terminated").isMissingNode()) {
        return done(status(400, "BadRequest", "previous terminated container \"" + container + "\" in pod \""
            + podName + "\" not found"));
      }
      attempt--;
    } else if (!status.has("containerID")) {
      String reason = status.path("state").path("waiting").path("reason").asText("ContainerCreating");
      return done(status(400, "BadRequest", "container \"" + container + "\" in pod \"" + podName
          + "\" is waiting to start: " + reason));
    }
    LogOptions options;
    try {
      options = options(params);
    } catch (IllegalArgumentException e) {
      return done(status(400, "BadRequest", e.getMessage()));
    }
    Optional<Path> file = runtime.logFile(pod.metadata().uid(), container, attempt);
    if (file.isEmpty()) return done(HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, ""));
    CompletionStage<?> until = options.follow() && !previous
        ? runningAttempt(agent, pod.metadata().uid(), container, attempt)
            .thenCompose(rc -> rc.<CompletionStage<?>>map(RunningContainer::exited)
                .orElse(CompletableFuture.completedFuture(null)))
        : CompletableFuture.completedFuture(null);
    return done(HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.TEXT_PLAIN_UTF8,
        ContainerLog.read(file.get(), options, until))));
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

  private CompletionStage<Optional<RunningContainer>> runningAttempt(ActorRef<NodeAgent.Command> agent, String uid,
      String container, int attempt) {
    return AskPattern.ask(agent, (ActorRef<Optional<RunningContainer>> replyTo) ->
        new NodeAgent.FindContainer(uid, container, attempt, replyTo), Duration.ofSeconds(5), system.scheduler());
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
    s.put("status", "Failure");
    s.put("message", message);
    s.put("reason", reason);
    s.put("code", code);
    return HttpResponse.create().withStatus(StatusCodes.get(code))
        .withEntity(ContentTypes.APPLICATION_JSON, Json.write(s));
  }
}
