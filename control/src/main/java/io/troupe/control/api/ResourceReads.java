package io.troupe.control.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.table.TableRequest;
import io.troupe.control.api.validation.Cause;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.selector.FieldSelector;
import io.troupe.persistence.selector.LabelSelector;
import io.troupe.persistence.selector.SelectorException;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Expired;
import io.troupe.persistence.watch.WatchCache;
import io.troupe.persistence.watch.WatchEvent;
import io.troupe.persistence.watch.WatchRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/** get, list and watch: all served from the watch cache. */
final class ResourceReads {
  private static final Map<String, List<String>> FIELDS_BY_KIND = Map.of(
      "Pod", List.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
          "status.phase", "status.podIP", "status.nominatedNodeName"),
      "Node", List.of("spec.unschedulable"),
      "Namespace", List.of("status.phase"),
      "ReplicaSet", List.of("status.replicas"),
      "Event", List.of("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
          "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
          "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"));

  private final Store store;
  private final WatchCache cache;

  /** A watch without timeoutSeconds lasts a random time in [watchMinTimeout, 2 x watchMinTimeout). */
  private final Duration watchMinTimeout;

  private final EncodedObjects encoded = new EncodedObjects();

  ResourceReads(Store store, Duration watchMinTimeout) {
    this.watchMinTimeout = watchMinTimeout;
    this.store = store;
    this.cache = store.cache();
  }

  HttpResponse get(ResourceRequest r) {
    KubeObject object = store.get(r.key()).orElseThrow(r::notFound).object();
    // without a table, the JSON kept for the version held is sent (EncodedObjects)
    return table(r).map(t -> ApiResponses.ok(t.table(r.type().kind(), object.toTree(), Instant.now())))
        .orElseGet(() -> ApiResponses.json(200, ByteString.fromArrayUnsafe(encoded.json(object))));
  }

  CompletionStage<HttpResponse> list(ResourceRequest r) {
    Predicate<KubeObject> filter = filter(r);
    String after = r.param("continue").map(ResourceReads::continueKey).orElse(null);
    int limit = r.param("limit").map(ResourceReads::limit).orElse(0);
    return atLeast(r).thenApply(ignored -> {
      WatchCache.Page page = cache.list(r.type().kind(), r.namespace(), filter, after, limit);
      ObjectNode list = Json.object();
      list.put("kind", r.type().listKind());
      list.put("apiVersion", r.type().apiVersion());
      ObjectNode meta = list.putObject("metadata");
      meta.put("resourceVersion", Long.toString(page.revision()));
      if (page.continueAfter() != null) {
        meta.put("continue", continueToken(page.revision(), page.continueAfter()));
        meta.put("remainingItemCount", page.remaining());
      }
      Optional<TableRequest> table = table(r);
      if (table.isPresent()) {
        List<ObjectNode> objects = new ArrayList<>();
        for (KubeObject o : page.items()) objects.add(o.toTree());
        return ApiResponses.ok(table.get().table(r.type().kind(), objects, meta, Instant.now()));
      }
      return ApiResponses.json(200, encoded.list(list, page.items()));
    });
  }

  /** A list at {@code resourceVersion=N} waits until the cache has reached N (NotOlderThan); Exact older: 410. */
  private CompletionStage<Long> atLeast(ResourceRequest r) {
    Optional<Long> rv = r.param("resourceVersion").map(v -> revision(v, "resourceVersion"));
    checkResourceVersionMatch(r, rv);
    if (rv.isEmpty() || rv.get() == 0) return CompletableFuture.completedFuture(cache.revision());
    if (r.param("resourceVersionMatch").orElse("").equals("Exact") && rv.get() < cache.revision()) {
      throw ApiException.gone("too old resource version: " + rv.get() + " (" + cache.revision() + ")");
    }
    return cache.awaitRevision(rv.get()).toCompletableFuture()
        .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
        .exceptionally(e -> {
          throw ApiException.timeout("Too large resource version: " + rv.get() + ", current: " + cache.revision());
        });
  }

  /** As Kubernetes' ValidateListOptions: a resourceVersionMatch the list cannot honour is a 422, never ignored. */
  private static void checkResourceVersionMatch(ResourceRequest r, Optional<Long> rv) {
    Optional<String> match = r.param("resourceVersionMatch");
    if (match.isEmpty()) return;
    List<Cause> causes = new ArrayList<>();
    if (!match.get().equals("Exact") && !match.get().equals("NotOlderThan")) {
      causes.add(Cause.notSupported("resourceVersionMatch", match.get(),
          List.of("Exact", "NotOlderThan", "")));
    }
    if (rv.isEmpty()) {
      causes.add(Cause.forbidden("resourceVersionMatch",
          "resourceVersionMatch is forbidden unless resourceVersion is provided"));
    } else if (match.get().equals("Exact") && rv.get() == 0) {
      causes.add(Cause.forbidden("resourceVersionMatch",
          "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
    }
    if (!causes.isEmpty()) throw ApiException.invalid("ListOptions", "meta.k8s.io", null, causes);
  }

  /**
   * A watch: a WebSocket when the client asked for one (it ends when the client closes it), else a chunked
   * stream that ends when {@code clientGone} trips.
   */
  HttpResponse watch(ResourceRequest r, SharedKillSwitch clientGone) {
    WatchRequest request = watchRequest(r);
    Duration timeout = r.param("timeoutSeconds")
        .map(v -> revision(v, "timeoutSeconds"))
        .filter(seconds -> seconds > 0)
        .map(Duration::ofSeconds)
        // as Kubernetes: a watch without a timeout (or with timeoutSeconds=0) lasts between 30 and 60 minutes
        // (troupe.api.watch.min-timeout)
        .orElse(watchMinTimeout.plusMillis(ThreadLocalRandom.current().nextLong(watchMinTimeout.toMillis())));
    Source<ByteString, NotUsed> events;
    try {
      Optional<TableRequest> table = table(r);
      String kind = r.type().kind();
      events = cache.watch(request)
          .map(e -> table.isPresent() ? ByteString.fromArray(Json.bytes(tableEvent(table.get(), kind, e)))
              : encoded.watchEvent(e))
          .takeWithin(timeout);
    } catch (Expired e) {
      // as the Kubernetes watch cache: the stream opens and carries one ERROR event with a 410 Status
      events = Source.single(ByteString.fromArray(Json.bytes(errorEvent(ApiException.gone(e.getMessage())))));
    }
    var upgrade = r.http().getAttribute(AttributeKeys.webSocketUpgrade);
    if (upgrade.isPresent()) {
      Source<Message, NotUsed> messages = events.map(e -> (Message) TextMessage.create(e.utf8String()));
      return upgrade.get().handleMessagesWith(Flow.fromSinkAndSourceCoupled(Sink.ignore(), messages));
    }
    Source<ByteString, NotUsed> lines = events.via(clientGone.flow()).map(e -> e.concat(NEWLINE));
    return HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, lines));
  }

  private static final ByteString NEWLINE = ByteString.fromString("\n");

  private WatchRequest watchRequest(ResourceRequest r) {
    Predicate<KubeObject> filter = filter(r);
    if (r.name() != null) {
      String name = r.name();
      Predicate<KubeObject> byFields = filter;
      filter = o -> name.equals(o.metadata().name()) && byFields.test(o);
    }
    boolean bookmarks = r.flag("allowWatchBookmarks");
    boolean initialEvents = r.flag("sendInitialEvents");
    Optional<Long> rv = r.param("resourceVersion").map(v -> revision(v, "resourceVersion"));
    if (r.param("sendInitialEvents").isPresent()) {
      if (!r.param("resourceVersionMatch").orElse("").equals("NotOlderThan")) {
        throw ApiException.invalid("ListOptions", "meta.k8s.io", null, List.of(new io.troupe.control.api.validation.Cause(
            "resourceVersionMatch", "FieldValueInvalid",
            "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")));
      }
      if (initialEvents && !bookmarks) {
        throw ApiException.invalid("ListOptions", "meta.k8s.io", null, List.of(new io.troupe.control.api.validation.Cause(
            "allowWatchBookmarks", "FieldValueForbidden",
            "sendInitialEvents requires setting allowWatchBookmarks to true")));
      }
    }
    // resourceVersion unset or "0": the current objects first, as ADDED; N: every change after N
    Long from = rv.filter(v -> v > 0 && !initialEvents).orElse(null);
    return new WatchRequest(r.type().kind(), r.namespace(), filter, from, initialEvents, bookmarks);
  }

  /**
   * A watch that asked for Tables gets each object as a one-row Table (as Kubernetes serves {@code kubectl get -w});
   * a BOOKMARK as a Table without rows that carries the bookmark's resourceVersion and annotations.
   */
  private static ObjectNode tableEvent(TableRequest table, String kind, WatchEvent e) {
    ObjectNode o = Json.object();
    o.put("type", e.type().name());
    ObjectNode object = e.object().toTree();
    if (e.type().name().equals("BOOKMARK")) {
      ObjectNode t = table.table(kind, List.of(), object.path("metadata").deepCopy(), Instant.now());
      t.putArray("columnDefinitions");
      o.set("object", t);
    } else {
      o.set("object", table.table(kind, object, Instant.now()));
    }
    return o;
  }

  /** The Table a read asked for with its Accept header, if it did ({@link TableRequest}). */
  private static Optional<TableRequest> table(ResourceRequest r) {
    return TableRequest.of(r.http().getHeader("Accept").map(h -> h.value()).orElse(null), r.param("includeObject"));
  }

  private static ObjectNode errorEvent(ApiException e) {
    ObjectNode o = Json.object();
    o.put("type", "ERROR");
    o.set("object", e.status());
    return o;
  }

  // ---- selectors ----

  /** The label and field selectors of a request, as one predicate; unsupported fields are a 400. */
  static Predicate<KubeObject> filter(ResourceRequest r) {
    LabelSelector labels;
    FieldSelector fields;
    try {
      labels = r.param("labelSelector").map(LabelSelector::parse).orElse(LabelSelector.everything());
      fields = r.param("fieldSelector").map(FieldSelector::parse).orElse(FieldSelector.everything());
    } catch (SelectorException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    List<String> supported = FIELDS_BY_KIND.getOrDefault(r.type().kind(), List.of());
    for (String field : fields.fields()) {
      if (!field.equals("metadata.name") && !field.equals("metadata.namespace") && !supported.contains(field)) {
        throw ApiException.badRequest("field label not supported: " + field);
      }
    }
    FieldSelector byFields = fields;
    return o -> labels.matches(o.metadata().labels()) && byFields.matches(field -> Optional.of(fieldValue(o, field)));
  }

  private static String fieldValue(KubeObject o, String field) {
    if (field.equals("metadata.name")) return o.metadata().name();
    if (field.equals("metadata.namespace")) return o.metadata().namespace() == null ? "" : o.metadata().namespace();
    String value = Json.text(o.body(), field);
    return value == null ? "" : value;
  }

  // ---- parameters ----

  private static long revision(String value, String parameter) {
    try {
      long v = Long.parseLong(value);
      if (v < 0) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid " + parameter + ": " + value + " (must be a non-negative integer)");
    }
  }

  private static int limit(String value) {
    long v = revision(value, "limit");
    return (int) Math.min(v, Integer.MAX_VALUE);
  }

  /** The continue token: where the next page starts, opaque to clients. */
  private static String continueToken(long revision, String afterKey) {
    ObjectNode t = Json.object();
    t.put("rv", revision);
    t.put("start", afterKey);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(t));
  }

  private static String continueKey(String token) {
    try {
      var tree = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
      String start = tree.path("start").asText(null);
      if (start == null) throw new IllegalArgumentException();
      return start;
    } catch (Exception e) {
      throw ApiException.badRequest("continue key is not valid: " + token);
    }
  }
}
