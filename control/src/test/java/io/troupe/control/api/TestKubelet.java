package io.troupe.control.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.admission.Admission;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Stands in for a node agent's kubelet endpoint in API tests: a real Pekko HTTP server on 127.0.0.1 that answers
 * {@code GET /containerLogs/{ns}/{pod}/{container}} as the test scripted it (a text, an error, or a log the test
 * feeds line by line), and records every request it gets. {@link #node} is the Node object that points at it.
 */
final class TestKubelet implements AutoCloseable {
  private final ActorSystem<?> system;
  private final ServerBinding binding;
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

  /** What the endpoint answers for one container. */
  private sealed interface Script {}

  private record Text(String body) implements Script {}

  private record Failure(int code, String contentType, String body) implements Script {}

  private record Followed(FollowedLog log) implements Script {}

  /** A log the test writes to while a client follows it; {@link #ended()} completes once the answer stream ends. */
  static final class FollowedLog {
    private volatile BoundedSourceQueue<ByteString> queue;
    private final CompletableFuture<BoundedSourceQueue<ByteString>> opened = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    /** Appends a line; waits until a client's request has opened the stream. */
    void write(String line) throws Exception {
      opened.get(10, TimeUnit.SECONDS).offer(ByteString.fromString(line + "\n"));
    }

    /** Completes when the answer stream has ended (the API server closed the connection or cancelled it). */
    CompletableFuture<Void> ended() {
      return ended;
    }

    private Source<ByteString, ?> source(ActorSystem<?> system) {
      Pair<BoundedSourceQueue<ByteString>, Source<ByteString, org.apache.pekko.NotUsed>> pair =
          Source.<ByteString>queue(64).preMaterialize(system);
      queue = pair.first();
      opened.complete(queue);
      return pair.second().watchTermination((mat, done) -> {
        done.whenComplete((d, f) -> ended.complete(null));
        return mat;
      });
    }
  }

  private TestKubelet(ActorSystem<?> system) throws Exception {
    this.system = system;
    this.binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(this::handle)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static TestKubelet start(ActorSystem<?> system) throws Exception {
    return new TestKubelet(system);
  }

  int port() {
    return binding.localAddress().getPort();
  }

  void text(String namespace, String pod, String container, String body) {
    scripts.put(key(namespace, pod, container), new Text(body));
  }

  void error(String namespace, String pod, String container, int code, String contentType, String body) {
    scripts.put(key(namespace, pod, container), new Failure(code, contentType, body));
  }

  FollowedLog followed(String namespace, String pod, String container) {
    FollowedLog log = new FollowedLog();
    scripts.put(key(namespace, pod, container), new Followed(log));
    return log;
  }

  /** The requests received and not yet taken, taken now. */
  java.util.List<String> drainRequests() {
    java.util.List<String> taken = new java.util.ArrayList<>();
    requests.drainTo(taken);
    return taken;
  }

  /** The next request the endpoint got (path and query), waiting up to 10 s. */
  String nextRequest() throws InterruptedException {
    String r = requests.poll(10, TimeUnit.SECONDS);
    if (r == null) throw new AssertionError("the kubelet endpoint got no request");
    return r;
  }

  /**
   * A Node whose agent serves logs here, as an agent records it: InternalIP 127.0.0.1, its Hostname, and the
   * kubelet endpoint's port; Ready.
   */
  KubeObject node(String name) {
    ObjectNode body = Json.object();
    body.putObject("spec");
    ObjectNode status = body.putObject("status");
    status.putArray("addresses")
        .add(Json.object().put("type", "InternalIP").put("address", "127.0.0.1"))
        .add(Json.object().put("type", "Hostname").put("address", name));
    status.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", port());
    status.putArray("conditions").addObject().put("type", "Ready").put("status", "True")
        .put("lastHeartbeatTime", Admission.now());
    ObjectMeta meta = ObjectMeta.named(null, name).withCreation(UUID.randomUUID().toString(), Admission.now());
    return new KubeObject("v1", "Node", meta, body);
  }

  private CompletionStage<HttpResponse> handle(HttpRequest request) {
    String path = request.getUri().path();
    requests.add(path + request.getUri().rawQueryString().map(q -> "?" + q).orElse(""));
    String[] parts = path.split("/");
    Script script = parts.length == 5 && parts[1].equals("containerLogs")
        ? scripts.get(key(parts[2], parts[3], parts[4])) : null;
    HttpResponse response;
    if (script instanceof Text t) {
      response = HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, t.body()));
    } else if (script instanceof Failure f) {
      response = HttpResponse.create().withStatus(StatusCodes.get(f.code()))
          .withEntity(HttpEntities.create(ContentTypes.parse(f.contentType()), ByteString.fromString(f.body())));
    } else if (script instanceof Followed followed) {
      response = HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.TEXT_PLAIN_UTF8,
          followed.log().source(system)));
    } else {
      response = HttpResponse.create().withStatus(StatusCodes.NOT_FOUND).withEntity(HttpEntities.create(
          ContentTypes.APPLICATION_JSON, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
              + "\"status\":\"Failure\",\"message\":\"no log for " + path + "\",\"reason\":\"NotFound\",\"code\":404}"));
    }
    return CompletableFuture.completedFuture(response);
  }

  private static String key(String namespace, String pod, String container) {
    return namespace + "/" + pod + "/" + container;
  }

  @Override
  public void close() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
