package io.troupe.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.troupe.persistence.TestSystems;
import io.troupe.persistence.cluster.ClusterFormation;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

/**
 * The H2 journal under sustained writes, as users run it (config/single.conf): its file is compacted fully while the
 * writes go on (held for the moment it takes, none failing), its size stays bounded, and every acknowledged write is
 * there, in the watch cache and after a restart.
 */
class H2OnlineCompactionTest {
  static final int OBJECTS = 100;
  static final int WRITERS = 6;
  static final Duration DEADLINE = Duration.ofMinutes(3);

  static KubeObject configMap(String name, long value) {
    var body = Json.object();
    // about 2 KB, as a small object with some annotations and data; random, so that the journal's compression
    // (COMPRESS=TRUE) does not shrink it to nothing
    byte[] random = new byte[1500];
    new java.util.Random(value * 31 + name.hashCode()).nextBytes(random);
    body.putObject("data").put("value", Long.toString(value))
        .put("padding", java.util.Base64.getEncoder().encodeToString(random));
    return new KubeObject("v1", "ConfigMap",
        ObjectMeta.named("default", name).withCreation("uid-" + name, "2026-12-05T00:00:00Z"), body);
  }

  static ActorTestKit start(Path dir) throws Exception {
    ActorTestKit kit = ActorTestKit.create("H2OnlineCompactionTest", TestSystems.singleJvm(dir, Map.of(
        "troupe.journal.h2-maintenance.interval", "200ms",
        "troupe.journal.h2-maintenance.defragment-above", "3MiB")));
    ClusterFormation.join(kit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    return kit;
  }

  /** The ConfigMaps whose value in the store's cache is not the one last acknowledged. */
  static List<String> notAsAcknowledged(Store store, Map<String, Long> acknowledged) {
    List<String> wrong = new ArrayList<>();
    acknowledged.forEach((name, value) -> {
      String seen = store.get("ConfigMap/default/" + name).map(s -> s.object().body().path("data").path("value")
          .asText()).orElse("(missing)");
      if (!seen.equals(Long.toString(value))) wrong.add(name + " is " + seen + ", acknowledged " + value);
    });
    return wrong;
  }

  @Test
  void theFileIsCompactedUnderWritesAndEveryAcknowledgedWriteStays() throws Exception {
    Path dir = Files.createTempDirectory("troupe-h2-online");
    Path file = dir.resolve("journal/troupe.mv.db");
    ActorTestKit kit = start(dir);
    Store store = Store.start(kit.system());
    store.cache().whenReady().toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (int i = 0; i < OBJECTS; i++) {
      assertTrue(store.create(configMap("cm-" + i, 0)).toCompletableFuture().get(30, TimeUnit.SECONDS)
          instanceof StoreResult.Written);
    }

    long compactionsBefore = JournalStats.fullCompactions();
    Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger writes = new AtomicInteger();
    long[] largest = {0};
    ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
    for (int w = 0; w < WRITERS; w++) {
      int writer = w;
      writers.execute(() -> {
        // each writer owns its keys, so the last value it was acknowledged for a key is the key's value
        List<String> mine = java.util.stream.IntStream.range(0, OBJECTS).filter(i -> i % WRITERS == writer)
            .mapToObj(i -> "cm-" + i).toList();
        for (long n = 1; !stop.get(); n++) {
          String name = mine.get((int) (n % mine.size()));
          try {
            StoreResult r = store.replace(configMap(name, n), false, ResourceEntity.ANY_REVISION)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (r instanceof StoreResult.Written) {
              acknowledged.put(name, n);
              writes.incrementAndGet();
            } else {
              failures.add(name + ": " + r);
            }
          } catch (Exception e) {
            failures.add(name + ": " + e);
          }
        }
      });
    }
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    // until two full compactions have run under the writes
    while (JournalStats.fullCompactions() < compactionsBefore + 2 && System.nanoTime() < deadline
        && failures.isEmpty()) {
      largest[0] = Math.max(largest[0], Files.size(file));
      Thread.sleep(20); // sampling the file's size, not waiting for anything
    }
    stop.set(true);
    writers.shutdown();
    assertTrue(writers.awaitTermination(60, TimeUnit.SECONDS));
    assertEquals(List.of(), failures, "writes that failed");
    assertTrue(JournalStats.fullCompactions() >= compactionsBefore + 2, "two full compactions within " + DEADLINE
        + " (" + writes.get() + " writes; the file is " + Files.size(file) + " bytes)");
    // bounded: it was compacted when it passed 3 MiB, and grows by a few KB per write between two rounds
    assertTrue(largest[0] < 24L << 20, "the file stayed under 24 MiB: its largest was " + largest[0]);

    System.out.printf("%d writes acknowledged, %d full compactions, the file at most %d bytes%n", writes.get(),
        JournalStats.fullCompactions() - compactionsBefore, largest[0]);
    assertEquals(List.of(), notAsAcknowledged(store, acknowledged), "the watch cache after the writes");
    store.close();
    kit.shutdownTestKit();

    ActorTestKit again = start(dir);
    try {
      Store restarted = Store.start(again.system());
      restarted.cache().whenReady().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertEquals(List.of(), notAsAcknowledged(restarted, acknowledged), "the journal after a restart");
      restarted.close();
    } finally {
      again.shutdownTestKit();
    }
  }
}
