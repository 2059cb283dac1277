package io.troupe.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.DiffFlags;
import com.flipkart.zjsonpatch.JsonDiff;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.store.ObjectJournal;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * An object's history, read from the journal: every change it went through, with its time, its author and what
 * it changed, at {@code /apis/history.troupe.io/v1/namespaces/{ns}/{plural}/{name}} (or {@code /{plural}/{name}}
 * for a cluster-scoped kind); with {@code ?asOf=<RFC 3339 time>}, the object as it was then. History spans the
 * object's incarnations: one deleted and created again under the same name shows both. Compaction removes old
 * events ({@code troupe.journal.retention}): {@code historyStartsAt} says where the kept ones begin, and
 * {@code complete} whether that is the object's creation; the first kept entry is then the whole object.
 */
final class ObjectHistory {
  static final String GROUP = "history.troupe.io";
  static final String API_VERSION = GROUP + "/v1";
  private static final EnumSet<DiffFlags> DIFF = EnumSet.of(DiffFlags.OMIT_MOVE_OPERATION,
      DiffFlags.OMIT_COPY_OPERATION);

  private final ObjectJournal journal;
  private final Executor blocking;

  ObjectHistory(ActorSystem<?> system) {
    this.journal = new ObjectJournal(system);
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  /** Whether the request is for this API (its group). */
  static boolean handles(RequestInfo info) {
    return GROUP.equals(info.group());
  }

  CompletionStage<HttpResponse> get(HttpRequest request, RequestInfo info) {
    String path = request.getUri().path();
    if (!request.method().value().equals("GET")) {
      throw ApiException.methodNotAllowed(request.method().value(), path);
    }
    ResourceType type = ResourceTypes.ALL.stream().filter(t -> t.plural().equals(info.resource())).findFirst()
        .orElseThrow(() -> ApiException.pathNotFound(path));
    boolean misplaced = type.namespaced() != (info.namespace() != null);
    if (!"v1".equals(info.version()) || info.name() == null || info.subresource() != null || misplaced) {
      throw ApiException.pathNotFound(path);
    }
    Instant asOf = request.getUri().query().get("asOf").map(ObjectHistory::time).orElse(null);
    String key = ObjectKey.of(type.kind(), info.namespace(), info.name());
    return CompletableFuture.supplyAsync(() -> {
      try {
        return journal.read(key);
      } catch (SQLException e) {
        throw ApiException.unavailable("the journal cannot be read: " + e.getMessage());
      }
    }, blocking).thenApply(entries -> {
      if (entries.isEmpty()) throw ApiException.notFound(type.plural(), type.group(), info.name());
      return ApiResponses.ok(asOf == null ? history(type, info, entries) : asOf(type, info, entries, asOf));
    });
  }

  private static ObjectNode history(ResourceType type, RequestInfo info, List<ObjectJournal.Entry> entries) {
    ObjectNode out = Json.object();
    out.put("apiVersion", API_VERSION);
    out.put("kind", "ObjectHistory");
    ObjectNode meta = out.putObject("metadata");
    meta.put("name", info.name());
    if (info.namespace() != null) meta.put("namespace", info.namespace());
    ObjectNode target = out.putObject("target");
    target.put("apiVersion", type.apiVersion());
    target.put("kind", type.kind());
    if (info.namespace() != null) target.put("namespace", info.namespace());
    target.put("name", info.name());
    // compaction (troupe.journal.retention) removes old events: where the kept ones begin, and whether the first
    // is the object's creation or a later state shown whole
    out.put("historyStartsAt", timestamp(entries.get(0).written()));
    out.put("historyStartsAtResourceVersion", Long.toString(entries.get(0).resourceVersion()));
    out.put("complete", entries.get(0).revision() == 1);
    ArrayNode list = out.putArray("entries");
    JsonNode previous = null;
    for (ObjectJournal.Entry entry : entries) {
      ResourceEntity.Event event = entry.event();
      JsonNode object = comparable(event.object());
      ObjectNode e = list.addObject();
      e.put("resourceVersion", Long.toString(entry.resourceVersion()));
      e.put("time", timestamp(entry.written()));
      e.put("type", type(event));
      e.put("author", event.author() == null ? "unknown" : event.author());
      e.put("uid", event.object().metadata().uid());
      if (previous == null || event instanceof ResourceEntity.Created) {
        ArrayNode whole = e.putArray("diff");
        whole.addObject().put("op", "add").put("path", "").set("value", object);
      } else {
        e.set("diff", JsonDiff.asJson(previous, object, DIFF));
      }
      previous = event instanceof ResourceEntity.Deleted ? null : object;
    }
    return out;
  }

  /** The object as it was at {@code time}: the state after the last change made by then. */
  private static ObjectNode asOf(ResourceType type, RequestInfo info, List<ObjectJournal.Entry> entries,
      Instant time) {
    ObjectJournal.Entry last = null;
    for (ObjectJournal.Entry entry : entries) {
      if (entry.written().isAfter(time)) break;
      last = entry;
    }
    if (last == null || last.event() instanceof ResourceEntity.Deleted) {
      throw ApiException.notFound(type.plural(), type.group(), info.name());
    }
    return last.event().object().withResourceVersion(last.resourceVersion()).toTree();
  }

  /** The object as its versions are compared: without the resourceVersion every event changes. */
  private static JsonNode comparable(KubeObject object) {
    ObjectNode tree = object.toTree();
    if (tree.get("metadata") instanceof ObjectNode meta) meta.remove("resourceVersion");
    return tree;
  }

  private static String type(ResourceEntity.Event event) {
    if (event instanceof ResourceEntity.Created) return "Created";
    if (event instanceof ResourceEntity.Replaced) return "Updated";
    if (event instanceof ResourceEntity.StatusReplaced) return "StatusUpdated";
    if (event instanceof ResourceEntity.Heartbeated) return "Heartbeat";
    if (event instanceof ResourceEntity.Bound) return "Bound";
    if (event instanceof ResourceEntity.DeletionRequested) return "Deleting";
    return "Deleted";
  }

  private static String timestamp(Instant time) {
    return time.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static Instant time(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest("asOf: \"" + text + "\" is not an RFC 3339 time (2006-01-02T15:04:05Z)");
    }
  }
}
