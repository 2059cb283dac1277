package io.troupe.persistence.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.persistence.TestPostgres;
import io.troupe.persistence.TestSystems;
import io.troupe.persistence.cluster.ClusterFormation;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The watch cache fed from a PostgreSQL journal with several inserts in flight at once: orderings become visible
 * out of order, a rolled-back insert leaves a hole for good, a slow transaction leaves one for a while. A watch
 * must still see every event exactly once, in order, and neither stall on the hole for good nor skip the slow one.
 */
class PostgresFeedTest {
  static TestPostgres db;
  static ActorTestKit testKit;
  static Store store;

  @BeforeAll
  static void start() throws Exception {
    db = TestPostgres.create();
    testKit = ActorTestKit.create("PostgresFeedTest",
        TestSystems.singleJvm(Files.createTempDirectory("troupe-pg-feed"), db.journal()));
    ClusterFormation.join(testKit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    store = Store.start(testKit.system());
    store.cache().whenReady().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (store != null) store.close();
    if (testKit != null) testKit.shutdownTestKit();
    if (db != null) db.close();
  }

  static KubeObject configMap(String name) {
    var body = Json.object();
    body.putObject("data").put("k", name);
    return new KubeObject("v1", "ConfigMap",
        ObjectMeta.named("default", name).withCreation(UUID.randomUUID().toString(), "2026-12-04T00:00:00Z"), body);
  }

  @Test
  void concurrentWritersHolesAndASlowTransactionAreSeenExactlyOnceInOrder() throws Exception {
    List<WatchEvent> seen = new CopyOnWriteArrayList<>();
    store.cache().watch(new WatchRequest("ConfigMap", null, o -> true, store.cache().revision(), false, false))
        .runWith(Sink.foreach(seen::add), testKit.system());

    try (Connection slow = db.connect(); Connection rolledBack = db.connect()) {
      // a transaction that takes an ordering and commits only after the others: its row must not be skipped
      slow.setAutoCommit(false);
      insertForeignRow(slow, "slow");
      // and one that takes an ordering and never commits: its hole must not stall the feed
      rolledBack.setAutoCommit(false);
      insertForeignRow(rolledBack, "rolled-back");
      rolledBack.rollback();

      List<CompletableFuture<StoreResult>> writes = new ArrayList<>();
      for (int i = 0; i < 400; i++) writes.add(store.create(configMap("cm-" + i)).toCompletableFuture());
      // the rolled-back hole does not hold the writers up, but the slow transaction's does: commit it now
      Thread.sleep(300);
      assertTrue(writes.stream().noneMatch(CompletableFuture::isDone),
          "no write is acknowledged while an earlier ordering may still commit (the feed waits at its hole)");
      slow.commit();
      for (CompletableFuture<StoreResult> w : writes) {
        assertInstanceOf(StoreResult.Written.class, w.get(60, TimeUnit.SECONDS));
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (seen.size() < 400 && System.nanoTime() < deadline) Thread.sleep(20);
    assertEquals(400, seen.size(), "every create seen once");
    Set<String> names = new HashSet<>();
    long last = 0;
    for (WatchEvent e : seen) {
      long rv = Long.parseLong(e.object().metadata().resourceVersion());
      assertTrue(rv > last, "in order: " + rv + " after " + last);
      last = rv;
      assertTrue(names.add(e.object().metadata().name()), "once: " + e.object().metadata().name());
    }
    assertEquals(400, store.cache().items("ConfigMap", "default").size());
  }

  /** A journal row of another persistence id (the feed passes it by), in {@code c}'s open transaction. */
  private static void insertForeignRow(Connection c, String id) throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute("INSERT INTO event_journal (persistence_id, sequence_number, writer, event_ser_id, "
          + "event_ser_manifest, event_payload) VALUES ('test|" + id + "', 1, 'test', 1, '', '\\x00'::bytea)");
    }
  }
}
