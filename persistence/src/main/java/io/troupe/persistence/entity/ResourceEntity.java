package io.troupe.persistence.entity;

import io.troupe.persistence.model.Heartbeats;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.serialization.JsonMessage;
import io.troupe.persistence.serialization.KryoMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The single writer of one Kubernetes object, keyed {@code Kind/namespace/name}. Every change is an event that
 * carries the whole new object, so the watch cache can apply it without the entity's state. A write is
 * acknowledged only after its event is in the journal. The entity's revision is its sequence number; the API
 * maps the cluster-wide resourceVersion onto it for conditional writes.
 */
public final class ResourceEntity
    extends EventSourcedBehaviorWithEnforcedReplies<ResourceEntity.Command, ResourceEntity.Event, ResourceEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Resource");
  /** {@code expectedRevision} of an unconditional write. */
  public static final long ANY_REVISION = -1;
  private static final int SNAPSHOT_EVERY = 100;

  // ---- protocol ----

  public sealed interface Command extends KryoMessage {}

  /** A write: {@code author} (who asked: a client, a controller, a kubelet; null when unknown) goes into its event. */
  public sealed interface Write extends Command {
    String author();
  }

  /** Creates the object; {@code AlreadyExists} when it exists. The object carries its uid and timestamps. */
  public record Create(KubeObject object, String author, ActorRef<Reply> replyTo) implements Write {
    public Create(KubeObject object, ActorRef<Reply> replyTo) {
      this(object, null, replyTo);
    }
  }

  /** Replaces metadata and spec (status is kept for kinds with a status subresource). */
  public record Replace(KubeObject object, boolean keepStatus, long expectedRevision, String author,
      ActorRef<Reply> replyTo) implements Write {
    public Replace(KubeObject object, boolean keepStatus, long expectedRevision, ActorRef<Reply> replyTo) {
      this(object, keepStatus, expectedRevision, null, replyTo);
    }
  }

  /** Replaces status only. */
  public record ReplaceStatus(KubeObject object, long expectedRevision, String author, ActorRef<Reply> replyTo)
      implements Write {
    public ReplaceStatus(KubeObject object, long expectedRevision, ActorRef<Reply> replyTo) {
      this(object, expectedRevision, null, replyTo);
    }
  }

  /** Binds a pod to a node: fails cleanly when the pod changed (uid or revision) or is bound already. */
  public record Bind(String nodeName, String expectedUid, long expectedRevision, String timestamp, String author,
      ActorRef<Reply> replyTo) implements Write {
    public Bind(String nodeName, String expectedUid, long expectedRevision, String timestamp,
        ActorRef<Reply> replyTo) {
      this(nodeName, expectedUid, expectedRevision, timestamp, null, replyTo);
    }
  }

  /**
   * Deletes the object as Kubernetes' DELETE does ({@link Deletion}): a pod bound to a node is only marked for
   * {@code gracePeriodSeconds} (null: its {@code spec.terminationGracePeriodSeconds}; other kinds ignore it) and
   * stays until a delete with grace 0 (its node agent's); finalizers hold any object until they are removed.
   * {@code finalizers} are added as it is first marked (the garbage collector's {@code orphan} or
   * {@code foregroundDeletion}). {@code timestamp} is the time of the request.
   */
  public record Delete(String timestamp, String expectedUid, long expectedRevision, Long gracePeriodSeconds,
      List<String> finalizers, String author, ActorRef<Reply> replyTo) implements Write {
    public Delete {
      finalizers = List.copyOf(finalizers);
    }

    public Delete(String timestamp, String expectedUid, long expectedRevision, Long gracePeriodSeconds,
        List<String> finalizers, ActorRef<Reply> replyTo) {
      this(timestamp, expectedUid, expectedRevision, gracePeriodSeconds, finalizers, null, replyTo);
    }

    /** A delete with the kind's default grace period and no finalizers added. */
    public Delete(String timestamp, String expectedUid, long expectedRevision, ActorRef<Reply> replyTo) {
      this(timestamp, expectedUid, expectedRevision, null, List.of(), null, replyTo);
    }
  }

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  public sealed interface Reply extends KryoMessage {}

  /** The object after the command and the entity revision (sequence number) of that state. */
  public record Accepted(KubeObject object, long revision, boolean removed) implements Reply {}

  public record Rejected(Reason reason, String message) implements Reply {}

  public enum Reason { NOT_FOUND, ALREADY_EXISTS, CONFLICT, INVALID }

  /**
   * What the journal keeps of a change: the whole new object, and who made the change ({@code author}: null in
   * events written before authors were recorded, or when the writer did not say).
   */
  public sealed interface Event extends JsonMessage {
    KubeObject object();

    String author();
  }

  public record Created(KubeObject object, String author) implements Event {
    public Created(KubeObject object) {
      this(object, null);
    }
  }

  public record Replaced(KubeObject object, String author) implements Event {}

  public record StatusReplaced(KubeObject object, String author) implements Event {}

  /**
   * A write that only renewed heartbeat times ({@link Heartbeats}: a Node status's {@code lastHeartbeatTime}s, a
   * Lease's {@code renewTime}, a node agent's every 2 s): an event of its own so that compaction removes it as soon
   * as a newer event of the object exists, whatever the retention window (its history is no one's interest).
   */
  public record Heartbeated(KubeObject object, String author) implements Event {}

  public record Bound(KubeObject object, String author) implements Event {}

  public record DeletionRequested(KubeObject object, String author) implements Event {}

  /** The object is gone; it carries its last state, which watchers receive with DELETED. */
  public record Deleted(KubeObject object, String author) implements Event {}

  public sealed interface State extends JsonMessage {}

  public record Absent() implements State {}

  public record Active(KubeObject object) implements State {}

  // ---- wiring ----

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId())));
  }

  public static Behavior<Command> create(String key) {
    return Behaviors.setup(context -> new ResourceEntity(key, context));
  }

  private final String key;
  private final ActorContext<Command> context;

  private ResourceEntity(String key, ActorContext<Command> context) {
    super(PersistenceId.of(ENTITY_KEY.name(), key));
    this.key = key;
    this.context = context;
  }

  @Override
  public State emptyState() {
    return new Absent();
  }

  // No tags (tagsFor stays empty): the watch caches read the journal table by ordering (JournalFeed), nothing reads
  // by tag, and a tagged batch is written a row at a time, each returning its ordering for the tag table's row,
  // where an untagged one is one JDBC batch (pekko-persistence-jdbc's JournalQueries): a tenth of the server's CPU
  // under a stream of pod creates on H2 (JFR).

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  /**
   * Also a snapshot at deletion: the entity of a deleted object recovers from it (Absent, at its last sequence
   * number) once compaction has removed the object's events.
   */
  @Override
  public boolean shouldSnapshot(State state, Event event, long sequenceNr) {
    return event instanceof Deleted;
  }

  // ---- commands ----

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    var builder = newCommandHandlerWithReplyBuilder();
    builder.forStateType(Absent.class)
        .onCommand(Create.class, this::onCreate)
        .onCommand(Get.class, c -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(Replace.class, c -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(ReplaceStatus.class, c -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(Bind.class, c -> Effect().reply(c.replyTo(), notFound()))
        .onCommand(Delete.class, c -> Effect().reply(c.replyTo(), notFound()));
    builder.forStateType(Active.class)
        .onCommand(Create.class, c -> Effect().reply(c.replyTo(),
            new Rejected(Reason.ALREADY_EXISTS, described() + " already exists")))
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), accepted(s.object(), false)))
        .onCommand(Replace.class, this::onReplace)
        .onCommand(ReplaceStatus.class, this::onReplaceStatus)
        .onCommand(Bind.class, this::onBind)
        .onCommand(Delete.class, this::onDelete);
    return builder.build();
  }

  private ReplyEffect<Event, State> onCreate(Absent state, Create c) {
    long started = System.nanoTime();
    return Effect().persist(new Created(c.object(), c.author()))
        .thenReply(c.replyTo(), s -> written(started, accepted(c.object(), false)));
  }

  private ReplyEffect<Event, State> onReplace(Active state, Replace c) {
    KubeObject current = state.object();
    if (stale(c.expectedRevision())) return Effect().reply(c.replyTo(), conflict());
    String uid = c.object().metadata().uid();
    if (uid != null && !uid.isEmpty() && !uid.equals(current.metadata().uid())) {
      return Effect().reply(c.replyTo(), new Rejected(Reason.CONFLICT, "Precondition failed: UID in precondition: "
          + uid + ", UID in object meta: " + current.metadata().uid()));
    }
    KubeObject next = c.object().withMetadata(c.object().metadata().withServerFieldsOf(current.metadata()));
    if (c.keepStatus()) next = next.withField("status", current.status());
    // a Lease renewed (a node agent's every heartbeat, a leader's every few seconds): no new generation, and a
    // heartbeat's event, which compaction removes once a newer one exists
    boolean renewal = Heartbeats.onlyRenewed(current, next);
    if (!renewal && !Objects.equals(specOf(current), specOf(next))) {
      next = next.withMetadata(next.metadata().withGeneration(Deletion.generation(current) + 1));
    }
    if (Deletion.removesOnRelease(current, next)) {
      return persist(new Deleted(next, c.author()), c.replyTo(), true);
    }
    if (next.equals(current)) return Effect().reply(c.replyTo(), accepted(current, false));
    return persist(renewal ? new Heartbeated(next, c.author()) : new Replaced(next, c.author()), c.replyTo(), false);
  }

  private ReplyEffect<Event, State> onReplaceStatus(Active state, ReplaceStatus c) {
    KubeObject current = state.object();
    if (stale(c.expectedRevision())) return Effect().reply(c.replyTo(), conflict());
    KubeObject next = current.withField("status", c.object().status());
    if (next.equals(current)) return Effect().reply(c.replyTo(), accepted(current, false));
    if (Heartbeats.sameStatus(current.status(), next.status())) {
      return persist(new Heartbeated(next, c.author()), c.replyTo(), false);
    }
    return persist(new StatusReplaced(next, c.author()), c.replyTo(), false);
  }

  private ReplyEffect<Event, State> onBind(Active state, Bind c) {
    KubeObject pod = state.object();
    if (stale(c.expectedRevision()) || (c.expectedUid() != null && !c.expectedUid().equals(pod.metadata().uid()))) {
      return Effect().reply(c.replyTo(), conflict());
    }
    String bound = Json.text(pod.body(), "spec.nodeName");
    if (bound != null && !bound.isEmpty()) {
      return Effect().reply(c.replyTo(),
          new Rejected(Reason.CONFLICT, described() + " is already assigned to node \"" + bound + "\""));
    }
    if (pod.metadata().isDeleting()) {
      return Effect().reply(c.replyTo(), new Rejected(Reason.CONFLICT, described() + " is being deleted"));
    }
    ObjectNode spec = pod.spec() instanceof ObjectNode o ? o.deepCopy() : Json.object();
    spec.put("nodeName", c.nodeName());
    KubeObject next = pod.withField("spec", spec).withField("status", scheduledStatus(pod.status(), c.timestamp()));
    return persist(new Bound(next, c.author()), c.replyTo(), false);
  }

  private ReplyEffect<Event, State> onDelete(Active state, Delete c) {
    KubeObject current = state.object();
    if (stale(c.expectedRevision())) return Effect().reply(c.replyTo(), conflict());
    if (c.expectedUid() != null && !c.expectedUid().equals(current.metadata().uid())) {
      return Effect().reply(c.replyTo(), new Rejected(Reason.CONFLICT, "Precondition failed: UID in precondition: "
          + c.expectedUid() + ", UID in object meta: " + current.metadata().uid()));
    }
    Deletion.Outcome outcome = Deletion.of(current, c.timestamp(), c.gracePeriodSeconds(), c.finalizers());
    if (outcome instanceof Deletion.Remove) {
      return persist(new Deleted(outcome.object(), c.author()), c.replyTo(), true);
    }
    if (outcome instanceof Deletion.Mark) {
      return persist(new DeletionRequested(outcome.object(), c.author()), c.replyTo(), false);
    }
    return Effect().reply(c.replyTo(), accepted(current, false));
  }

  private ReplyEffect<Event, State> persist(Event event, ActorRef<Reply> replyTo, boolean removed) {
    long started = System.nanoTime();
    return Effect().persist(event).thenReply(replyTo, s -> written(started, accepted(event.object(), removed)));
  }

  private Reply written(long startedNanos, Reply reply) {
    JournalMetrics.observeWrite(startedNanos);
    return reply;
  }

  private Accepted accepted(KubeObject object, boolean removed) {
    return new Accepted(object, lastSequenceNumber(), removed);
  }

  /** True when the caller asked for a revision that is not the current one. */
  private boolean stale(long expectedRevision) {
    return expectedRevision != ANY_REVISION && expectedRevision != lastSequenceNumber();
  }

  private long lastSequenceNumber() {
    return lastSequenceNumber(context);
  }

  private Rejected notFound() {
    return new Rejected(Reason.NOT_FOUND, described() + " not found");
  }

  private Rejected conflict() {
    return new Rejected(Reason.CONFLICT, "Operation cannot be fulfilled on " + described()
        + ": the object has been modified; please apply your changes to the latest version and try again");
  }

  /** "pods \"web-1\"" as Kubernetes words it; the API layer maps kinds to plurals. */
  private String described() {
    String[] parts = key.split("/", 3);
    return parts[0] + " \"" + parts[2] + "\"";
  }

  /** What bumps the generation: spec, or for kinds without spec every field but status. */
  private static JsonNode specOf(KubeObject o) {
    if (o.spec() != null) return o.spec();
    ObjectNode rest = o.body().deepCopy();
    rest.remove("status");
    return rest;
  }

  private static ObjectNode scheduledStatus(JsonNode status, String timestamp) {
    ObjectNode next = status instanceof ObjectNode o ? o.deepCopy() : Json.object();
    ArrayNode conditions = Json.MAPPER.createArrayNode();
    JsonNode old = next.get("conditions");
    if (old != null && old.isArray()) {
      for (JsonNode c : old) if (!"PodScheduled".equals(c.path("type").asText())) conditions.add(c);
    }
    ObjectNode scheduled = conditions.addObject();
    scheduled.put("type", "PodScheduled");
    scheduled.put("status", "True");
    scheduled.putNull("lastProbeTime");
    scheduled.put("lastTransitionTime", timestamp);
    next.set("conditions", conditions);
    if (!next.has("phase")) next.put("phase", "Pending");
    return next;
  }

  // ---- events ----

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Deleted.class, (s, e) -> new Absent())
        .onAnyEvent((s, e) -> new Active(e.object()));
  }
}
