package io.troupe.persistence.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.troupe.persistence.entity.ResourceEntity.Accepted;
import io.troupe.persistence.entity.ResourceEntity.Command;
import io.troupe.persistence.entity.ResourceEntity.Event;
import io.troupe.persistence.entity.ResourceEntity.Reason;
import io.troupe.persistence.entity.ResourceEntity.Rejected;
import io.troupe.persistence.entity.ResourceEntity.Reply;
import io.troupe.persistence.entity.ResourceEntity.State;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One pod entity at a time, on the persistence testkit's in-memory journal, with every command, event, state
 * and reply round-tripped through its real serializer (Kryo for commands and replies, Jackson for the rest).
 */
class ResourceEntityTest {
  private static final String CREATED_AT = "2026-11-25T10:00:00Z";
  private static final long ANY = ResourceEntity.ANY_REVISION;

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("ResourceEntityTest",
        EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<Command, Event, State> entity(String name) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), ResourceEntity.create("Pod/default/" + name),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
  }

  /** A pod as the API server hands it to the entity: uid and creation timestamp already set. */
  private static KubeObject pod(String name, String image) {
    return pod(name, image, List.of());
  }

  private static KubeObject pod(String name, String image, List<String> finalizers) {
    ObjectNode body = Json.object();
    body.putObject("spec").putArray("containers").addObject().put("name", "app").put("image", image);
    body.putObject("status").put("phase", "Pending");
    ObjectMeta meta = new ObjectMeta(name, null, "default", "uid-" + name, null, 1L, CREATED_AT, null, null,
        Map.of("app", "web"), null, null, finalizers);
    return new KubeObject("v1", "Pod", meta, body);
  }

  private static String image(KubeObject pod) {
    return pod.spec().get("containers").get(0).get("image").asText();
  }

  private static KubeObject withPhase(KubeObject pod, String phase) {
    ObjectNode status = Json.object();
    status.put("phase", phase);
    return pod.withField("status", status);
  }

  private static KubeObject withMeta(KubeObject o, Map<String, String> labels, List<String> finalizers) {
    ObjectMeta m = o.metadata();
    return o.withMetadata(new ObjectMeta(m.name(), m.generateName(), m.namespace(), m.uid(), m.resourceVersion(),
        m.generation(), m.creationTimestamp(), m.deletionTimestamp(), m.deletionGracePeriodSeconds(), labels,
        m.annotations(), m.ownerReferences(), finalizers));
  }

  private static CommandResultWithReply<Command, Event, State, Reply> run(
      EventSourcedBehaviorTestKit<Command, Event, State> kit, Function<ActorRef<Reply>, Command> command) {
    return kit.runCommand(command);
  }

  private static CommandResultWithReply<Command, Event, State, Reply> create(
      EventSourcedBehaviorTestKit<Command, Event, State> kit, KubeObject object) {
    return kit.runCommand(replyTo -> new ResourceEntity.Create(object, replyTo));
  }

  private static CommandResultWithReply<Command, Event, State, Reply> replace(
      EventSourcedBehaviorTestKit<Command, Event, State> kit, KubeObject object, boolean keepStatus, long expected) {
    return kit.runCommand(replyTo -> new ResourceEntity.Replace(object, keepStatus, expected, replyTo));
  }

  private static CommandResultWithReply<Command, Event, State, Reply> get(
      EventSourcedBehaviorTestKit<Command, Event, State> kit) {
    return kit.runCommand(ResourceEntity.Get::new);
  }

  private static CommandResultWithReply<Command, Event, State, Reply> bind(
      EventSourcedBehaviorTestKit<Command, Event, State> kit, String node, String uid) {
    return kit.runCommand(replyTo -> new ResourceEntity.Bind(node, uid, ANY, "2026-11-25T10:05:00Z", replyTo));
  }

  private static CommandResultWithReply<Command, Event, State, Reply> delete(
      EventSourcedBehaviorTestKit<Command, Event, State> kit, String uid) {
    return kit.runCommand(replyTo -> new ResourceEntity.Delete("2026-11-25T11:00:00Z", uid, ANY, replyTo));
  }

  private static CommandResultWithReply<Command, Event, State, Reply> delete(
      EventSourcedBehaviorTestKit<Command, Event, State> kit, String timestamp, String uid, Long grace) {
    return kit.runCommand(replyTo -> new ResourceEntity.Delete(timestamp, uid, ANY, grace, List.of(), replyTo));
  }

  /** A pod bound to node-1, Running, with the default terminationGracePeriodSeconds of 30. */
  private static KubeObject boundPod(String name, List<String> finalizers) {
    KubeObject pod = withPhase(pod(name, "nginx:1", finalizers), "Running");
    ObjectNode spec = (ObjectNode) pod.spec().deepCopy();
    spec.put("nodeName", "node-1");
    spec.put("terminationGracePeriodSeconds", 30);
    return pod.withField("spec", spec);
  }

  private static Accepted accepted(CommandResultWithReply<Command, Event, State, Reply> r) {
    return assertInstanceOf(Accepted.class, r.reply());
  }

  private static Rejected rejected(CommandResultWithReply<Command, Event, State, Reply> r, Reason reason) {
    Rejected rejected = assertInstanceOf(Rejected.class, r.reply());
    assertEquals(reason, rejected.reason(), rejected.message());
    assertTrue(r.hasNoEvents(), "a rejected command persists nothing");
    return rejected;
  }

  @Test
  void createThenGetAndASecondCreateIsAlreadyExists() {
    var kit = entity("create");
    rejected(get(kit), Reason.NOT_FOUND);

    var created = create(kit, pod("create", "nginx:1"));
    assertEquals(new ResourceEntity.Created(pod("create", "nginx:1")), created.event());
    assertEquals(new Accepted(pod("create", "nginx:1"), 1, false), created.reply());
    assertEquals(new ResourceEntity.Active(pod("create", "nginx:1")), created.state());

    assertEquals(new Accepted(pod("create", "nginx:1"), 1, false), get(kit).reply());
    Rejected again = rejected(create(kit, pod("create", "nginx:2")), Reason.ALREADY_EXISTS);
    assertEquals("Pod \"create\" already exists", again.message());
    assertEquals("nginx:1", image(accepted(get(kit)).object()));
  }

  @Test
  void replaceKeepsServerFieldsAndBumpsGenerationOnlyOnASpecChange() {
    var kit = entity("replace");
    create(kit, pod("replace", "nginx:1"));
    // a client sending another object's uid is refused (a precondition, as in Kubernetes)
    KubeObject forged = pod("replace", "nginx:2").withMetadata(
        new ObjectMeta("replace", null, "default", "forged", null, 7L, "1999-01-01T00:00:00Z", null, null,
            Map.of("app", "web"), null, null, null));
    Rejected otherUid = rejected(replace(kit, forged, false, ANY), Reason.CONFLICT);
    assertEquals("Precondition failed: UID in precondition: forged, UID in object meta: uid-replace",
        otherUid.message());
    // its own creationTimestamp and generation do not change them
    KubeObject sent = forged.withMetadata(new ObjectMeta("replace", null, "default", null, null, 7L,
        "1999-01-01T00:00:00Z", null, null, Map.of("app", "web"), null, null, null));

    Accepted specChanged = accepted(replace(kit, sent, false, ANY));
    assertEquals(2, specChanged.revision());
    assertEquals("uid-replace", specChanged.object().metadata().uid());
    assertEquals(CREATED_AT, specChanged.object().metadata().creationTimestamp());
    assertEquals(2L, specChanged.object().metadata().generation());
    assertEquals("nginx:2", image(specChanged.object()));

    var labelsOnly = replace(kit, withMeta(pod("replace", "nginx:2"), Map.of("app", "web", "tier", "front"),
        List.of()), false, ANY);
    assertInstanceOf(ResourceEntity.Replaced.class, labelsOnly.event());
    assertEquals(3, accepted(labelsOnly).revision());
    assertEquals(2L, accepted(labelsOnly).object().metadata().generation(), "metadata changes keep the generation");
    assertEquals("front", accepted(labelsOnly).object().metadata().labels().get("tier"));
  }

  @Test
  void replaceWithKeepStatusKeepsTheStoredStatus() {
    var kit = entity("keep");
    create(kit, withPhase(pod("keep", "nginx:1"), "Running"));

    Accepted kept = accepted(replace(kit, withPhase(pod("keep", "nginx:2"), "Failed"), true, ANY));
    assertEquals("Running", Json.text(kept.object().body(), "status.phase"));
    assertEquals("nginx:2", image(kept.object()));

    Accepted overwritten = accepted(replace(kit, withPhase(pod("keep", "nginx:2"), "Failed"), false, ANY));
    assertEquals("Failed", Json.text(overwritten.object().body(), "status.phase"));
  }

  @Test
  void aReplaceThatChangesNothingPersistsNothingAndKeepsTheRevision() {
    var kit = entity("noop");
    create(kit, pod("noop", "nginx:1"));
    accepted(replace(kit, pod("noop", "nginx:2"), false, ANY));

    var same = replace(kit, pod("noop", "nginx:2"), false, 2);
    assertTrue(same.hasNoEvents());
    assertEquals(2, accepted(same).revision());
    assertEquals(2L, accepted(same).object().metadata().generation());
  }

  @Test
  void aStaleExpectedRevisionIsAConflict() {
    var kit = entity("stale");
    create(kit, pod("stale", "nginx:1"));
    accepted(replace(kit, pod("stale", "nginx:2"), false, 1));

    Rejected conflict = rejected(replace(kit, pod("stale", "nginx:3"), false, 1), Reason.CONFLICT);
    assertTrue(conflict.message().contains("the object has been modified"), conflict.message());
    rejected(run(kit, r -> new ResourceEntity.ReplaceStatus(pod("stale", "x"), 1, r)), Reason.CONFLICT);
    rejected(run(kit, r -> new ResourceEntity.Delete("2026-11-25T11:00:00Z", null, 1, r)), Reason.CONFLICT);
    assertEquals("nginx:2", image(accepted(get(kit)).object()));
  }

  @Test
  void replaceStatusChangesOnlyTheStatus() {
    var kit = entity("status");
    create(kit, pod("status", "nginx:1"));
    KubeObject sent = withMeta(withPhase(pod("status", "nginx:9"), "Running"), Map.of("other", "labels"), List.of());

    var result = run(kit, r -> new ResourceEntity.ReplaceStatus(sent, 1, r));
    assertInstanceOf(ResourceEntity.StatusReplaced.class, result.event());
    assertEquals(withPhase(pod("status", "nginx:1"), "Running"), accepted(result).object());
    assertEquals(2, accepted(result).revision());

    var again = run(kit, r -> new ResourceEntity.ReplaceStatus(sent, 2, r));
    assertTrue(again.hasNoEvents(), "the same status again is a no-op");
    assertEquals(2, accepted(again).revision());
  }

  @Test
  void bindAssignsANodeOnceAndMarksThePodScheduled() {
    var kit = entity("bind");
    create(kit, pod("bind", "nginx:1"));

    rejected(bind(kit, "node-1", "uid-of-an-earlier-pod"), Reason.CONFLICT);

    var bound = bind(kit, "node-1", "uid-bind");
    assertInstanceOf(ResourceEntity.Bound.class, bound.event());
    KubeObject pod = accepted(bound).object();
    assertEquals("node-1", Json.text(pod.body(), "spec.nodeName"));
    assertEquals("nginx:1", image(pod));
    JsonNode conditions = pod.status().get("conditions");
    assertEquals(1, conditions.size());
    assertEquals("PodScheduled", conditions.get(0).get("type").asText());
    assertEquals("True", conditions.get(0).get("status").asText());
    assertEquals("2026-11-25T10:05:00Z", conditions.get(0).get("lastTransitionTime").asText());
    assertEquals("Pending", Json.text(pod.body(), "status.phase"));

    Rejected second = rejected(bind(kit, "node-2", "uid-bind"), Reason.CONFLICT);
    assertTrue(second.message().contains("already assigned to node \"node-1\""), second.message());
    assertEquals("node-1", Json.text(accepted(get(kit)).object().body(), "spec.nodeName"));
  }

  @Test
  void deleteWithoutFinalizersRemovesTheObjectAndItCanBeCreatedAgain() {
    var kit = entity("gone");
    create(kit, pod("gone", "nginx:1"));

    var deleted = delete(kit, "uid-gone");
    ResourceEntity.Deleted event = assertInstanceOf(ResourceEntity.Deleted.class, deleted.event());
    assertEquals("2026-11-25T11:00:00Z", event.object().metadata().deletionTimestamp());
    assertEquals(new Accepted(event.object(), 2, true), deleted.reply());
    assertInstanceOf(ResourceEntity.Absent.class, deleted.state());

    rejected(get(kit), Reason.NOT_FOUND);
    rejected(delete(kit, null), Reason.NOT_FOUND);
    rejected(replace(kit, pod("gone", "nginx:2"), false, ANY), Reason.NOT_FOUND);

    var recreated = create(kit, pod("gone", "nginx:3"));
    assertEquals(new Accepted(pod("gone", "nginx:3"), 3, false), recreated.reply());
    assertNull(accepted(get(kit)).object().metadata().deletionTimestamp());
  }

  @Test
  void deleteWithFinalizersOnlyMarksTheObjectUntilTheyAreRemoved() {
    var kit = entity("final");
    KubeObject guarded = pod("final", "nginx:1", List.of("example.com/protect"));
    create(kit, guarded);

    var marked = delete(kit, null);
    ResourceEntity.DeletionRequested requested =
        assertInstanceOf(ResourceEntity.DeletionRequested.class, marked.event());
    assertEquals("2026-11-25T11:00:00Z", requested.object().metadata().deletionTimestamp());
    assertFalse(accepted(marked).removed());
    assertEquals("2026-11-25T11:00:00Z", accepted(get(kit)).object().metadata().deletionTimestamp());
    Rejected bindWhileDeleting = rejected(bind(kit, "node-1", "uid-final"), Reason.CONFLICT);
    assertTrue(bindWhileDeleting.message().contains("is being deleted"), bindWhileDeleting.message());

    var deleteAgain = delete(kit, null);
    assertTrue(deleteAgain.hasNoEvents(), "a second delete of a deleting object changes nothing");
    assertEquals(2, accepted(deleteAgain).revision());

    var stillGuarded = replace(kit, withMeta(guarded, Map.of("app", "web", "x", "y"), guarded.metadata().finalizers()),
        true, ANY);
    assertInstanceOf(ResourceEntity.Replaced.class, stillGuarded.event());
    assertEquals("2026-11-25T11:00:00Z", accepted(stillGuarded).object().metadata().deletionTimestamp());

    var released = replace(kit, withMeta(guarded, Map.of("app", "web"), List.of()), true, ANY);
    assertInstanceOf(ResourceEntity.Deleted.class, released.event());
    assertTrue(accepted(released).removed());
    assertInstanceOf(ResourceEntity.Absent.class, released.state());
    rejected(get(kit), Reason.NOT_FOUND);
  }

  @Test
  void deleteWithAWrongUidPreconditionIsAConflict() {
    var kit = entity("precondition");
    create(kit, pod("precondition", "nginx:1"));

    Rejected conflict = rejected(delete(kit, "uid-someone-else"), Reason.CONFLICT);
    assertTrue(conflict.message().startsWith("Precondition failed: UID in precondition: uid-someone-else"),
        conflict.message());
    assertEquals(1, accepted(get(kit)).revision());
  }

  @Test
  void restartRecoversTheSameState() {
    var kit = entity("restart");
    create(kit, pod("restart", "nginx:1"));
    replace(kit, pod("restart", "nginx:2"), false, ANY);
    bind(kit, "node-1", "uid-restart");
    State before = kit.getState();

    assertEquals(before, kit.restart().state());
    assertEquals(new Accepted(((ResourceEntity.Active) before).object(), 3, false), get(kit).reply());

    delete(kit, null);
    assertInstanceOf(ResourceEntity.Absent.class, kit.restart().state());
    rejected(get(kit), Reason.NOT_FOUND);
  }

  @Test
  void restartAfterASnapshotRecoversTheSameStateAndRevision() {
    var kit = entity("snapshot");
    create(kit, pod("snapshot", "nginx:0"));
    for (int i = 1; i <= 120; i++) {
      assertEquals(i + 1, accepted(replace(kit, pod("snapshot", "nginx:" + i), false, i)).revision());
    }
    State before = kit.getState();
    var snapshots = kit.snapshotTestKit().orElseThrow().persistedInStorage("Resource|Pod/default/snapshot");
    assertFalse(snapshots.isEmpty(), "the entity snapshots every 100 events");

    assertEquals(before, kit.restart().state());
    Accepted current = accepted(get(kit));
    assertEquals(121, current.revision());
    assertEquals(121L, current.object().metadata().generation());
    assertEquals(122, accepted(replace(kit, pod("snapshot", "nginx:x"), false, 121)).revision());
  }

  @Test
  void aBoundPodIsMarkedForItsGracePeriodAndStaysUntilItsAgentDeletesItWithGraceZero() {
    var kit = entity("graceful");
    create(kit, boundPod("graceful", List.of()));

    var marked = delete(kit, "2026-11-25T11:00:00Z", null, null);
    ResourceEntity.DeletionRequested requested =
        assertInstanceOf(ResourceEntity.DeletionRequested.class, marked.event());
    ObjectMeta meta = requested.object().metadata();
    assertEquals("2026-11-25T11:00:30Z", meta.deletionTimestamp(), "now + spec.terminationGracePeriodSeconds");
    assertEquals(30L, meta.deletionGracePeriodSeconds());
    assertEquals(2L, meta.generation(), "the first mark bumps the generation");
    assertFalse(accepted(marked).removed());

    // the agent writes status while the pod terminates; a metadata update does not remove it either
    accepted(run(kit, r -> new ResourceEntity.ReplaceStatus(withPhase(boundPod("graceful", List.of()), "Running"),
        ANY, r)));
    var relabelled = replace(kit, withMeta(accepted(get(kit)).object(), Map.of("app", "web", "x", "y"), List.of()),
        true, ANY);
    assertInstanceOf(ResourceEntity.Replaced.class, relabelled.event());
    assertEquals("2026-11-25T11:00:30Z", accepted(relabelled).object().metadata().deletionTimestamp());

    var again = delete(kit, "2026-11-25T11:00:05Z", null, null);
    assertTrue(again.hasNoEvents(), "a second delete without a shorter grace changes nothing");
    assertEquals(30L, accepted(again).object().metadata().deletionGracePeriodSeconds());
    rejected(delete(kit, "2026-11-25T11:00:06Z", "uid-of-an-earlier-pod", 0L), Reason.CONFLICT);

    var gone = delete(kit, "2026-11-25T11:00:07Z", "uid-graceful", 0L);
    ResourceEntity.Deleted deleted = assertInstanceOf(ResourceEntity.Deleted.class, gone.event());
    assertEquals(0L, deleted.object().metadata().deletionGracePeriodSeconds());
    assertTrue(accepted(gone).removed());
    rejected(get(kit), Reason.NOT_FOUND);
  }

  @Test
  void aSecondDeleteMayShortenTheGracePeriodButNeverLengthenIt() {
    var kit = entity("shorten");
    create(kit, boundPod("shorten", List.of()));
    delete(kit, "2026-11-25T11:00:00Z", null, 60L);
    assertEquals("2026-11-25T11:01:00Z", accepted(get(kit)).object().metadata().deletionTimestamp());

    var longer = delete(kit, "2026-11-25T11:00:10Z", null, 120L);
    assertTrue(longer.hasNoEvents());
    assertEquals(60L, accepted(longer).object().metadata().deletionGracePeriodSeconds());

    // as Kubernetes: the new deadline counts from the first request, not from the second
    var shorter = delete(kit, "2026-11-25T11:00:10Z", null, 20L);
    ResourceEntity.DeletionRequested event =
        assertInstanceOf(ResourceEntity.DeletionRequested.class, shorter.event());
    assertEquals("2026-11-25T11:00:20Z", event.object().metadata().deletionTimestamp());
    assertEquals(20L, event.object().metadata().deletionGracePeriodSeconds());
    assertEquals(2L, event.object().metadata().generation(), "only the first mark bumps the generation");

    var negative = delete(kit, "2026-11-25T11:00:11Z", null, -5L);
    assertEquals(1L, assertInstanceOf(ResourceEntity.DeletionRequested.class, negative.event())
        .object().metadata().deletionGracePeriodSeconds(), "a negative grace counts as 1 second, as in Kubernetes");
    assertEquals("2026-11-25T11:00:01Z", accepted(negative).object().metadata().deletionTimestamp());
  }

  @Test
  void aPodThatIsNotRunningOnANodeIsRemovedAtOnceWhateverTheGrace() {
    record Case(String name, KubeObject pod, Long grace) {}
    List<Case> cases = List.of(
        new Case("unbound", pod("unbound", "nginx:1"), 30L),
        new Case("succeeded", withPhase(boundPod("succeeded", List.of()), "Succeeded"), null),
        new Case("failed", withPhase(boundPod("failed", List.of()), "Failed"), 30L),
        new Case("zero", boundPod("zero", List.of()), 0L));
    for (Case c : cases) {
      var kit = entity("now-" + c.name());
      create(kit, c.pod().withMetadata(c.pod().metadata().withName("now-" + c.name())));
      var deleted = delete(kit, "2026-11-25T11:00:00Z", null, c.grace());
      ResourceEntity.Deleted event = assertInstanceOf(ResourceEntity.Deleted.class, deleted.event(), c.name());
      assertEquals("2026-11-25T11:00:00Z", event.object().metadata().deletionTimestamp(), c.name());
      assertEquals(0L, event.object().metadata().deletionGracePeriodSeconds(), c.name());
      assertTrue(accepted(deleted).removed(), c.name());
    }
  }

  @Test
  void finalizersHoldAPodWhoseGraceEndedUntilTheyAreRemoved() {
    var kit = entity("held");
    KubeObject held = boundPod("held", List.of("example.com/protect"));
    create(kit, held);
    delete(kit, "2026-11-25T11:00:00Z", null, null);
    var shortened = delete(kit, "2026-11-25T11:00:03Z", "uid-held", 0L);
    ResourceEntity.DeletionRequested event =
        assertInstanceOf(ResourceEntity.DeletionRequested.class, shortened.event());
    assertEquals(0L, event.object().metadata().deletionGracePeriodSeconds());
    assertEquals("2026-11-25T11:00:00Z", event.object().metadata().deletionTimestamp());
    assertFalse(accepted(shortened).removed());

    var released = replace(kit, withMeta(accepted(get(kit)).object(), Map.of("app", "web"), List.of()), true, ANY);
    assertInstanceOf(ResourceEntity.Deleted.class, released.event());
    rejected(get(kit), Reason.NOT_FOUND);
  }

  @Test
  void otherKindsIgnoreTheGracePeriod() {
    var kit = EventSourcedBehaviorTestKit.<Command, Event, State>create(testKit.system(),
        ResourceEntity.create("ConfigMap/default/settings"),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    ObjectNode body = Json.object();
    body.putObject("data").put("k", "v");
    KubeObject configMap = new KubeObject("v1", "ConfigMap", new ObjectMeta("settings", null, "default", "uid-cm",
        null, 1L, CREATED_AT, null, null, null, null, null, null), body);
    create(kit, configMap);

    var deleted = delete(kit, "2026-11-25T11:00:00Z", null, 30L);
    ResourceEntity.Deleted event = assertInstanceOf(ResourceEntity.Deleted.class, deleted.event());
    assertEquals("2026-11-25T11:00:00Z", event.object().metadata().deletionTimestamp());
  }

  @Test
  void restartRecoversAPodMarkedForDeletion() {
    var kit = entity("marked");
    create(kit, boundPod("marked", List.of()));
    delete(kit, "2026-11-25T11:00:00Z", null, 10L);
    State before = kit.getState();

    assertEquals(before, kit.restart().state());
    assertEquals(10L, accepted(get(kit)).object().metadata().deletionGracePeriodSeconds());
    assertInstanceOf(ResourceEntity.Deleted.class, delete(kit, "2026-11-25T11:00:02Z", null, 0L).event());
  }
}
