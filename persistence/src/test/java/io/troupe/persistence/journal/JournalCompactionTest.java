package io.troupe.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.TestSystems;
import io.troupe.persistence.cluster.ClusterFormation;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.store.JournalDatabase;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import io.troupe.persistence.watch.Expired;
import io.troupe.persistence.watch.WatchRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Compaction on a real journal (H2 file): what it removes and what it keeps, and a restart on the compacted journal
 * (every object back at its last acknowledged state, a watch from before the horizon refused with 410).
 */
class JournalCompactionTest {
  static final JournalRetention RETENTION = new JournalRetention(Duration.ofHours(1), 3, Duration.ZERO,
      Duration.ofHours(1), 10_000);
  Path dir;
  ActorTestKit testKit;
  Store store;

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("troupe-compaction");
    startStore();
  }

  /** The journal's database: the default H2 file here; PostgreSQL in {@link PostgresJournalCompactionTest}. */
  Map<String, Object> database() {
    return Map.of();
  }

  void startStore() throws Exception {
    Map<String, Object> config = new java.util.HashMap<>(database());
    // the compactor singleton waits an hour: the test runs the passes itself, at the times it chooses
    config.put("troupe.journal.compaction.interval", "1h");
    testKit = ActorTestKit.create("CompactionTest", TestSystems.singleJvm(dir, config));
    ClusterFormation.join(testKit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    store = Store.start(testKit.system());
    store.cache().whenReady().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  void stopStore() {
    store.close();
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stop() {
    stopStore();
  }

  static KubeObject configMap(String name, String value) {
    ObjectNode body = Json.object();
    body.putObject("data").put("k", value);
    return new KubeObject("v1", "ConfigMap",
        ObjectMeta.named("default", name).withCreation("uid-" + name, "2026-12-04T00:00:00Z"), body);
  }

  static KubeObject node(String heartbeat, String ready) {
    ObjectNode body = Json.object();
    ObjectNode condition = body.putObject("status").putArray("conditions").addObject();
    condition.put("type", "Ready").put("status", ready).put("lastHeartbeatTime", heartbeat);
    return new KubeObject("v1", "Node", ObjectMeta.named(null, "node-1").withCreation("uid-node", heartbeat), body);
  }

  static StoreResult.Written written(CompletionStage<StoreResult> write) throws Exception {
    return assertInstanceOf(StoreResult.Written.class, write.toCompletableFuture().get(20, TimeUnit.SECONDS));
  }

  Connection db() throws Exception {
    return JournalDatabase.of(testKit.system().settings().config()).connect();
  }

  /** The kept events of an object, by their manifests' simple names, oldest first. */
  List<String> events(String key) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db(); PreparedStatement q = c.prepareStatement("SELECT \"event_ser_manifest\" FROM "
        + "\"event_journal\" WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\"")) {
      q.setString(1, "Resource|" + key);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) out.add(rs.getString(1).substring(rs.getString(1).indexOf('$') + 1));
      }
    }
    return out;
  }

  long snapshots(String key) throws Exception {
    try (Connection c = db(); PreparedStatement q = c.prepareStatement(
        "SELECT count(*) FROM \"snapshot\" WHERE \"persistence_id\" = ?")) {
      q.setString(1, "Resource|" + key);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Passes of one compactor, whose cursors go on from where the last pass left them. */
  JournalCompaction compaction = new JournalCompaction(RETENTION);

  JournalCompaction.Result compact(Instant now) throws Exception {
    try (Connection c = db()) {
      return compaction.run(c, now);
    }
  }

  /** Writes: "a" updated ten times, "b" once, a node that heartbeats, "gone" created and deleted. */
  void history() throws Exception {
    long revision = written(store.create(configMap("a", "0"))).stored().sequenceNr();
    for (int i = 1; i <= 10; i++) {
      revision = written(store.replace(configMap("a", Integer.toString(i)), false, revision)).stored().sequenceNr();
    }
    written(store.create(configMap("b", "only")));
    written(store.create(node("2026-12-04T00:00:00Z", "True")));
    for (int i = 1; i <= 5; i++) {
      written(store.replaceStatus(node("2026-12-04T00:00:0" + i + "Z", "True"), ResourceEntity.ANY_REVISION));
    }
    written(store.replaceStatus(node("2026-12-04T00:00:06Z", "False"), ResourceEntity.ANY_REVISION));
    written(store.create(configMap("gone", "x")));
    written(store.delete("ConfigMap/default/gone", "2026-12-04T00:01:00Z", null, ResourceEntity.ANY_REVISION));
  }

  @Test
  void retentionRemovesWhatItShouldAndNothingElse() throws Exception {
    history();
    assertEquals(11, events("ConfigMap/default/a").size());
    assertEquals(List.of("Created", "Heartbeated", "Heartbeated", "Heartbeated", "Heartbeated", "Heartbeated",
        "StatusReplaced"), events("Node//node-1"));
    assertEquals(1, snapshots("ConfigMap/default/gone"), "a snapshot at deletion");

    // now: within max-age, so by count (3 newest kept) and heartbeats (superseded)
    JournalCompaction.Result first = compact(Instant.now().plusSeconds(1));
    assertEquals(List.of("Replaced", "Replaced", "Replaced"), events("ConfigMap/default/a"));
    assertEquals(List.of("Created"), events("ConfigMap/default/b"));
    // the heartbeats go for being superseded, the creation for having more than 3 newer events
    assertEquals(List.of("StatusReplaced"), events("Node//node-1"));
    assertEquals(List.of("Created", "Deleted"), events("ConfigMap/default/gone"), "kept while within max-age");
    assertEquals(8 + 5 + 1, first.events());
    assertTrue(first.horizon() > 0);

    // two hours on: older than max-age, so each object keeps its newest event, and the deleted one goes whole
    JournalCompaction.Result second = compact(Instant.now().plus(Duration.ofHours(2)));
    assertEquals(List.of("Replaced"), events("ConfigMap/default/a"));
    assertEquals(List.of("Created"), events("ConfigMap/default/b"));
    assertEquals(List.of("StatusReplaced"), events("Node//node-1"));
    assertEquals(List.of(), events("ConfigMap/default/gone"));
    assertEquals(0, snapshots("ConfigMap/default/gone"), "nothing left of a deleted object");
    assertTrue(second.horizon() > first.horizon());
    assertEquals(0, compact(Instant.now().plus(Duration.ofHours(2))).events(), "a pass again removes nothing");
    try (Connection c = db()) {
      assertEquals(database().isEmpty(), H2Maintenance.maintain(c, 1 << 20).isPresent(),
          "the H2 file is compacted online; PostgreSQL not");
    }
  }

  @Test
  void aLaterPassFindsWhatNewEventsMadeRemovableBehindItsCursors() throws Exception {
    history();
    compact(Instant.now().plusSeconds(1));
    assertEquals(List.of("StatusReplaced"), events("Node//node-1"));
    assertEquals(List.of("Created"), events("ConfigMap/default/b"));

    // after the cursors: a heartbeat supersedes the node's status, then a newer one supersedes that heartbeat; "b",
    // passed by both cursors while it had one event, gets a second
    written(store.replaceStatus(node("2026-12-04T00:00:07Z", "False"), ResourceEntity.ANY_REVISION));
    written(store.replaceStatus(node("2026-12-04T00:00:08Z", "False"), ResourceEntity.ANY_REVISION));
    written(store.replace(configMap("b", "twice"), false, ResourceEntity.ANY_REVISION));
    assertEquals(List.of("StatusReplaced", "Heartbeated", "Heartbeated"), events("Node//node-1"));
    assertEquals(1, compact(Instant.now().plusSeconds(1)).events(), "the superseded heartbeat");
    assertEquals(List.of("StatusReplaced", "Heartbeated"), events("Node//node-1"));
    assertEquals(List.of("Created", "Replaced"), events("ConfigMap/default/b"), "within max-age and count");

    // aged past max-age, the older events go and each object keeps its newest
    compact(Instant.now().plus(Duration.ofHours(2)));
    assertEquals(List.of("Heartbeated"), events("Node//node-1"));
    assertEquals(List.of("Replaced"), events("ConfigMap/default/b"));
    assertEquals(List.of("Replaced"), events("ConfigMap/default/a"));
  }

  @Test
  void passesInSmallBatchesRemoveWhatOneLargePassDoes() throws Exception {
    history();
    compaction = new JournalCompaction(new JournalRetention(RETENTION.maxAge(), RETENTION.maxEventsPerObject(),
        RETENTION.minAge(), RETENTION.interval(), 2));
    Instant later = Instant.now().plus(Duration.ofHours(2));
    int passes = 0;
    int removed = 0;
    JournalCompaction.Result pass;
    do {
      pass = compact(later);
      removed += pass.events();
      passes++;
    } while (pass.more() && passes < 100);
    assertTrue(passes >= 3, "it took several passes: " + passes);
    assertEquals(List.of("Replaced"), events("ConfigMap/default/a"));
    assertEquals(List.of("Created"), events("ConfigMap/default/b"));
    assertEquals(List.of("StatusReplaced"), events("Node//node-1"));
    assertEquals(List.of(), events("ConfigMap/default/gone"));
    assertEquals(0, snapshots("ConfigMap/default/gone"));
    assertEquals(10 + 6 + 2, removed);
    assertEquals(0, compact(later).events());
  }

  @Test
  void aLiveCacheWhoseFeedMissedCompactedEventsClosesItsWatches() throws Exception {
    written(store.create(configMap("watched", "1")));
    long revision = store.cache().revision();
    var watch = store.cache().watch(new WatchRequest("ConfigMap", null, o -> true, revision, false, false))
        .runWith(org.apache.pekko.stream.javadsl.Sink.ignore(), testKit.system());
    store.cache().compactedThrough(revision); // all applied: nothing happens
    assertTrue(!watch.toCompletableFuture().isDone());
    store.cache().compactedThrough(revision + 5); // events this cache never read are gone
    watch.toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThrows(Expired.class, () -> store.cache().watch(new WatchRequest("ConfigMap", null, o -> true,
        revision, false, false)));
  }

  @Test
  void aRestartOnACompactedJournalRestoresEveryObjectAndRefusesWatchesFromBeforeItsHorizon() throws Exception {
    history();
    long horizon = compact(Instant.now().plus(Duration.ofHours(2))).horizon();
    stopStore();
    startStore();

    assertEquals("10", Json.text(store.get("ConfigMap/default/a").orElseThrow().object().body(), "data.k"));
    assertEquals("only", Json.text(store.get("ConfigMap/default/b").orElseThrow().object().body(), "data.k"));
    assertEquals("False", store.get("Node//node-1").orElseThrow().object().status().path("conditions").get(0)
        .path("status").asText());
    assertTrue(store.get("ConfigMap/default/gone").isEmpty(), "a deleted object stays deleted");

    // the entities recover too: a conditional write on the revision the cache shows goes through
    var a = store.get("ConfigMap/default/a").orElseThrow();
    written(store.replace(configMap("a", "11"), false, a.sequenceNr()));
    written(store.create(configMap("gone", "again")));

    assertThrows(Expired.class, () -> store.cache().watch(new WatchRequest("ConfigMap", null, o -> true,
        horizon - 1, false, false)));
    store.cache().watch(new WatchRequest("ConfigMap", null, o -> true, horizon, false, false));
  }
}
